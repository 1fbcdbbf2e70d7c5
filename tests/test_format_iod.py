"""Indices of Deprivation File 7 (IoD2025 and IoD2019) load IMD and IDACI, with every row accounted for."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.formats.deprivation_iod import EDITIONS, IDACI, IMD, INDEX_HEADER, without_thousands_separators
from data_connectors.pipeline import run_load
from data_connectors.readers import TEXT
from tests.canonical_world import write_world
from tests.store_snapshot import snapshot, table_frame

IMD_SCORE, IMD_RANK, IMD_DECILE = (
    f"{IMD} Score",
    f"{IMD} Rank (where 1 is most deprived)",
    f"{IMD} Decile (where 1 is most deprived 10% of LSOAs)",
)
IDACI_SCORE, IDACI_RANK, IDACI_DECILE = (
    f"{IDACI} Score (rate)",
    f"{IDACI} Rank (where 1 is most deprived)",
    f"{IDACI} Decile (where 1 is most deprived 10% of LSOAs)",
)
UNKNOWN_AREA = "refers to a small_areas area_code that is not in the store or this load"


def _header(year: int) -> list[str]:
    edition = EDITIONS[year]
    return [*edition["areas"], *edition["districts"], *INDEX_HEADER, *edition["denominators"]]


def _write_file_7(folder: Path, year: int, rows: list[dict[str, str]], drop: str | None = None) -> Path:
    """A File 7 CSV as MHCLG publishes it (real headers, quoted where they hold commas); every column
    not given in a row gets a plausible value."""
    header = [name for name in _header(year) if name != drop]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"File_7_IoD{year}_All_Ranks_Scores_Deciles_Population_Denominators.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            filled = {name: "1500" if "population" in name.lower() else "7" for name in header}
            filled.update({name: "0.2" for name in header if name.endswith("(rate)")})
            filled.update({header[1]: "Somewhere 001A", header[2]: "E06990001", header[3]: "Testshire"})
            writer.writerow([row.get(name, filled[name]) for name in header])
    return path


def _area(year: int) -> str:
    return EDITIONS[year]["areas"][0]


def test_iod2025_file_7_keeps_imd_and_idaci(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    rows = [
        {_area(2025): "E01990001", IMD_SCORE: "41.234", IMD_RANK: "3,456", IMD_DECILE: "2",
         IDACI_SCORE: "0.312", IDACI_RANK: "2,101", IDACI_DECILE: "1"},
        {_area(2025): "E01000001", IMD_SCORE: "8.7", IMD_RANK: "26,525", IMD_DECILE: "8"},  # not a partnership area
        {_area(2025): "E01990003", IMD_SCORE: "n/a", IMD_DECILE: "3"},
    ]  # fmt: skip
    result = run_load([_write_file_7(tmp_path / "iod", 2025, rows)], store_url)

    outcome = result.files[0]
    assert outcome.format == "iod2025_file7"
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (3, 1, 2)
    assert outcome.ignored_columns == []
    lines = result.rejections[["__row_number", "field", "reason", "value"]].values.tolist()
    assert lines == [
        [3, "lsoa_code_2021", UNKNOWN_AREA, "E01000001"],
        [4, "index_of_multiple_deprivation_imd_score", "is not a number", "n/a"],
    ]
    frame = table_frame(store_url, schema.deprivation)
    assert len(frame) == 1  # the world's IoD2025 row for the same area was replaced
    row = frame.iloc[0]
    assert (row["area_code"], row["iod_year"]) == ("E01990001", 2025)
    assert (row["imd_score"], row["imd_rank"], row["imd_decile"]) == (41.234, 3456, 2)
    assert (row["idaci_score"], row["idaci_rank"], row["idaci_decile"]) == (0.312, 2101, 1)


def test_iod2019_file_7_is_the_2019_edition(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    rows = [
        {_area(2019): "E01990001", IMD_SCORE: "29.5", IMD_RANK: "7,001", IMD_DECILE: "3", IDACI_SCORE: "0.25"},
        {_area(2019): "E01990004", IMD_SCORE: "12.0", IMD_DECILE: "11"},
        {_area(2019): "E01990005", IMD_SCORE: "12.0", IMD_DECILE: "6", IDACI_SCORE: "0,31"},  # a decimal comma
    ]
    path = _write_file_7(tmp_path / "iod", 2019, rows)

    assert main(["load", str(path), "--store", store_url]) == 0

    out = capsys.readouterr().out
    assert "deprivation           3           1          2" in out
    assert "loaded as IoD2019, which describes 2011 small areas" in out
    frame = table_frame(store_url, schema.deprivation).set_index(["area_code", "iod_year"]).sort_index()
    assert list(frame.index) == [("E01990001", 2019), ("E01990001", 2025)]  # the world's 2025 row stays
    assert (frame.loc[("E01990001", 2019), "imd_rank"], frame.loc[("E01990001", 2019), "idaci_score"]) == (7001, 0.25)
    rejected = table_frame(store_url, schema.load_rejections).sort_values("row_number")
    assert rejected[["row_number", "field", "reason", "value"]].values.tolist() == [
        [3, "index_of_multiple_deprivation_imd_decile_where_1_is_most_deprived_10_of_lsoas",
         "is above the maximum of 10", "11"],
        [4, "income_deprivation_affecting_children_index_idaci_score_rate", "is not a number", "0,31"],
    ]  # fmt: skip


def test_a_file_7_without_the_imd_decile_is_refused(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    before = snapshot(store_url)
    path = _write_file_7(tmp_path / "iod", 2025, [{_area(2025): "E01990001"}], drop=IMD_DECILE)

    assert main(["load", str(path), "--store", store_url]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"{path}: is not a recognised format; the closest is iod2025_file7 "
        "(missing columns: index_of_multiple_deprivation_imd_decile_where_1_is_most_deprived_10_of_lsoas)"
    )
    assert snapshot(store_url) == before


@pytest.mark.parametrize(
    ("given", "expected"),
    [("32,844", "32844"), ("1,234.5", "1234.5"), ("  1,000 ", "1000"), ("412", "412"), ("0,31", "0,31"),
     ("12,34", "12,34"), ("1,2345", "1,2345"), ("n/a", "n/a"), (None, None)],
)  # fmt: skip
def test_only_thousands_separators_are_removed(given: str | None, expected: str | None) -> None:
    result = without_thousands_separators(pd.Series([given], dtype=TEXT)).iloc[0]
    assert (None if pd.isna(result) else result) == expected
