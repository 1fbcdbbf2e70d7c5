"""A Standard Safeguarding Dataset read from a local authority database through its URL: the ssd_* tables
become children, front-door, assessment and child protection rows, joined by hashed ids, with no raw
identifier, postcode or password kept; a database that cannot be read is refused in one plain line."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import socket
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.database_source import read_chunks
from data_connectors.formats import source_parts
from data_connectors.formats.ssd import TABLES
from data_connectors.pipeline import DEMO_MANIFEST, choose_key, plan_load, run_load
from data_connectors.pseudonymise import Pseudonymiser
from data_connectors.readers import TEXT
from data_connectors.ssd_values import factor_codes
from data_connectors.store import describe_url, make_engine
from tests.canonical_world import WORLD, write_table
from tests.postgres_server import create_database
from tests.ssd_database import write_ssd
from tests.store_snapshot import snapshot, table_frame
from tests.stores import TEST_KEY

PASSWORD = "pw-never-shown-42"
_numbers = itertools.count(1)
H = Pseudonymiser(TEST_KEY).hash_one


def _flags(**flags: str) -> str:
    return json.dumps(flags)


# One partnership's SSD, by hand. P100 lives at QQ1 1AA (the canonical world's postcode, small area
# E01990001); an older, ended address elsewhere must not be taken. P200 has no address; P300 is unborn.
SSD: dict[str, list[dict[str, object]]] = {
    "ssd_person": [
        # inserted out of key order: rows are numbered in the order of pers_person_id
        {"pers_person_id": "P300", "pers_sex": "U", "pers_ethnicity": "NOBT", "pers_expected_dob": "2026-09-01"},
        {
            "pers_person_id": "P100",
            "pers_sex": "M",
            "pers_gender": "01",
            "pers_ethnicity": "WBRI",
            "pers_dob": "2016-07-23",
            "pers_common_child_id": "9990001112",
        },
        {"pers_person_id": "P200", "pers_gender": "02", "pers_ethnicity": "CNHE", "pers_dob": "2012-11-02"},
    ],
    "ssd_address": [
        {
            "addr_table_id": "AD1",
            "addr_person_id": "P100",
            "addr_address_json": json.dumps({"HOUSE": "1", "STREET": "Testing Street", "UPRN": "990000000001"}),
            "addr_address_type": "Home",
            "addr_address_start_date": "2019-05-01",
            "addr_address_postcode": "QQ11AA",
        },
        {
            "addr_table_id": "AD2",
            "addr_person_id": "P100",
            "addr_address_start_date": "2023-02-01",
            "addr_address_end_date": "2023-06-30",
            "addr_address_postcode": "QQ99ZZ",
        },
    ],
    "ssd_disability": [
        {"disa_person_id": "P100", "disa_table_id": "D1", "disa_disability_code": "NONE"},
        {"disa_person_id": "P200", "disa_table_id": "D2", "disa_disability_code": "AUT"},
        {"disa_person_id": "P200", "disa_table_id": "D3", "disa_disability_code": "NONE"},
    ],
    "ssd_contacts": [
        {
            "cont_contact_id": "K10",
            "cont_person_id": "P100",
            "cont_contact_date": "2024-01-04",
            "cont_contact_source_code": "2A",
            "cont_contact_outcome_json": _flags(NEW_REFERRAL_FLAG="Y", NFA_FLAG="N", ADVICE_FLAG=""),
        },
        {
            "cont_contact_id": "K20",
            "cont_person_id": "P200",
            "cont_contact_date": "2024-02-10 09:15:00",
            "cont_contact_source_code": "6",
            "cont_contact_source_desc": "Police",
            "cont_contact_outcome_json": _flags(ADVICE_FLAG="Y", NFA_FLAG="N"),
        },
    ],
    "ssd_early_help_episodes": [
        {
            "earl_episode_id": "EH1",
            "earl_person_id": "P200",
            "earl_episode_start_date": "2023-09-01",
            "earl_episode_end_date": "2024-01-31",
            "earl_episode_reason": "Domestic Violence/ Abuse",
            "earl_episode_end_reason": "Step-up",
            "earl_episode_organisation": "Schools",
        },
        {
            "earl_episode_id": "EH2",
            "earl_person_id": "P100",
            "earl_episode_start_date": "2023-03-01",
            "earl_episode_end_date": "2023-08-31",
            "earl_episode_reason": "Mental Health (Parent or Child)",
            "earl_episode_end_reason": "Outcomes met",
            "earl_episode_organisation": "Family Hub North",
        },
    ],
    "ssd_cin_episodes": [
        {
            "cine_referral_id": "R10",
            "cine_person_id": "P100",
            "cine_referral_date": "2024-01-05",
            "cine_cin_primary_need_code": "N1",
            "cine_referral_source_code": "2A",
            "cine_referral_outcome_json": _flags(SINGLE_ASSESSMENT_FLAG="Y", STRATEGY_DISCUSSION_FLAG="Y"),
            "cine_referral_nfa": "N",
            "cine_referral_team": "Front Door",
        },
        {
            "cine_referral_id": "R20",
            "cine_person_id": "P200",
            "cine_referral_date": "2024-02-12",
            "cine_referral_source_code": "6",
            "cine_referral_outcome_json": _flags(SINGLE_ASSESSMENT_FLAG="", NFA_FLAG=""),
            "cine_referral_nfa": "Y",
            "cine_close_date": "2024-02-13",
            "cine_close_reason": "RC8",
        },
    ],
    "ssd_cin_assessments": [
        {
            "cina_assessment_id": "AS10",
            "cina_person_id": "P100",
            "cina_referral_id": "R10",
            "cina_assessment_start_date": "2024-01-08",
            "cina_assessment_child_seen": "Y",
            "cina_assessment_auth_date": "2024-02-20",
            "cina_assessment_outcome_json": _flags(STRATEGY_DISCUSSION_FLAG="Y", PROV_OF_SERVICES_FLAG="Y"),
            "cina_assessment_outcome_nfa": "N",
        },
        {
            "cina_assessment_id": "AS20",
            "cina_person_id": "P200",
            "cina_referral_id": "R20",
            "cina_assessment_start_date": "2024-02-12",
            "cina_assessment_child_seen": "N",
            "cina_assessment_outcome_json": json.dumps({"NFA_FLAG": "", "COMMENTS": "not for the store"}),
            "cina_assessment_outcome_nfa": "Y",
        },
    ],
    "ssd_assessment_factors": [
        {"cinf_table_id": "F1", "cinf_assessment_id": "AS10", "cinf_assessment_factors_json": '["4B", "3A", "4B"]'},
        {
            "cinf_table_id": "F2",
            "cinf_assessment_id": "AS20",
            "cinf_assessment_factors_json": json.dumps({"1B": "Yes", "2B": "No", "16A": "Yes"}),
        },
    ],
    "ssd_s47_enquiry": [
        {
            "s47e_s47_enquiry_id": "S10",
            "s47e_referral_id": "R10",
            "s47e_person_id": "P100",
            "s47e_s47_start_date": "2024-01-09",
            "s47e_s47_end_date": "2024-01-20",
            "s47e_s47_nfa": "N",
            "s47e_s47_outcome_json": _flags(CP_CONFERENCE_FLAG="Y", NFA_FLAG="N", OUTCOME_COMMENTS=""),
        }
    ],
    "ssd_initial_cp_conference": [
        {
            "icpc_icpc_id": "IC10",
            "icpc_s47_enquiry_id": "S10",
            "icpc_person_id": "P100",
            "icpc_cp_plan_id": "CP10",
            "icpc_referral_id": "R10",
            "icpc_icpc_transfer_in": "N",
            "icpc_icpc_target_date": "2024-01-30",
            "icpc_icpc_date": "2024-01-25",
            "icpc_icpc_outcome_cp_flag": "Y",
        }
    ],
    "ssd_cp_plans": [
        {
            "cppl_cp_plan_id": "CP10",
            "cppl_referral_id": "R10",
            "cppl_icpc_id": "IC10",
            "cppl_person_id": "P100",
            "cppl_cp_plan_start_date": "2024-01-25",
            "cppl_cp_plan_ola": "N",
            "cppl_cp_plan_initial_category": "Neglect",
            "cppl_cp_plan_latest_category": "Multiple: Neglect, Emotional abuse",
        }
    ],
    "ssd_cin_plans": [],
}
RAW_VALUES = [
    *("P100", "P200", "P300", "K10", "K20", "EH1", "EH2", "R10", "R20", "AS10", "AS20", "S10", "IC10", "CP10"),
    *("9990001112", "990000000001", "Testing Street", "QQ11AA", "QQ99ZZ", "QQ9 9ZZ", "2016-07-23", "2012-11-02"),
    *("not for the store", PASSWORD),
    *(repr(dt.date(2016, 7, 23)), repr(dt.date(2012, 11, 2))),  # dates of birth as the store would hold them
]


@pytest.fixture
def new_source(postgres_admin_url: str):
    """A maker of fresh, empty PostgreSQL databases to hold an SSD; their URLs carry a password (the test
    server trusts local connections, so it is accepted and ignored), to show it is never shown or kept."""

    def make() -> str:
        url = create_database(postgres_admin_url, f"ssd_source_{next(_numbers)}")
        return sa.make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)

    return make


GEOGRAPHY = ("localities", "wards", "small_areas", "postcode_areas")
SSD_TABLES = [schema.table_by_name(name) for name in ("children", "contacts", "early_help_episodes", "referrals")] + [
    schema.table_by_name(name) for name in ("assessments", "assessment_factors", "s47_enquiries", "icpcs", "cp_plans")
]


def _load_geography(store_url: str, tmp_path: Path) -> None:
    """The canonical world's areas and its postcode lookup (QQ1 1AA is in small area E01990001)."""
    run_load([write_table(tmp_path / "geography", name, [WORLD[name]]) for name in GEOGRAPHY], store_url)


