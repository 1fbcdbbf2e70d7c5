"""The demo's schools as DfE Get Information About Schools writes them: an `edubasealldataYYYYMMDD.csv`.

Windows-1252 text with GIAS's full header (taken from the connector, `formats.gias.GIAS_HEADER`), names
rather than codes for phase, type and status, dates as dd-mm-yyyy, and each school placed by its British
National Grid Easting and Northing in whole metres, worked out from the demo's latitude and longitude
with pyproj. The demo keeps, for its own use, the position those whole metres convert back to (what the
connector will load), so the planted signals sit around the school exactly where the store puts it.
The file holds only the partnership's own establishments: a national download also lists every other
school in England, which the connector would report as outside the partnership.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from data_connectors.demo.context import Partnership
from data_connectors.formats.gias import GIAS_HEADER

if TYPE_CHECKING:
    from pyproj import Transformer

    from data_connectors.demo.geography import Place
    from data_connectors.demo.schools import Schools

ENCODING = "cp1252"
# GIAS "PhaseOfEducation" code and name for each school_phase code.
PHASES = {
    "NOT_APPLICABLE": ("0", "Not applicable"),
    "NURSERY": ("1", "Nursery"),
    "PRIMARY": ("2", "Primary"),
    "SECONDARY": ("4", "Secondary"),
    "16_PLUS": ("6", "16 plus"),
    "ALL_THROUGH": ("7", "All-through"),
}
# TypeOfEstablishment name -> (its code, EstablishmentTypeGroup code, group name), as GIAS numbers them.
TYPES = {
    "Community school": ("1", "4", "Local authority maintained schools"),
    "Voluntary aided school": ("2", "4", "Local authority maintained schools"),
    "Foundation school": ("5", "4", "Local authority maintained schools"),
    "Community special school": ("7", "5", "Special schools"),
    "Pupil referral unit": ("14", "4", "Local authority maintained schools"),
    "Local authority nursery school": ("15", "4", "Local authority maintained schools"),
    "Further education": ("18", "1", "Colleges"),
    "Academy sponsor led": ("28", "10", "Academies"),
    "Academy converter": ("34", "10", "Academies"),
    "Free schools": ("35", "11", "Free Schools"),
}
AGES = {  # statutory low and high age by phase
    "NOT_APPLICABLE": (5, 16),
    "NURSERY": (2, 5),
    "PRIMARY": (4, 11),
    "SECONDARY": (11, 18),
    "16_PLUS": (16, 99),
    "ALL_THROUGH": (4, 18),
}
NUMBER_BLOCK = {"NURSERY": 1000, "PRIMARY": 2000, "SECONDARY": 4000, "ALL_THROUGH": 4500, "16_PLUS": 8000}
STREETS = ("Road", "Lane", "Street", "Avenue", "Way", "Drive")


@cache
def _grid() -> tuple[Transformer, Transformer]:
    """WGS84 -> British National Grid and back, as the GIAS connector converts (pyproj, EPSG:27700)."""
    from pyproj import Transformer

    return (
        Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True),
        Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True),
    )


def grid_reference(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Easting and Northing in whole metres, as GIAS gives them."""
    easting, northing = _grid()[0].transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.round(easting).astype(np.int64), np.round(northing).astype(np.int64)


def on_grid(points: np.ndarray) -> np.ndarray:
    """(lat, lon) rows moved to where their whole-metre grid reference converts back to: where the store will
    put a school loaded from GIAS (at most about a metre from the point given)."""
    easting, northing = grid_reference(points[:, 0], points[:, 1])
    lon, lat = _grid()[1].transform(easting.astype(float), northing.astype(float))
    return np.column_stack([lat, lon])


def la_number(p: Partnership) -> str:
    """DfE's three-digit LA number: 101-120 are never issued (real numbers start at 201)."""
    return str(100 + p.index)


def file_name(end: date) -> str:
    return f"edubasealldata{end:%Y%m%d}.csv"


def gias_frame(p: Partnership, place: Place, schools: Schools) -> pd.DataFrame:
    """One row per school, every GIAS column (most empty, as many are for most schools)."""
    rng = p.rng("gias")
    frame = schools.frame
    n = len(frame)
    phase = frame["phase"].to_numpy(dtype=object)
    kind = frame["establishment_type"].to_numpy(dtype=object)
    easting, northing = grid_reference(schools.lat, schools.lon)
    area = schools.area
    ward = place.ward_of_area[area]
    pupils = frame["pupils"].to_numpy()
    boys = rng.binomial(pupils, 0.51)
    number = np.array([NUMBER_BLOCK.get(ph, 7000) for ph in phase]) + np.arange(n) % 1000
    postcode = [place.postcodes[rng.choice(np.flatnonzero(place.postcode_area == a))] for a in area]
    feature = place.wards["ward_name"].to_numpy()[ward]
    columns: dict[str, object] = {
        "URN": frame["urn"].to_numpy(),
        "LA (code)": la_number(p),
        "LA (name)": place.la_name,
        "EstablishmentNumber": number.astype(str),
        "EstablishmentName": frame["school_name"].to_numpy(),
        "TypeOfEstablishment (code)": [TYPES[k][0] for k in kind],
        "TypeOfEstablishment (name)": kind,
        "EstablishmentTypeGroup (code)": [TYPES[k][1] for k in kind],
        "EstablishmentTypeGroup (name)": [TYPES[k][2] for k in kind],
        "EstablishmentStatus (code)": "1",
        "EstablishmentStatus (name)": "Open",
        "PhaseOfEducation (code)": [PHASES[ph][0] for ph in phase],
        "PhaseOfEducation (name)": [PHASES[ph][1] for ph in phase],
        "StatutoryLowAge": [str(AGES[ph][0]) for ph in phase],
        "StatutoryHighAge": [str(AGES[ph][1]) for ph in phase],
        "Gender (code)": "3",
        "Gender (name)": "Mixed",
        "SchoolCapacity": np.round(pupils * rng.uniform(1.0, 1.2, n)).astype(int).astype(str),
        "CensusDate": f"16-01-{p.end.year}",
        "NumberOfPupils": pupils.astype(str),
        "NumberOfBoys": boys.astype(str),
        "NumberOfGirls": (pupils - boys).astype(str),
        "LastChangedDate": f"{p.end:%d-%m-%Y}",
        "Street": [f"{name} {STREETS[k]}" for name, k in zip(feature, rng.integers(0, len(STREETS), n), strict=True)],
        "Town": place.la_name,
        "Postcode": postcode,
        "DistrictAdministrative (code)": p.la_code,
        "DistrictAdministrative (name)": place.la_name,
        "AdministrativeWard (code)": place.wards["ward_code"].to_numpy()[ward],
        "AdministrativeWard (name)": feature,
        "GSSLACode (name)": p.la_code,
        "Easting": easting.astype(str),
        "Northing": northing.astype(str),
        "LSOA (name)": place.areas["area_name"].to_numpy()[area],
        "Country (name)": "United Kingdom",
        "LSOA (code)": place.area_codes[area],
    }
    out = pd.DataFrame({name: columns.get(name, "") for name in GIAS_HEADER}, index=range(n))
    return out[list(GIAS_HEADER)]
