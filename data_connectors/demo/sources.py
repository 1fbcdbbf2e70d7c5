"""Which source file each demo table is written as, and a record of every file written.

National publications (the ONS area lookup and population estimates, IoD 2025 File 7, the GIAS download
and police.uk's street files) are written in their own layouts, once for the whole demo at the root of
the output folder, as a region would receive them: each partnership's rows are appended in turn (police.uk
is per force). Each partnership's own extracts are written in its folder: children's social care as its
DfE CIN census extract (XML) plus the templates for what the census does not carry,
everything else in the partnership's templates, with its boundaries as GeoJSON. Loading the demo therefore
runs the national connectors and the CIN census connector end to end.

A `SourceFile` says what the load report will count for a file: its format and table, and the rows the
pipeline reads (for the area lookup, the distinct localities and wards it holds; for population, one row
per small area and mid-year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from data_connectors import schema
from data_connectors.demo.area_files import (
    IOD_FILE,
    LOOKUP_FILE,
    iod_frame,
    lookup_frame,
    people_by_age_and_sex,
    population_frames,
)
from data_connectors.demo.cin_files import CENSUS_FORMATS, CENSUS_ONLY_TABLES, LEFT_TO_CENSUS, write_census_return
from data_connectors.demo.context import Partnership
from data_connectors.demo.geography import Place
from data_connectors.demo.gias_file import ENCODING as GIAS_ENCODING
from data_connectors.demo.gias_file import file_name as gias_file_name
from data_connectors.demo.gias_file import gias_frame
from data_connectors.demo.output import Appender, write_table
from data_connectors.demo.police_uk_files import street_file
from data_connectors.demo.schools import Schools

# canonical table -> the format (connector) its demo file is read with, where that is not its own template
NATIONAL_FORMATS = {
    "localities": "area_lookup_localities",
    "wards": "area_lookup_wards",
    "small_areas": "area_lookup_small_areas",
    "population": "ons_lsoa_population",
    "deprivation": "iod2025_file7",
    "schools": "gias",
}
BOUNDARIES_FORMAT = "boundaries_geojson"
POLICE_UK_FORMAT = "police_uk_street"


@dataclass(frozen=True)
class SourceFile:
    """Rows one partnership put in one part of a file, as the load reads them."""

    path: Path
    format: str
    table: str
    rows: int


class NationalFiles:
    """The national publications of the whole demo, under one folder, added to partnership by partnership."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = Appender()

    def add(
        self, p: Partnership, place: Place, schools: Schools, tables: dict[str, pd.DataFrame], street: pd.DataFrame
    ) -> list[SourceFile]:
        """Append one partnership's rows to every national file; what each file gained."""
        written: list[SourceFile] = []
        lookup = self.root / LOOKUP_FILE
        self.files.write(lookup, lookup_frame(place, p), encoding="utf-8-sig", newline="\r\n")
        written += [SourceFile(lookup, NATIONAL_FORMATS[t], t, len(tables[t])) for t in ("localities", "wards")]
        written.append(SourceFile(lookup, NATIONAL_FORMATS["small_areas"], "small_areas", len(place.areas)))
        people = people_by_age_and_sex(place, p)
        for name, frame in population_frames(place, p, people).items():
            self.files.write(self.root / name, frame)
            written.append(SourceFile(self.root / name, NATIONAL_FORMATS["population"], "population", len(frame)))
        self.files.write(self.root / IOD_FILE, iod_frame(place, p, people))
        written.append(
            SourceFile(self.root / IOD_FILE, NATIONAL_FORMATS["deprivation"], "deprivation", len(place.areas))
        )
        gias = self.root / gias_file_name(p.end)
        self.files.write(gias, gias_frame(p, place, schools), encoding=GIAS_ENCODING, newline="\r\n")
        written.append(SourceFile(gias, NATIONAL_FORMATS["schools"], "schools", len(schools.frame)))
        for month, rows in street.groupby("Month", sort=True):
            path = street_file(self.root, p, str(month))
            self.files.write(path, rows)
            written.append(SourceFile(path, POLICE_UK_FORMAT, "police_incidents", len(rows)))
        return written


def write_own_extracts(
    folder: Path, tables: dict[str, pd.DataFrame], start: date, end: date, census: bool = True
) -> list[SourceFile]:
    """The partnership's own files: its CIN census extract, and every table not in a national file or
    carried by the census alone, in its template (boundaries as GeoJSON; police_incidents holds the
    incidents police share, see police_uk_files), leaving to the census what it carries (see cin_files).
    `census=False`: children's social care wholly in the templates (the regional tier, see write_demo)."""
    written = []
    for table in schema.data_tables():
        name = table.name
        if name in NATIONAL_FORMATS or (census and name in CENSUS_ONLY_TABLES):
            continue
        path, rows = write_table(folder, name, _left_to_census(name, tables) if census else tables[name])
        written.append(SourceFile(path, BOUNDARIES_FORMAT if name == "boundaries" else name, name, rows))
    if not census:
        return written
    extract = write_census_return(folder, tables, start, end)
    written += [SourceFile(extract.path, CENSUS_FORMATS[name], name, rows) for name, rows in extract.rows.items()]
    return written


def _left_to_census(name: str, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A template table with the columns the census carries left empty (for children, only those the
    census lists: every child with a referral)."""
    frame = tables[name]
    columns = list(LEFT_TO_CENSUS.get(name, ()))
    if not columns:
        return frame
    frame = frame.copy()
    listed = frame["child_id"].isin(tables["referrals"]["child_id"].unique()) if name == "children" else True
    for column in columns:
        frame[column] = frame[column].mask(pd.Series(listed, index=frame.index))
    return frame


def summarise(written: list[SourceFile]) -> list[dict]:
    """Files and rows per format and table, as the load report will count them (rows read)."""
    frame = pd.DataFrame(
        [(str(f.path), f.format, f.table, f.rows) for f in written], columns=["path", "format", "table", "rows"]
    )
    summary = frame.groupby(["format", "table"], sort=False).agg(files=("path", "nunique"), rows=("rows", "sum"))
    return [
        {"format": fmt, "table": table, "files": int(row.files), "rows": int(row.rows)}
        for (fmt, table), row in summary.iterrows()
    ]
