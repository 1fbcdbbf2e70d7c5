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
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

CHUNK_ROWS = 100_000
ARROW_MAX_BYTES = 256 * 1024 * 1024  # larger files are streamed row by row to bound memory
ARROW_BLOCK_BYTES = 4 * 1024 * 1024
SNIFF_BYTES = 65_536
ROW_NUMBER = "__row_number"
ROW_PROBLEM = "__row_problem"
TEXT = pd.ArrowDtype(pa.string())
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
    scan: FileScan
    header: list[str]
    raw_header: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1  # a workbook sheet may have a title above its header
    one_of_several: bool = False  # a sheet of a workbook that has other sheets with data

    @property
    def label(self) -> str:
        """What a person looks for: the file, and the sheet when a workbook has several."""
        return f"{self.path} [{self.sheet}]" if self.one_of_several else str(self.path)

    @property
    def encoding(self) -> str | None:
        return self.scan.encoding


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
    """Check a file can be read and read its header, or raise UnusableFile saying why (a workbook: its
    first sheet with a header)."""
    return open_sheets(path)[0]


def open_sheets(path: Path) -> list[TabularFile]:
    """A CSV file, or each sheet of a workbook that has a header row; UnusableFile saying why not."""
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
    scan = _scan(path)
    if scan.encoding is None:
        raise UnusableFile(path, "is not UTF-8 or Windows-1252 text")
    with path.open(encoding=scan.encoding, newline="") as handle:
        try:
            raw_header = next(csv.reader(handle), [])
        except csv.Error as error:
            raise UnusableFile(path, f"is not readable as CSV ({error})") from None
    if not any(cell.strip() for cell in raw_header):
        raise UnusableFile(path, "has no header row (the first line is blank)")
    return [TabularFile(path, "csv", scan, [normalise_header(c) for c in raw_header], raw_header)]


@dataclass(frozen=True)
class FileScan:
    """What one pass over a file's bytes tells: its fingerprint, line count and text encoding."""

    sha256: str
    lines: int
    encoding: str | None


def _scan(path: Path) -> FileScan:
    """Fingerprint, count lines (for the progress bar) and find the encoding in a single read: UTF-8
    (with or without a byte-order mark) when the whole file decodes as such, else Windows-1252."""
    digest = hashlib.sha256()
    lines = 0
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = is_cp1252 = True
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            lines += block.count(b"\n")
            if is_utf8:
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    is_utf8 = False
            if is_cp1252:
                try:
                    block.decode("cp1252")
                except UnicodeDecodeError:
                    is_cp1252 = False
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    encoding = "utf-8-sig" if is_utf8 else "cp1252" if is_cp1252 else None
    return FileScan(digest.hexdigest(), max(lines, 1), encoding)


HEADER_SEARCH_ROWS = 10


