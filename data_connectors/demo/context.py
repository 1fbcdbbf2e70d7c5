"""What every demo module needs to know about the partnership it is building.

One `Partnership` carries the period, the code offsets that keep identifiers unique across a region,
the partnership's size and character, and named random streams: each subject draws from its own
stream, so changing one module never shifts the random numbers (and files) of another.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

DAY = np.timedelta64(1, "D")

# Local tier volumes (a partnership of about 60,000 children, five years); the region scales these.
REFERRALS_PER_MONTH = 333
CONTACT_ONLY_CHILDREN = 21_500
OTHER_CONTACTS = 80_000
POLICE_INCIDENTS = 50_000


@dataclass(frozen=True)
class Rates:
    """Headline rates a partnership is built around (national figures, data-standards section 4)."""

    rereferral_before: float = 0.18  # signal 6: re-referral rate before the change month
    rereferral_after: float = 0.27  # ... and after it (overall about 22.6%, the 2025 national rate)
    nfa_gp: float = 0.30  # signal 5: GP referrals ending in no further action
    nfa_other: float = 0.0565  # every other source, so the overall NFA rate is about 6.5%
    long_gap_repeat: float = 0.06  # referrals of children last referred more than 12 months before


@dataclass(frozen=True)
class Partnership:
    """One fictional partnership: its place in the region, its size, its period and its random streams."""

    index: int  # 1-based
    seed: int
    start: date
    end: date
    prefix: str = ""  # "" at the local tier; "P07-" in a region, so identifiers never collide
    scale: float = 1.0  # size relative to the local tier partnership
    deprivation_shift: float = 0.0  # log-scale shift of every small area's IMD score
    rates: Rates = field(default_factory=Rates)
    grid_position: tuple[int, int] = (0, 0)  # (column, row) of this partnership's tile in the region
    region: bool = False

    @property
    def folder(self) -> str:
        return f"partnership-{self.index:02d}" if self.region else "."

    @property
    def la_code(self) -> str:
        """Fictional ONS-style code: E0699xxxx is never issued to a real authority."""
        return f"E0699{self.index:04d}"

    def rng(self, stream: str) -> np.random.Generator:
        """A generator for one subject, fixed by the seed, the partnership and the stream name."""
        return np.random.default_rng([self.seed, self.index, zlib.crc32(stream.encode("utf-8"))])

    def scaled(self, count: float) -> int:
        return int(round(count * self.scale))

    @property
    def start64(self) -> np.datetime64:
        return np.datetime64(self.start, "D")

    @property
    def end64(self) -> np.datetime64:
        return np.datetime64(self.end, "D")


def ids(prefix: str, letters: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Raw-looking identifiers such as C0000123 (prefixed with the partnership in a region)."""
    text = pd.Series(np.asarray(numbers, dtype=np.int64)).astype(str).str.zfill(width)
    return (prefix + letters + text).to_numpy(dtype=object)


def yes_no(flags: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """Booleans as the templates want them: Y or N, and empty where the value is unknown."""
    out = np.where(np.asarray(flags, dtype=bool), "Y", "N").astype(object)
    if present is not None:
        out[~np.asarray(present, dtype=bool)] = None
    return out


def blank_after(dates: np.ndarray, end: np.datetime64) -> np.ndarray:
    """Dates after the end of the extract have not happened yet: leave them empty."""
    out = np.asarray(dates, dtype="datetime64[D]").copy()
    out[out > end] = np.datetime64("NaT")
    return out


def pick(
    rng: np.random.Generator,
    codes: dict[str, float] | list[str],
    size: int,
    weights: list[float] | None = None,
) -> np.ndarray:
    """Draw codes with the given weights (normalised here, so shares can be written as percentages)."""
    if isinstance(codes, dict):
        keys, w = list(codes), np.array(list(codes.values()), dtype=float)
    else:
        keys, w = list(codes), np.array(weights if weights is not None else [1.0] * len(codes), dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=w / w.sum())]


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct indices drawn with probability proportional to weight (Efraimidis-Spirakis keys)."""
    weights = np.asarray(weights, dtype=float)
    k = min(k, int((weights > 0).sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    keys = np.full(weights.shape, -np.inf)
    positive = weights > 0
    keys[positive] = np.log(rng.random(int(positive.sum()))) / weights[positive]
    chosen = np.argpartition(-keys, k - 1)[:k]
    return np.sort(chosen)


def uniform_dates(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """One date drawn uniformly from each [low, high] interval (inclusive)."""
    low = np.asarray(low, dtype="datetime64[D]")
    span = (np.asarray(high, dtype="datetime64[D]") - low).astype(np.int64)
    return low + (rng.random(low.shape) * (np.maximum(span, 0) + 1)).astype(np.int64).astype("timedelta64[D]")
