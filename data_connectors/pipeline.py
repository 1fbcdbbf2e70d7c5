"""The load pipeline: files in, canonical rows out, nothing lost and no identifier kept.

A load first opens every file and works out its format (any unusable file stops the load before the
store is touched), then reads the files in dependency order inside one transaction: validate and
reduce each chunk, stage the good rows, replace what each extract covers, and record every rejected
row with its reason. If anything fails the transaction is rolled back and the store is as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_connectors import config, schema
from data_connectors.formats import SOURCE_SUFFIXES, TableFormat, is_url, source_parts
from data_connectors.formats.base import Part
from data_connectors.keysets import KeySet, fingerprints
from data_connectors.pseudonymise import Pseudonymiser
from data_connectors.readers import (
    ROW_NUMBER,
    UnusableFile,
    python_values,
)
from data_connectors.store import StoreError, check_key_fingerprint, describe_url, ensure_schema, make_engine
from data_connectors.validate import LoadContext, validate_chunk
from data_connectors.writer import TableWriter, bulk_insert

DEMO_MANIFEST = "line-of-sight-demo.json"
Progress = Callable[[int, int, str], None]


@dataclass
class PlannedFile:
    """A part of a source (a file, a sheet, a module of a census file), read as its format into one table,
    with the source label its rows are replaced by."""

    part: Part
    source: str

    @property
    def path(self) -> Path:
        return self.part.path

    @property
    def label(self) -> str:
        return self.part.label

    @property
    def format(self) -> TableFormat:
        return self.part.format

    @property
    def table(self) -> sa.Table:
        return self.part.table


@dataclass
class FileOutcome:
    path: str  # the file, with its sheet or module when it holds several parts
    table: str
    format: str
    source: str
    note: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    unchanged_since_load: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    unused_sheets: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    load_id: int
    store: str
    files: list[FileOutcome]
    rejections: pd.DataFrame

    def per_table(self) -> pd.DataFrame:
        """Rows read, loaded and rejected for each table, in load order."""
        frame = pd.DataFrame(
            [(f.table, f.rows_read, f.rows_loaded, f.rows_rejected) for f in self.files],
            columns=["table", "read", "loaded", "rejected"],
        )
        return frame.groupby("table", sort=False, as_index=False).sum()


def find_files(paths: Iterable[Path | str]) -> list[Path | str]:
    """Files (or database URLs) named directly, plus every file of a known kind under the folders named."""
    found: list[Path | str] = []
    for target in paths:
        if is_url(str(target)):
            found.append(str(target))
        elif Path(target).is_dir():
            found.extend(
                sorted(p for p in Path(target).rglob("*") if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES)
            )
        else:
            found.append(Path(target))
    return found


def default_source(path: Path) -> str:
    """Extracts of one source share a label: the folder plus the file name without date stamps, so
    `contacts_2026-10.csv` and `contacts_2026-11.csv` in the same folder are the same source."""
    stem = re.sub(r"[_\-. ]*\d{4}[-_]?\d{2}([-_]?\d{2})?", "", path.stem) or path.stem
    return f"{path.resolve().parent.name}/{stem}"


def plan_load(paths: Iterable[Path | str], kind: str | None = None, source: str | None = None) -> list[PlannedFile]:
    """Open and recognise every source, in dependency order; raises UnusableFile on the first bad one."""
    targets = list(paths)
    files = find_files(targets)
    if not files:
        raise UnusableFile(Path(", ".join(str(p) for p in targets) or "."), "holds no CSV, Excel or other known files")
    planned = []
    for target in files:
        label = source or (default_source(target) if isinstance(target, Path) else database_source(target))
        planned.extend(PlannedFile(part, edition_label(label, part.edition)) for part in source_parts(target, kind))
    order = {table.name: index for index, table in enumerate(schema.data_tables())}
    return sorted(planned, key=lambda p: (order[p.table.name], p.label))


def edition_label(label: str, edition: str | None) -> str:
    """A yearly return's source: the file's source and the year it returns (`returns/cin (census 2025)`)."""
    return f"{label} ({edition})" if edition else label


def database_source(url: str) -> str:
    """A database's rows are one source per database, named without its password."""
    return describe_url(url)


def is_demo_file(path: Path) -> bool:
    """A file inside a folder that the demo generator marked as synthetic."""
    for folder in path.resolve().parents:
        manifest = folder / DEMO_MANIFEST
        if manifest.is_file():
            try:
                return json.loads(manifest.read_text()).get("synthetic") is True
            except (OSError, ValueError):
                return False
    return False


def choose_key(planned: list[PlannedFile], key: str | None) -> str:
    """The demo key for synthetic demo files, else the configured key; refuse to guess."""
    demo = [is_url(str(p.path)) is False and is_demo_file(p.path) for p in planned]
    if all(demo):
        return config.DEMO_PSEUDONYM_KEY
    if any(demo):
        raise StoreError("demo files and real extracts cannot be loaded together")
    key = key or config.pseudonym_key()
    if not key:
        raise StoreError(
            "no pseudonymisation key: set LOS_PSEUDONYM_KEY (or LOS_PSEUDONYM_KEY in .streamlit/secrets.toml) "
            "to the partnership's secret key before loading real extracts"
        )
    return key


