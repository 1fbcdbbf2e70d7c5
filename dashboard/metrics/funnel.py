"""Funnel plots: is a locality or agency unusual, or just small?

A funnel plot draws each unit's proportion (or rate) against its size, with control limits around the overall
figure that narrow as size grows. A unit outside the 95% limits would happen by chance about 1 time in 20
(2.5% each side); outside 99.8%, about 1 in 500. Limits follow the Fingertips (OHID, formerly PHE) funnel
method: 95% and 99.8% limits around the average of all units (sum of numerators / sum of denominators),
or around a target you give (for example the England figure).

Methods (documented because the choice changes which units are flagged):

* Rates (``rate_funnel``, ``rate_limits``): exact Poisson limits, as Fingertips draws them. For an expected
  count mu = target rate x population, the upper limit is the (continuous) count whose chance of being
  reached or exceeded is 2.5% (0.1% for 99.8%), found with the gamma function, which makes the lines smooth
  in population. A unit is above the line exactly when the one-sided exact Poisson test is significant, which
  is the same as its own exact (Garwood) interval lying wholly above the target. Fingertips classifies with
  Byar's interval from 10 events, so a unit sitting right on a line may differ; the lines are the same.
* Proportions (``proportion_funnel``, ``proportion_limits``): ``method="exact"`` (default) uses exact binomial
  limits in the same way (continuous through the incomplete beta function), so a unit is above the line
  exactly when the one-sided exact binomial test is significant. ``method="normal"`` reproduces Fingertips /
  PHEindicatormethods: target +/- z * sqrt(target (1 - target) / n) without continuity correction (their
  ``sigma_adjustment`` formula reduces to this), equivalent to asking whether the unit's Wilson interval
  excludes the target. The exact limits are the default because children's-services units are often small
  (tens of children), where the normal approximation misplaces the limits.

Limits do not allow for over-dispersion (Spiegelhalter 2005): with many large units, many may fall outside
the limits for reasons that are real but not "special"; read them as a prompt to look, not a verdict.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from dashboard.metrics.frames import with_columns
from dashboard.metrics.intervals import z_value

LEVELS: dict[str, float] = {"95": 0.95, "99_8": 0.998}
"""The two Fingertips control limits; column suffixes ``_95`` and ``_99_8``."""

ABOVE_998, ABOVE_95, WITHIN, BELOW_95, BELOW_998, NO_DATA = (
    "above 99.8%",
    "above 95%",
    "within",
    "below 95%",
    "below 99.8%",
    "no data",
)
POSITIONS = [BELOW_998, BELOW_95, WITHIN, ABOVE_95, ABOVE_998, NO_DATA]
"""Values of the ``funnel_position`` column, lowest to highest."""

ProportionMethod = Literal["exact", "normal"]
Bounds = dict[str, tuple[np.ndarray, np.ndarray]]
"""Continuous count limits per level: (lower, upper) arrays."""
LIMIT_COLUMNS = [f"{side}_{suffix}" for suffix in LEVELS for side in ("lower", "upper")]


def proportion_limits(denominators, target: float, method: ProportionMethod = "exact") -> pd.DataFrame:
    """95% and 99.8% control limits (as proportions, 0 to 1) around ``target`` for each denominator."""
    return _proportion_table(np.asarray(denominators, dtype=float), target, method)[0]


def _proportion_table(n: np.ndarray, target: float, method: str) -> tuple[pd.DataFrame, Bounds | None]:
    """The limits table, and for the exact method the count limits behind it (for classifying units)."""
    _check_target(target, upper=1.0)
    if method not in ("exact", "normal"):
        raise ValueError(f"unknown method {method!r}: use 'exact' or 'normal'")
    count_limits = _binomial_count_limits(n, target) if method == "exact" else None
    columns = {"denominator": n, "target": np.full(len(n), float(target))}
    usable = n > 0
    with np.errstate(all="ignore"):
        for suffix, confidence in LEVELS.items():
            if count_limits is not None:
                lower, upper = (limit / n for limit in count_limits[suffix])
            else:
                half = z_value(confidence) * np.sqrt(target * (1 - target) / n)
                lower, upper = target - half, target + half
            columns[f"lower_{suffix}"] = np.where(usable, np.clip(lower, 0.0, 1.0), np.nan)
            columns[f"upper_{suffix}"] = np.where(usable, np.clip(upper, 0.0, 1.0), np.nan)
    return pd.DataFrame(columns), count_limits


def rate_limits(populations, target_rate: float, per: float = 10_000) -> pd.DataFrame:
    """95% and 99.8% exact Poisson control limits (rates per ``per``) around ``target_rate`` per ``per``."""
    return _rate_table(np.asarray(populations, dtype=float), target_rate, per)[0]


def _rate_table(population: np.ndarray, target_rate: float, per: float) -> tuple[pd.DataFrame, Bounds]:
    _check_target(target_rate)
    counts = _poisson_count_limits(population * target_rate / per)
    columns = {"population": population, "target": np.full(len(population), float(target_rate))}
    usable = population > 0
    with np.errstate(all="ignore"):
        for suffix in LEVELS:
            lower, upper = counts[suffix]
            columns[f"lower_{suffix}"] = np.where(usable, np.maximum(lower, 0.0) / population * per, np.nan)
            columns[f"upper_{suffix}"] = np.where(usable, upper / population * per, np.nan)
    return pd.DataFrame(columns), counts


def proportion_funnel(
    frame: pd.DataFrame,
    numerator: str,
    denominator: str,
    target: float | None = None,
    method: ProportionMethod = "exact",
) -> pd.DataFrame:
    """Each unit's proportion, the target, its limits and ``funnel_position`` (within / above 95% / ...).

    ``target`` defaults to the overall proportion of the units given (sum of numerators / sum of denominators).
    Units with a 0 or missing denominator get NaN limits and the position "no data".
    """
    num = pd.to_numeric(frame[numerator]).astype("float64").to_numpy()
    den = pd.to_numeric(frame[denominator]).astype("float64").to_numpy()
    if np.any(num < 0) or np.any(num > den):
        raise ValueError(f"{numerator} must be between 0 and {denominator} for a proportion")
    known = ~np.isnan(num) & (den > 0)
    target = _overall(num, den, known) if target is None else target
    limits, counts = _proportion_table(den, target, method)
    with np.errstate(all="ignore"):
        value = np.where(known, num / den, np.nan)
    added: dict[str, object] = {"value": value}
    for column in ["target", *LIMIT_COLUMNS]:
        added[column] = limits[column].to_numpy()
    if counts is not None:  # compare on the count scale so that "above the line" is exactly the exact test
        added["funnel_position"] = _positions(num, counts, known)
    else:
        bounds = {
            suffix: (limits[f"lower_{suffix}"].to_numpy(), limits[f"upper_{suffix}"].to_numpy()) for suffix in LEVELS
        }
        added["funnel_position"] = _positions(value, bounds, known)
    return with_columns(frame, added)


def rate_funnel(
    frame: pd.DataFrame, count: str, population: str, per: float = 10_000, target: float | None = None
) -> pd.DataFrame:
    """Each unit's rate per ``per``, the target rate, its exact Poisson limits and ``funnel_position``.

    ``target`` (a rate per ``per``) defaults to the overall rate of the units given.
    """
    counts = pd.to_numeric(frame[count]).astype("float64").to_numpy()
    pop = pd.to_numeric(frame[population]).astype("float64").to_numpy()
    if np.any(counts < 0) or np.any(pop < 0):
        raise ValueError(f"{count} and {population} must not be negative")
    known = ~np.isnan(counts) & (pop > 0)
    target = _overall(counts, pop, known) * per if target is None else target
    limits, bounds = _rate_table(pop, target, per)
    with np.errstate(all="ignore"):
        added: dict[str, object] = {"value": np.where(known, counts / pop * per, np.nan)}
    for column in ["target", *LIMIT_COLUMNS]:
        added[column] = limits[column].to_numpy()
    added["funnel_position"] = _positions(counts, bounds, known)
    return with_columns(frame, added)


def funnel_axis(largest: float, smallest: float = 1, points: int = 100) -> np.ndarray:
    """Whole-number denominators spread evenly on a log scale, for drawing smooth funnel lines."""
    return np.unique(np.round(np.geomspace(max(smallest, 1), max(largest, smallest, 1), points)))


def _binomial_count_limits(n: np.ndarray, p: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Continuous count limits: P(X >= upper) = alpha/2 and P(X <= lower) = alpha/2 for X ~ Binomial(n, p).

    Worked out once per distinct denominator (units of the same size share their limits). A lower limit at or
    below no children is no limit (no count can fall below it, and its proportion is 0), so it is given as 0
    without working out how far below: that was most of a funnel's arithmetic, for small units."""
    sizes, back = np.unique(n, return_inverse=True)
    limits = {}
    for suffix, confidence in LEVELS.items():
        tail = (1 - confidence) / 2
        upper = _binomial_tail_root(sizes, p, tail)[back]
        lower = _binomial_tail_root(sizes, p, 1 - tail, below_one_as_one=True)[back] - 1
        limits[suffix] = (lower, upper)
    return limits


