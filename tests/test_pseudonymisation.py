"""No raw identifier, date of birth, postcode or exact location ever reaches the store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.pipeline import run_load
from data_connectors.pseudonymise import Pseudonymiser
from data_connectors.store import make_engine
from tests.canonical_world import RAW_IDENTIFIERS, RAW_SENSITIVE_VALUES, WORLD, write_table, write_world
from tests.store_snapshot import table_frame
from tests.stores import TEST_KEY


def _every_stored_text(url: str) -> list[str]:
    """Every value of every column of every table, as text, except the postcode lookup (public geography:
    every postcode in the area, held precisely so that no postcode is kept against a child) and the
    working-day calendar (every day from 2000 to 2040)."""
    engine = make_engine(url)
    values: list[str] = []
    with engine.connect() as connection:
        for table in schema.metadata.sorted_tables:
            if table in (schema.postcode_areas, schema.working_days):
                continue
            for row in connection.execute(sa.select(table)).all():
                values.extend(str(value) for value in row if value is not None)
    engine.dispose()
    return values


def test_nothing_sensitive_is_stored(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    # a second extract whose rows are all rejected, so the rejection records are scanned too
    bad = [{**WORLD["children"], "sex": "7"}, {**WORLD["contacts"], "contact_id": "K0002", "child_id": "C0404"}]
    run_load([write_table(tmp_path / "rejects", "children", bad[:1])], store_url)
    run_load([write_table(tmp_path / "rejects", "contacts", bad[1:])], store_url)

    stored = _every_stored_text(store_url)
    leaks = [(raw, value) for raw in RAW_SENSITIVE_VALUES + ["C0404", "K0002"] for value in stored if raw in value]
    assert leaks == []


def test_identifiers_become_the_keyed_hash_and_still_join(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    pseudonymiser = Pseudonymiser(TEST_KEY)
    children = table_frame(store_url, schema.children)
    referrals = table_frame(store_url, schema.referrals)
    expected = pseudonymiser.hash_one("C0001")
    assert list(children["child_id"]) == [expected]
    assert len(expected) == 20 and int(expected, 16) >= 0
    assert expected != Pseudonymiser("another key").hash_one("C0001")
    assert list(referrals["child_id"]) == [expected]
    assert list(referrals["contact_id"]) == [pseudonymiser.hash_one("K0001")]
    assert set(RAW_IDENTIFIERS).isdisjoint(referrals.astype(str).to_numpy().ravel())


def test_birth_dates_postcodes_and_locations_are_reduced(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    child = table_frame(store_url, schema.children).iloc[0]
    assert str(child["birth_month"]) == "2015-03-01"  # born 17 March 2015
    assert child["home_area_code"] == "E01990001"  # from postcode QQ1 1AA
    assert "home_postcode" not in table_frame(store_url, schema.children).columns
    incident = table_frame(store_url, schema.police_incidents).iloc[0]
    assert (incident["latitude"], incident["longitude"]) == (53.1, -2.1)  # 53.100412, -2.100377 rounded


def test_rejected_sensitive_values_are_withheld_in_the_report(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    rows = [{**WORLD["children"], "child_id": "C0002", "date_of_birth": "31/02/2015", "home_postcode": "QQ9 9ZZ"}]
    result = run_load([write_table(tmp_path / "new", "children", rows)], store_url)
    report = result.rejections.set_index("field")
    assert report.loc["date_of_birth", "value"] == "[withheld]"
    assert report.loc["home_postcode", "value"] == "[withheld]"
    assert report.loc["home_postcode", "reason"].startswith("is not in the postcode lookup")
    assert not pd.Series(RAW_SENSITIVE_VALUES + ["QQ9 9ZZ", "31/02/2015"]).isin(result.rejections["value"]).any()
