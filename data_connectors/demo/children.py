"""The children who appear in the demo's events, and what is recorded about each.

Children are created when they first need to exist (a first referral, a contact, a planted signal),
with a date of birth set from an age drawn for that first event, so every event falls while the child
is 0-17. Homes follow the child population weighted towards deprived areas, as contacts and referrals do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_connectors.demo.context import Partnership, ids, pick, yes_no
from data_connectors.demo.geography import Place

# Age at first contact or referral (DfE children in need: under-1s and young teenagers are over-represented).
AGE_WEIGHTS = np.array([10.0] + [4.5] * 4 + [5.0] * 5 + [5.85] * 6 + [6.0] * 2)
ETHNICITY = {
    "WBRI": 71.0,
    "WIRI": 0.3,
    "WIRT": 0.2,
    "WOTH": 5.0,
    "WROM": 0.4,
    "MWBC": 1.6,
    "MWBA": 0.7,
    "MWAS": 1.5,
    "MOTH": 1.6,
    "AIND": 2.4,
    "APKN": 3.4,
    "ABAN": 1.2,
    "AOTH": 1.3,
    "BCRB": 0.6,
    "BAFR": 2.6,
    "BOTH": 0.5,
    "CHNE": 0.4,
    "OOTH": 1.5,
    "REFU": 0.6,
    "NOBT": 2.0,
}
SEX = {"1": 50.8, "2": 48.7, "0": 0.5}
LAST_DAY_AS_CHILD = (
    18 * 365 + 4 - 62
)  # days: events stop two months before 18, so a birth month never reads 18
VULNERABILITY_SLOPE = 0.45  # log-scale lift in children's services contact per unit of deprivation


@dataclass
class Children:
    """All children so far, as parallel arrays; events refer to children by position."""

    parts: list[dict[str, np.ndarray]] = field(default_factory=list)
    count: int = 0

    def add(
        self, rng: np.random.Generator, dob: np.ndarray, area: np.ndarray, sex: np.ndarray | None = None
    ) -> np.ndarray:
        """Register children (drawing the facts that shape later events); returns their positions."""
        n = len(dob)
        disabled = rng.random(n) < 0.08
        self.parts.append(
            {
                "dob": np.asarray(dob, dtype="datetime64[D]"),
                "area": np.asarray(area, dtype=np.int64),
                "sex": np.full(n, None, dtype=object) if sex is None else np.asarray(sex, dtype=object),
                "disabled": disabled,
                "special_school": disabled & (rng.random(n) < 0.3),
                "second_school": rng.random(n) < 0.25,
            }
        )
        positions = np.arange(self.count, self.count + n)
        self.count += n
        return positions

    def column(self, name: str) -> np.ndarray:
        return np.concatenate([part[name] for part in self.parts])


def home_weights(place: Place) -> np.ndarray:
    """Where children known to services live: population, tilted towards deprived areas."""
    w = place.children_by_area() * np.exp(VULNERABILITY_SLOPE * place.deprivation_z)
    return w / w.sum()


def draw_ages(rng: np.random.Generator, n: int, weights: np.ndarray = AGE_WEIGHTS) -> np.ndarray:
    """Ages in days at a first event."""
    years = rng.choice(18, size=n, p=weights / weights.sum())
    days = (years * 365.25 + rng.random(n) * 365).astype(np.int64)
    return np.clip(days, 7, LAST_DAY_AS_CHILD - 1)


def draw_areas(rng: np.random.Generator, place: Place, n: int) -> np.ndarray:
    """Home small areas for new children."""
    return rng.choice(len(place.areas), size=n, p=home_weights(place))


def last_child_day(dob: np.ndarray) -> np.ndarray:
    """The last day an event may fall on while the child is still clearly under 18."""
    return dob + np.timedelta64(LAST_DAY_AS_CHILD, "D")


def children_table(
    p: Partnership, place: Place, children: Children, first_event: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """The children template, numbered in order of first contact; returns it and each child's id."""
    rng = p.rng("children")
    dob, area, sex = children.column("dob"), children.column("area"), children.column("sex")
    n = len(dob)
    order = np.lexsort((np.arange(n), first_event))
    number = np.empty(n, dtype=np.int64)
    number[order] = np.arange(n) + 1
    child_id = ids(p.prefix, "C", number + 100_000, 7)
    drawn_sex = pick(rng, SEX, n)
    sex = np.where(pd.isna(sex), drawn_sex, sex)
    ethnic = ETHNICITY.copy()
    eth = pick(rng, ethnic, n)
    most_deprived = place.localities["locality_code"].tolist().index(place.locality_deprivation_order[0])
    diverse = place.locality_of_area[area] == most_deprived
    eth[diverse] = pick(rng, {**ethnic, "WBRI": ethnic["WBRI"] * 0.55}, int(diverse.sum()))
    disabled = children.column("disabled")
    # Most children's homes arrive as a postcode (reduced to the small area on load); some as the area.
    postcode_given = rng.random(n) < 0.9
    by_area = pd.Series(np.arange(len(place.postcodes))).groupby(place.postcode_area).agg(["min", "count"])
    first, count = by_area["min"].to_numpy()[area], by_area["count"].to_numpy()[area]
    postcode = place.postcodes[first + (rng.random(n) * count).astype(np.int64)]
    frame = pd.DataFrame(
        {
            "child_id": child_id,
            "date_of_birth": dob,
            "sex": sex,
            "ethnicity": eth,
            "has_disability": yes_no(disabled),
            "home_postcode": np.where(postcode_given, postcode, None),
            "home_area_code": np.where(postcode_given, None, place.area_codes[area]),
        }
    )
    return frame.iloc[order].reset_index(drop=True), child_id