def _counts(report: str) -> dict[str, list[int]]:
    """Rows read, loaded and rejected per table, from the printed load report."""
    lines = report.splitlines()[2:]
    table_lines = itertools.takewhile(lambda line: not line.startswith("total"), lines)
    total = next(line for line in lines if line.startswith("total"))
    return {line.split()[0]: [int(n.replace(",", "")) for n in line.split()[1:]] for line in [*table_lines, total]}


def _store_text(url: str) -> str:
    return repr(snapshot(url))


def _by_source(url: str, table: sa.Table, source: str):
    frame = table_frame(url, table)
    return frame[frame["source"] == source]


def test_an_ssd_database_loads_into_the_canonical_tables(store_url: str, new_source, tmp_path: Path, capsys) -> None:
    _load_geography(store_url, tmp_path)
    source = write_ssd(new_source(), SSD)
    shown = describe_url(source)

    assert main(["load", source, "--store", store_url, "--report", str(tmp_path / "rejected.csv")]) == 0

    out = capsys.readouterr().out
    assert _counts(out) == {
        "children": [3, 3, 0],
        "contacts": [2, 2, 0],
        "referrals": [2, 2, 0],
        "assessments": [2, 2, 0],
        "assessment_factors": [2, 2, 0],
        "s47_enquiries": [1, 1, 0],
        "icpcs": [1, 1, 0],
        "cp_plans": [1, 1, 0],
        "early_help_episodes": [2, 2, 0],
        "total": [16, 16, 0],
    }
    assert f"{shown}: sheets not used (no known layout): ssd_cin_plans" in out
    assert f"{shown} [ssd_person ordered by pers_person_id]: columns not used: pers_common_child_id" in out
    assert PASSWORD not in out and "***" in shown

    children = _by_source(store_url, schema.children, shown).set_index("child_id")
    assert children.loc[
        H("P100"), ["birth_month", "sex", "ethnicity", "has_disability", "home_area_code"]
    ].tolist() == [
        dt.date(2016, 7, 1),
        "1",
        "WBRI",
        False,
        "E01990001",
    ]
    p200 = children.loc[H("P200")]
    assert (p200["birth_month"], p200["sex"], p200["ethnicity"], p200["has_disability"]) == (
        dt.date(2012, 11, 1),
        "2",
        "CHNE",
        True,
    )
    assert pd.isna(p200["home_area_code"])
    assert children.loc[H("P300"), "sex"] == "0"
    assert pd.isna(children.loc[H("P300"), "birth_month"])  # only an expected date of birth

    contacts = _by_source(store_url, schema.contacts, shown).set_index("contact_id")
    assert contacts.loc[H("K10"), ["child_id", "contact_date", "source_code", "outcome"]].tolist() == [
        H("P100"),
        dt.date(2024, 1, 4),
        "2A",
        "REFERRAL",
    ]
    assert contacts.loc[H("K20"), ["contact_date", "source_code", "outcome"]].tolist() == [
        dt.date(2024, 2, 10),
        "6",
        "ADVICE",
    ]

    help_ = _by_source(store_url, schema.early_help_episodes, shown).set_index("episode_id")
    assert help_.loc[H("EH1"), ["reason", "end_reason", "lead_agency"]].tolist() == [
        "DOMESTIC_ABUSE",
        "STEP_UP",
        "SCHOOLS",
    ]
    assert help_.loc[H("EH2"), ["reason", "end_reason"]].tolist() == ["OTHER", "NEEDS_MET"]
    assert help_.isna().loc[H("EH2"), "lead_agency"]

    referrals = _by_source(store_url, schema.referrals, shown).set_index("referral_id")
    r10, r20 = referrals.loc[H("R10")], referrals.loc[H("R20")]
    assert [r10["source_code"], r10["outcome"], r10["nfa"], r10["primary_need_code"]] == ["2A", "S47", False, "N1"]
    assert [r20["source_code"], r20["outcome"], r20["nfa"], r20["closure_date"], r20["closure_reason"]] == [
        "6",
        "NFA",
        True,
        dt.date(2024, 2, 13),
        "RC8",
    ]

    assessments = _by_source(store_url, schema.assessments, shown).set_index("assessment_id")
    assert assessments.loc[H("AS10"), ["referral_id", "authorised_date", "child_seen", "outcome"]].tolist() == [
        H("R10"),
        dt.date(2024, 2, 20),
        True,
        "S47",
    ]
    assert assessments.loc[H("AS20"), "outcome"] == "NFA"
    factors = _by_source(store_url, schema.assessment_factors, shown)
    assert sorted(zip(factors["assessment_id"], factors["factor_code"], strict=True)) == sorted(
        [(H("AS10"), "4B"), (H("AS10"), "3A"), (H("AS20"), "1B"), (H("AS20"), "16A")]
    )

    s47 = _by_source(store_url, schema.s47_enquiries, shown).iloc[0]
    assert [s47["s47_id"], s47["referral_id"], s47["outcome"], s47["icpc_not_required"]] == [
        H("S10"),
        H("R10"),
        "ICPC",
        False,
    ]
    plan = _by_source(store_url, schema.cp_plans, shown).iloc[0]
    assert [plan["initial_category"], plan["latest_category"], plan["start_date"]] == [
        "NEG",
        "MUL",
        dt.date(2024, 1, 25),
    ]

    # the child protection chain joins on hashed ids: plan -> conference -> enquiry -> referral -> child
    p, i, s, r, c = schema.cp_plans, schema.icpcs, schema.s47_enquiries, schema.referrals, schema.children
    chain = (
        sa.select(r.c.referral_date, i.c.icpc_date, i.c.cp_plan_made, c.c.home_area_code)
        .select_from(
            p.join(i, p.c.icpc_id == i.c.icpc_id)
            .join(s, i.c.s47_id == s.c.s47_id)
            .join(r, s.c.referral_id == r.c.referral_id)
            .join(c, r.c.child_id == c.c.child_id)
        )
        .where(p.c.source == shown)
    )
    engine = make_engine(store_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(chain).all() == [(dt.date(2024, 1, 5), dt.date(2024, 1, 25), True, "E01990001")]
    finally:
        engine.dispose()

    stored = _store_text(store_url)
    assert [value for value in RAW_VALUES if value in stored] == []


def test_rows_that_break_rules_are_reported_by_table_row_and_field(store_url: str, new_source, tmp_path: Path) -> None:
    _load_geography(store_url, tmp_path)
    person = {"pers_person_id": "P1", "pers_sex": "F", "pers_ethnicity": "WBRI", "pers_dob": "2014-05-05"}
    referral = {"cine_person_id": "P1", "cine_referral_date": "2024-03-01", "cine_referral_source_code": "2A"}
    rows = {
        "ssd_person": [person],
        "ssd_contacts": [  # K2 first: rows are numbered by cont_contact_id, so K2 is row 2
            {"cont_contact_id": "K2", "cont_person_id": "P1", "cont_contact_date": "31/02/2024"},
            {"cont_contact_id": "K1", "cont_person_id": "P1", "cont_contact_date": "2024-02-29"},
        ],
        "ssd_cin_episodes": [
            {**referral, "cine_referral_id": "R1"},
            {**referral, "cine_referral_id": "R2", "cine_referral_source_code": "5E"},
            {
                **referral,
                "cine_referral_id": "R3",
                "cine_referral_outcome_json": '{"NFA_FLAG": "Y", "COMMENTS": "Mum sa',
            },
        ],
        "ssd_cin_assessments": [
            {"cina_assessment_id": "A1", "cina_person_id": "P1", "cina_assessment_start_date": "2024-03-02"}
        ],
        "ssd_assessment_factors": [
            {"cinf_table_id": "F1", "cinf_assessment_id": "A1", "cinf_assessment_factors_json": '["4B"'}
        ],
    }
    for contact in rows["ssd_contacts"]:
        contact["cont_contact_source_code"] = "1A"
    source = write_ssd(new_source(), rows, text_dates={"cont_contact_date"})
    shown = describe_url(source)

    result = run_load([source], store_url)

    rejected = result.rejections[["file", "__row_number", "field", "reason", "value"]].astype(object)
    lines = rejected.where(rejected.notna(), None).values.tolist()
    assert lines == [
        [f"{shown} [ssd_assessment_factors ordered by cinf_table_id, cinf_assessment_id]", 1, "(row)",
         "cinf_assessment_factors_json is not a JSON list or object of factor codes", None],
        [f"{shown} [ssd_cin_episodes ordered by cine_referral_id]", 2, "cine_referral_source_code",
         "is not a code in the referral_source list", "5E"],
        [f"{shown} [ssd_cin_episodes ordered by cine_referral_id]", 3, "(row)",
         "cine_referral_outcome_json is not an SSD outcome (a JSON object of flags)", None],
        [f"{shown} [ssd_contacts ordered by cont_contact_id]", 2, "cont_contact_date",
         "is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)", "31/02/2024"],
    ]  # fmt: skip
    counts = result.per_table().set_index("table")
    assert counts.loc["contacts"].tolist() == [2, 1, 1]
    assert counts.loc["referrals"].tolist() == [3, 1, 2]
    assert counts.loc["assessment_factors"].tolist() == [1, 0, 1]
    assert (counts["read"] == counts["loaded"] + counts["rejected"]).all()
    assert "Mum sa" not in _store_text(store_url)


def test_a_database_without_the_ssd_is_refused_and_the_store_is_unchanged(
    store_url: str, new_source, tmp_path: Path, capsys
) -> None:
    _load_geography(store_url, tmp_path)
    before = snapshot(store_url)
    empty = new_source()
    engine = sa.create_engine(empty)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE cases (case_id varchar(10))")
    engine.dispose()
    only_contacts = write_ssd(new_source(), {"ssd_contacts": [], "ssd_cin_episodes": []})
    no_date = write_ssd(new_source(), {"ssd_person": [], "ssd_cin_episodes": []}, drop_columns={
        "ssd_cin_episodes": {"cine_referral_date"}
    })  # fmt: skip

    for url, problem in [
        (empty, "holds no ssd_* tables, so it is not a Standard Safeguarding Dataset"),
        (only_contacts, "holds no ssd_person table (it has ssd_cin_episodes, ssd_contacts); the SSD needs it"),
        (no_date, "ssd_cin_episodes lacks columns the SSD defines: cine_referral_date"),
    ]:
        assert main(["load", url, "--store", store_url]) == 2
        assert capsys.readouterr().err == f"{describe_url(url)}: {problem}\n"
    assert snapshot(store_url) == before


@pytest.mark.parametrize("password", [PASSWORD, "p"])
def test_an_unreachable_database_is_one_line_without_its_password(password: str, tmp_path: Path, capsys) -> None:
    """Exit 2, as for any input that cannot be read: the source named on the command line is at fault
    (or out of reach), the store is fine and nothing was written. Exit 1 is kept for the load itself
    failing (no key, the store unreachable)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    url = f"postgresql://la_reader:{password}@127.0.0.1:{port}/ssd"  # the default driver (psycopg)
    store = "duckdb:///" + str(tmp_path / "store.duckdb")

    assert main(["load", url, "--store", store]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"postgresql://la_reader:***@127.0.0.1:{port}/ssd: cannot be read (OperationalError: ")
    assert f"port {port} failed: Connection refused" in err  # the driver's reason, not mangled
    assert err.count("\n") == 1 and f":{password}@" not in err
    assert not (tmp_path / "store.duckdb").exists()


def test_a_duckdb_file_holding_the_ssd_loads_the_same(store_url: str, new_source, tmp_path: Path) -> None:
    _load_geography(store_url, tmp_path)
    duck = write_ssd("duckdb:///" + str(tmp_path / "ssd.duckdb"), SSD)
    postgres = write_ssd(new_source(), SSD)

    from_duck = run_load([duck], store_url)
    rows_from_duck = {t.name: _content(store_url, t, describe_url(duck)) for t in SSD_TABLES}
    from_postgres = run_load([postgres], store_url)
    rows_from_postgres = {t.name: _content(store_url, t, describe_url(postgres)) for t in SSD_TABLES}

    assert from_duck.per_table().equals(from_postgres.per_table())
    assert rows_from_duck == rows_from_postgres
    assert len(rows_from_duck["assessment_factors"]) == 4


def test_reloading_the_database_changes_no_rows(store_url: str, tmp_path: Path) -> None:
    _load_geography(store_url, tmp_path)
    source = write_ssd("duckdb:///" + str(tmp_path / "ssd.duckdb"), SSD)
    first = run_load([source], store_url)
    before = {t.name: _content(store_url, t, describe_url(source)) for t in SSD_TABLES}
    again = run_load([source], store_url)
    assert [f.unchanged_since_load for f in again.files] == [None] * len(first.files)  # a database has no digest
    assert {t.name: _content(store_url, t, describe_url(source)) for t in SSD_TABLES} == before


def _content(url: str, table: sa.Table, source: str) -> list[tuple]:
    frame = table_frame(url, table)
    if "source" not in frame:
        return []
    # provenance apart: a second source with the same rows merges with them (and marks them several_sources)
    frame = frame[frame["source"] == source].drop(columns=[c for c in schema.PROVENANCE_COLUMNS if c in frame])
    return sorted(map(repr, frame.itertuples(index=False)))


def test_rows_are_numbered_across_chunks_in_key_order(tmp_path: Path) -> None:
    people = [{"pers_person_id": f"P{n}"} for n in (3, 1, 2)]
    url = write_ssd("duckdb:///" + str(tmp_path / "ssd.duckdb"), {"ssd_person": people})
    query = sa.select(sa.column("pers_person_id")).select_from(sa.table("ssd_person")).order_by("pers_person_id")
    chunks = list(read_chunks(url, query, ["pers_person_id"], chunk_rows=2))
    assert [c["pers_person_id"].tolist() for c in chunks] == [["P1", "P2"], ["P3"]]
    assert [c["__row_number"].tolist() for c in chunks] == [[1, 2], [3]]


def test_a_database_is_never_mistaken_for_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading from a folder that holds the demo must still use the partnership's key for a database."""
    url = write_ssd("duckdb:///" + str(tmp_path / "ssd.duckdb"), SSD)
    (tmp_path / DEMO_MANIFEST).write_text('{"synthetic": true}')
    monkeypatch.chdir(tmp_path)
    parts = source_parts(url)
    assert [p.table.name for p in parts][:2] == ["children", "contacts"]
    assert choose_key(plan_load([url]), None) == TEST_KEY


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ('["1A", "2B", "1A"]', ["1A", "2B"]),
        ('{"1A": "Yes", "2B": "No", "21": true}', ["1A", "21"]),
        ("[20, 21]", ["20", "21"]),
        ("4b, 18C", ["4B", "18C"]),
        ("[]", []),
        ('{"1A": ["Yes"]}', []),
        ("true", None),
    ],
)
def test_assessment_factor_json_forms(text: str, codes: list[str] | None) -> None:
    assert factor_codes(text) == codes


