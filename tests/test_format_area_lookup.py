"""The ONS LSOA to ward to LAD lookup fills localities, wards and small areas from one file: distinct
localities and wards each counted once at their first row, every row a small area, and rows that disagree
reported rather than dropped."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.pipeline import run_load
from tests.store_snapshot import snapshot, table_frame

HEADER = ["LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "LAD24CD", "LAD24NM", "ObjectId"]
# Three small areas in two wards of one district.
ROWS = [
    ["E01990001", "Testshire 001A", "E05990001", "Ward One", "E06990001", "Testshire", "1"],
    ["E01990002", "Testshire 001B", "E05990001", "Ward One", "E06990001", "Testshire", "2"],
    ["E01990003", "Testshire 002A", "E05990002", "Ward Two", "E06990001", "Testshire", "3"],
]


def write_csv(folder: Path, rows: list[list[str]], header: list[str] = HEADER, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or "LSOA21_WD24_LAD24_EW_LU.csv")
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # ONS files start with a byte-order mark
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def counts(result) -> dict[str, tuple[int, int, int]]:
    return {o.table: (o.rows_read, o.rows_loaded, o.rows_rejected) for o in result.files}


def rows_of(url: str, table, *columns: str) -> list[tuple]:
    frame = table_frame(url, table)
    return sorted(zip(*(frame[c] for c in columns), strict=True))


def test_without_localities_each_district_is_one(store_url: str, tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "lookup", ROWS)

    assert main(["load", str(path), "--store", store_url, "--report", str(tmp_path / "report.csv")]) == 0
    result_text = capsys.readouterr().out

    assert rows_of(store_url, schema.localities, "locality_code", "locality_name", "la_code", "la_name") == [
        ("E06990001", "Testshire", "E06990001", "Testshire")
    ]
    assert rows_of(store_url, schema.wards, "ward_code", "ward_name", "locality_code") == [
        ("E05990001", "Ward One", "E06990001"),
        ("E05990002", "Ward Two", "E06990001"),
    ]
    assert rows_of(store_url, schema.small_areas, "area_code", "area_name", "ward_code") == [
        ("E01990001", "Testshire 001A", "E05990001"),
        ("E01990002", "Testshire 001B", "E05990001"),
        ("E01990003", "Testshire 002A", "E05990002"),
    ]
    loads = table_frame(store_url, schema.loads).set_index("table_name")
    assert loads.loc["localities", ["rows_read", "rows_loaded", "format"]].tolist() == [1, 1, "area_lookup_localities"]
    assert loads.loc["wards", ["rows_read", "rows_loaded", "format"]].tolist() == [2, 2, "area_lookup_wards"]
    assert loads.loc["small_areas", ["rows_read", "rows_loaded"]].tolist() == [3, 3]
    assert result_text.count("columns not used: objectid") == 1


def test_the_partnerships_localities_and_their_first_rows(store_url: str, tmp_path: Path) -> None:
    header = [*HEADER[:6], "Locality", "Locality name"]
    rows = [
        [*ROWS[0][:6], "NORTH", "North"],
        [*ROWS[1][:6], "NORTH", "North"],
        [*ROWS[2][:6], "SOUTH", "South"],
    ]
    path = write_csv(tmp_path / "lookup", rows, header)

    result = run_load([path], store_url)

    assert counts(result) == {"localities": (2, 2, 0), "wards": (2, 2, 0), "small_areas": (3, 3, 0)}
    assert rows_of(store_url, schema.localities, "locality_code", "locality_name", "la_code") == [
        ("NORTH", "North", "E06990001"),
        ("SOUTH", "South", "E06990001"),
    ]
    assert rows_of(store_url, schema.wards, "ward_code", "locality_code") == [
        ("E05990001", "NORTH"),
        ("E05990002", "SOUTH"),
    ]


def test_a_ward_given_two_localities_is_reported_not_dropped(store_url: str, tmp_path: Path) -> None:
    header = [*HEADER[:6], "locality_code"]  # no locality_name: the code names the locality
    rows = [
        [*ROWS[0][:6], "NORTH"],
        [*ROWS[1][:6], "SOUTH"],  # Ward One again, now in the south
        [*ROWS[2][:6], "SOUTH"],
    ]
    path = write_csv(tmp_path / "lookup", rows, header)

    result = run_load([path], store_url)

    assert counts(result) == {"localities": (2, 2, 0), "wards": (3, 2, 1), "small_areas": (3, 3, 0)}
    lines = result.rejections[["table", "__row_number", "field", "reason", "value"]].values.tolist()
    assert lines == [["wards", 3, "wd24cd", "duplicate key: the same ward_code as row 2", "E05990001"]]
    assert rows_of(store_url, schema.localities, "locality_code", "locality_name") == [
        ("NORTH", "NORTH"),
        ("SOUTH", "SOUTH"),
    ]
    assert rows_of(store_url, schema.wards, "ward_code", "locality_code") == [
        ("E05990001", "NORTH"),
        ("E05990002", "SOUTH"),
    ]


def test_broken_rows_are_reported_once_naming_the_files_columns(store_url: str, tmp_path: Path) -> None:
    rows = [
        *ROWS,
        ["E01990004", "Testshire 002B", "E05990002", "Ward Two", "E06990001", "", "4"],  # no district name
        ["", "", "", "", "", "", ""],
        ["E01990006", "Testshire 003A", "E05990003"],  # too few fields
        ["E01990007", "Testshire 003B", "E05990009X", "Ward Nine", "E06990001", "Testshire", "7"],
    ]
    path = write_csv(tmp_path / "lookup", rows)

    result = run_load([path], store_url)

    outcomes = counts(result)
    assert outcomes == {"localities": (2, 1, 1), "wards": (3, 2, 1), "small_areas": (7, 4, 3)}
    for read, loaded, rejected in outcomes.values():
        assert read == loaded + rejected
    lines = result.rejections[["table", "__row_number", "field", "reason"]].values.tolist()
    assert lines == [
        ["localities", 5, "lad24nm", "is required but empty"],
        ["small_areas", 6, "(row)", "the row is blank"],
        ["small_areas", 7, "(row)", "has 3 fields but the header has 7"],
        ["wards", 8, "wd24cd", "is 10 characters long; the most allowed is 9"],
        ["small_areas", 8, "wd24cd", "is 10 characters long; the most allowed is 9"],
    ]
    # row 5's small area loads: its ward and locality are those of rows 2 to 4
    assert "E01990004" in set(table_frame(store_url, schema.small_areas)["area_code"])


def test_any_edition_in_a_workbook_under_a_title(store_url: str, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "LSOA21_WD22_LAD22"
    sheet.append(["Lower layer Super Output Area (2021) to Ward (2022) to LAD (2022) Lookup in England and Wales"])
    sheet.append(["LSOA21CD", "LSOA21NM", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM", "LSOA21NMW"])
    for row in ROWS:
        sheet.append([*row[:6], ""])
    path = tmp_path / "lookup.xlsx"
    book.save(path)

    result = run_load([path], store_url)

    assert counts(result) == {"localities": (1, 1, 0), "wards": (2, 2, 0), "small_areas": (3, 3, 0)}
    assert result.files[0].path == str(path)
    assert result.files[-1].ignored_columns == ["lsoa21nmw"]


def test_a_lookup_missing_a_column_stops_the_load(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_csv(tmp_path / "good", ROWS)], store_url)
    before = snapshot(store_url)
    header = [name for name in HEADER if name != "WD24NM"]
    path = write_csv(tmp_path / "lookup", [[*r[:3], *r[4:]] for r in ROWS], header)

    assert main(["load", str(path), "--store", store_url]) == 2

    assert capsys.readouterr().err.strip() == f"{path}: is an area lookup missing columns: WDyyNM"
    assert snapshot(store_url) == before


def test_lookup_and_boundaries_load_together(store_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "geography"
    write_csv(folder, ROWS)
    features = [
        {
            "type": "Feature",
            "properties": {"LSOA21CD": code, "LSOA21NM": name},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[x, 53.09], [x + 0.02, 53.09], [x + 0.02, 53.11], [x, 53.11], [x, 53.09]]],
            },
        }
        for (code, name, *_), x in zip(ROWS, (-2.11, -2.09, -2.07), strict=True)
    ]
    (folder / "LSOA_2021_BGC.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))

    result = run_load([folder], store_url)

    assert result.rejections.empty
    assert [o.table for o in result.files] == ["boundaries", "localities", "wards", "small_areas"]
    boundaries = table_frame(store_url, schema.boundaries)
    assert set(boundaries["area_code"]) == set(table_frame(store_url, schema.small_areas)["area_code"])


@pytest.mark.parametrize("header", [["area_code", "area_name", "ward_code"], ["LSOA21CD", "WD24CD", "ObjectId"]])
def test_other_files_are_not_taken_for_a_lookup(tmp_path: Path, header: list[str]) -> None:
    from data_connectors.formats.area_lookup import claims

    assert not claims(str(write_csv(tmp_path, [], header)))
    assert claims(str(write_csv(tmp_path / "ons", [], HEADER)))


def test_the_formats_command_lists_the_lookup(capsys) -> None:
    assert main(["formats"]) == 0
    out = capsys.readouterr().out
    assert "area_lookup: ONS LSOA to electoral ward to LAD lookup" in out
    assert "    area_lookup_wards -> wards: wdyycd*, wdyynm*, ladyycd*, locality" in out
