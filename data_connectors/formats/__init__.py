"""The registry of formats a file can be read as, and detection of a file's format from its header.

For now every format is one of the project's canonical templates (one per table); national formats
register here too and go through the same pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sqlalchemy as sa

from data_connectors import schema
from data_connectors.readers import TabularFile, UnusableFile


@dataclass(frozen=True)
class CanonicalTemplate:
    """The project's own template for one canonical table: columns named as in the data dictionary."""

    table: sa.Table

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def description(self) -> str:
        return self.table.info["description"]

    @cached_property
    def columns(self) -> list[str]:
        return schema.template_columns(self.table)

    @cached_property
    def required(self) -> list[str]:
        return [c.info.get("template_name", c.name) for c in schema.content_columns(self.table) if not c.nullable]

    def missing(self, header: list[str]) -> list[str]:
        return [name for name in self.required if name not in header]

    def matched(self, header: list[str]) -> int:
        return sum(name in header for name in self.columns)


FORMATS: dict[str, CanonicalTemplate] = {table.name: CanonicalTemplate(table) for table in schema.data_tables()}


def format_named(kind: str) -> CanonicalTemplate:
    if kind not in FORMATS:
        raise KeyError(f"unknown kind {kind!r}; `python -m data_connectors formats` lists them")
    return FORMATS[kind]


def detect_format(tabular: TabularFile, kind: str | None = None) -> CanonicalTemplate:
    """The format named by `kind`, or the one whose required columns the header has and which knows at
    least half of its columns (most columns matched wins); otherwise UnusableFile naming the closest
    format and what it lacks."""
    header = tabular.header
    if kind is not None:
        chosen = format_named(kind)
        if chosen.missing(header):
            raise UnusableFile(
                tabular.path, f"is missing columns that {kind} needs: {', '.join(chosen.missing(header))}"
            )
        return chosen
    # A format must explain most of the file too: a lone shared column such as child_id is not enough.
    complete = [f for f in FORMATS.values() if not f.missing(header) and 2 * f.matched(header) >= len(header)]
    if complete:
        return max(complete, key=lambda f: (f.matched(header), -len(f.columns)))
    closest = max(FORMATS.values(), key=lambda f: (f.matched(header) / len(f.columns), -len(f.missing(header))))
    return _unrecognised(tabular, closest)


def _unrecognised(tabular: TabularFile, closest: CanonicalTemplate) -> CanonicalTemplate:
    raise UnusableFile(
        tabular.path,
        f"is not a recognised format; the closest is {closest.name} "
        f"(missing columns: {', '.join(closest.missing(tabular.header))})",
    )
