"""Reading tables of a source database (named by a SQLAlchemy URL) as text, in chunks, with row numbers.

A database has no spreadsheet row a person could look up, so a row's number is its position when the
table is read in the order of its key (1 = first); the part label says which key. Values become the
text a canonical template holds (dates as ISO dates, yes/no as Y/N, JSON as JSON text), so validation
treats a database row exactly as a CSV row. Only the URL with its password hidden is ever shown.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from data_connectors.readers import CHUNK_ROWS, ROW_NUMBER, ROW_PROBLEM, TEXT, UnusableFile

FILE_BACKENDS = ("duckdb", "sqlite")  # opening a missing file would quietly create an empty database
CONNECT_TIMEOUT_SECONDS = 15


class UnusableDatabase(UnusableFile):
    """UnusableFile for a database: the message names the URL (password hidden) as a person wrote it,
    which a Path would not keep (it folds the '//')."""

    def __init__(self, url: str, problem: str) -> None:
        try:
            shown = sa.make_url(url).render_as_string(hide_password=True)
        except sa.exc.ArgumentError:
            shown = "the database URL given"  # it might hold a password that cannot be told apart
        super().__init__(Path(shown), problem)
        self.args = (f"{shown}: {problem}",)


def open_engine(url: str) -> Engine:
    """An engine that reads the source (read-only where the driver allows); UnusableDatabase when the
    URL cannot be read, its driver is missing, or a database file does not exist."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise UnusableDatabase(url, "is not a database URL (e.g. postgresql://user@host/database)") from None
    backend = parsed.get_backend_name()
    connect_args: dict[str, object] = {}
    names_file = backend in FILE_BACKENDS and parsed.database not in (None, "", ":memory:")
    if names_file and not Path(parsed.database).is_file():
        raise UnusableDatabase(url, "names a database file that does not exist")
    if backend == "duckdb":
        connect_args["read_only"] = True
    if backend == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    try:
        return sa.create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    except (sa.exc.NoSuchModuleError, ImportError) as error:
        raise UnusableDatabase(url, f"needs a database driver that is not installed ({error})") from None


def database_problem(url: str, error: Exception) -> UnusableDatabase:
    """One plain line for a failure to reach or read the source: the driver's first line, password hidden."""
    original = getattr(error, "orig", None) or error
    first_line = next((line.strip() for line in str(original).splitlines() if line.strip()), "")
    password = sa.make_url(url).password
    if password:  # as a whole word only: a password "p" must not turn "port" into "***ort"
        first_line = re.sub(rf"(?<![0-9A-Za-z]){re.escape(str(password))}(?![0-9A-Za-z])", "***", first_line)
    return UnusableDatabase(url, f"cannot be read ({type(original).__name__}: {first_line[:300]})")


def table_names(engine: Engine, url: str) -> dict[str, str]:
    """The source's tables, lower-case name to the name as the database spells it."""
    try:
        with engine.connect() as connection:
            return {name.lower(): name for name in sa.inspect(connection).get_table_names()}
    except sa.exc.SQLAlchemyError as error:
        raise database_problem(url, error) from None


def column_names(connection: sa.Connection, table: str) -> dict[str, str]:
    """A table's columns, lower-case name to the database's spelling (read from an empty select, which
    every dialect answers; DuckDB's SQLAlchemy dialect cannot reflect columns)."""
    result = connection.execute(sa.select(sa.text("*")).select_from(sa.table(table)).limit(0))
    return {name.lower(): name for name in result.keys()}  # noqa: SIM118 (a Result is not a dict)


def count_rows(connection: sa.Connection, table: str) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one())


def as_text(value: object) -> str | None:
    """A database value as the text a template would hold."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, decimal.Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def read_chunks(url: str, query: sa.Select, names: list[str], chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The query's rows streamed in frames of text columns called `names`, numbered from 1 in the
    query's order; any failure to read becomes UnusableDatabase (the load then stops, nothing written)."""
    engine = open_engine(url)
    first = 1
    try:
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=chunk_rows).execute(query)
            yielded = False
            for rows in result.partitions(chunk_rows):
                yield _frame(rows, names, first)
                first += len(rows)
                yielded = True
            if not yielded:
                yield _frame([], names, first)
    except sa.exc.SQLAlchemyError as error:
        raise database_problem(url, error) from None
    finally:
        engine.dispose()


def _frame(rows: list, names: list[str], first: int) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data = {
        name: pd.Series(pa.array([as_text(v) for v in values], pa.string()), dtype=TEXT)
        for name, values in zip(names, columns, strict=True)
    }
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    frame[ROW_NUMBER] = range(first, first + len(rows))
    frame[ROW_PROBLEM] = pd.Series([None] * len(rows), dtype=object)
    return frame
