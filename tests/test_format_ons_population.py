"""ONS LSOA single-year-of-age estimates: one wide row per small area becomes 18 rows (ages 0 to 17);
the mid-year comes from the file name."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.formats.ons_population import HEADER, mid_year, to_long
from data_connectors.pipeline import run_load
from data_connectors.readers import TEXT, UnusableFile
from tests.canonical_world import write_world
from tests.store_snapshot import snapshot, table_frame

UNKNOWN_AREA = "refers to a small_areas area_code that is not in the store or this load"


def _counts(female: dict[int, str] | None = None, male: dict[int, str] | None = None) -> dict[str, str]:
    """F{age} = 10 + age and M{age} = 20 + 2 * age for children, 3 for every older age, unless given."""
    row = {f"F{age}": str(10 + age if age < 18 else 3) for age in range(91)}
    row.update({f"M{age}": str(20 + 2 * age if age < 18 else 3) for age in range(91)})
    row.update({f"F{age}": value for age, value in (female or {}).items()})
    row.update({f"M{age}": value for age, value in (male or {}).items()})
    return row


def _write(folder: Path, name: str, rows: list[dict[str, str]], drop: str | None = None) -> Path:
    """A sheet of the ONS workbook saved as CSV: the real header, one row per small area."""
    header = [column for column in HEADER if column != drop]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            full = {"LAD 2023 Code": "E06990001", "LAD 2023 Name": "Testshire", "LSOA 2021 Name": "Area", **row}
            writer.writerow([full.get(column, "") for column in header])
    return path



ROWS = [
    {"LSOA 2021 Code": "E01990001", "Total": "1,234", **_counts(female={5: "1,005"})},
    {"LSOA 2021 Code": "E01000001", "Total": "900", **_counts()},  # not one of the partnership's areas
    {"LSOA 2021 Code": "E01990002", "Total": "900", **_counts(female={7: "12a"})},
]


def test_each_area_becomes_a_row_per_child_age(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    path = _write(tmp_path / "ons", "sapelsoasyoa-mid-2024.csv", ROWS)

    result = run_load([path], store_url)

    outcome = result.files[0]
    assert outcome.format == "ons_lsoa_population"
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (3, 1, 2)  # input rows, not ages
    frame = table_frame(store_url, schema.population).set_index("age").sort_index()
    assert list(frame.index) == list(range(18))  # the world's (E01990001, 2024, 5) row was replaced
    assert set(frame["area_code"]) == {"E01990001"} and set(frame["year"]) == {2024}
    assert frame.loc[0, "population"] == 10 + 20
    assert frame.loc[5, "population"] == 1005 + 30  # F5 "1,005" + M5 30
    assert frame.loc[17, "population"] == 27 + 54
    lines = result.rejections[["__row_number", "field", "reason"]].drop_duplicates().values.tolist()
    assert lines == [[3, "lsoa_2021_code", UNKNOWN_AREA], [4, "(row)", 'f7 is not a whole number ("12a")']]
    assert set(result.rejections.loc[result.rejections["__row_number"] == 3, "value"]) == {"E01000001"}


def test_each_rejected_area_is_reported_once(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    path = _write(tmp_path / "ons", "sapelsoasyoa-mid-2024.csv", ROWS)
    assert len(run_load([path], store_url).rejections) == 2


def test_a_file_missing_a_child_age_column_is_refused(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    before = snapshot(store_url)
    path = _write(tmp_path / "ons", "sapelsoasyoa-mid-2024.csv", ROWS[:1], drop="M5")

    assert main(["load", str(path), "--store", store_url]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"{path}: is not a recognised format; the closest is ons_lsoa_population (missing columns: m5)"
    )
    assert snapshot(store_url) == before


def test_a_file_naming_several_mid_years_is_refused(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    before = snapshot(store_url)
    path = _write(tmp_path / "ons", "sapelsoasyoa20222024.csv", ROWS[:1])
    assert main(["load", str(path), "--store", store_url]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{path}: holds estimates for several mid-years (2022 to 2024); save each year's sheet as its own file "
        "named with its year, e.g. sapelsoasyoa-mid-2024.csv"
    )
    assert snapshot(store_url) == before


@pytest.mark.parametrize(
    ("name", "sheet", "year"),
    [
        ("sapelsoasyoa20222024.xlsx", "Mid-2024 LSOA 2021", 2024),  # the sheet names the year
        ("sapelsoasyoa-mid-2023.csv", None, 2023),
        ("Mid-2022 LSOA 2021 population.csv", None, 2022),  # "LSOA 2021" is the geography, not the year
        ("mid2021_lsoa2021.csv", None, 2021),
        ("sapelsoasyoa2024.csv", None, 2024),
        ("population_2024.xlsx", "Sheet1", 2024),
    ],
)
def test_the_mid_year_comes_from_the_sheet_or_file_name(name: str, sheet: str | None, year: int) -> None:
    assert mid_year(Path(name), sheet) == year


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("sapelsoasyoa20222024.xlsx", "holds estimates for several mid-years (2022 to 2024)"),
        ("sapelsoasyoa2022-2024.csv", "holds estimates for several mid-years (2022 to 2024)"),
        ("lsoa_population.csv", "does not say which mid-year its estimates are for"),
        ("population lsoa 2021.csv", "does not say which mid-year its estimates are for"),
    ],
)
def test_a_name_without_one_mid_year_is_unusable(name: str, problem: str) -> None:
    with pytest.raises(UnusableFile) as raised:
        mid_year(Path(name))
    assert raised.value.problem.startswith(problem)


def test_blank_and_misshapen_rows_keep_one_reason() -> None:
    """Straight through derive: a blank row stays blank (validation says so), a misshapen row keeps the
    reader's problem, and a bad count names its column on that age's row only."""
    chunk = pd.DataFrame({name: pd.Series([""] * 3, dtype=TEXT) for name in ("area_code", "f0", "m0")})
    for age in range(1, 18):
        chunk[f"f{age}"] = pd.Series(["1", "", "1"], dtype=TEXT)
        chunk[f"m{age}"] = pd.Series(["1", "", "1"], dtype=TEXT)
    chunk["area_code"] = pd.Series(["E01990001", "", "E01990001"], dtype=TEXT)
    chunk["f0"] = pd.Series(["x", "", "1"], dtype=TEXT)
    chunk["m0"] = pd.Series(["", "", "1"], dtype=TEXT)
    chunk["year"] = pd.Series(["2024"] * 3, dtype=TEXT)
    chunk["__row_number"] = [2, 3, 4]
    chunk["__row_problem"] = pd.Series([None, None, "has 9 fields but the header has 187"], dtype=object)

    long = to_long(chunk)

    assert len(long) == 54 and long["__row_number"].tolist() == [2] * 18 + [3] * 18 + [4] * 18
    first = long[long["__row_number"] == 2]
    problems = [problem if isinstance(problem, str) else None for problem in first["__row_problem"]]
    assert problems == ['f0 is not a whole number ("x"); m0 is empty'] + [None] * 17
    assert first["population"].tolist()[1:] == ["2"] * 17
    blank = long[long["__row_number"] == 3]
    assert blank[["year", "age", "population"]].isna().all().all() and blank["__row_problem"].isna().all()
    assert set(long.loc[long["__row_number"] == 4, "__row_problem"]) == {"has 9 fields but the header has 187"}
