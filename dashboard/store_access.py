"""The dashboard's way to the store: one cached engine per URL, one open embedded database per app run, and the
first-start demo build."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
import streamlit as st
from duckdb_engine import ConnectionWrapper
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from data_connectors import config
from data_connectors.store import make_engine, quiet_duckdb

_opened_this_run: ContextVar[dict[str, _OneOpenDatabase] | None] = ContextVar("opened_this_run", default=None)


def current_store_url() -> str:
    return config.store_url()


def engine_for(url: str) -> Engine:
    """The engine for the store; within a run of the app (`one_open_store_per_run`), for an embedded store, one
    whose connections share the database opened once for the run."""
    opened = _opened_this_run.get()
    if opened is None or sa.make_url(url).get_backend_name() != "duckdb":
        return _engine(url)
    if url not in opened:
        opened[url] = _OneOpenDatabase(_engine(url))
    return opened[url].engine


@contextmanager
def one_open_store_per_run() -> Iterator[None]:
    """Every read of an embedded store in this run shares one open database: opening a DuckDB file costs about
    30 ms, and a page read the store five to ten times. Each read still has a connection of its own (a second
    connection to the open database costs under a millisecond), so nested reads stay independent. The file is
    closed when the run ends: between runs nothing holds it, so a load from another process can take it."""
    token = _opened_this_run.set({})
    try:
        yield
    finally:
        for database in (_opened_this_run.get() or {}).values():
            database.close()
        _opened_this_run.reset(token)


class _OneOpenDatabase:
    """Connections to one DuckDB database, opened on first use through the store's own engine (the same
    settings: DuckDB refuses a second opening of a file with other ones)."""

    def __init__(self, opener: Engine) -> None:
        self._opener = opener
        self._database = None
        self.engine = sa.create_engine(opener.url, creator=self._connection, poolclass=NullPool)

    def _connection(self) -> ConnectionWrapper:
        if self._database is None:
            self._database = self._opener.raw_connection()
        connection = self._database.driver_connection.duplicate()
        quiet_duckdb(connection, None)
        return ConnectionWrapper(connection)

    def close(self) -> None:
        self.engine.dispose()
        if self._database is not None:
            self._database.close()
            self._database = None


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


@st.cache_resource(show_spinner=False)
def demo_build_lock() -> threading.Lock:
    """One demo build per server, however many people open the app at once."""
    return threading.Lock()