class _KnownKeys:
    """Keys each reference can point at: those in the store when first asked, plus this load's rows."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.keys: dict[str, KeySet] = {}
        self.postcodes: dict[str, str] | None = None
        targets = {ref for t in schema.data_tables() for ref in schema.referenced_columns(t).values()}
        self.targets_by_table: dict[str, list[str]] = {}
        for target in targets:
            table_name, column_name = target.split(".")
            self.targets_by_table.setdefault(table_name, []).append(column_name)

    def known(self, target: str) -> KeySet:
        if target not in self.keys:
            table_name, column_name = target.split(".")
            column = schema.metadata.tables[table_name].c[column_name]
            self.keys[target] = KeySet()
            result = self.connection.execute(sa.select(column).distinct()).scalars()
            while batch := result.fetchmany(500_000):
                self.keys[target].add(fingerprints(pd.Series(batch, dtype=object)))
        return self.keys[target]

    def postcode_lookup(self) -> dict[str, str]:
        if self.postcodes is None:
            table = schema.postcode_areas
            self.postcodes = dict(self.connection.execute(sa.select(table.c.postcode, table.c.area_code)).all())
        return self.postcodes

    def add(self, table: sa.Table, rows: pd.DataFrame) -> None:
        for column_name in self.targets_by_table.get(table.name, []):
            self.known(f"{table.name}.{column_name}").add(fingerprints(rows[column_name].dropna()))
        if table.name == "postcode_areas":
            pairs = zip(python_values(rows["postcode"]), python_values(rows["area_code"]), strict=True)
            self.postcode_lookup().update(pairs)


class _WrittenSources:
    """Whether a file's rows could replace anything: not if its table was empty when the load began and
    no earlier file of this load wrote the same source (keys repeated within a load are rejected). A merged
    table's file may also meet the rows other sources wrote earlier in the load, but only rows with its
    keys: the load's key fingerprints (`keys`) then tell whether it does."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.had_rows: dict[str, bool] = {}
        self.sources: set[tuple[str, str]] = set()
        self.keys: dict[str, KeySet] = {}  # merged tables: fingerprints of every key written in this load

    def may_replace(self, item: PlannedFile) -> tuple[bool, bool]:
        """Whether the file's rows could replace stored rows, and whether only rows with the same key
        written by other sources of this load (then `meets` decides)."""
        name = item.table.name
        if name not in self.had_rows:
            self.had_rows[name] = (
                self.connection.execute(sa.select(1).select_from(item.table).limit(1)).first() is not None
            )
        written = {source for table_name, source in self.sources if table_name == name}
        self.sources.add((name, item.source))
        if self.had_rows[name] or item.source in written:
            return True, False
        by_key = schema.is_merged(item.table) and bool(written)
        return by_key, by_key

    def meets(self, table: sa.Table, rows: pd.DataFrame) -> bool:
        """Whether a merged table's rows share a key with rows written earlier in this load."""
        prints = fingerprints(rows[schema.key_columns(table)])
        return bool(self.keys.get(table.name, KeySet()).contains(prints).any())

    def remember(self, table: sa.Table, rows: pd.DataFrame) -> None:
        if schema.is_merged(table) and not rows.empty:
            self.keys.setdefault(table.name, KeySet()).add(fingerprints(rows[schema.key_columns(table)]))


