"""The ONS small area -> ward -> local authority lookup, with the partnership's localities if it has them.

ONS publishes "LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW" as CSV (and
workbooks) with LSOA21CD, LSOA21NM, WD24CD, WD24NM, LAD24CD, LAD24NM (sometimes Welsh names and an
ObjectId, which are not used); the years change with each edition and any year is read (the latest when a
file has several). A partnership may add `locality` (its own locality code; `locality_code` is read too)
and `locality_name`; without a locality column each local authority district is one locality, coded and
named as the district. A locality without a name (no `locality_name` column, or an empty cell) is named
by its code.

One file fills three tables, as three parts:
- localities: one row per distinct (locality, locality name, district code, district name),
- wards: one row per distinct (ward code, ward name, locality),
- small_areas: every row (area code, name and ward).
A distinct part counts its distinct rows, each under the row number where it first appears. Rows that
disagree are all kept, so a ward given two localities (or two names) reaches validation twice and the later
is rejected as a duplicate key naming the earlier row, rather than one being dropped unseen. Blank and
misshapen rows are reported once, by the small_areas part.

The lookup is loaded as given: cut a national file to the partnership's districts first, or every
district in England and Wales becomes a locality.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pandas as pd

from data_connectors import schema
from data_connectors.formats.base import Bundle, Part, TableFormat
from data_connectors.readers import (
    ROW_PROBLEM,
    SNIFF_BYTES,
    TABULAR_SUFFIXES,
    TabularFile,
    UnusableFile,
    as_mask,
    iter_chunks,
    normalise_header,
    open_sheets,
    python_values,
)

# role -> (how ONS spells the column, "yy" standing for the edition's year; pattern of the normalised name)
LOOKUP_COLUMNS = {
    "lsoa_code": ("LSOAyyCD", re.compile(r"lsoa(\d{2})cd")),
    "lsoa_name": ("LSOAyyNM", re.compile(r"lsoa(\d{2})nm")),
    "ward_code": ("WDyyCD", re.compile(r"wd(\d{2})cd")),
    "ward_name": ("WDyyNM", re.compile(r"wd(\d{2})nm")),
    "lad_code": ("LADyyCD", re.compile(r"lad(\d{2})cd")),
    "lad_name": ("LADyyNM", re.compile(r"lad(\d{2})nm")),
}
PATTERNS = {role: pattern for role, (_, pattern) in LOOKUP_COLUMNS.items()}
LISTED = {role: spelled.lower() for role, (spelled, _) in LOOKUP_COLUMNS.items()}
OPTIONAL = {"locality": ("locality", "locality_code"), "locality_name": ("locality_name",)}
CLAIMING_ROLES = ("lsoa_code", "ward_code", "lad_code")


def find_columns(header: list[str]) -> dict[str, str]:
    """Role -> the file's column for each lookup column found (the latest year when there are several)."""
    found: dict[str, str] = {}
    for role, pattern in PATTERNS.items():
        matches = sorted((m.group(1), name) for name in header if (m := pattern.fullmatch(name)))
        if matches:
            found[role] = matches[-1][1]
    for role, names in OPTIONAL.items():
        present = [name for name in names if name in header]
        if present:
            found[role] = present[0]
    return found


def _looks_like_lookup(header: list[str]) -> bool:
    return all(role in find_columns(header) for role in CLAIMING_ROLES)


def _peek_csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return []
    first = text.splitlines()[0] if text else ""
    return [normalise_header(cell) for cell in next(csv.reader([first]), [])]


def claims(target: str) -> bool:
    """A CSV or workbook whose header has an LSOA code, a ward code and a district code column."""
    path = Path(target)
    if "://" in target or path.suffix.lower() not in TABULAR_SUFFIXES or not path.is_file():
        return False
    try:
        if path.suffix.lower() in (".csv", ".txt"):
            return _looks_like_lookup(_peek_csv_header(path))
        return any(_looks_like_lookup(sheet.header) for sheet in open_sheets(path))
    except (OSError, UnusableFile, csv.Error):
        return False


def _localities(frame: pd.DataFrame) -> pd.DataFrame:
    """Without the partnership's own localities, each district is one; without names, the code names it."""
    out = frame.copy()
    if "locality_code" not in out:
        out["locality_code"] = out["la_code"]
        out["locality_name"] = out["la_name"]
    elif "locality_name" not in out:
        out["locality_name"] = out["locality_code"]
    # a missing name is the district's (or locality's) code, so a row missing its district name is
    # reported once, under that column
    named = as_mask(out["locality_name"].str.strip().str.len() > 0)
    out["locality_name"] = out["locality_name"].where(named, out["locality_code"])
    return out