def _open_xlsx(path: Path) -> list[TabularFile]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnusableFile(path, f"is not a readable Excel workbook ({error})") from None
    sheets = []
    try:
        scan = FileScan(file_sha256(path), 1, None)
        for sheet in workbook.worksheets:
            found = _header_row(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
            if found is not None:
                number, raw = found
                lines = max((sheet.max_row or number) - number, 1)
                header = [normalise_header(c) for c in raw]
                sized = FileScan(scan.sha256, lines, None)
                sheets.append(TabularFile(path, "xlsx", sized, header, raw, sheet.title, number))
    finally:
        workbook.close()
    if not sheets:
        raise UnusableFile(path, "is a workbook with no sheet that has a header row")
    return [replace(sheet, one_of_several=len(sheets) > 1) for sheet in sheets]


def _header_row(rows: Iterator[tuple]) -> tuple[int, list[str]] | None:
    """The first of a sheet's top rows with two or more filled cells (a lone title above it is skipped);
    a sheet whose only filled row has one cell has that row as its header."""
    lone = None
    for number, values in enumerate(rows, start=1):
        texts = [_cell_text(value).strip() for value in values]
        filled = sum(bool(text) for text in texts)
        if filled >= 2:
            return number, [_cell_text(value) for value in values]
        if filled == 1 and lone is None:
            lone = number, [_cell_text(value) for value in values]
    return lone


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
        first = tabular.header_row + 1
        for index, values in enumerate(sheet.iter_rows(min_row=first, values_only=True), start=first):
            yield index, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def iter_chunks(tabular: TabularFile, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Data records in frames of text columns named by the normalised header, plus row number and
    any structural problem (wrong number of fields) for the pipeline to report.

    A well-formed CSV of moderate size is parsed by Arrow's reader (several times faster); anything
    unusual (ragged rows, blank lines, quoted line breaks, a huge field, a very large file) is read by
    the strict row-by-row reader, which reports each problem against its row."""
    table = _read_with_arrow(tabular) if tabular.container == "csv" else None
    if table is None:
        yield from _iter_record_chunks(tabular, chunk_rows)
        return
    names = _column_names(tabular)
    table = table.rename_columns(names)
    first = 2
    for offset in range(0, max(table.num_rows, 1), chunk_rows):
        piece = table.slice(offset, chunk_rows)
        data = {}
        for name in names:
            if name not in data:  # a repeated header name: the first column wins
                data[name] = pd.Series(piece.column(names.index(name)), dtype=TEXT)
        frame = pd.DataFrame(data)
        frame[ROW_NUMBER] = range(first + offset, first + offset + piece.num_rows)
        frame[ROW_PROBLEM] = pd.Series([None] * piece.num_rows, dtype=object)
        yield frame


def _column_names(tabular: TabularFile) -> list[str]:
    return [name if name else f"unnamed_{i + 1}" for i, name in enumerate(tabular.header)]


def _read_with_arrow(tabular: TabularFile) -> pa.Table | None:
    """The whole file as Arrow text columns, or None when it needs the careful reader."""
    if tabular.path.stat().st_size > ARROW_MAX_BYTES:
        return None
    ragged: list[object] = []

    def note_ragged(row: object) -> str:
        ragged.append(row)
        return "skip"

    width = len(tabular.header)
    try:
        table = pa_csv.read_csv(
            tabular.path,
            read_options=pa_csv.ReadOptions(
                encoding="utf8" if tabular.encoding == "utf-8-sig" else tabular.encoding,
                column_names=[f"c{i}" for i in range(width)],
                skip_rows=1,
                block_size=ARROW_BLOCK_BYTES,
            ),
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=False, ignore_empty_lines=False, invalid_row_handler=note_ragged
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(width)}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    return None if ragged else table


def _iter_record_chunks(tabular: TabularFile, chunk_rows: int) -> Iterator[pd.DataFrame]:
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


def as_mask(values: pd.Series) -> pd.Series:
    """A plain True/False mask (missing counts as False) from an Arrow-backed comparison."""
    return values.fillna(False).astype(bool)


def python_values(values: pd.Series) -> list:
    """A column as a Python list, missing as None (10x faster than Series.tolist on Arrow strings)."""
    return values.to_numpy(dtype=object, na_value=None).tolist()


def _frame(tabular: TabularFile, records: list[list[str]], numbers: list[int], problems: list) -> pd.DataFrame:
    """Columns built straight into Arrow strings: the validation that follows runs vectorised on them."""
    names = _column_names(tabular)
    columns = list(zip(*records, strict=True)) if records else [() for _ in names]
    data: dict[str, pd.Series] = {}
    for name, values in zip(names, columns, strict=True):
        if name not in data:  # a repeated header name: the first column wins
            data[name] = pd.Series(pa.array(values, pa.string()), dtype=TEXT)
    frame = pd.DataFrame(data)
    frame[ROW_NUMBER] = numbers
    frame[ROW_PROBLEM] = pd.Series(problems, dtype=object)
    return frame