def run_load(
    paths: Iterable[Path | str],
    store_url: str,
    *,
    kind: str | None = None,
    source: str | None = None,
    key: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> LoadResult:
    """Load files into the store in one transaction and return what happened to every row."""
    planned = plan_load(list(paths), kind, source)
    pseudonymiser = Pseudonymiser(choose_key(planned, key))
    engine = make_engine(store_url)
    total_rows = sum(p.part.estimated_rows for p in planned)
    done_rows = 0
    outcomes: list[FileOutcome] = []
    rejections: list[pd.DataFrame] = []
    try:
        with engine.begin() as connection:
            ensure_schema(connection)
            check_key_fingerprint(connection, pseudonymiser.fingerprint())
            load_id = (connection.execute(sa.select(sa.func.max(schema.loads.c.load_id))).scalar() or 0) + 1
            known = _KnownKeys(connection)
            written = _WrittenSources(connection)
            context = LoadContext(pseudonymiser, known.known, known.postcode_lookup, {}, today or dt.date.today())
            for item in planned:
                outcome = FileOutcome(
                    item.label,
                    item.table.name,
                    item.format.name,
                    item.source,
                    item.format.note,
                    ignored_columns=item.part.ignored_columns,
                    unused_sheets=item.part.unused_sheets,
                )
                outcomes.append(outcome)
                digest = item.part.digest
                outcome.unchanged_since_load = _unchanged_since(connection, item, digest)
                if outcome.unchanged_since_load is None:
                    replaces, by_key = written.may_replace(item)
                    writer = TableWriter(connection, item.table, item.source, load_id, replaces, by_key)
                    _load_file(
                        writer,
                        item,
                        outcome,
                        context,
                        known,
                        written,
                        rejections,
                        lambda rows, label, offset=done_rows: progress and progress(offset + rows, total_rows, label),
                    )
                    _record_load(connection, item, outcome, digest, load_id)
                done_rows += item.part.estimated_rows
                if progress:
                    progress(done_rows, total_rows, Path(item.label).name)
            rejected = _collect(rejections)
            if not rejected.empty:
                bulk_insert(connection, schema.load_rejections, _rejection_rows(rejected, load_id))
    finally:
        engine.dispose()
    return LoadResult(load_id, store_url, outcomes, rejected)


def _load_file(
    writer: TableWriter,
    item: PlannedFile,
    outcome: FileOutcome,
    context: LoadContext,
    known: _KnownKeys,
    written: _WrittenSources,
    rejections: list[pd.DataFrame],
    progress: Callable[[int, str], object],
) -> None:
    kept: list[pd.DataFrame] = []
    for chunk in item.part.chunks():
        result = validate_chunk(item.table, item.format.to_template(chunk, item.part.shared), context, item.source)
        if result.rows_read != len(chunk):
            raise AssertionError(f"{item.label}: the {item.format.name} layout lost or invented input rows")
        if writer.by_key_only and not writer.meets_stored and written.meets(item.table, result.rows):
            writer.meets_stored = True
        writer.append(result.rows)
        known.add(item.table, result.rows)
        if schema.is_merged(item.table):
            kept.append(result.rows[schema.key_columns(item.table)])
        outcome.rows_read += result.rows_read
        outcome.rows_loaded += result.rows_loaded
        outcome.rows_rejected += result.rejected_rows
        if not result.errors.empty:
            errors = result.errors.assign(file=item.label, table=item.table.name)
            errors["field"] = errors["field"].map(item.format.source_field)
            rejections.append(errors)
        progress(outcome.rows_read, Path(item.label).name)
    outcome.period_from, outcome.period_to = writer.finish()
    for keys in kept:  # after the file: its own keys are unique (repeats are rejected)
        written.remember(item.table, keys)
    if outcome.rows_read != outcome.rows_loaded + outcome.rows_rejected:
        raise AssertionError(f"{item.label}: rows read do not equal rows loaded plus rows rejected")


def _unchanged_since(connection: sa.Connection, item: PlannedFile, digest: str | None) -> int | None:
    """The load that already brought in exactly this file with no rejections, if it is the latest."""
    if digest is None:
        return None
    loads = schema.loads
    latest = connection.execute(
        sa.select(loads.c.load_id, loads.c.file_sha256, loads.c.rows_rejected)
        .where(loads.c.table_name == item.table.name, loads.c.source == item.source)
        .order_by(loads.c.load_id.desc())
        .limit(1)
    ).first()
    if latest and latest.file_sha256 == digest and latest.rows_rejected == 0:
        return latest.load_id
    return None


def _record_load(connection: sa.Connection, item: PlannedFile, outcome: FileOutcome, digest: str, load_id: int) -> None:
    connection.execute(
        sa.insert(schema.loads).values(
            load_id=load_id,
            table_name=item.table.name,
            source=item.source,
            file_name=Path(item.label).name[:300],
            file_sha256=digest or "",  # a database has no file to fingerprint
            format=item.format.name,
            loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            rows_read=outcome.rows_read,
            rows_loaded=outcome.rows_loaded,
            rows_rejected=outcome.rows_rejected,
            period_from=outcome.period_from,
            period_to=outcome.period_to,
        )
    )


def _rejection_rows(rejected: pd.DataFrame, load_id: int) -> pd.DataFrame:
    """Rejections as rows of the store's load_rejections table (file name only, never the folder), written
    in bulk: a force-wide police.uk or national GIAS file can reject tens of thousands of out-of-area rows."""
    names = {label: Path(label).name[:300] for label in rejected["file"].unique()}
    return pd.DataFrame(
        {
            "load_id": load_id,
            "table_name": rejected["table"].astype(str),
            "file_name": rejected["file"].map(names),
            "row_number": rejected[ROW_NUMBER].astype("int64"),
            "field": rejected["field"].astype(str).str.slice(0, 100),
            "reason": rejected["reason"].astype(str).str.slice(0, 500),
            "value": rejected["value"]
            .astype(object)
            .where(rejected["value"].notna(), None)
            .map(lambda v: None if v is None else str(v)[:200]),
        }
    )


def _collect(parts: list[pd.DataFrame]) -> pd.DataFrame:
    columns = ["file", "table", ROW_NUMBER, "field", "reason", "value"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns].sort_values(["file", ROW_NUMBER], kind="stable")