LOCALITIES = TableFormat(
    name="area_lookup_localities",
    table=schema.localities,
    description="distinct localities of an ONS LSOA to ward to LAD lookup (or one per LAD)",
    columns=(LISTED["lad_code"], LISTED["lad_name"], "locality", "locality_name"),
    required=(LISTED["lad_code"], LISTED["lad_name"]),
    derive=_localities,
)
WARDS = TableFormat(
    name="area_lookup_wards",
    table=schema.wards,
    description="distinct wards of an ONS LSOA to ward to LAD lookup",
    columns=(LISTED["ward_code"], LISTED["ward_name"], LISTED["lad_code"], "locality"),
    required=(LISTED["ward_code"], LISTED["ward_name"], LISTED["lad_code"]),
)
SMALL_AREAS = TableFormat(
    name="area_lookup_small_areas",
    table=schema.small_areas,
    description="every row of an ONS LSOA to ward to LAD lookup",
    columns=(LISTED["lsoa_code"], LISTED["lsoa_name"], LISTED["ward_code"]),
    required=(LISTED["lsoa_code"], LISTED["lsoa_name"], LISTED["ward_code"]),
)
# role -> template column, per table (a ward's locality is the district's when there is no locality column)
TARGETS = {
    "localities": {
        "lad_code": "la_code",
        "lad_name": "la_name",
        "locality": "locality_code",
        "locality_name": "locality_name",
    },
    "wards": {"ward_code": "ward_code", "ward_name": "ward_name", "locality": "locality_code"},
    "small_areas": {"lsoa_code": "area_code", "lsoa_name": "area_name", "ward_code": "ward_code"},
}
DISTINCT_ON = {
    "localities": ("locality", "locality_name", "lad_code", "lad_name"),
    "wards": ("ward_code", "ward_name", "locality"),
}


def _file_format(base: TableFormat, columns: dict[str, str], all_columns: tuple[str, ...]) -> TableFormat:
    """The layout with this file's own column names (WD24CD, LAD24NM, ...), so the report names them."""
    renames = {columns[role]: template for role, template in _targets(base.table.name, columns).items()}
    return replace(base, columns=all_columns, required=(), renames=renames)


def _targets(table: str, columns: dict[str, str]) -> dict[str, str]:
    """Role -> template column for one table, for the roles this file has."""
    targets = dict(TARGETS[table])
    if table == "wards" and "locality" not in columns:
        targets["lad_code"] = "locality_code"
    return {role: template for role, template in targets.items() if role in columns}


def _distinct_chunks(tabular: TabularFile, names: list[str]) -> Iterator[pd.DataFrame]:
    """Each distinct combination of `names` once, at its first row; blank and misshapen rows are left to
    the small_areas part, which reports them."""
    seen: set[tuple] = set()
    for chunk in iter_chunks(tabular):
        values = list(zip(*(python_values(chunk[name].str.strip()) for name in names), strict=True))
        problems = chunk[ROW_PROBLEM].to_numpy()
        keep = []
        for combination, problem in zip(values, problems, strict=True):
            fresh = problem is None and any(combination) and combination not in seen
            if fresh:
                seen.add(combination)
            keep.append(fresh)
        yield chunk.loc[keep].reset_index(drop=True)


def _sheet_parts(tabular: TabularFile) -> list[Part]:
    columns = find_columns(tabular.header)
    missing = [LOOKUP_COLUMNS[role][0] for role in PATTERNS if role not in columns]
    if missing:
        raise UnusableFile(Path(tabular.label), f"is an area lookup missing columns: {', '.join(missing)}")
    all_columns = tuple(columns.values())
    parts = []
    for base in (LOCALITIES, WARDS, SMALL_AREAS):
        chosen = _file_format(base, columns, all_columns)
        name = base.table.name
        if name in DISTINCT_ON:
            roles = [*DISTINCT_ON[name], *([] if "locality" in columns else ["lad_code"])]
            distinct = list(dict.fromkeys(columns[role] for role in roles if role in columns))
            chunks = partial(_distinct_chunks, tabular, distinct)
            header: list[str] = []
        else:
            chunks = partial(iter_chunks, tabular)
            header = tabular.header  # "columns not used" said once, for the file's small_areas part
        parts.append(Part(tabular.label, tabular.path, chosen, chunks, tabular.scan.lines, tabular.scan.sha256, header))
    return parts


def parts(target: str) -> list[Part]:
    path = Path(target)
    if not path.exists():
        raise UnusableFile(path, "does not exist")
    sheets = open_sheets(path)
    lookups = [sheet for sheet in sheets if _looks_like_lookup(sheet.header)]
    if not lookups:
        raise UnusableFile(path, "is not an area lookup (it needs LSOAyyCD, WDyyCD and LADyyCD columns)")
    found = [part for sheet in lookups for part in _sheet_parts(sheet)]
    found[0].unused_sheets = [sheet.sheet or sheet.label for sheet in sheets if sheet not in lookups]
    return found


FORMATS: list[TableFormat] = []
BUNDLES = [
    Bundle(
        name="area_lookup",
        description="ONS LSOA to electoral ward to LAD lookup (any year), optionally with the partnership's "
        "locality and locality_name: localities, wards and small areas",
        claims=claims,
        parts=parts,
        formats=(LOCALITIES, WARDS, SMALL_AREAS),
    )
]