def _binomial_tail_root(n: np.ndarray, p: float, probability: float, below_one_as_one: bool = False) -> np.ndarray:
    """k in (0, n + 1) where P(X >= k) = I_p(k, n - k + 1) equals ``probability``.

    P(X >= k) = 1 - P(X <= k - 1), so scipy's ``bdtrik`` (the binomial distribution function inverted in the
    count, continuous in between) gives k - 1 directly, about four times faster than bisection. It stops at 0
    counts, so a root below 1 (tiny or extreme targets, one-child units) is found by bisection instead, or
    given as 1 with `below_one_as_one` (for a caller to whom every such root means the same).
    """
    with np.errstate(all="ignore"):
        root = special.bdtrik(1 - probability, n, p) + 1
    below_one = (n > 0) & (root <= 1)  # the root lies in (0, 1]: bisect that count alone
    if below_one.any() and below_one_as_one:
        root[below_one] = 1.0
    elif below_one.any():
        root[below_one] = _bisected_tail_root(n[below_one], p, probability, within_one=True)
    unresolved = (n > 0) & np.isnan(root)
    if unresolved.any():
        root[unresolved] = _bisected_tail_root(n[unresolved], p, probability)
    return np.where(n > 0, root, np.nan)


def _bisected_tail_root(n: np.ndarray, p: float, probability: float, within_one: bool = False) -> np.ndarray:
    """The root `_binomial_tail_root` wants, by vectorised bisection (for any target and size); with
    `within_one`, a root known to lie in (0, 1], where 30 halvings leave less than a billionth of a child.

    The regularised incomplete beta function extends the binomial tail smoothly between whole counts and falls
    steadily as k grows, so bisection converges. It starts from mean +/- (8 sd + 10), which holds the 0.1% and
    99.9% points of any binomial (checked; the whole range is used where it does not), and 45 halvings then
    leave far less than a millionth of a child.
    """
    tail = special.betainc
    with np.errstate(all="ignore"):
        if within_one:
            low, high = np.zeros_like(n), np.ones_like(n)
        else:
            mean, spread = n * p, 8 * np.sqrt(n * p * (1 - p)) + 10
            low, high = np.maximum(mean - spread, 0.0), np.minimum(mean + spread, n + 1)
            bracketed = (tail(np.maximum(low, 1e-300), n - low + 1, p) >= probability) & (
                tail(high, n - high + 1, p) <= probability
            )
            low, high = np.where(bracketed, low, 0.0), np.where(bracketed, high, n + 1)
        for _ in range(30 if within_one else 45):
            middle = (low + high) / 2
            too_low = tail(middle, n - middle + 1, p) > probability
            low, high = np.where(too_low, middle, low), np.where(too_low, high, middle)
        return np.where(n > 0, (low + high) / 2, np.nan)


