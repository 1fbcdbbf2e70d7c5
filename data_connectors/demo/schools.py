"""Schools: where they are, what phase, how big, and which school a child of a given age attends.

Secondaries are spread over the map one per block so every home has one nearby; primaries follow
the child population. A child goes to one of the two nearest schools of the right phase, which is
what links a school's referrals (source 2A, school URN) to the children who live around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_connectors.demo.context import Partnership, pick
from data_connectors.demo.geography import NX, NY, Place
from data_connectors.demo.gias_file import on_grid
from data_connectors.demo.names import SCHOOL_FEATURES

PHASE_COUNTS = {
    "PRIMARY": 73,
    "SECONDARY": 20,
    "NURSERY": 2,
    "16_PLUS": 1,
    "ALL_THROUGH": 1,
    "NOT_APPLICABLE": 3,
}
SAINTS = ("Anne", "Mary", "Joseph", "Peter", "Paul", "John", "Michael", "Margaret", "Bede", "Chad", "Hilda", "Wilfrid")
URN_BLOCK = 200  # URNs per partnership in a region: 99xxxx, never issued to a real establishment
ESTABLISHMENT_TYPES = {
    "PRIMARY": {
        "Community school": 40,
        "Academy converter": 30,
        "Voluntary aided school": 15,
        "Academy sponsor led": 10,
        "Foundation school": 5,
    },
    "SECONDARY": {
        "Academy converter": 45,
        "Academy sponsor led": 30,
        "Community school": 15,
        "Free schools": 10,
    },
    "NURSERY": {"Local authority nursery school": 1},
    "16_PLUS": {"Further education": 1},
    "ALL_THROUGH": {"Academy sponsor led": 1},
    "NOT_APPLICABLE": {"Community special school": 2, "Pupil referral unit": 1},
}
PUPILS = {
    "PRIMARY": (120, 480),
    "SECONDARY": (650, 1600),
    "NURSERY": (60, 110),
    "16_PLUS": (900, 1800),
    "ALL_THROUGH": (1200, 1800),
    "NOT_APPLICABLE": (60, 200),
}


@dataclass
class Schools:
    """The schools table plus arrays for lookups by index."""

    frame: pd.DataFrame
    urn: np.ndarray
    phase: np.ndarray
    area: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    nearest: dict[str, np.ndarray]  # phase group -> (areas, 2) school indices, nearest first

    def attended(self, area: np.ndarray, age: np.ndarray, second_choice: np.ndarray, special: np.ndarray) -> np.ndarray:
        """Index of the school a child attends at this age (-1 under school age)."""
        choice = second_choice.astype(int)
        out = np.full(len(area), -1, dtype=np.int64)
        primary = (age >= 4) & (age <= 10)
        secondary = (age >= 11) & (age <= 15)
        sixth = age >= 16
        out[primary] = self.nearest["primary"][area[primary], choice[primary]]
        out[secondary] = self.nearest["secondary"][area[secondary], choice[secondary]]
        out[sixth] = self.nearest["sixth"][area[sixth], choice[sixth]]
        in_school = out >= 0
        out[special & in_school] = self.nearest["special"][area[special & in_school], 0]
        return out


def build_schools(place: Place, p: Partnership) -> Schools:
    """About 100 schools: secondaries spread one per block, primaries where the children are."""
    rng = p.rng("schools")
    n_areas = len(place.areas)
    children = place.children_by_area()
    phases: list[str] = []
    areas: list[int] = []
    # Secondaries (and the all-through school): one per block of the grid, so catchments tile the place.
    blocks = [(r, c) for r in range(4) for c in range(5)] + [(1, 2)]
    for k, (r, c) in enumerate(blocks[: PHASE_COUNTS["SECONDARY"] + PHASE_COUNTS["ALL_THROUGH"]]):
        rows = np.arange(r * NY // 4, (r + 1) * NY // 4)
        cols = np.arange(c * NX // 5, (c + 1) * NX // 5)
        cells = (rows[:, None] * NX + cols[None, :]).ravel()
        grid_area = _area_of_cell(place, cells)
        areas.append(int(rng.choice(grid_area)))
        phases.append("SECONDARY" if k < PHASE_COUNTS["SECONDARY"] else "ALL_THROUGH")
    weights = children / children.sum()
    primary_areas = rng.choice(n_areas, size=PHASE_COUNTS["PRIMARY"], replace=False, p=weights)
    areas.extend(primary_areas.tolist())
    phases.extend(["PRIMARY"] * PHASE_COUNTS["PRIMARY"])
    for phase in ("NURSERY", "16_PLUS", "NOT_APPLICABLE"):
        areas.extend(rng.choice(n_areas, size=PHASE_COUNTS[phase], p=weights).tolist())
        phases.extend([phase] * PHASE_COUNTS[phase])

    area = np.array(areas)
    phase = np.array(phases, dtype=object)
    n = len(area)
    # where a school loaded from its GIAS grid reference (whole metres) will be: the signals are planted there
    points = on_grid(place.points_in(rng, area, margin=0.25))
    urn = np.array([f"99{(p.index - 1) * URN_BLOCK + k + 1:04d}" for k in range(n)], dtype=object)
    names = _school_names(rng, place, area, phase)
    kinds = np.empty(n, dtype=object)
    pupils = np.empty(n, dtype=int)
    for ph in PHASE_COUNTS:
        members = phase == ph
        kinds[members] = pick(rng, ESTABLISHMENT_TYPES[ph], int(members.sum()))
        low, high = PUPILS[ph]
        pupils[members] = rng.integers(low, high + 1, int(members.sum()))
    special_kind = kinds == "Pupil referral unit"
    names = np.where(special_kind, [nm.replace("Specialist School", "Pupil Referral Unit") for nm in names], names)
    names = _church_names(p, place, area, names, kinds == "Voluntary aided school")
    frame = pd.DataFrame(
        {
            "urn": urn,
            "school_name": names,
            "phase": phase,
            "establishment_type": kinds,
            "la_code": p.la_code,
            "area_code": place.area_codes[area],
            "latitude": points[:, 0].round(6),
            "longitude": points[:, 1].round(6),
            "pupils": pupils,
            "is_open": "Y",
        }
    )
    nearest = {
        "primary": _nearest(place, points, np.isin(phase, ["PRIMARY", "ALL_THROUGH"])),
        "secondary": _nearest(place, points, np.isin(phase, ["SECONDARY", "ALL_THROUGH"])),
        "sixth": _nearest(place, points, np.isin(phase, ["SECONDARY", "16_PLUS"])),
        "special": _nearest(place, points, phase == "NOT_APPLICABLE"),
    }
    return Schools(frame, urn, phase, area, points[:, 0], points[:, 1], nearest)


def _church_names(p: Partnership, place: Place, area: np.ndarray, names: np.ndarray, church: np.ndarray) -> np.ndarray:
    """Voluntary aided schools are church schools, named for a saint ("St Anne’s C of E Primary School", with
    the typographic apostrophe GIAS uses, one of the characters that make its file Windows-1252 rather than
    plain ASCII). Drawn from their own stream, so no other name or school changes."""
    rng = p.rng("school-saints")
    out = np.array(names, dtype=object)
    used = set(out.tolist())
    ward_names = place.wards["ward_name"].to_numpy()[place.ward_of_area[area]]
    for k in np.flatnonzero(church):
        saint = SAINTS[rng.integers(0, len(SAINTS))]
        church_name = "C of E" if rng.random() < 0.6 else "Catholic"
        kind = "Primary School" if "Primary" in out[k] else "School"
        name = f"St {saint}\u2019s {church_name} {kind}"
        if name in used:
            name = f"{name}, {ward_names[k]}"
        used.add(name)
        out[k] = name
    return out


def _area_of_cell(place: Place, cells: np.ndarray) -> np.ndarray:
    """Small areas were renumbered ward by ward; find them again from their grid cells."""
    return np.flatnonzero(np.isin(place.cell_of_area, cells))


def _nearest(place: Place, points: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """For each small area, the two nearest eligible schools (by straight line from the centroid)."""
    idx = np.flatnonzero(eligible)
    d = ((place.centroid[:, None, :] - points[None, idx, :]) ** 2 * [1, 0.36]).sum(axis=2)
    order = np.argsort(d, axis=1, kind="stable")[:, :2]
    if order.shape[1] == 1:
        order = np.repeat(order, 2, axis=1)
    return idx[order]


def _school_names(rng: np.random.Generator, place: Place, area: np.ndarray, phase: np.ndarray) -> list[str]:
    """Names from the ward the school stands in and a feature word, unique within the partnership."""
    ward_names = place.wards["ward_name"].to_numpy()[place.ward_of_area[area]]
    suffix = {
        "PRIMARY": "Primary School",
        "SECONDARY": "High School",
        "NURSERY": "Nursery School",
        "16_PLUS": "College",
        "ALL_THROUGH": "All-Through Academy",
        "NOT_APPLICABLE": "Specialist School",
    }
    used: set[str] = set()
    names: list[str] = []
    for ward, ph in zip(ward_names, phase, strict=True):
        for feature in rng.permutation(len(SCHOOL_FEATURES)):
            name = f"{ward} {SCHOOL_FEATURES[feature]} {suffix[ph]}"
            if rng.random() < 0.4 and f"{ward} {suffix[ph]}" not in used:
                name = f"{ward} {suffix[ph]}"
            if name not in used:
                break
        if ph == "SECONDARY" and rng.random() < 0.35:
            name = name.replace("High School", "Academy")
        used.add(name)
        names.append(name)
    return names