def _derived(table: str, **columns: str | None) -> dict[str, object]:
    """The template values one SSD row becomes (derive run on a one-row frame)."""
    layout = next(spec.format for spec in TABLES if spec.name == table)
    frame = pd.DataFrame({name: pd.Series([columns.get(name)], dtype=TEXT) for name in layout.columns})
    frame["__row_number"] = [1]
    frame["__row_problem"] = pd.Series([None], dtype=object)
    row = layout.to_template(frame).astype(object).iloc[0]
    return {name: (None if pd.isna(value) else value) for name, value in row.items()}


def test_conference_outcome_falls_back_to_the_json_then_the_plan_id() -> None:
    table = "ssd_initial_cp_conference"
    assert _derived(table, icpc_icpc_outcome_cp_flag="N", icpc_cp_plan_id="CP1")["cp_plan_made"] == "N"
    assert _derived(table, icpc_icpc_outcome_json=_flags(CP_FLAG="N", NFA_FLAG="Y"))["cp_plan_made"] == "N"
    assert _derived(table, icpc_icpc_outcome_json=_flags(CP_FLAG=""), icpc_cp_plan_id="CP1")["cp_plan_made"] == "Y"
    assert _derived(table, icpc_icpc_outcome_json=_flags(CP_FLAG=""))["cp_plan_made"] is None  # reported as empty


def test_outcome_flags_take_the_most_intensive_outcome() -> None:
    assert _derived("ssd_contacts", cont_contact_outcome_json=_flags(NFA_FLAG="Y", ADVICE_FLAG="Y"))["outcome"] == (
        "ADVICE"
    )
    s47 = _derived("ssd_s47_enquiry", s47e_s47_outcome_json=_flags(MONITOR_FLAG="Y", PROV_OF_SB_CARE_FLAG="1"))
    assert (s47["outcome"], s47["icpc_not_required"]) == ("SERVICES", "Y")
    assert _derived("ssd_s47_enquiry", s47e_s47_outcome_json="{}", s47e_s47_nfa="Y")["icpc_not_required"] is None
    assessed = _derived("ssd_cin_assessments", cina_assessment_outcome_json=_flags(CLA_REQUEST_FLAG="Y"))
    assert assessed["outcome"] == "OTHER"
    dated = _derived("ssd_cin_assessments", cina_assessment_start_date="2024-03-02T14:05:00+00:00")
    assert dated["start_date"] == "2024-03-02"
