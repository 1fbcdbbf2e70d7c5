"""Making empty stores of each kind for tests (one module, so database names never repeat)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.postgres_server import create_database

TEST_KEY = "test key: not a secret"
_numbers = itertools.count(1)


def new_store_url(kind: str, folder: Path, request: pytest.FixtureRequest) -> str:
    """An empty store: a DuckDB file in `folder`, or a new database on the session's PostgreSQL."""
    if kind == "duckdb":
        return "duckdb:///" + str(folder / f"store-{next(_numbers)}.duckdb")
    admin_url = request.getfixturevalue("postgres_admin_url")
    return create_database(admin_url, f"store_{next(_numbers)}")
