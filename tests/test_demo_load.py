"""The demo partnership goes through the real pipeline cleanly, identically on both stores, and its
planted signals survive pseudonymisation (the joins still work)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.demo import write_demo
from data_connectors.pipeline import LoadResult, run_load
from data_connectors.store import make_engine
from tests.stores import new_store_url


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, tier="local", seed=7)
    return folder


@pytest.fixture(scope="module")
def loaded(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory, request) -> dict[str, tuple[str, LoadResult]]:
    stores = {}
    for kind in ("duckdb", "postgresql"):
        url = new_store_url(kind, tmp_path_factory.mktemp(kind), request)
        stores[kind] = (url, run_load([demo_dir], url))  # demo files are hashed with the published demo key
    return stores


def _query(url: str, statement: sa.Executable) -> pd.DataFrame:
    engine = make_engine(url)
    with engine.connect() as connection:
        result = connection.execute(statement)
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    engine.dispose()
    return frame


def test_every_demo_row_loads_on_both_stores(loaded, demo_dir: Path) -> None:
    manifest = json.loads((demo_dir / "line-of-sight-demo.json").read_text())
    for _, result in loaded.values():
        per_table = result.per_table().set_index("table")
        assert per_table["rejected"].sum() == 0
        assert per_table["loaded"].to_dict() == manifest["rows"]
    duck, pg = (loaded[k][1].per_table() for k in ("duckdb", "postgresql"))
    assert duck.equals(pg)


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_the_gp_nfa_signal_survives_the_load(loaded, kind: str) -> None:
    url = loaded[kind][0]
    referrals = schema.referrals
    frame = _query(url, sa.select(referrals.c.source_code, referrals.c.nfa))
    gp = frame.loc[frame["source_code"] == "3A", "nfa"].mean()
    others = frame.loc[frame["source_code"] != "3A", "nfa"].mean()
    assert gp > 3 * others
    assert 0.05 < frame["nfa"].mean() < 0.09  # national 6.5%


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_factor_association_survives_hashing(loaded, kind: str) -> None:
    factors = schema.assessment_factors
    frame = _query(loaded[kind][0], sa.select(factors.c.assessment_id, factors.c.factor_code))
    by_assessment = frame.groupby("assessment_id")["factor_code"].agg(set)
    has_4b = by_assessment.map(lambda codes: "4B" in codes)
    has_15a = by_assessment.map(lambda codes: "15A" in codes)
    lift = has_15a[has_4b].mean() / has_15a[~has_4b].mean()
    assert lift > 2
