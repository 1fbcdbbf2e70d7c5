"""A workbook holding several tables: each sheet is recognised on its own, titles above a header are
passed over, and sheets no format knows are named in the report rather than silently dropped."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.pipeline import run_load
from tests.canonical_world import WORLD, write_world
from tests.store_snapshot import table_frame


def _workbook(path: Path) -> Path:
    """Cover sheet, then escalations under a title row and a blank row, then training events."""
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover.append(["Partnership return, quarter 2"])
    escalations = book.create_sheet("Escalations")
    escalations.append(["Escalations raised this quarter"])
    escalations.append([])
    columns = schema.template_columns(schema.escalations)
    escalations.append(columns)
    good = dict(WORLD["escalations"], escalation_id="ES7")
    bad = dict(WORLD["escalations"], escalation_id="ES8", raised_date="31/02/2024")
    escalations.append([good.get(c, "") for c in columns])
    escalations.append([bad.get(c, "") for c in columns])
    training = book.create_sheet("Training")
    columns = schema.template_columns(schema.training_events)
    training.append(columns)
    training.append([dict(WORLD["training_events"], event_id="T7").get(c, "") for c in columns])
    book.save(path)
    return path


def test_each_sheet_loads_into_its_own_table(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    path = _workbook(tmp_path / "return.xlsx")

    result = run_load([path], store_url)

    outcomes = {o.table: o for o in result.files}
    assert (outcomes["escalations"].rows_read, outcomes["escalations"].rows_loaded) == (2, 1)
    assert (outcomes["training_events"].rows_read, outcomes["training_events"].rows_loaded) == (1, 1)
    assert outcomes["escalations"].path == f"{path} [Escalations]"
    # header on row 3 under a title and a blank row: the bad date is on spreadsheet row 5
    rejected = result.rejections
    assert rejected[["file", "__row_number", "field"]].values.tolist() == [
        [f"{path} [Escalations]", 5, "raised_date"]
    ]
    assert set(table_frame(store_url, schema.escalations)["escalation_id"]) == {"ES1", "ES7"}
    assert set(table_frame(store_url, schema.training_events)["event_id"]) == {
        WORLD["training_events"]["event_id"],
        "T7",
    }


def test_the_report_names_sheets_it_did_not_use(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    path = _workbook(tmp_path / "return.xlsx")

    assert main(["load", str(path), "--store", store_url, "--report", str(tmp_path / "r.csv")]) == 0

    assert f"{path}: sheets not used (no known layout): Cover" in capsys.readouterr().out


def test_a_workbook_with_no_known_sheet_is_refused_naming_the_sheet(store_url: str, tmp_path: Path, capsys) -> None:
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["colour", "shape"])
    book.create_sheet("More").append(["size", "weight"])
    path = tmp_path / "notes.xlsx"
    book.save(path)

    assert main(["load", str(path), "--store", store_url]) == 2

    assert capsys.readouterr().err.strip().startswith(f"{path} [Notes]: is not a recognised format; the closest is")
