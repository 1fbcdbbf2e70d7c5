"""police.uk street-level crime (the monthly `YYYY-MM-<force>-street.csv` files, 12 columns).

police.uk publishes no identifiers for anti-social behaviour, no hate-crime or exploitation flags, and
coordinates that are anonymous snap points, not where anything happened. So: rows are keyed by what
they say (force, month, place, type and their order in the file), flags stay empty, and every row is
marked SNAPPED so pages say its locations are approximate. A Crime ID is police.uk's own 64-character
hexadecimal digest, longer than the 40 characters an identifier may have before it is hashed: its first
40 characters (160 bits, as distinct as the whole for any real number of crimes) stand for it.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from data_connectors import schema
from data_connectors.codelists import POLICE_CATEGORY
from data_connectors.formats.base import TableFormat
from data_connectors.readers import TEXT, as_mask, normalise_header, python_values

HEADER = (  # as police.uk publishes it; the demo and the benchmarks write files with this header
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
COLUMNS = tuple(normalise_header(name) for name in HEADER)
CATEGORY_BY_NAME = {label.upper(): code for code, label in POLICE_CATEGORY.codes.items()}
ID_LENGTH = schema.police_incidents.c.incident_id.type.length  # validation checks the identifier as given
POLICE_UK_DIGEST = r"^[0-9a-fA-F]{64}$"  # any other over-long ID is left whole, for validation to reject


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates from months, codes from crime type names, and a stable key for rows without a crime ID.
    (Runs after the renames: `incident_date` holds the month, `category` the crime type name.)"""
    out = frame.copy()
    month = frame["incident_date"].str.strip()
    out["incident_date"] = (month + "-01").where(as_mask(month.str.match(r"^\d{4}-\d{2}$")), month)
    names = python_values(frame["category"].str.strip().str.upper())
    originals = python_values(frame["category"])
    codes = [CATEGORY_BY_NAME.get(name, original) for name, original in zip(names, originals, strict=True)]
    out["category"] = pd.Series(codes, index=frame.index, dtype=TEXT)
    described = "police.uk"
    for column in ("falls_within", "incident_date", "longitude", "latitude"):
        described = described + "|" + frame[column].fillna("")
    described = described + "|" + frame["category"].fillna("")
    occurrence = described.groupby(described.to_numpy()).cumcount().astype(str)
    # a short, stable stand-in for the missing ID (police.uk data is public, so a plain digest will do;
    # the pipeline then applies the partnership's keyed hash as it does to every identifier)
    stand_ins = [
        "police.uk:" + hashlib.sha256(text.encode()).hexdigest()[:24]
        for text in python_values(described + "|" + occurrence)
    ]
    crime_id = frame["crime_id"].str.strip()
    crime_id = crime_id.where(~as_mask(crime_id.str.match(POLICE_UK_DIGEST)), crime_id.str.slice(0, ID_LENGTH))
    out["incident_id"] = crime_id.where(as_mask(crime_id != ""), pd.Series(stand_ins, index=frame.index, dtype=TEXT))
    out["location_precision"] = pd.Series("SNAPPED", index=frame.index, dtype=TEXT)
    return out


FORMATS = [
    TableFormat(
        name="police_uk_street",
        table=schema.police_incidents,
        description="police.uk street-level crime, monthly CSV (approximate, snapped locations; no flags)",
        columns=COLUMNS,
        required=("month", "longitude", "latitude", "lsoa_code", "crime_type"),
        renames={"lsoa_code": "area_code", "crime_type": "category", "month": "incident_date"},
        derive=_derive,
        note="police.uk locations are anonymous snap points, not where incidents happened: maps treat them as "
        "approximate",
    )
]
