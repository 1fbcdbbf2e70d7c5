"""Validation of every canonical table: a good row loads, and each kind of bad row is reported with the
row number, field and reason a data owner needs to fix it, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.canonical_world import WORLD, write_table, write_world
from tests.stores import TEST_KEY, new_store_url

# For tables with a composite key, the column whose value makes each test row's key distinct.
KEY_VARIANTS = {
    "population": ("age", [str(age) for age in range(6, 18)]),
    "deprivation": ("iod_year", [str(year) for year in range(2010, 2022)]),
    "health_events": ("month", [f"2023-{month:02d}" for month in range(1, 13)]),
    "school_attendance": ("academic_year", [f"20{y:02d}/{y + 1:02d}" for y in range(10, 22)]),
    "assessment_factors": (
        "factor_code",
        ["1A", "1B", "2B", "3A", "3B", "4A", "10A", "11A", "15A", "16A", "17A", "18C"],
    ),
    "boundaries": ("area_code", [f"E019900{n}" for n in range(50, 62)]),
}


def _with_new_key(table: sa.Table, row: dict[str, str], number: int) -> dict[str, str]:
    """The good row with a key no other row in the test uses."""
    varied = dict(row)
    if table.name in KEY_VARIANTS:
        column, values = KEY_VARIANTS[table.name]
        varied[column] = values[number]
    else:
        key = schema.key_columns(table)[0]
        varied[key] = f"{row[key][:-2]}{number + 50}"  # same length, never one of the world's keys
        if table.name == "postcode_areas":
            varied[key] = f"QQ1 {number}AB"
    return varied


def _template_name(column: sa.Column) -> str:
    return column.info.get("template_name", column.name)


def _bad_rows(table: sa.Table) -> list[tuple[dict[str, str], str, str]]:
    """(row, field, reason it starts with): one row per kind of fault this table's columns can have."""
    columns = schema.content_columns(table)
    required = next((c for c in columns if not c.nullable and not c.primary_key), columns[0])
    faults = [(_template_name(required), "", "is required but empty")]
    covered: set[str] = set()
    for column in columns:
        codelist = column.info.get("codelist")
        for kind, applies, value, reason in (
            ("date", isinstance(column.type, sa.Date), "2024-02-30", "is not a valid date"),
            ("yes/no", isinstance(column.type, sa.Boolean), "maybe", "is not yes or no"),
            ("number", isinstance(column.type, sa.Integer), "twelve", "is not a whole number"),
            ("code", bool(codelist), "ZZZ", f"is not a code in the {codelist} list"),
            ("reference", "references" in column.info, "NOPE", "refers to a"),
        ):
            if applies and kind not in covered:
                covered.add(kind)
                faults.append((_template_name(column), value, reason))
    rows = []
    for number, (field, value, reason) in enumerate(faults):
        row = _with_new_key(table, WORLD[table.name], number)
        row[field] = value
        for postcode_column, area_column in table.info.get("postcode_inputs", {}).items():
            if field == area_column:
                row[postcode_column] = ""  # a postcode would supply the area instead
        rows.append((row, field, reason))
    return rows


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def world_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store holding the hand-written world, shared by this module's tests (each adds its own keys)."""
    url = new_store_url(request.param, tmp_path_factory.mktemp("store"), request)
    run_load([write_world(tmp_path_factory.mktemp("world"))], url, key=TEST_KEY)
    return url


def test_the_world_covers_every_table() -> None:
    assert set(WORLD) == {table.name for table in schema.data_tables()}


@pytest.mark.parametrize("table_name", [t.name for t in schema.data_tables()])
def test_good_and_bad_rows(table_name: str, world_store: str, tmp_path: Path) -> None:
    store_url = world_store
    table = schema.table_by_name(table_name)
    bad = _bad_rows(table)
    good_row = _with_new_key(table, WORLD[table_name], 11)
    rows = [good_row] + [row for row, _, _ in bad] + [dict(good_row)]  # the last row repeats the first's key
    path = write_table(tmp_path / "extract", table_name, rows)

    result = run_load([path], store_url)

    outcome = result.files[0]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (len(rows), 1, len(rows) - 1)
    report = result.rejections
    for number, (_, field, reason) in enumerate(bad, start=3):
        lines = report[report["__row_number"] == number]
        assert len(lines) == 1, f"row {number}: {lines.to_dict('records')}"
        assert lines.iloc[0]["field"] == field
        assert lines.iloc[0]["reason"].startswith(reason), lines.iloc[0]["reason"]
        assert lines.iloc[0]["file"] == str(path)
    duplicate = report[report["__row_number"] == len(rows) + 1].iloc[0]
    assert duplicate["reason"].startswith("duplicate key: the same") and duplicate["reason"].endswith("as row 2")
    engine = make_engine(store_url)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        kept = connection.execute(
            sa.select(sa.func.count())
            .select_from(schema.load_rejections)
            .where(schema.load_rejections.c.load_id == result.load_id)
        ).scalar_one()
    engine.dispose()
    assert stored == 2  # the world's row and the new good row
    assert kept == len(report)
