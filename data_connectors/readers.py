"""Reading tabular files (CSV and XLSX) as text, row by row, with their row numbers.

Everything is read as text so validation, not the reader, decides what a value means, and every
physical record keeps the row number a person would see in a spreadsheet (header = row 1). A row
with the wrong number of fields is handed on with a problem attached rather than dropped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

CHUNK_ROWS = 100_000
SNIFF_BYTES = 65_536
ROW_NUMBER = "__row_number"
ROW_PROBLEM = "__row_problem"
TABULAR_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")

csv.field_size_limit(2**31 - 1)  # over-long fields are rejected by validation with a message, not here


class UnusableFile(Exception):
    """A file that cannot be read at all; the message is one plain line naming the file."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass
class TabularFile:
    """A readable file: its container, text encoding and normalised header."""

    path: Path
    container: str  # "csv" or "xlsx"
    encoding: str | None
    header: list[str]
    raw_header: list[str] = field(default_factory=list)
    sheet: str | None = None


def normalise_header(name: object) -> str:
    """Header matching ignores case, spacing, punctuation and a byte-order mark."""
    text = str(name if name is not None else "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_tabular(path: Path) -> TabularFile:
    """Check a file can be read and read its header, or raise UnusableFile saying why."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise UnusableFile(path, f"cannot be read ({error.strerror or error})") from None
    if size == 0:
        raise UnusableFile(path, "is empty (0 bytes)")
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise UnusableFile(path, "is named as an Excel workbook but is not one")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnusableFile(path, "is UTF-16 text; save it as UTF-8 CSV")
    if b"\x00" in head:
        raise UnusableFile(path, "is a binary file, not CSV or Excel (.xlsx)")
    encoding = _text_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        try:
            raw_header = next(csv.reader(handle), [])
        except csv.Error as error:
            raise UnusableFile(path, f"is not readable as CSV ({error})") from None
    if not any(cell.strip() for cell in raw_header):
        raise UnusableFile(path, "has no header row (the first line is blank)")
    return TabularFile(path, "csv", encoding, [normalise_header(c) for c in raw_header], raw_header)


def _text_encoding(path: Path) -> str:
    """UTF-8 (with or without a byte-order mark) when the whole file decodes as such, else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                block.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise UnusableFile(path, "is not UTF-8 or Windows-1252 text") from None


def _open_xlsx(path: Path) -> TabularFile:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnusableFile(path, f"is not a readable Excel workbook ({error})") from None
    try:
        for sheet in workbook.worksheets:
            first = next(sheet.iter_rows(max_row=1, values_only=True), None)
            if first and any(cell not in (None, "") for cell in first):
                raw = [_cell_text(cell) for cell in first]
                return TabularFile(path, "xlsx", None, [normalise_header(c) for c in raw], raw, sheet.title)
    finally:
        workbook.close()
    raise UnusableFile(path, "is a workbook with no sheet that has a header row")


def _cell_text(value: object) -> str:
    """Excel cells as the text a person would type: dates as ISO dates, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def iter_rows(tabular: TabularFile) -> Iterator[tuple[int, list[str]]]:
    """Every data record with its row number; blank records are kept (validation reports them)."""
    if tabular.container == "xlsx":
        yield from _iter_xlsx(tabular)
        return
    with tabular.path.open(encoding=tabular.encoding, newline="") as handle:
        reader = csv.reader(handle, strict=True)  # a stray quote must not swallow the rows after it
        try:
            next(reader)
            yield from enumerate(reader, start=2)
        except csv.Error as error:
            raise UnusableFile(tabular.path, f"is not readable as CSV near line {reader.line_num} ({error})") from None


def _iter_xlsx(tabular: TabularFile) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(tabular.path, read_only=True, data_only=True)
    try:
        sheet = workbook[tabular.sheet]
        for index, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            yield index, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def iter_chunks(tabular: TabularFile, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Data records in frames of text columns named by the normalised header, plus row number and
    any structural problem (wrong number of fields) for the pipeline to report."""
    width = len(tabular.header)
    numbers: list[int] = []
    problems: list[str | None] = []
    records: list[list[str]] = []
    yielded = False
    for number, record in iter_rows(tabular):
        problem = None
        if len(record) != width:
            if len(record) > width and not any(cell.strip() for cell in record[width:]):
                record = record[:width]
            else:
                problem = f"has {len(record)} fields but the header has {width}"
                record = (record + [""] * width)[:width]
        numbers.append(number)
        problems.append(problem)
        records.append(record)
        if len(records) >= chunk_rows:
            yield _frame(tabular, records, numbers, problems)
            numbers, problems, records = [], [], []
            yielded = True
    if records or not yielded:
        yield _frame(tabular, records, numbers, problems)


def _frame(tabular: TabularFile, records: list[list[str]], numbers: list[int], problems: list) -> pd.DataFrame:
    columns = [name if name else f"unnamed_{i + 1}" for i, name in enumerate(tabular.header)]
    frame = pd.DataFrame(records, columns=columns, dtype=object)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame[ROW_NUMBER] = numbers
    frame[ROW_PROBLEM] = problems
    return frame
