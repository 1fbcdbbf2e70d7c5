"""Opening the store and making sure its schema, code lists and key fingerprint are in place.

One SQLAlchemy URL names the store: the embedded DuckDB file by default, PostgreSQL for a shared
deployment. Everything else in the project reaches the store through `make_engine`.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from data_connectors import schema
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.working_days import calendar
from data_connectors.writer import bulk_insert

KEY_FINGERPRINT = "pseudonym_key_fingerprint"
DUCKDB_MEMORY_LIMIT = "1GB"
LOCK_WAIT_SECONDS = 120.0
"""How long opening an embedded store waits for another process to let go of the file."""
FILE_HELD = "Could not set lock on file"


class StoreError(Exception):
    """A problem with the store itself (unreachable, wrong key), told to the user in one line."""


def make_engine(url: str, lock_wait: float = LOCK_WAIT_SECONDS) -> Engine:
    """An engine for the store URL. DuckDB files are opened per use so other processes can load, and a file
    another process holds is waited for, up to `lock_wait` seconds (a load waits for the dashboard to let
    go of it, and the dashboard for a short write)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "duckdb":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # a bounded buffer pool keeps a regional load's memory flat (DuckDB spills to disk beyond it)
        duckdb_config = {"memory_limit": os.environ.get("LOS_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT)}
        engine = sa.create_engine(parsed, poolclass=NullPool, connect_args={"config": duckdb_config})
        sa.event.listen(engine, "do_connect", functools.partial(_wait_for_the_file, lock_wait))
        sa.event.listen(engine, "connect", quiet_duckdb)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True)


def _wait_for_the_file(lock_wait: float, dialect, _record, cargs, cparams):
    """Open the DuckDB file, trying again while another process holds it (DuckDB lets one process open a
    file for writing at a time, and says so at once rather than waiting)."""
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as error:
            if FILE_HELD not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def quiet_duckdb(dbapi_connection, _record) -> None:
    """DuckDB's progress bar would draw on the terminal of whoever runs a load or the app."""
    dbapi_connection.execute("SET enable_progress_bar = false")


def ensure_schema(connection: sa.Connection) -> None:
    """Create missing tables and refresh the code lists, inside the caller's transaction."""
    schema.metadata.create_all(connection)
    _add_merge_marks(connection)
    connection.execute(sa.delete(schema.code_lists))
    connection.execute(
        sa.insert(schema.code_lists),
        [
            {"list_name": code_list.name, "code": code, "label": label}
            for code_list in ALL_CODE_LISTS.values()
            for code, label in code_list.codes.items()
        ],
    )
    if connection.execute(sa.select(sa.func.count()).select_from(schema.working_days)).scalar_one() == 0:
        bulk_insert(connection, schema.working_days, calendar())


def _add_merge_marks(connection: sa.Connection) -> None:
    """A store made before rows could be merged lacks `several_sources`: every row it holds came from one
    source, so the column is added as false (information_schema, as DuckDB's reflection is unreliable)."""
    columns = sa.table("columns", sa.column("table_name"), sa.column("column_name"), schema="information_schema")
    for table in schema.data_tables():
        if not schema.is_merged(table):
            continue
        found = connection.execute(
            sa.select(sa.func.count())
            .select_from(columns)
            .where(columns.c.table_name == table.name, columns.c.column_name == schema.SEVERAL_SOURCES)
        ).scalar_one()
        if not found:
            connection.execute(
                sa.text(f"ALTER TABLE {table.name} ADD COLUMN {schema.SEVERAL_SOURCES} BOOLEAN NOT NULL DEFAULT FALSE")
            )


def store_exists(engine: Engine) -> bool:
    """True when the store has been created and holds at least one load; StoreError if unreachable.

    The count is tried first and the catalogue only when it fails: the app asks on every run, and DuckDB's
    table listing costs more than a freshly opened page's whole first query."""
    loads = sa.select(sa.func.count()).select_from(schema.loads)
    try:
        with engine.connect() as connection:
            return connection.execute(loads).scalar_one() > 0
    except sa.exc.ProgrammingError:
        pass  # the store answered but could not count its loads: most likely a new, empty store
    except sa.exc.SQLAlchemyError as error:
        raise _unreachable(error) from None
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("loads"):
                return False
            return connection.execute(loads).scalar_one() > 0
    except sa.exc.SQLAlchemyError as error:
        raise _unreachable(error) from None


def _unreachable(error: sa.exc.SQLAlchemyError) -> StoreError:
    return StoreError(f"the store cannot be opened ({type(getattr(error, 'orig', None) or error).__name__})")


def check_key_fingerprint(connection: sa.Connection, fingerprint: str) -> None:
    """Record the key fingerprint on first load; refuse a different key later (joins would break)."""
    meta = schema.store_meta
    stored = connection.execute(sa.select(meta.c.value).where(meta.c.name == KEY_FINGERPRINT)).scalar()
    if stored is None:
        connection.execute(sa.insert(meta).values(name=KEY_FINGERPRINT, value=fingerprint))
    elif stored != fingerprint:
        raise StoreError(
            "this store was built with a different pseudonymisation key (or holds the demo data): "
            "identifiers would no longer match. Use the original key, or a new store."
        )


def describe_url(url: str) -> str:
    """The store URL with any password hidden, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(a store URL that cannot be read)"
