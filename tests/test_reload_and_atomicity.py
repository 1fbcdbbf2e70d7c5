"""Reloads change nothing, newer extracts replace what they cover, and a failed load leaves no trace."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.pipeline import run_load
from data_connectors.pseudonymise import Pseudonymiser
from tests.canonical_world import WORLD, write_table, write_world
from tests.store_snapshot import snapshot, table_frame
from tests.stores import TEST_KEY


def _contact(contact_id: str, date: str, outcome: str = "NFA") -> dict[str, str]:
    return {**WORLD["contacts"], "contact_id": contact_id, "contact_date": date, "outcome": outcome}


def test_loading_the_same_extracts_twice_changes_nothing(store_url: str, tmp_path: Path) -> None:
    world = write_world(tmp_path / "world")
    first = run_load([world], store_url)
    before = snapshot(store_url)
    second = run_load([world], store_url)
    assert snapshot(store_url) == before
    assert [f.unchanged_since_load for f in second.files] == [first.load_id] * len(WORLD)


def test_reloading_an_extract_with_rejections_gives_the_same_rows(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    rows = [_contact("K2", "2024-02-01"), _contact("K3", "2024-02-30")]
    path = write_table(tmp_path / "front-door", "contacts", rows)
    run_load([path], store_url)
    before = snapshot(store_url, exclude=("load_id",))
    again = run_load([path], store_url)
    after = snapshot(store_url, exclude=("load_id",))
    assert (again.files[0].rows_loaded, again.files[0].rows_rejected) == (1, 1)
    for table in [t.name for t in schema.data_tables()]:
        assert after[table] == before[table], table


def test_a_newer_extract_replaces_the_period_it_covers(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    october = [_contact("K10", "2024-01-10"), _contact("K11", "2024-02-10"), _contact("K12", "2024-03-10")]
    run_load([write_table(tmp_path / "front-door", "contacts", october, "contacts_2024-10.csv")], store_url)
    # November's extract covers February to April: K11 is corrected, K12 was withdrawn, K13 is new.
    november = [_contact("K11", "2024-02-10", "ADVICE"), _contact("K13", "2024-04-02")]
    result = run_load([write_table(tmp_path / "front-door", "contacts", november, "contacts_2024-11.csv")], store_url)

    assert result.files[0].source == "front-door/contacts"
    assert (result.files[0].period_from.isoformat(), result.files[0].period_to.isoformat()) == (
        "2024-02-10",
        "2024-04-02",
    )
    frame = table_frame(store_url, schema.contacts)
    hashed = Pseudonymiser(TEST_KEY).hash_one
    by_id = dict(zip(frame["contact_id"], frame["outcome"], strict=True))
    assert by_id == {
        hashed("K0001"): "REFERRAL",  # the world's contact belongs to another source: untouched
        hashed("K10"): "NFA",  # January is outside November's period: kept
        hashed("K11"): "ADVICE",  # replaced by the newer version
        hashed("K13"): "NFA",  # new
    }


def test_a_load_that_fails_part_way_leaves_the_store_as_it_was(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    before = snapshot(store_url)
    folder = tmp_path / "extracts"
    write_table(folder, "audits", [{**WORLD["audits"], "audit_id": "AU5"}])
    rows = [_contact(f"K{n}", "2024-05-01") for n in range(100, 3100)]
    path = write_table(folder, "contacts", rows)
    with path.open("a") as handle:  # a quote that is never closed, far past the part that is sniffed
        handle.write('K9999,C0001,"2024-05-01,6,,,NFA\n')

    code = main(["load", str(folder), "--store", store_url])

    error = capsys.readouterr().err.strip()
    assert code == 2
    assert error == f"{path}: is not readable as CSV near line 3002 (unexpected end of data)"
    assert snapshot(store_url) == before  # the audits file and 3,000 contacts were rolled back


def test_a_different_key_is_refused(store_url: str, tmp_path: Path, monkeypatch, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    before = snapshot(store_url)
    monkeypatch.setenv("LOS_PSEUDONYM_KEY", "another partnership's key")
    path = write_table(tmp_path / "new", "audits", [{**WORLD["audits"], "audit_id": "AU6"}])
    assert main(["load", str(path), "--store", store_url]) == 1
    assert "different pseudonymisation key" in capsys.readouterr().err
    assert snapshot(store_url) == before


def test_real_extracts_need_a_key(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("LOS_PSEUDONYM_KEY")
    url = "duckdb:///" + str(tmp_path / "store.duckdb")
    path = write_table(tmp_path / "new", "audits", [WORLD["audits"]])
    assert main(["load", str(path), "--store", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no pseudonymisation key: set LOS_PSEUDONYM_KEY")
    assert not (tmp_path / "store.duckdb").exists()


@pytest.mark.parametrize("table", ["children", "contacts"])
def test_every_read_row_is_loaded_or_reported(store_url: str, tmp_path: Path, table: str) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    good = WORLD[table]
    key = schema.key_columns(schema.table_by_name(table))[0]
    rows = [{**good, key: f"X{n}"} for n in range(50)]
    rows[7]["child_id"] = "nobody"
    rows[20] = {**rows[20], **({"sex": "7"} if table == "children" else {"source_code": "5Z"})}
    rows.append(dict(rows[3]))
    result = run_load([write_table(tmp_path / "new", table, rows)], store_url)
    read, loaded, rejected = result.per_table().iloc[0][["read", "loaded", "rejected"]]
    assert (read, loaded, rejected) == (51, 48 if table == "contacts" else 49, 3 if table == "contacts" else 2)
    assert read == loaded + rejected
    assert result.rejections["__row_number"].nunique() == rejected
