"""Rows several sources describe: a CIN census return and the local authority's own extracts.

The census knows a child's birth date, sex, ethnicity and disability but not where the child lives; the
child extract knows the home small area. Loaded in either order they make one row with both, an empty
value never overwrites a stored one, and no one source's newer extract removes a row another describes.
Every expected value is worked out by hand from the files written here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.cin_records import key
from data_connectors.pipeline import run_load
from data_connectors.pseudonymise import Pseudonymiser
from data_connectors.store import make_engine
from tests.canonical_world import write_table, write_world
from tests.store_snapshot import snapshot, table_frame
from tests.stores import TEST_KEY

hashed = Pseudonymiser(TEST_KEY).hash_one
AREA = "E01990001"  # the world's small area, which postcode QQ1 1AA reduces to
TODAY = dt.date(2025, 5, 1)


def census(year: int, children: list[tuple[str, list[str]]]) -> str:
    """A census return: each child (LAchildID, born 15 June 2012, female, WBRI, no disability) and its
    CINdetails elements."""
    body = "".join(
        f"<Child><ChildIdentifiers><LAchildID>{child}</LAchildID><PersonBirthDate>2012-06-15</PersonBirthDate>"
        "<Sex>F</Sex></ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities>"
        "<Disability>NONE</Disability></Disabilities></ChildCharacteristics>"
        + "".join(f"\n<CINdetails>{details}</CINdetails>" for details in episodes)
        + "</Child>\n"
        for child, episodes in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n<Header><CollectionDetails><Collection>CIN</Collection>'
        f"<Year>{year}</Year><ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails></Header>\n"
        f"<Children>\n{body}</Children>\n</Message>\n"
    )


def episode(referral_date: str, source: str = "6", closed: str = "") -> str:
    closure = f"<CINclosureDate>{closed}</CINclosureDate><ReasonForClosure>RC7</ReasonForClosure>" if closed else ""
    return (
        f"<CINreferralDate>{referral_date}</CINreferralDate><ReferralSource>{source}</ReferralSource>"
        f"<PrimaryNeedCode>N1</PrimaryNeedCode>{closure}<ReferralNFA>false</ReferralNFA>"
    )


def write_census(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def child_extract(folder: Path, rows: list[dict[str, str]], name: str = "children.csv") -> Path:
    return write_table(folder, "children", rows, name)


def _rows(store_url: str, table: sa.Table, key_column: str) -> dict[str, dict]:
    frame = table_frame(store_url, table)
    frame = frame.astype(object).where(frame.notna(), None)
    return {row[key_column]: row for row in frame.to_dict("records")}


def children(store_url: str) -> dict[str, dict]:
    return _rows(store_url, schema.children, "child_id")


def referrals(store_url: str) -> dict[str, dict]:
    return _rows(store_url, schema.referrals, "referral_id")


def _child(values: dict) -> tuple:
    return tuple(
        values[c] for c in ("birth_month", "sex", "ethnicity", "has_disability", "home_area_code", "several_sources")
    )


HOME_ONLY = {"child_id": "TST001", "home_postcode": "QQ1 1AA"}
CENSUS_AND_HOME = (dt.date(2012, 6, 1), "2", "WBRI", False, AREA, True)


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> str:
    """The hand-written world's geography (small area E01990001, postcode QQ1 1AA) and its child C0001."""
    run_load([write_world(tmp_path / "world")], store_url, today=TODAY)
    return store_url


def test_a_census_after_the_child_extract_fills_its_fields_and_keeps_the_home_area(world: str, tmp_path: Path) -> None:
    extract = child_extract(tmp_path / "la", [HOME_ONLY])
    first = run_load([extract], world, today=TODAY)
    assert _child(children(world)[hashed("TST001")]) == (None, None, None, None, AREA, False)

    cin = write_census(tmp_path / "returns", "cin_census.xml", census(2024, [("TST001", [episode("2023-09-10")])]))
    second = run_load([cin], world, today=TODAY)

    row = children(world)[hashed("TST001")]
    assert _child(row) == CENSUS_AND_HOME
    assert (row["source"], row["load_id"]) == ("returns/cin_census (census 2024)", second.load_id)
    assert first.files[0].rows_loaded == 1 and second.per_table().set_index("table").loc["children", "loaded"] == 1
    assert _child(children(world)[hashed("C0001")])[-1] is False  # the world's own child: one source only

    before = snapshot(world)
    again = run_load([cin, extract], world, today=TODAY)
    assert snapshot(world) == before
    assert {f.unchanged_since_load for f in again.files} == {first.load_id, second.load_id}


