"""Shared fixtures: a store of each kind (embedded DuckDB and a real PostgreSQL), and a known key."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import create_database, running_postgres

TEST_KEY = "test key: not a secret"
_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    with running_postgres() as url:
        yield url


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own store, secrets or key by accident."""
    monkeypatch.delenv("LOS_STORE_URL", raising=False)
    monkeypatch.setenv("LOS_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setattr("data_connectors.config.SECRETS_PATH", tmp_path / "no-secrets.toml")


def new_store_url(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty store of the given kind."""
    if kind == "duckdb":
        return "duckdb:///" + str(tmp_path / f"store-{next(_database_numbers)}.duckdb")
    admin_url = request.getfixturevalue("postgres_admin_url")
    return create_database(admin_url, f"store_{next(_database_numbers)}")


@pytest.fixture(params=["duckdb", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store: every test that takes it runs on both engines."""
    return new_store_url(request.param, tmp_path, request)