def _poisson_count_limits(expected: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Continuous count limits for X ~ Poisson(expected): P(X >= upper) = alpha/2 = P(X <= lower).

    P(X >= k) equals the regularised lower incomplete gamma P(k, mu), so ``gdtrib`` (its inverse in the shape)
    gives the limit directly.
    """
    limits = {}
    with np.errstate(all="ignore"):
        for suffix, confidence in LEVELS.items():
            tail = (1 - confidence) / 2
            usable = expected > 0
            upper = np.where(usable, special.gdtrib(1.0, tail, np.where(usable, expected, 1.0)), np.nan)
            lower = np.where(usable, special.gdtrib(1.0, 1 - tail, np.where(usable, expected, 1.0)) - 1, np.nan)
            limits[suffix] = (lower, upper)
    return limits


def _positions(values: np.ndarray, bounds: Bounds, known: np.ndarray) -> pd.Categorical:
    lower_95, upper_95 = bounds["95"]
    lower_998, upper_998 = bounds["99_8"]
    with np.errstate(invalid="ignore"):
        position = np.select(
            [~known, values > upper_998, values > upper_95, values < lower_998, values < lower_95],
            [NO_DATA, ABOVE_998, ABOVE_95, BELOW_998, BELOW_95],
            default=WITHIN,
        )
    return pd.Categorical(position, categories=POSITIONS, ordered=True)


def _overall(numerators: np.ndarray, denominators: np.ndarray, known: np.ndarray) -> float:
    total = denominators[known].sum()
    if total <= 0:
        raise ValueError("no unit has a denominator above 0, so there is no overall figure to compare with")
    return float(numerators[known].sum() / total)


def _check_target(target: float, upper: float = np.inf) -> None:
    if not (0 <= target <= upper) or np.isnan(target):
        raise ValueError(f"target must be between 0 and {upper}, not {target!r}")
