"""The registry of formats a file can be read as, and detection of a file's format from its header.

Every canonical table has the project's own template. National layouts live in modules of this
package, each exporting `FORMATS` (a list of TableFormat): adding a format is one module and its tests.
"""

from __future__ import annotations

import importlib
import pkgutil

from data_connectors import schema
from data_connectors.formats.base import TableFormat, canonical_template
from data_connectors.readers import TabularFile, UnusableFile


def _registry() -> dict[str, TableFormat]:
    formats = {table.name: canonical_template(table) for table in schema.data_tables()}
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            for found in importlib.import_module(f"{__name__}.{module.name}").FORMATS:
                if found.name in formats:
                    raise ValueError(f"two formats are called {found.name}")
                formats[found.name] = found
    return formats


FORMATS: dict[str, TableFormat] = _registry()


def format_named(kind: str) -> TableFormat:
    """The format called `kind`; KeyError naming the command that lists them."""
    if kind not in FORMATS:
        raise KeyError(f"unknown kind {kind!r}; `python -m data_connectors formats` lists them")
    return FORMATS[kind]


def detect_format(tabular: TabularFile, kind: str | None = None) -> TableFormat:
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
        return chosen.fitted(header)
    # A format must explain most of the file too: a lone shared column such as child_id is not enough. An open
    # layout (EES) explains the further columns it reads; the columns it always has decide between formats.
    complete = [
        f for f in FORMATS.values() if not f.missing(header) and 2 * f.fitted(header).matched(header) >= len(header)
    ]
    if complete:
        return max(complete, key=lambda f: (f.matched(header), -len(f.columns))).fitted(header)
    closest = max(FORMATS.values(), key=lambda f: (f.matched(header) / len(f.columns), -len(f.missing(header))))
    return _unrecognised(tabular, closest)


def _unrecognised(tabular: TabularFile, closest: TableFormat) -> TableFormat:
    raise UnusableFile(
        tabular.path,
        f"is not a recognised format; the closest is {closest.name} "
        f"(missing columns: {', '.join(closest.missing(tabular.header))})",
    )