def test_the_child_extract_after_a_census_keeps_the_census_fields(world: str, tmp_path: Path) -> None:
    cin = write_census(tmp_path / "returns", "cin_census.xml", census(2024, [("TST001", [episode("2023-09-10")])]))
    run_load([cin], world, today=TODAY)
    assert _child(children(world)[hashed("TST001")]) == (dt.date(2012, 6, 1), "2", "WBRI", False, None, False)

    # the extract knows every column of the template, but leaves the census's ones empty: empty does not overwrite
    extract = child_extract(tmp_path / "la", [HOME_ONLY])
    run_load([extract], world, today=TODAY)
    row = children(world)[hashed("TST001")]
    assert _child(row) == CENSUS_AND_HOME
    assert row["source"] == "la/children"

    # the same extract saved again (other bytes, same rows) is read again and changes no value
    before = snapshot(world, exclude=("load_id",))
    extract.write_text(extract.read_text().replace("\n", "\r\n"), encoding="utf-8")
    run_load([extract], world, today=TODAY)
    assert snapshot(world, exclude=("load_id",))["children"] == before["children"]


def test_both_sources_in_one_load_make_one_row_whichever_is_read_first(world: str, tmp_path: Path) -> None:
    cin = write_census(tmp_path / "returns", "cin.xml", census(2024, [("TST001", [episode("2023-09-10")])]))
    extract = child_extract(tmp_path / "la", [HOME_ONLY, {"child_id": "TST002", "home_area_code": AREA, "sex": "1"}])
    result = run_load([extract, cin], world, today=TODAY)

    assert result.rejections.empty
    rows = children(world)
    assert _child(rows[hashed("TST001")]) == CENSUS_AND_HOME
    assert _child(rows[hashed("TST002")]) == (None, "1", None, None, AREA, False)
    assert len(rows) == 3  # C0001, TST001, TST002


def test_a_value_both_sources_give_is_the_last_ones_and_a_source_alone_can_blank_its_own(
    world: str, tmp_path: Path
) -> None:
    # the extract records sex 1 and ethnicity WIRI; the census says F (2) and WBRI
    extract = child_extract(tmp_path / "la", [{**HOME_ONLY, "sex": "1", "ethnicity": "WIRI"}], "children_2024-10.csv")
    run_load([extract], world, today=TODAY)
    cin = write_census(tmp_path / "returns", "cin.xml", census(2024, [("TST001", [episode("2023-09-10")])]))
    run_load([cin], world, today=TODAY)
    assert _child(children(world)[hashed("TST001")])[1:3] == ("2", "WBRI")

    # a child only the extract describes: its newer extract's blank clears the value, as before
    only_la = {"child_id": "TST009", "home_area_code": AREA, "ethnicity": "WIRI"}
    run_load([child_extract(tmp_path / "la", [only_la], "children_2024-10.csv")], world, today=TODAY)
    run_load(
        [child_extract(tmp_path / "la", [{**only_la, "ethnicity": ""}, HOME_ONLY], "children_2024-11.csv")],
        world,
        today=TODAY,
    )
    rows = children(world)
    assert rows[hashed("TST009")]["ethnicity"] is None
    assert _child(rows[hashed("TST001")]) == CENSUS_AND_HOME  # shared: the blank sex/ethnicity do not overwrite


def _front_door(referral_date: str, referral_id: str, **values: str) -> dict[str, str]:
    return {
        "referral_id": referral_id,
        "child_id": "TST001",
        "referral_date": referral_date,
        "source_code": "6",
        "referrer_need_level": "4",
        "decision_date": referral_date,
        "decision_level": "3",
        "outcome": "ASSESSMENT",
        **values,
    }


def test_a_newer_extract_of_one_source_does_not_remove_an_event_another_source_describes(
    world: str, tmp_path: Path
) -> None:
    census_referral = key("TST001", "CINdetails", "2023-09-10", "1")  # the census's stand-in for the episode
    cin = write_census(tmp_path / "returns", "cin.xml", census(2024, [("TST001", [episode("2023-09-10")])]))
    october = [_front_door("2023-09-10", census_referral), _front_door("2023-09-20", "FD-2")]
    run_load([cin, write_table(tmp_path / "la", "referrals", october, "referrals_2024-10.csv")], world, today=TODAY)

    rows = referrals(world)
    merged = rows[hashed(census_referral)]
    # the census's primary need and the front door's levels and decision, one row
    assert (merged["primary_need_code"], merged["referrer_need_level"], merged["decision_level"]) == ("N1", "4", "3")
    assert (merged["outcome"], merged["nfa"], merged["several_sources"]) == ("ASSESSMENT", False, True)
    assert rows[hashed("FD-2")]["several_sources"] is False

    # November's extract covers 10 to 25 September and lists neither: FD-2 (the front door's alone) goes, the
    # census's episode stays with everything both sources said
    november = [_front_door("2023-09-10", "FD-4"), _front_door("2023-09-25", "FD-3")]
    result = run_load([write_table(tmp_path / "la", "referrals", november, "referrals_2024-11.csv")], world)
    assert (result.files[0].period_from, result.files[0].period_to) == (dt.date(2023, 9, 10), dt.date(2023, 9, 25))
    rows = referrals(world)
    assert set(rows) == {hashed("R0001"), hashed(census_referral), hashed("FD-3"), hashed("FD-4")}
    assert (rows[hashed(census_referral)]["decision_level"], rows[hashed(census_referral)]["primary_need_code"]) == (
        "3",
        "N1",
    )


