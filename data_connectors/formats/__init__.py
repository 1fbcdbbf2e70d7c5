"""The registry of formats a file can be read as, and detection of a file's format from its header.

Every canonical table has the project's own template. National layouts live in modules of this
package, each exporting `FORMATS` (a list of TableFormat) and, for sources holding several tables,
`BUNDLES` (a list of Bundle): adding a format is one module and its tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from data_connectors import schema
from data_connectors.formats.base import Bundle, Part, TableFormat, canonical_template, tabular_part
from data_connectors.readers import TABULAR_SUFFIXES, TabularFile, UnusableFile, open_sheets


def _registry() -> tuple[dict[str, TableFormat], dict[str, Bundle]]:
    formats = {table.name: canonical_template(table) for table in schema.data_tables()}
    bundles: dict[str, Bundle] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            loaded = importlib.import_module(f"{__name__}.{module.name}")
            for found in loaded.FORMATS:
                if found.name in formats:
                    raise ValueError(f"two formats are called {found.name}")
                formats[found.name] = found
            for bundle in getattr(loaded, "BUNDLES", []):
                if bundle.name in formats or bundle.name in bundles:
                    raise ValueError(f"two formats are called {bundle.name}")
                bundles[bundle.name] = bundle
    return formats, bundles


FORMATS, BUNDLES = _registry()
SOURCE_SUFFIXES = tuple(dict.fromkeys([*TABULAR_SUFFIXES, *(s for b in BUNDLES.values() for s in b.suffixes)]))


def is_url(target: str) -> bool:
    return "://" in target


def source_parts(target: str | Path, kind: str | None = None) -> list[Part]:
    """What a file (or database URL) holds, as parts each read into one table; UnusableFile if nothing.

    A bundle that claims the source splits it. Otherwise each sheet of a workbook (or the one CSV) is
    recognised on its own: sheets no format knows are passed over when another sheet is recognised."""
    text = str(target)
    if kind in BUNDLES:
        return BUNDLES[kind].parts(text)
    if kind is None:
        for bundle in BUNDLES.values():
            if bundle.claims(text):
                return bundle.parts(text)
    if is_url(text):
        raise UnusableFile(Path(text), "is a database address no connector reads (`formats` lists them)")
    path = Path(text)
    if not path.exists():
        raise UnusableFile(path, "does not exist")
    sheets = open_sheets(path)
    parts, unused, first_problem = [], [], None
    for sheet in sheets:
        try:
            parts.append(tabular_part(sheet, detect_format(sheet, kind)))
        except UnusableFile as problem:
            first_problem = first_problem or problem
            unused.append(sheet.sheet or sheet.label)
    if not parts:
        raise first_problem
    parts[0].unused_sheets = unused
    return parts


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
                Path(tabular.label), f"is missing columns that {kind} needs: {', '.join(chosen.missing(header))}"
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
        Path(tabular.label),
        f"is not a recognised format; the closest is {closest.name} "
        f"(missing columns: {', '.join(closest.missing(tabular.header))})",
    )
