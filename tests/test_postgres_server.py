"""The throwaway PostgreSQL server starts, gives out separate databases, and really stores data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests import postgres_server
from tests.postgres_server import PostgresServerError, create_database, running_postgres


def test_databases_are_isolated_and_round_trip_values() -> None:
    with running_postgres() as admin_url:
        assert admin_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        first_url = create_database(admin_url, "isolation_first")
        second_url = create_database(admin_url, "isolation_second")
        assert sa.make_url(first_url).database == "isolation_first"
        assert sa.make_url(second_url).database == "isolation_second"

        first = sa.create_engine(first_url, poolclass=NullPool)
        second = sa.create_engine(second_url, poolclass=NullPool)
        try:
            with first.begin() as connection:
                connection.execute(sa.text("CREATE TABLE child (id integer PRIMARY KEY, name text NOT NULL)"))
                connection.execute(
                    sa.text("INSERT INTO child (id, name) VALUES (:id, :name)"),
                    {"id": 7, "name": "Zoë O'Neil"},
                )
            with first.connect() as connection:
                row = connection.execute(sa.text("SELECT id, name FROM child")).one()
                assert tuple(row) == (7, "Zoë O'Neil")
                assert connection.execute(sa.text("SELECT version()")).scalar_one().startswith("PostgreSQL ")

            assert sa.inspect(first).has_table("child")
            assert not sa.inspect(second).has_table("child")
            with second.connect() as connection:
                assert connection.execute(sa.text("SELECT to_regclass('child')")).scalar_one() is None
        finally:
            first.dispose()
            second.dispose()


def test_missing_binaries_fail_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without PostgreSQL must fail loudly, not skip, so the gap is noticed."""
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(postgres_server.glob, "glob", lambda pattern: [])
    with pytest.raises(PostgresServerError, match="Debian package `postgresql`"):
        postgres_server.find_bin_dir()