def test_one_census_year_does_not_remove_another_years_episodes(world: str, tmp_path: Path) -> None:
    # both files lose their years to the same source name ("returns/cin"); the header's Year keeps them apart
    running = episode("2023-09-10")  # open across both years: in both returns
    closed = episode("2023-10-01", closed="2023-11-01")  # closed in 2023-24: only in the 2024 return
    later = episode("2024-06-01")  # only in the 2025 return
    folder = tmp_path / "returns"
    year_2024 = write_census(folder, "cin_2023-24.xml", census(2024, [("TST001", [running, closed])]))
    year_2025 = write_census(folder, "cin_2024-25.xml", census(2025, [("TST001", [running, later])]))
    first = run_load([year_2024], world, today=TODAY)
    second = run_load([year_2025], world, today=TODAY)

    assert {f.source for f in first.files} == {"returns/cin (census 2024)"}
    assert {f.source for f in second.files} == {"returns/cin (census 2025)"}
    referral_files = [f for f in second.files if f.table == "referrals"]
    # the 2025 return's referrals reach back over the 2024-only episode of 1 October 2023
    assert (referral_files[0].period_from, referral_files[0].period_to) == (dt.date(2023, 9, 10), dt.date(2024, 6, 1))
    ids = {d: hashed(key("TST001", "CINdetails", d, "1")) for d in ("2023-09-10", "2023-10-01", "2024-06-01")}
    rows = referrals(world)
    assert {d: rows[i]["several_sources"] for d, i in ids.items() if i in rows} == {
        "2023-09-10": True,
        "2023-10-01": False,
        "2024-06-01": False,
    }

    # a resubmitted 2025 return has a July episode instead of the June one: in the period it covers it replaces
    # its own year's episodes (June goes) and leaves the 2024 return's and the shared one alone
    write_census(folder, "cin_2024-25.xml", census(2025, [("TST001", [running, episode("2024-07-01")])]))
    resubmitted = run_load([year_2025], world, today=TODAY)
    rows = referrals(world)
    assert {d for d, i in ids.items() if i in rows} == {"2023-09-10", "2023-10-01"}
    assert hashed(key("TST001", "CINdetails", "2024-07-01", "1")) in rows
    assert resubmitted.rejections.empty


def test_two_census_years_in_one_load_are_not_duplicates(world: str, tmp_path: Path) -> None:
    running = episode("2023-09-10")
    folder = tmp_path / "returns"
    write_census(folder, "cin_2023-24.xml", census(2024, [("TST001", [running])]))
    write_census(folder, "cin_2024-25.xml", census(2025, [("TST001", [running])]))
    result = run_load([folder], world, today=TODAY)
    assert result.rejections.empty
    table = result.per_table().set_index("table")
    assert (table.loc["referrals", "read"], table.loc["referrals", "loaded"]) == (2, 2)
    frame = table_frame(world, schema.referrals)
    assert len(frame[frame["referral_id"] != hashed("R0001")]) == 1
    assert pd.Series(frame["several_sources"]).sum() == 1


def test_a_store_made_before_rows_were_merged_gains_the_mark(world: str, tmp_path: Path) -> None:
    merged = [table for table in schema.data_tables() if schema.is_merged(table)]
    engine = make_engine(world)
    try:
        with engine.begin() as connection:
            for table in merged:
                connection.execute(sa.text(f"ALTER TABLE {table.name} DROP COLUMN {schema.SEVERAL_SOURCES}"))
    finally:
        engine.dispose()
    cin = write_census(tmp_path / "returns", "cin.xml", census(2024, [("C0001", [episode("2023-09-10")])]))
    result = run_load([cin], world, today=TODAY)
    assert result.rejections.empty
    rows = children(world)
    assert rows[hashed("C0001")]["several_sources"] is True  # the world's child, now also in the census
    assert {t.name for t in merged} == {
        "children",
        "referrals",
        "assessments",
        "assessment_factors",
        "s47_enquiries",
        "icpcs",
        "cp_plans",
    }
