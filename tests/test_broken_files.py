"""Broken and awkward files: each gives one plain line naming the file and the problem (exit 2, store
untouched), or loads with every row accounted for (read = loaded + rejected)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.pipeline import run_load
from tests.canonical_world import WORLD, write_table, write_world
from tests.store_snapshot import snapshot, table_frame


@pytest.fixture
def world_store(store_url: str, tmp_path: Path) -> str:
    run_load([write_world(tmp_path / "world")], store_url)
    return store_url


def _load(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["load", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _unusable(capsys: pytest.CaptureFixture[str], url: str, path: Path, *extra: str) -> str:
    """Load a file that must be refused; return the one line said about it after checking the store."""
    before = snapshot(url)
    code, out, err = _load(capsys, path, "--store", url, *extra)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert snapshot(url) == before
    return err.strip()


def test_unrecognised_columns_name_the_closest_format(world_store: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "mystery.csv"
    path.write_text("contact_id,child_id,when,who\nK9,C0001,2024-01-01,6\n")
    line = _unusable(capsys, world_store, path)
    assert line == (
        f"{path}: is not a recognised format; the closest is contacts (missing columns: contact_date, source_code)"
    )


def test_named_kind_with_missing_columns(world_store: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("contact_id,child_id,source_code\nK9,C0001,6\n")
    line = _unusable(capsys, world_store, path, "--kind", "contacts")
    assert line == f"{path}: is missing columns that contacts needs: contact_date"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "is empty (0 bytes)"),
        (b"\n\n  \n", "has no header row (the first line is blank)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "is a binary file, not CSV or Excel (.xlsx)"),
        ("contact_id,child_id\n".encode("utf-16"), "is UTF-16 text; save it as UTF-8 CSV"),
    ],
    ids=["zero-bytes", "blank-lines", "binary", "utf-16"],
)
def test_unreadable_files(world_store: str, tmp_path: Path, capsys, content: bytes, problem: str) -> None:
    path = tmp_path / "extract.csv"
    path.write_bytes(content)
    assert _unusable(capsys, world_store, path) == f"{path}: {problem}"


def test_fake_workbook_and_missing_path(world_store: str, tmp_path: Path, capsys) -> None:
    fake = tmp_path / "contacts.xlsx"
    fake.write_text("contact_id,child_id\n")
    assert _unusable(capsys, world_store, fake) == f"{fake}: is named as an Excel workbook but is not one"
    missing = tmp_path / "nowhere.csv"
    assert _unusable(capsys, world_store, missing) == f"{missing}: does not exist"


def test_one_bad_file_in_a_folder_stops_the_whole_load(world_store: str, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "extracts"
    write_table(folder, "audits", [{**WORLD["audits"], "audit_id": "AU9"}])
    (folder / "notes.csv").write_text("anything,else\n1,2\n")
    line = _unusable(capsys, world_store, folder)
    assert line.startswith(f"{folder / 'notes.csv'}: is not a recognised format")


def test_header_only_file_loads_nothing_and_says_so(world_store: str, tmp_path: Path, capsys) -> None:
    path = write_table(tmp_path / "new", "contacts", [])
    code, out, _ = _load(capsys, path, "--store", world_store)
    assert code == 0
    assert "contacts           0           0          0" in out.replace("  ", "  ")
    assert f"{path}: has a header but no data rows" in out


def test_windows_1252_text_is_decoded(world_store: str, tmp_path: Path) -> None:
    path = tmp_path / "schools.csv"
    columns = schema.template_columns(schema.schools)
    with path.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerow({**WORLD["schools"], "urn": "990077", "school_name": "École Sainte-Zoë – Upper"})
    result = run_load([path], world_store)
    assert (result.files[0].rows_read, result.files[0].rows_loaded) == (1, 1)
    names = set(table_frame(world_store, schema.schools)["school_name"])
    assert "École Sainte-Zoë – Upper" in names


def test_a_megabyte_field_is_rejected_with_its_length(world_store: str, tmp_path: Path) -> None:
    huge = "x" * 1_048_576
    rows = [
        {**WORLD["audit_findings"], "finding_id": "F7", "finding": huge},
        {**WORLD["audit_findings"], "finding_id": "F8"},
    ]
    result = run_load([write_table(tmp_path / "new", "audit_findings", rows)], world_store)
    outcome = result.files[0]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (2, 1, 1)
    line = result.rejections.iloc[0]
    assert (line["__row_number"], line["field"]) == (2, "finding")
    assert line["reason"] == "is 1,048,576 characters long; the most allowed is 4,000"
    assert len(line["value"]) == 80  # the report shows the start of the value, not a megabyte


def test_structural_problems_are_rejected_rows_not_lost(world_store: str, tmp_path: Path) -> None:
    path = tmp_path / "audits.csv"
    header = ",".join(schema.template_columns(schema.audits))
    path.write_text(
        f"{header}\n"
        "AU7,Exploitation audit,exploitation,2024-05-01,,6,POLICE\n"
        "AU8,Too many,exploitation,2024-05-01,,6,POLICE,surplus\n"
        ",,,,,,\n"
        "AU9,Trailing commas,front door,2024-06-01,,4,LA_CSC,,\n"
    )
    result = run_load([path], world_store)
    outcome = result.files[0]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (4, 2, 2)
    reasons = result.rejections[["__row_number", "field", "reason"]].values.tolist()
    assert reasons == [[3, "(row)", "has 8 fields but the header has 7"], [4, "(row)", "the row is blank"]]


def test_header_spelling_bom_and_dates_in_other_formats(world_store: str, tmp_path: Path) -> None:
    path = tmp_path / "Training Events.csv"
    path.write_bytes(
        "\ufeffEvent ID, Title ,TOPIC,Event-Date,delivery,places,attendees\n"
        "T2,Contextual safeguarding,exploitation,03/05/2024,online_live,40,33\n"
        "T3,Thresholds,thresholds,07-06-2024,E_LEARNING,,120\n".encode()
    )
    result = run_load([path], world_store)
    assert (result.files[0].format, result.files[0].rows_loaded) == ("training_events", 2)
    frame = table_frame(world_store, schema.training_events).set_index("event_id")
    assert str(frame.loc["T2", "event_date"]) == "2024-05-03"
    assert str(frame.loc["T3", "event_date"]) == "2024-06-07"
    assert frame.loc["T2", "delivery"] == "ONLINE_LIVE"


def test_template_workbook_round_trip(world_store: str, tmp_path: Path, capsys) -> None:
    import datetime as dt

    path = tmp_path / "escalations.xlsx"
    assert main(["template", "escalations", "--out", str(path)]) == 0
    workbook = load_workbook(path)
    assert [c.value for c in workbook.worksheets[0][1]] == schema.template_columns(schema.escalations)
    assert workbook["guidance"]["A2"].value == "escalation_id"
    workbook.worksheets[0].append(["ES2", dt.datetime(2024, 7, 1), "POLICE", "SCHOOLS", 3, "threshold", None, None])
    workbook.save(path)
    code, out, _ = _load(capsys, path, "--store", world_store)
    assert code == 0
    frame = table_frame(world_store, schema.escalations).set_index("escalation_id")
    assert str(frame.loc["ES2", "raised_date"]) == "2024-07-01"
    assert frame.loc["ES2", "stage"] == 3
