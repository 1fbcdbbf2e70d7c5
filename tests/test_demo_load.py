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
    """Every file is read by the connector the manifest names, every row loads, and each table then holds
    exactly the rows the manifest says (population: a row per age for each small area and mid-year read)."""
    manifest = json.loads((demo_dir / "line-of-sight-demo.json").read_text())
    expected = {(s["format"], s["table"]): (s["files"], s["rows"]) for s in manifest["sources"]}
    for url, result in loaded.values():
        outcomes = pd.DataFrame(
            [(Path(f.path).name, f.format, f.table, f.rows_read, f.rows_loaded, f.rows_rejected) for f in result.files],
            columns=["file", "format", "table", "read", "loaded", "rejected"],
        )
        assert outcomes["rejected"].sum() == 0 and (outcomes["read"] == outcomes["loaded"]).all()
        read = outcomes.groupby(["format", "table"]).agg(files=("file", "nunique"), rows=("read", "sum"))
        assert {key: (int(row.files), int(row.rows)) for key, row in read.iterrows()} == expected
        engine = make_engine(url)
        with engine.connect() as connection:
            held = {
                table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in schema.data_tables()
            }
        engine.dispose()
        assert held == manifest["rows"]
    duck, pg = (loaded[k][1].per_table() for k in ("duckdb", "postgresql"))
    assert duck.equals(pg)


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_national_sources_load_as_their_connectors_promise(loaded, demo_dir: Path, kind: str) -> None:
    """police.uk rows are the approximate ones, months as first days; schools sit where GIAS's grid reference
    says; the area lookup's localities are the partnership's own."""
    manifest = json.loads((demo_dir / "line-of-sight-demo.json").read_text())
    url = loaded[kind][0]
    police = schema.police_incidents
    frame = _query(url, sa.select(police.c.location_precision, police.c.incident_date, police.c.hate_crime))
    snapped = frame[frame["location_precision"] == "SNAPPED"]
    assert len(snapped) == manifest["police_split"]["police_uk"]
    assert (pd.to_datetime(snapped["incident_date"]).dt.day == 1).all() and snapped["hate_crime"].isna().all()
    assert (frame["location_precision"] == "EXACT").sum() == manifest["police_split"]["template"]
    schools = _query(url, sa.select(schema.schools.c.urn, schema.schools.c.latitude, schema.schools.c.longitude))
    cse = manifest["planted_signals"]["cse_near_school"]["where"][0]
    school = schools.set_index("urn").loc[cse["school_urn"]]
    assert abs(school["latitude"] - cse["latitude"]) < 1e-6 and abs(school["longitude"] - cse["longitude"]) < 1e-6
    localities = _query(url, sa.select(schema.localities.c.locality_code, schema.localities.c.locality_name))
    assert (
        dict(zip(localities["locality_code"], localities["locality_name"], strict=True))
        == (manifest["partnerships"][0]["localities"])
    )


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


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_the_census_and_the_local_extracts_make_one_row_per_child_and_referral(
    loaded, demo_dir: Path, kind: str
) -> None:
    """Children's social care arrives from the CIN census returns (birth, sex, ethnicity, disability, the
    episodes) and the local authority's templates (home area; the front door's own record). Both name a
    child by its LAchildID and a referral as the census reader does, so after pseudonymisation each is still
    one row, holding what both said."""
    url = loaded[kind][0]
    children = schema.children
    frame = _query(url, sa.select(children.c.birth_month, children.c.home_area_code, children.c.several_sources))
    assert frame[["birth_month", "home_area_code"]].notna().all().all()  # every child has both halves
    extract = pd.read_csv(demo_dir / "children.csv", dtype=str, keep_default_na=False)
    referred = set(pd.read_csv(demo_dir / "referrals.csv", dtype=str)["child_id"])
    assert set(extract.loc[extract["date_of_birth"] == "", "child_id"]) == referred  # left to the census
    assert frame["several_sources"].sum() == len(referred)

    referrals = schema.referrals
    columns = ("decision_date", "decision_level", "referrer_need_level", "primary_need_code", "nfa", "several_sources")
    frame = _query(url, sa.select(*[referrals.c[name] for name in columns]))
    assert frame["several_sources"].all()
    decided = frame[frame["decision_date"].notna()]
    assert decided[["decision_level", "referrer_need_level", "primary_need_code", "nfa"]].notna().all().all()
    assert frame.loc[frame["decision_date"].isna(), ["decision_level", "primary_need_code"]].isna().all().all()
