"""The same extracts give exactly the same store on DuckDB and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_connectors import schema
from data_connectors.pipeline import run_load
from tests.canonical_world import WORLD, write_table, write_world
from tests.store_snapshot import snapshot
from tests.stores import new_store_url


def test_duckdb_and_postgresql_hold_identical_rows(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    world = write_world(tmp_path / "world")
    rows = [
        {**WORLD["contacts"], "contact_id": f"K{n}", "contact_date": f"2024-{n % 12 + 1:02d}-15"} for n in range(2, 400)
    ]
    rows[10]["source_code"] = "5Z"
    extract = write_table(tmp_path / "front-door", "contacts", rows)
    results = {}
    for kind in ("duckdb", "postgresql"):
        url = new_store_url(kind, tmp_path, request)
        results[kind] = (run_load([world], url), run_load([extract], url), snapshot(url, exclude=("loaded_at",)))

    duck, pg = results["duckdb"], results["postgresql"]
    assert duck[1].per_table().to_dict("records") == [{"table": "contacts", "read": 398, "loaded": 397, "rejected": 1}]
    assert duck[1].per_table().equals(pg[1].per_table())
    assert duck[2] == pg[2]
    assert len(duck[2]["contacts"]) == 398 and len(duck[2][schema.children.name]) == 1
