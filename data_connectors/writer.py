"""Writing one extract's valid rows: stage them, then replace what the extract covers.

A newer extract of the same source replaces the rows of that source in the period it covers (its
earliest to latest event date) and any row with the same key, so loading the same extract twice
changes nothing and a corrected extract supersedes the old one. Rows are staged in a temporary table
with the fastest bulk path each engine offers (Arrow for DuckDB, COPY for PostgreSQL, executemany
elsewhere); the replace itself is plain SQLAlchemy Core, the same on every engine.

Rows of a `merged` table (children's social care: the CIN census return and the local authority's own
extracts describe the same child, referral or plan) are merged column by column when another source
already describes them. A source's layout fills the columns it knows and leaves the rest empty, and an
empty value never overwrites a stored one: in every layout empty means "not known to this source" (the
census has no home address, an Annex A list without a disability column, a child extract that leaves the
census's fields to the census), so the result does not depend on which source loads first. A row only
this source described is still replaced whole, as in any other table, so its own corrections, blanks
included, go in. Once several sources describe a row (`several_sources`), no one source's newer extract
removes it by the period delete: another source still says it happened.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from data_connectors import schema

_ARROW_TYPES: list[tuple[type, pa.DataType]] = [
    (sa.Boolean, pa.bool_()),
    (sa.Integer, pa.int64()),
    (sa.Float, pa.float64()),
    (sa.DateTime, pa.timestamp("us")),
    (sa.Date, pa.date32()),
    (sa.String, pa.string()),
]


def _arrow_type(column: sa.Column) -> pa.DataType:
    for sql_type, arrow_type in _ARROW_TYPES:
        if isinstance(column.type, sql_type):
            return arrow_type
    raise TypeError(f"no Arrow type for column {column.name} ({column.type})")


class TableWriter:
    """Stages one extract's rows for a table and then swaps them in, inside the caller's transaction."""

    def __init__(
        self,
        connection: sa.Connection,
        table: sa.Table,
        source: str,
        load_id: int,
        replaces: bool = True,
        by_key_only: bool = False,
    ) -> None:
        """`replaces=False` when nothing can be replaced (the table held no rows before this load and no
        earlier file of this load wrote this source): rows then go straight into the table, with no
        staging and no deletes, which on a first load of millions of rows saves a pass per file.
        `by_key_only` when only rows with the same key as this file's could be replaced (a merged table
        that other sources of this load wrote): unless the caller finds one (`meets_stored`), the staged
        rows then go in with no deletes, so a region's partnerships do not each scan the whole table."""
        self.connection = connection
        self.table = table
        self.source = source
        self.load_id = load_id
        self.dialect = connection.dialect.name
        self.period_column = table.info.get("period")
        self.period: tuple[dt.date | None, dt.date | None] = (None, None)
        self.rows_written = 0
        self.by_key_only = by_key_only
        self.meets_stored = False
        self.stage: sa.Table | None = None
        if replaces:
            self.stage = sa.Table(
                f"los_stage_{table.name}",
                sa.MetaData(),
                *[sa.Column(c.name, c.type) for c in table.columns],
                prefixes=["TEMPORARY"],
            )
            self.stage.create(connection)
        self.target = self.stage if self.stage is not None else table

    def append(self, rows: pd.DataFrame) -> None:
        """Write validated rows (content columns only; provenance is added here)."""
        if rows.empty:
            return
        provenance = {"source": self.source, "load_id": self.load_id}
        if schema.is_merged(self.table):
            provenance[schema.SEVERAL_SOURCES] = False
        frame = rows.assign(**provenance)[[c.name for c in self.table.columns]]
        if self.period_column:
            self._widen_period(frame[self.period_column])
        bulk_insert(self.connection, self.target, frame, self.table)
        self.rows_written += len(frame)

    def _widen_period(self, dates: pd.Series) -> None:
        low, high = dates.min(), dates.max()
        if pd.isna(low):
            return
        current_low, current_high = self.period
        self.period = (min(low, current_low or low), max(high, current_high or high))

    def finish(self) -> tuple[dt.date | None, dt.date | None]:
        """Replace the covered rows with the staged ones; return the period the extract covered."""
        table, stage, connection = self.table, self.stage, self.connection
        if stage is None:
            return self.period
        period_from, period_to = self.period
        merged = schema.is_merged(table)
        if self.by_key_only and not self.meets_stored:
            self._insert_staged()
            stage.drop(connection)
            return self.period
        if period_from is not None:
            covered = [table.c.source == self.source, table.c[self.period_column].between(period_from, period_to)]
            if merged:
                covered.append(table.c[schema.SEVERAL_SOURCES].is_(False))
            connection.execute(sa.delete(table).where(*covered))
        if self.rows_written:
            keys = schema.key_columns(table)
            if merged:
                self._merge_stored_values(keys)
            if len(keys) == 1:
                same_key = table.c[keys[0]].in_(sa.select(stage.c[keys[0]]))
            else:
                same_key = sa.exists().where(*[stage.c[k] == table.c[k] for k in keys])
            connection.execute(sa.delete(table).where(same_key))
            self._insert_staged()
        stage.drop(connection)
        return self.period

    def _insert_staged(self) -> None:
        names = [c.name for c in self.table.columns]
        assert self.stage is not None
        select = sa.select(*[self.stage.c[n] for n in names])
        self.connection.execute(sa.insert(self.table).from_select(names, select))

    def _merge_stored_values(self, keys: list[str]) -> None:
        """Staged rows whose key another source also describes take the stored value of every column they
        leave empty, and are marked as described by several sources (the key replace then swaps them in)."""
        table, stage = self.table, self.stage
        assert stage is not None
        several = table.c[schema.SEVERAL_SOURCES]
        values = {
            stage.c[c.name]: sa.func.coalesce(stage.c[c.name], table.c[c.name])
            for c in schema.content_columns(table)
            if c.name not in keys
        }
        values[stage.c[schema.SEVERAL_SOURCES]] = sa.true()
        self.connection.execute(
            sa.update(stage)
            .where(*[stage.c[k] == table.c[k] for k in keys], sa.or_(table.c.source != self.source, several))
            .values(values)
        )


def bulk_insert(connection: sa.Connection, target: sa.Table, frame: pd.DataFrame, like: sa.Table | None = None) -> None:
    """Rows into a table the fast way each engine offers: Arrow into DuckDB, COPY into PostgreSQL, else
    executemany. `like` is the canonical table whose column types a staging table copies."""
    columns = (like if like is not None else target).columns
    dialect = connection.dialect.name
    raw = connection.connection.driver_connection
    if dialect == "duckdb":
        arrow_schema = pa.schema([(c.name, _arrow_type(c)) for c in columns])
        raw.complete()  # finish a result a `.first()` left open: DuckDB refuses new work on the connection until then
        raw.register("los_incoming", pa.Table.from_pandas(frame, schema=arrow_schema, preserve_index=False))
        try:
            raw.execute(f"INSERT INTO {target.name} SELECT * FROM los_incoming")
        finally:
            raw.unregister("los_incoming")
    elif dialect == "postgresql":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False)
        names = ", ".join(frame.columns)
        with raw.cursor() as cursor, cursor.copy(f"COPY {target.name} ({names}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
    else:
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        connection.execute(sa.insert(target), records)
