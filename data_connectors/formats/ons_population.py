"""ONS small-area (LSOA 2021) mid-year population estimates by single year of age and sex.

ONS publishes them as workbooks such as `sapelsoasyoa20222024.xlsx`, one sheet per mid-year ("Mid-2024
LSOA 2021", header on row 4): LAD 2023 Code, LAD 2023 Name, LSOA 2021 Code, LSOA 2021 Name, Total,
F0 ... F90, M0 ... M90 (F90 and M90 are 90 and over; counts may be written with thousands separators).
One row per small area; the population table is long, so each row becomes 18 rows, one per age 0 to 17,
with population = F{age} + M{age}. The input row is loaded or rejected whole: a count that is not a
whole number rejects it with a reason naming that column (f5, m12, ...).

The mid-year is not in the rows but in the sheet or file name, so `file_values` tells it from the sheet
name ("Mid-2024 LSOA 2021") or the file name ("...mid-2024...", "sapelsoasyoa2024.csv") when the load is
planned, and refuses a name that gives several years ("sapelsoasyoa20222024") or none before the store is
touched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa

from data_connectors import schema
from data_connectors.formats.base import TableFormat
from data_connectors.formats.deprivation_iod import without_thousands_separators
from data_connectors.readers import (
    ROW_NUMBER,
    ROW_PROBLEM,
    TEXT,
    TabularFile,
    UnusableFile,
    as_mask,
    normalise_header,
    python_values,
)

AGES = range(18)
OLDEST = 90  # F90 and M90 count everyone aged 90 and over
HEADER = (
    "LAD 2023 Code",
    "LAD 2023 Name",
    "LSOA 2021 Code",
    "LSOA 2021 Name",
    "Total",
    *(f"F{age}" for age in range(OLDEST + 1)),
    *(f"M{age}" for age in range(OLDEST + 1)),
)
COLUMNS = tuple(normalise_header(name) for name in HEADER)
AREA = "lsoa_2021_code"
SHOWN_VALUE_CHARS = 80

# "Mid-2024", "mid2024", "MID_2024": the mid-year an estimate is for.
MID_YEAR = re.compile(r"mid[-_ ]?((?:19|20)\d{2})(?!\d)", re.IGNORECASE)
# A run of digits that is a year or two years side by side ("2024", "20222024"), not preceded by a
# geography's vintage ("LSOA 2021", "lad2023").
BARE_YEARS = re.compile(
    r"(?<![0-9])(?<!lsoa)(?<!lsoa[-_ ])(?<!lad)(?<!lad[-_ ])((?:19|20)\d{2})((?:19|20)\d{2})?(?![0-9])"
)


def mid_year(path: Path, sheet: str | None = None) -> int:
    """The mid-year a file of estimates is for, from its sheet name or else its file name; UnusableFile
    when neither says, or when the name covers several years (ONS's multi-year workbooks)."""
    for name in (sheet, path.stem):
        if not name:
            continue
        years = sorted({int(found) for found in MID_YEAR.findall(name)})
        if not years:
            spans = BARE_YEARS.findall(name.lower())
            years = sorted({int(year) for span in spans for year in span if year})
            if len(spans) == 1 and spans[0][1]:  # "20222024": a workbook of several mid-years
                years = list(range(years[0], years[-1] + 1))
        if len(years) == 1:
            return years[0]
        if years:
            raise UnusableFile(
                path,
                f"holds estimates for several mid-years ({years[0]} to {years[-1]}); save each year's sheet "
                f"as its own file named with its year, e.g. sapelsoasyoa-mid-{years[-1]}.csv",
            )
    raise UnusableFile(
        path, "does not say which mid-year its estimates are for; put the year in the file name, e.g. mid-2024"
    )


def file_values(tabular: TabularFile) -> dict[str, str]:
    """The template values the whole file shares: its mid-year."""
    return {"year": str(mid_year(tabular.path, tabular.sheet))}


def _counts(frame: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    """A count column as whole numbers (missing where it is not one) and the reason for each that is not."""
    text = without_thousands_separators(frame[column]).str.strip()
    whole = as_mask(text.str.fullmatch(r"\d+"))
    empty = ~as_mask(text.str.len() > 0)
    numbers = pd.to_numeric(text.where(whole).astype(object), errors="coerce").astype("Int64")
    problems = pd.Series(None, index=frame.index, dtype=object)
    problems[empty] = f"{column} is empty"
    bad = ~whole & ~empty
    if bad.any():
        shown = python_values(text[bad].str.slice(0, SHOWN_VALUE_CHARS))
        problems[bad] = [f'{column} is not a whole number ("{value}")' for value in shown]
    return numbers, problems


def to_long(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per age 0 to 17 for each input row, all keeping its row number (runs after the renames,
    with `year` already added for the whole file). A blank input row stays blank and a misshapen one
    keeps the reader's problem; otherwise a count that is not a whole number becomes that age's problem,
    naming the column, so the report says which cell to fix."""
    layout = [name for name in frame.columns if name not in (ROW_NUMBER, ROW_PROBLEM, "year")]
    blank = pd.Series(True, index=frame.index)
    for name in layout:
        blank &= ~as_mask(frame[name].str.strip().str.len() > 0)
    misshapen = frame[ROW_PROBLEM].notna()
    pieces = []
    for age in AGES:
        female, female_problem = _counts(frame, f"f{age}")
        male, male_problem = _counts(frame, f"m{age}")
        problem = female_problem.fillna(male_problem)
        both = female_problem.notna() & male_problem.notna()
        problem[both] = female_problem[both] + "; " + male_problem[both]
        population = (female + male).astype(pd.ArrowDtype(pa.int64())).astype(TEXT)
        pieces.append(
            pd.DataFrame(
                {
                    "area_code": frame["area_code"],
                    "year": frame["year"].where(~blank),
                    "age": pd.Series(str(age), index=frame.index, dtype=TEXT).where(~blank),
                    "population": population,
                    ROW_NUMBER: frame[ROW_NUMBER],
                    ROW_PROBLEM: frame[ROW_PROBLEM].where(misshapen | blank, problem),
                }
            )
        )
    long = pd.concat(pieces, keys=list(AGES), names=["age_key", "row_key"])
    return long.sort_index(level=["row_key", "age_key"]).reset_index(drop=True)


SINGLE_YEAR_OF_AGE = TableFormat(
    name="ons_lsoa_population",
    table=schema.population,
    description="ONS LSOA 2021 mid-year population estimates by single year of age and sex (one sheet); "
    "children 0 to 17 are kept, males and females together",
    columns=COLUMNS,
    required=(AREA, *(f"f{age}" for age in AGES), *(f"m{age}" for age in AGES)),
    renames={AREA: "area_code"},
    derive=to_long,
    file_values=file_values,
    note="ONS calls single-year LSOA estimates supporting information, not accredited statistics",
)

FORMATS = [SINGLE_YEAR_OF_AGE]
