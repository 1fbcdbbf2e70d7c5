"""What a file format is: a layout of columns that maps onto one canonical table.

The project's own templates map one to one. A national layout (police.uk, GIAS, ONS, ...) names its
columns its own way and may derive values (a month becomes a date, a crime type a code); the report
still names the layout's own column, so a data owner can find the problem in the file they have.

A source that holds several tables (an Annex A workbook, a CIN census XML file, an SSD database) is a
Bundle: it splits itself into Parts, each one stream of rows for one table, and the pipeline loads
parts exactly as it loads a single CSV file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.readers import ROW_NUMBER, ROW_PROBLEM, TEXT, TabularFile, iter_chunks


@dataclass(frozen=True)
class TableFormat:
    """A layout of columns (normalised header names) that loads into one canonical table."""

    name: str
    table: sa.Table
    description: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    renames: Mapping[str, str] = field(default_factory=dict)  # layout column -> template column
    # fills template columns from the layout's; may return several rows for one input row (a wide layout
    # made long), each keeping that row's row number, so the input row is then loaded or rejected whole
    derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    # template values the whole file shares but its rows do not hold (the mid-year of ONS estimates), told
    # from the file's name or sheet when the load is planned; raises UnusableFile when they cannot be told
    file_values: Callable[[TabularFile], Mapping[str, str]] | None = None
    note: str = ""  # said after a load, e.g. that locations are approximate
    ours: bool = False  # a template the project defines (the template command writes it)
    # a layout whose further columns differ from file to file (an EES file's filters and indicators): given a
    # file's header, the further columns this layout reads from it; `fitted` makes them the layout's own
    open_columns: Callable[[list[str]], tuple[str, ...]] | None = None

    def missing(self, header: list[str]) -> list[str]:
        return [name for name in self.required if name not in header]

    def matched(self, header: list[str]) -> int:
        return sum(name in header for name in self.columns)

    def fitted(self, header: list[str]) -> TableFormat:
        """The layout as it reads a file with this header: an open layout also owns the further columns it
        reads there, so detection counts them as known and the load report does not call them unused."""
        if self.open_columns is None:
            return self
        further = tuple(name for name in self.open_columns(header) if name not in self.columns)
        return replace(self, columns=(*self.columns, *further))

    def to_template(self, frame: pd.DataFrame, shared: Mapping[str, str] | None = None) -> pd.DataFrame:
        """The chunk with the canonical template's columns (as text), keeping row numbers and problems;
        `shared` holds the file's own values (from `file_values`), added as columns before derive."""
        if self.ours:
            return frame
        renamed = frame.rename(columns=dict(self.renames))
        for name, value in (shared or {}).items():
            renamed[name] = pd.Series(value, index=renamed.index, dtype=TEXT)
        if self.derive is not None:
            renamed = self.derive(renamed).reset_index(drop=True)
        out = pd.DataFrame(index=renamed.index)
        for name in schema.template_columns(self.table):
            out[name] = renamed[name] if name in renamed else pd.Series(None, index=renamed.index, dtype=TEXT)
        out[ROW_NUMBER] = renamed[ROW_NUMBER]
        out[ROW_PROBLEM] = renamed[ROW_PROBLEM]
        return out

    def source_field(self, template_field: str) -> str:
        """The layout's own name for a template column, for the load report."""
        for layout_name, template_name in self.renames.items():
            if template_name == template_field:
                return layout_name
        return template_field


def canonical_template(table: sa.Table) -> TableFormat:
    """The project's own template for a table: columns named as in the data dictionary."""
    columns = tuple(schema.template_columns(table))
    required = tuple(c.info.get("template_name", c.name) for c in schema.content_columns(table) if not c.nullable)
    return TableFormat(table.name, table, table.info["description"], columns, required, ours=True)


@dataclass
class Part:
    """One stream of rows for one table: a CSV file, a workbook sheet, a CIN census module, an SSD table.

    `chunks` yields frames of text columns named as the format's columns, plus row number and row problem;
    the row number is what a person finds in the source (spreadsheet row, XML line, database row)."""

    label: str
    path: Path | str  # a database source is named by its address (password hidden), not a file path
    format: TableFormat
    chunks: Callable[[], Iterator[pd.DataFrame]]
    estimated_rows: int
    digest: str | None  # fingerprint of the source; None when it cannot be told (then never skipped)
    header: list[str] = field(default_factory=list)
    shared: Mapping[str, str] = field(default_factory=dict)  # the file's own values (format.file_values)
    unused_sheets: list[str] = field(default_factory=list)  # said once, against the file's first part
    # which return of a yearly series the source is (a CIN census year): part of its source label, so one
    # year's return never replaces another's rows, while a resubmitted return of the same year does
    edition: str | None = None

    @property
    def table(self) -> sa.Table:
        return self.format.table

    @property
    def ignored_columns(self) -> list[str]:
        return [name for name in self.header if name and name not in self.format.columns]


def tabular_part(tabular: TabularFile, chosen: TableFormat) -> Part:
    """A CSV file or one workbook sheet read as the format chosen for it."""
    shared = dict(chosen.file_values(tabular)) if chosen.file_values else {}
    return Part(
        tabular.label,
        tabular.path,
        chosen,
        lambda: iter_chunks(tabular),
        tabular.scan.lines,
        tabular.scan.sha256,
        tabular.header,
        shared,
    )


@dataclass(frozen=True)
class Bundle:
    """A source holding several tables. `claims` is a cheap look at a path or URL; `parts` opens it and
    raises UnusableFile (one plain line) when it cannot be read as this bundle."""

    name: str
    description: str
    claims: Callable[[str], bool]
    parts: Callable[[str], list[Part]]
    suffixes: tuple[str, ...] = ()  # file suffixes a folder scan picks up for this bundle
    formats: tuple[TableFormat, ...] = ()  # the layouts of its parts, listed by the formats command
