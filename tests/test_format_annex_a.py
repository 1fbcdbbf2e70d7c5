"""Ofsted Annex A workbooks load as children, contacts, early help, referrals, assessments, enquiries,
conferences and plans: values worked out by hand from tests/annex_a_fixture.py, on both stores."""

from __future__ import annotations

import copy
import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.annex_a import answers
from data_connectors.annex_a.lists import LIST_1, LIST_3, recognise
from data_connectors.pipeline import run_load
from data_connectors.pseudonymise import Pseudonymiser
from data_connectors.readers import TEXT, normalise_header
from tests import annex_a_fixture as fixture
from tests.store_snapshot import snapshot, table_frame
from tests.stores import TEST_KEY

HASHED = Pseudonymiser(TEST_KEY).hash_one
C1, C2, C3, C4, C5 = (HASHED(f"C{n}") for n in range(1, 6))


def _table(store_url: str, name: str, order: list[str]) -> pd.DataFrame:
    frame = table_frame(store_url, schema.table_by_name(name)).drop(columns=["source", "load_id"])
    return frame.sort_values(order).reset_index(drop=True)


def _plain(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows as plain Python values: dates as ISO text, missing as None."""
    out = []
    for row in frame[columns].astype(object).itertuples(index=False):
        out.append(tuple(None if pd.isna(v) else v.isoformat() if isinstance(v, dt.date) else v for v in row))
    return out


def test_a_workbook_loads_every_list_into_its_tables(store_url: str, tmp_path: Path, capsys) -> None:
    path = fixture.write_annex_a(tmp_path / "annex-a" / "annex_a.xlsx")

    assert main(["load", str(path), "--store", store_url, "--report", str(tmp_path / "r.csv")]) == 0

    out = capsys.readouterr().out
    counts = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:11]}
    assert counts == {
        "children": ["5", "5", "0"],
        "contacts": ["4", "4", "0"],
        "early_help_episodes": ["2", "2", "0"],
        "referrals": ["3", "3", "0"],
        "s47_enquiries": ["2", "2", "0"],
        "assessments": ["2", "2", "0"],
        "icpcs": ["1", "1", "0"],
        "cp_plans": ["1", "1", "0"],
        "total": ["20", "20", "0"],
    }
    assert f"{path}: sheets not used (no known layout): Cover, Guidance" in out
    assert f"{path} [List 1]: columns not used: age_of_child_years, notes" in out
    assert "placement_postcode (List 8)" in out and "case_status (List 6)" in out
    # C2 is "o) BAFR" on List 1 and "r) OOTH" on List 3: the first is kept, and the note says where
    assert "1 child has a different gender, ethnicity, date of birth or disability" in out
    assert "ethnicity on List 1 row 4 and List 3 row 3" in out
    assert "List 6: 2 of 3 children in need episodes match a referral here" in out

    children = _table(store_url, "children", ["child_id"])
    assert sorted(_plain(children, ["child_id", "birth_month", "sex", "ethnicity", "has_disability"])) == sorted(
        [
            (C1, "2015-03-01", "1", "WBRI", True),  # "17/03/2015" to its month; disability from Lists 4 to 7
            (C2, "2012-07-01", "2", "BAFR", None),  # a real Excel date; no list asks about C2's disability
            (C3, "2019-11-01", "2", "WBRI", False),  # plain answers "Female", "WBRI"
            (C4, "2010-06-01", "0", None, False),  # "c) Not stated/recorded"; "u) UNKNOWN" is no ethnicity
            (C5, "2008-09-01", "1", "MWBC", False),  # only on List 8
        ]
    )

    contacts = _table(store_url, "contacts", ["contact_date", "source_code"])
    assert _plain(contacts, ["child_id", "contact_date", "source_code"]) == [
        (C1, "2024-01-05", "1B"),  # a second contact for C1 that day: its own identifier
        (C1, "2024-01-05", "6"),  # "q) 6: Police"
        (C2, "2024-01-09", "2A"),  # "e) 2A: Schools", a real Excel date
        (C3, "2024-02-12", "6"),  # "6: Police"
    ]
    assert contacts["contact_id"].nunique() == 4

    referrals = _table(store_url, "referrals", ["referral_date"])
    assert _plain(
        referrals,
        ["child_id", "referral_date", "source_code", "nfa", "primary_need_code", "closure_date", "closure_reason"],
    ) == [
        (C1, "2024-01-06", "6", False, "N1", None, None),  # need from List 6 row 2
        (C2, "2024-01-10", "2A", True, None, None, None),  # "a) Yes": no further action
        (C3, "2024-02-13", "1B", False, "N4", "2024-03-01", "RC8"),  # closed after assessment (List 6 row 3)
    ]

    early_help = _table(store_url, "early_help_episodes", ["start_date"])
    assert _plain(early_help, ["child_id", "start_date", "end_date", "reason", "lead_agency"]) == [
        (C4, "2023-12-01", "2024-01-15", "NOT_STATED", None),  # "Early Help Hub" names no agency
        (C2, "2024-01-03", None, "NOT_STATED", "LA_EARLY_HELP"),
    ]

    assessments = _table(store_url, "assessments", ["start_date"])
    assert _plain(assessments, ["child_id", "start_date", "authorised_date", "child_seen", "outcome"]) == [
        (C1, "2024-01-08", "2024-02-20", True, None),  # support required: which service is not said
        (C3, "2024-02-14", "2024-03-01", True, "NFA"),  # assessed as not requiring support
    ]

    enquiries = _table(store_url, "s47_enquiries", ["start_date"])
    assert _plain(enquiries, ["child_id", "start_date", "icpc_not_required"]) == [
        (C1, "2024-01-10", False),
        (C3, "2024-02-15", True),
    ]
    conferences = _table(store_url, "icpcs", ["icpc_date"])
    assert _plain(conferences, ["child_id", "icpc_date", "cp_plan_made"]) == [(C1, "2024-01-24", True)]
    # the conference joins the enquiry it followed: C1's, not C3's (which needed none)
    assert conferences["s47_id"].tolist() == enquiries.loc[enquiries["child_id"] == C1, "s47_id"].tolist()

    plans = _table(store_url, "cp_plans", ["start_date"])
    assert _plain(
        plans, ["child_id", "start_date", "end_date", "initial_category", "latest_category", "previous_plans"]
    ) == [(C1, "2024-01-24", None, "NEG", "EMO", 1)]

    # every child a list row names is a child in the store, and no raw identifier is kept
    ids = set(children["child_id"])
    for frame in (contacts, referrals, early_help, assessments, enquiries, conferences, plans):
        assert set(frame["child_id"]) <= ids
    assert not {"C1", "C2", "C3", "C4", "C5"} & ids


def test_an_identical_reload_changes_nothing(store_url: str, tmp_path: Path) -> None:
    path = fixture.write_annex_a(tmp_path / "annex-a" / "annex_a.xlsx")
    first = run_load([path], store_url)
    before = snapshot(store_url)
    rows_before = snapshot(store_url, exclude=("load_id",))

    again = run_load([path], store_url)

    assert snapshot(store_url) == before
    assert {f.unchanged_since_load for f in again.files} == {first.load_id}
    # the same lists saved again under other guidance: a new file, read in full, giving the same rows (the
    # identifiers made from child and date come out the same, so nothing is added or lost)
    fixture.write_annex_a(path, guidance=" (updated)")
    third = run_load([path], store_url)
    assert {f.unchanged_since_load for f in third.files} == {None}
    rows_after = snapshot(store_url, exclude=("load_id",))
    for table in schema.data_tables():
        assert rows_after.get(table.name) == rows_before.get(table.name), table.name


def _broken_sheets() -> dict[str, list[list]]:
    sheets = copy.deepcopy(fixture.SHEETS)
    sheets["List 1"][4][6] = "z) Martian"  # C3's contact source (spreadsheet row 6, under the title)
    sheets["List 3"][2][5] = "31/02/2024"  # C2's referral date (row 3)
    sheets["List 8"][1][3] = "1985-13-01"  # C5's date of birth: C5 is on no other list (row 2)
    sheets["List 2"].insert(2, [])  # a blank row between C4 and C2 (row 3)
    return sheets


def test_bad_cells_are_reported_by_sheet_row_and_column(store_url: str, tmp_path: Path) -> None:
    path = fixture.write_annex_a(tmp_path / "annex-a" / "annex_a.xlsx", _broken_sheets())

    result = run_load([path], store_url)

    lines = result.rejections[["file", "__row_number", "field", "reason", "value"]].fillna("").values.tolist()
    assert lines == [
        [f"{path} [List 1]", 6, "contact_source", "is not a code in the referral_source list", "z) Martian"],
        [f"{path} [List 2]", 3, "(row)", "the row is blank", ""],
        [
            f"{path} [List 3]",
            3,
            "referral_date",  # the sheet's own heading ("Referral Date"), not the template's
            "is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)",
            "31/02/2024",
        ],
        [
            f"{path} [children]",
            2,
            "date_of_birth",
            "is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY (or YYYY-MM))",
            "[withheld]",
        ],
    ]
    for outcome in result.files:
        assert outcome.rows_read == outcome.rows_loaded + outcome.rows_rejected
    per_table = result.per_table().set_index("table")
    assert per_table.loc["children"].tolist() == [5, 4, 1]
    assert per_table.loc["contacts"].tolist() == [4, 3, 1]
    assert per_table.loc["referrals"].tolist() == [3, 2, 1]
    assert per_table.loc["early_help_episodes"].tolist() == [3, 2, 1]  # the formatted rows below are not rows
    assert set(table_frame(store_url, schema.children)["child_id"]) == {C1, C2, C3, C4}


def test_a_list_sheet_missing_a_column_is_refused_and_the_store_kept(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([fixture.write_annex_a(tmp_path / "good" / "annex_a.xlsx")], store_url)
    before = snapshot(store_url)
    sheets = copy.deepcopy(fixture.SHEETS)
    sheets["List 3"] = [row[:5] + row[6:] for row in sheets["List 3"]]  # no "Referral Date"
    path = fixture.write_annex_a(tmp_path / "annex-a" / "annex_a.xlsx", sheets)

    assert main(["load", str(path), "--store", store_url]) == 2

    assert (
        capsys.readouterr().err.strip()
        == f"{path} [List 3]: is missing a column Annex A List 3 needs: Date of referral"
    )
    assert snapshot(store_url) == before


def test_a_workbook_with_no_annex_a_sheet_names_the_closest_format(store_url: str, tmp_path: Path, capsys) -> None:
    book = Workbook()
    book.active.title = "Referrals"
    book.active.append(["Child", "Date", "Where from"])  # no Child Unique ID: not an Annex A list
    book.active.append(["C1", "06/01/2024", "Police"])
    path = tmp_path / "annex_a.xlsx"
    book.save(path)

    assert main(["load", str(path), "--store", store_url]) == 2

    error = capsys.readouterr().err.strip()
    assert error.startswith(f"{path}: is not a recognised format; the closest is ")
    assert snapshot(store_url) == {}  # no table was even created


def _write_csv(path: Path, rows: list[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, dt.datetime) else v for v in row])
    return path


def test_list_3_alone_as_csv_loads_its_children_and_referrals(store_url: str, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "list3" / "referrals.csv", fixture.LIST_3)

    result = run_load([path], store_url)

    assert [(f.table, f.rows_read, f.rows_loaded) for f in result.files] == [("children", 3, 3), ("referrals", 3, 3)]
    referrals = _table(store_url, "referrals", ["referral_date"])
    assert _plain(referrals, ["child_id", "referral_date", "source_code", "nfa"]) == [
        (C1, "2024-01-06", "6", False),
        (C2, "2024-01-10", "2A", True),
        (C3, "2024-02-13", "1B", False),
    ]
    # the workbook names the same referrals the same way: loading it replaces them rather than adding
    run_load([fixture.write_annex_a(tmp_path / "annex-a" / "annex_a.xlsx")], store_url)
    assert set(table_frame(store_url, schema.referrals)["referral_id"]) == set(referrals["referral_id"])


def test_a_list_named_with_kind_loads_alone_once_its_children_are_known(store_url: str, tmp_path: Path, capsys) -> None:
    workbook = fixture.write_annex_a(tmp_path / "annex-a" / "annex_a.xlsx")
    run_load([workbook], store_url)
    before = set(table_frame(store_url, schema.referrals)["referral_id"])
    # Ofsted's own headings (the format names them; other wordings need the workbook's recognition)
    rows = [["Child Unique ID", *fixture.COMMON[1:], "Date of referral", "Referral Source", "Referral NFA?"]]
    rows += [row[:8] for row in fixture.LIST_3[1:]]
    path = _write_csv(tmp_path / "list3" / "referrals.csv", rows)

    assert main(["load", str(path), "--store", store_url, "--kind", "annex_a_list_3"]) == 0

    out = capsys.readouterr().out
    assert out.splitlines()[2].split() == ["referrals", "3", "3", "0"]
    assert f"{path}: columns not used: age_of_child_years" in out
    assert set(table_frame(store_url, schema.referrals)["referral_id"]) == before


@pytest.mark.parametrize(
    ("read", "written", "expected"),
    [
        (
            answers.sources,
            ["q) 6: Police", "6", "6: Police", "p1) 5D: LA services", "u) 10: Unknown", "1b", "Police"],
            ["6", "6", "6", "5D", "10", "1B", "6"],
        ),
        (answers.sources, ["z) Martian", "5Z", ""], ["z) Martian", "5Z", None]),
        (answers.sexes, ["a) Male", "Female", "c) Not stated/recorded", "d) Neither", "M"], ["1", "2", "0", "9", "1"]),
        (
            answers.ethnicities,
            ["a) WBRI", "WBRI - White British", "White British", "u) UNKNOWN"],
            ["WBRI", "WBRI", "WBRI", None],
        ),
        (answers.yes_no, ["a) Yes", "b) No", "c) Unknown", "Y", "no", "maybe"], ["Y", "N", None, "Y", "N", "maybe"]),
        (
            answers.categories,
            ["a) Neglect", "d) Emotional abuse", "e) Multiple/not recommended", "PHY"],
            ["NEG", "EMO", "MUL", "PHY"],
        ),
        (answers.primary_needs, ["N1 - Abuse or neglect", "n0", "N12"], ["N1", "N0", "N12"]),
        (answers.closure_reasons, ["RC8 - Case closed after assessment, no further action"], ["RC8"]),
        (
            answers.iso_dates,
            ["03/05/2024", "2024-05-03 14:30:00", "31/02/2024"],
            ["2024-05-03", "2024-05-03", "31/02/2024"],
        ),
    ],
)
def test_answers_are_read_by_what_follows_the_letter(read, written: list[str], expected: list) -> None:
    values = read(pd.Series(written, dtype=TEXT))
    assert [None if pd.isna(v) else v for v in values] == expected


def test_sheets_are_recognised_by_header_whatever_their_name() -> None:
    header = [normalise_header(h) for h in ["CHILD UNIQUE ID", "Gender", "Referral Date", "Source of Referral"]]
    assert recognise(header, "Sheet7").annex_list is LIST_3
    contacts = [normalise_header(h) for h in ["ChildUniqueID", "Date Of Contact", "Contact Source"]]
    assert recognise(contacts, "List 3").annex_list is LIST_1  # the header wins over the name
    # the project's own templates (child_id, contact_date, ...) are never taken for Annex A
    template = schema.template_columns(schema.contacts)
    assert recognise(template, "contacts") is None
