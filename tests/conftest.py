"""Shared fixtures: a store of each kind (embedded DuckDB and a real PostgreSQL), and a known key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from data_connectors.pipeline import run_load
from tests.geo_world import write_geo_world
from tests.postgres_server import running_postgres
from tests.stores import TEST_KEY, new_store_url


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    with running_postgres() as url:
        yield url


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own store, secrets or key by accident."""
    monkeypatch.delenv("LOS_STORE_URL", raising=False)
    monkeypatch.setenv("LOS_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("LOS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("data_connectors.config.SECRETS_PATH", tmp_path / "no-secrets.toml")


@pytest.fixture(params=["duckdb", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store: every test that takes it runs on both engines."""
    return new_store_url(request.param, tmp_path, request)


@pytest.fixture(scope="module")
def geo_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The geography world (tests/geo_world.py) loaded into an embedded store, once per test module."""
    folder = tmp_path_factory.mktemp("geo")
    url = new_store_url("duckdb", folder, request)
    run_load([write_geo_world(folder / "world")], url, key=TEST_KEY)
    return url


@pytest.fixture
def store(geo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The app pointed at the geography world's store, with no base map configured."""
    monkeypatch.setenv("LOS_STORE_URL", geo_url)
    monkeypatch.delenv("LOS_MAP_STYLE", raising=False)
    return geo_url
