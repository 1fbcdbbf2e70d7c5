"""Part of the demo's street crime as police.uk publishes it: monthly `YYYY-MM/YYYY-MM-<force>-street.csv`.

Two police sources reach a partnership: the incidents police share with it (the partnership's template,
with safeguarding flags, exact locations and a child where one is linked) and police.uk's public
street-level crime (no flags, month only, anonymous snap points). The demo splits its incidents between
the two so that **no incident is in both**:

* the template keeps every incident with any flag (hate crime, CSE, CCE, missing, domestic abuse, child
  present), every incident linked to a child, every partner-only type (missing person, domestic incident,
  concern for welfare), both planted hotspots, and half of the remaining (unflagged) street crime;
* police.uk files hold the other half of the unflagged street crime, and nothing else.

Each police.uk row is snapped to the nearest of a few anonymous points in its own small area ("On or near
..."), dated to its month, given a 64-character Crime ID (none for anti-social behaviour, as police.uk
does) and a last outcome. A force covers one partnership at the local tier; in the region, two forces each
cover ten partnerships (the north and the south half of the map), as Greater Manchester Police covers ten
boroughs, so the region's police.uk files are 2 x 60 months, at the root of the output folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from data_connectors.codelists import POLICE_CATEGORY
from data_connectors.demo.context import Partnership, pick
from data_connectors.demo.geography import Place
from data_connectors.demo.names import name_pool
from data_connectors.formats.police_uk import HEADER

SHARE = 0.5  # of unflagged street crime not linked to a child, written to police.uk instead of the template
FORCE_ROWS = 2  # rows of five partnerships one force covers in a region
FOLDER = "police-uk"
PARTNER_ONLY = ("MISSING_PERSON", "DOMESTIC_INCIDENT", "CONCERN_FOR_WELFARE")
STREET_TYPES = {code: label for code, label in POLICE_CATEGORY.codes.items() if code not in PARTNER_ONLY}
FLAGS = ("hate_crime", "cse_concern", "cce_concern", "missing_episode", "domestic_abuse", "child_present")
SNAPS_PER_AREA = 8
STREET_WORDS = ("Church", "Mill", "Station", "Park", "School", "Chapel", "Green", "Bridge", "Manor", "Orchard")
STREET_ENDS = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent")
PLACES = ("Supermarket", "Parking Area", "Petrol Station", "Shopping Area", "Sports/Recreation Area", "Nightclub")
OUTCOMES = {
    "Investigation complete; no suspect identified": 45.0,
    "Unable to prosecute suspect": 27.0,
    "Local resolution": 6.0,
    "Court result unavailable": 5.0,
    "Status update unavailable": 3.0,
    "Under investigation": 4.0,
    "Offender given a caution": 2.0,
    "Awaiting court outcome": 2.0,
    "Formal action is not in the public interest": 3.0,
    "Further investigation is not in the public interest": 3.0,
}
RECENT_MONTHS = 3  # crimes this recent are mostly still under investigation


def split_street_crime(p: Partnership, incidents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(incidents for the partnership's template, incidents police.uk publishes): disjoint, together all."""
    rng = p.rng("police.uk")
    unflagged = np.ones(len(incidents), dtype=bool)
    for flag in FLAGS:
        unflagged &= incidents[flag].to_numpy(dtype=object) == "N"
    eligible = (
        unflagged & incidents["child_id"].isna().to_numpy() & incidents["category"].isin(list(STREET_TYPES)).to_numpy()
    )
    chosen = eligible & (rng.random(len(incidents)) < SHARE)
    return incidents[~chosen].reset_index(drop=True), incidents[chosen].reset_index(drop=True)


def force_name(p: Partnership) -> str:
    """The fictional force: one per partnership locally; in a region one per half of the map (two rows of five
    partnerships), named from the end of the name pool (which no partnership uses)."""
    half = p.grid_position[1] // FORCE_ROWS if p.region else 0
    return name_pool(p.seed)[-1 - half]


def _snap_points(p: Partnership, place: Place) -> tuple[np.ndarray, np.ndarray]:
    """A few anonymous points inside each small area, with what police.uk would call each."""
    rng = p.rng("police.uk-snap-points")
    n_areas = len(place.areas)
    area = np.repeat(np.arange(n_areas), SNAPS_PER_AREA)
    points = place.points_in(rng, area, margin=0.15).reshape(n_areas, SNAPS_PER_AREA, 2)
    streets = np.array([f"{w} {e}" for w in STREET_WORDS for e in STREET_ENDS], dtype=object)
    names = streets[rng.integers(0, len(streets), area.size)]
    special = rng.random(area.size) < 0.15
    names[special] = np.array(PLACES, dtype=object)[rng.integers(0, len(PLACES), int(special.sum()))]
    return points, ("On or near " + names.astype(str)).reshape(n_areas, SNAPS_PER_AREA)


def street_rows(p: Partnership, place: Place, crimes: pd.DataFrame) -> pd.DataFrame:
    """The crimes police.uk publishes, in its 12 columns."""
    rng = p.rng("police.uk-rows")
    area_index = pd.Series(np.arange(len(place.areas)), index=place.area_codes)
    area = area_index.reindex(crimes["area_code"].to_numpy()).to_numpy()
    points, names = _snap_points(p, place)
    spot = np.column_stack([crimes["latitude"].to_numpy(dtype=float), crimes["longitude"].to_numpy(dtype=float)])
    scale = np.array([1.0, np.cos(np.radians(spot[:, 0].mean() if len(spot) else 53.0)) ** 2])
    nearest = (((points[area] - spot[:, None, :]) ** 2) * scale).sum(axis=2).argmin(axis=1)
    snapped = points[area, nearest]
    month = crimes["incident_date"].to_numpy(dtype="datetime64[M]")
    category = crimes["category"].to_numpy(dtype=object)
    asb = category == "ANTI_SOCIAL_BEHAVIOUR"
    crime_id = np.array(
        [
            "" if is_asb else hashlib.sha256(f"line-of-sight demo|{p.seed}|{incident}".encode()).hexdigest()
            for incident, is_asb in zip(crimes["incident_id"], asb, strict=True)
        ],
        dtype=object,
    )
    age = (np.datetime64(p.end, "M") - month).astype(int)
    outcome = pick(rng, OUTCOMES, len(crimes))
    recent = (age < RECENT_MONTHS) & (rng.random(len(crimes)) < 0.7)
    outcome[recent] = "Under investigation"
    outcome[asb] = ""
    force = f"{force_name(p)} Constabulary"
    frame = pd.DataFrame(
        {
            "Crime ID": crime_id,
            "Month": month.astype(str),
            "Reported by": force,
            "Falls within": force,
            "Longitude": np.char.mod("%.6f", snapped[:, 1]),
            "Latitude": np.char.mod("%.6f", snapped[:, 0]),
            "Location": names[area, nearest],
            "LSOA code": crimes["area_code"].to_numpy(dtype=object),
            "LSOA name": place.areas["area_name"].to_numpy()[area],
            "Crime type": [STREET_TYPES[c] for c in category],
            "Last outcome category": outcome,
            "Context": "",
        }
    )[list(HEADER)]
    return frame.sort_values(["Month", "LSOA code"], kind="stable").reset_index(drop=True)


def street_file(root: Path, p: Partnership, month: str) -> Path:
    """Where police.uk puts a force's month: `police-uk/2024-05/2024-05-<force>-street.csv`."""
    return root / FOLDER / month / f"{month}-{force_name(p).lower()}-street.csv"
