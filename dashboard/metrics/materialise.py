"""Event sources kept as plain tables in the store, rebuilt when a load changes the data.

Each source (sources.py) joins a table to the child, the small area, the ward and the working-day
calendar, and works out flags such as a re-referral within 12 months over every referral. Doing that on
every query costs a regional store a second per page; doing it once per load and reading a flat table,
ordered by date so the store skips what a period filter excludes, costs milliseconds. The tables are
named `events_<source>` and the store remembers which load they reflect (`store_meta`).
"""

from __future__ import annotations

import threading
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.metrics.sources import SOURCES, source
from data_connectors import schema

VERSION_KEY = "event_tables_load_id"
_refresh_lock = threading.Lock()
_metadata = sa.MetaData()


def table_name(source_name: str) -> str:
    return f"events_{source_name}"


@cache
def event_table(source_name: str) -> sa.Table:
    """The materialised table of a source, with the source's columns (for building queries)."""
    selectable = source(source_name)
    return sa.Table(
        table_name(source_name),
        _metadata,
        *[sa.Column(column.name, column.type) for column in selectable.c],
    )


def latest_load(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(sa.func.max(schema.loads.c.load_id))).scalar() or 0)


def materialised_load(connection: sa.Connection) -> int | None:
    meta = schema.store_meta
    value = connection.execute(sa.select(meta.c.value).where(meta.c.name == VERSION_KEY)).scalar()
    return int(value) if value is not None else None


def event_tables_current(connection: sa.Connection) -> bool:
    """Whether the event tables reflect the latest load (one read of two one-row answers: every connection
    a page opens asks)."""
    meta = schema.store_meta
    materialised = sa.select(meta.c.value).where(meta.c.name == VERSION_KEY).scalar_subquery()
    latest = sa.select(sa.func.max(schema.loads.c.load_id)).scalar_subquery()
    try:
        built, loaded = connection.execute(sa.select(materialised, latest)).one()
    except sa.exc.SQLAlchemyError:
        return False
    return built is not None and int(built) == int(loaded or 0)


def refresh_event_tables(engine: Engine) -> bool:
    """Rebuild every event table if a load happened since they were built; True when rebuilt. Safe to call
    from many sessions: one rebuild at a time per process, and the store's transaction covers the rest."""
    with _refresh_lock, engine.begin() as connection:
        if not sa.inspect(connection).has_table("loads"):
            return False
        latest = latest_load(connection)
        if latest == 0 or materialised_load(connection) == latest:
            return False
        for name in SOURCES:
            target = event_table(name)
            target.drop(connection, checkfirst=True)
            selectable = source(name)
            query = sa.select(selectable).order_by(selectable.c.event_date)
            connection.execute(_create_as(target, query, connection))
        meta = schema.store_meta
        connection.execute(sa.delete(meta).where(meta.c.name == VERSION_KEY))
        connection.execute(sa.insert(meta).values(name=VERSION_KEY, value=str(latest)))
    return True


def _create_as(target: sa.Table, query: sa.Select, connection: sa.Connection) -> sa.TextClause:
    """CREATE TABLE ... AS SELECT, which SQLAlchemy Core has no construct for; the select's only values are
    the sources' own constants (age bands, 365 days), compiled in as literals."""
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    return sa.text(f"CREATE TABLE {target.name} AS {compiled}")


def readable(connection: sa.Connection, source_name: str) -> sa.FromClause:
    """The flat event table when it reflects the latest load, else the source's query itself (always
    right, just slower): results never depend on whether the tables were rebuilt."""
    current = connection.info.get(VERSION_KEY)
    if current is None:
        current = connection.info[VERSION_KEY] = event_tables_current(connection)
    return event_table(source_name) if current else source(source_name)
