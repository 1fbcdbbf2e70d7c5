"""The dashboard's way to the store: one cached engine per URL, one open embedded database shared by the
app's runs while people are using it, and the first-start demo build."""

from __future__ import annotations

import atexit
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

IDLE_SECONDS = 5.0
"""How long the embedded database stays open after the last run that used it."""
PAGE_LOCK_WAIT_SECONDS = 3.0
"""How long a page waits for an embedded store another process holds (a load) before saying it cannot open it."""

_held_this_run: ContextVar[dict[str, _HeldDatabase] | None] = ContextVar("held_this_run", default=None)


def current_store_url() -> str:
    return config.store_url()


def engine_for(url: str) -> Engine:
    """The engine for the store; within a run of the app (`one_open_store_per_run`), for an embedded store, one
    whose connections share the database the app holds open."""
    held = _held_this_run.get()
    if held is None or sa.make_url(url).get_backend_name() != "duckdb":
        return _engine(url)
    if url not in held:
        held[url] = _held_database(url)
        held[url].acquire()
    return held[url].engine


@contextmanager
def one_open_store_per_run() -> Iterator[None]:
    """Every read of an embedded store in this run shares one open database. Opening and closing a DuckDB file
    costs about 25 ms, and a page read the store five to ten times; each read still has a connection of its
    own (a second connection to the open database costs under a millisecond), so nested reads stay
    independent. The database stays open while runs follow each other and closes once the app has been idle
    for `IDLE_SECONDS`: then nothing holds the file, and a load from another process, which waits for it
    (`data_connectors.store.make_engine`), takes it."""
    token = _held_this_run.set({})
    try:
        yield
    finally:
        for database in (_held_this_run.get() or {}).values():
            database.release()
        _held_this_run.reset(token)


class _HeldDatabase:
    """Connections to one DuckDB database, opened on first use through the store's own engine (the same
    settings: DuckDB refuses a second opening of a file with other ones), counted in and out by runs, and
    closed when none has used it for `IDLE_SECONDS`."""

    def __init__(self, opener: Engine) -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._database = None
        self._runs = 0
        self._closer: threading.Timer | None = None
        self.engine = sa.create_engine(opener.url, creator=self._connection, poolclass=NullPool)
        atexit.register(self._close)  # a database still open at exit makes DuckDB's bindings report a leak

    def acquire(self) -> None:
        with self._lock:
            self._runs += 1
            if self._closer is not None:
                self._closer.cancel()
                self._closer = None

    def release(self) -> None:
        with self._lock:
            self._runs -= 1
            if self._runs == 0 and self._database is not None:
                self._closer = threading.Timer(IDLE_SECONDS, self._close_if_idle)
                self._closer.daemon = True
                self._closer.start()

    @property
    def is_open(self) -> bool:
        return self._database is not None

    def _connection(self) -> ConnectionWrapper:
        with self._lock:
            if self._database is None:
                self._database = self._opener.raw_connection()
            connection = self._database.driver_connection.duplicate()
        quiet_duckdb(connection, None)
        return ConnectionWrapper(connection)

    def _close_if_idle(self) -> None:
        with self._lock:
            if self._runs == 0:
                self._close_database()

    def _close(self) -> None:
        with self._lock:
            if self._closer is not None:
                self._closer.cancel()
            self._close_database()

    def _close_database(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None


@st.cache_resource(show_spinner=False)
def _held_database(url: str) -> _HeldDatabase:
    return _HeldDatabase(_engine(url))


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url, lock_wait=PAGE_LOCK_WAIT_SECONDS)


@st.cache_resource(show_spinner=False)
def demo_build_lock() -> threading.Lock:
    """One demo build per server, however many people open the app at once."""
    return threading.Lock()
