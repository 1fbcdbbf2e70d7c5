"""Empty canonical templates for data owners: a CSV header, or a workbook with a guidance sheet."""

from __future__ import annotations

import csv
from pathlib import Path

from data_connectors import schema
from data_connectors.dictionary import column_rows
from data_connectors.formats import format_named


def write_template(kind: str, out: Path) -> Path:
    """Write the template for `kind`; the file type follows the suffix (.csv or .xlsx)."""
    chosen = format_named(kind)
    if not chosen.ours:
        raise ValueError(f"{kind} is a published layout, not one of our templates: use the file its publisher gives")
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with out.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerow(chosen.columns)
    elif suffix == ".xlsx":
        _write_workbook(kind, out)
    else:
        raise ValueError(f"{out}: templates are written as .csv or .xlsx")
    return out


def _write_workbook(kind: str, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    chosen = format_named(kind)
    workbook = Workbook()
    data = workbook.active
    data.title = kind[:31]
    data.append(chosen.columns)
    for cell in data[1]:
        cell.font = Font(bold=True)
    guidance = workbook.create_sheet("guidance")
    guidance.append(["column", "type", "required", "code list", "refers to", "on the way in", "meaning"])
    for row in column_rows(schema.table_by_name(kind), template=True):
        guidance.append(row)
    workbook.save(out)
