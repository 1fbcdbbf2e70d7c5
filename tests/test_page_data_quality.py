"""The Data quality page under AppTest: a file with known rejected rows is loaded on top of the small
partnership, and the page's completeness, validity, timeliness and load report equal what the metrics layer
reads and what was worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.metrics.data_quality import field_completeness, rejection_counts, source_quality
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.app_pages import run_page
from tests.canonical_world import write_table
from tests.metrics_world import write_metrics_world
from tests.stores import TEST_KEY, new_store_url

PAGE = "pages/data_quality.py"
APRIL = "extra/contacts-april"
# five contacts: one good, two with a referral source that is not a code, one with no date, one about a child
# the store does not know (its identifier is withheld in the report)
CONTACTS = [
    {"contact_id": "K10", "child_id": "C1", "contact_date": "2024-04-02", "source_code": "6", "outcome": "REFERRAL"},
    {"contact_id": "K11", "child_id": "C2", "contact_date": "2024-04-03", "source_code": "XX", "outcome": "ADVICE"},
    {"contact_id": "K12", "child_id": "C3", "contact_date": "not a date", "source_code": "6", "outcome": "NFA"},
    {"contact_id": "K13", "child_id": "C4", "contact_date": "2024-04-05", "source_code": "ZZ", "outcome": "NFA"},
    {"contact_id": "K14", "child_id": "C9", "contact_date": "2024-04-06", "source_code": "6", "outcome": "NFA"},
]


@pytest.fixture(scope="module")
def world_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("quality")
    url = new_store_url("duckdb", folder, request)
    run_load([write_metrics_world(folder / "world")], url, key=TEST_KEY)
    run_load([write_table(folder / "extra", "contacts", CONTACTS, name="contacts-april.csv")], url, key=TEST_KEY)
    return url


def _tables(app) -> dict[str, pd.DataFrame]:
    names = ("sources", "fields", "rejections", "report")
    return dict(zip(names, (frame.value for frame in app.dataframe), strict=True))


def test_the_rejected_rows_are_counted_and_reported(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE)
    tables = _tables(app)
    counts = tables["rejections"].set_index(["Table", "Field"])
    assert counts["Rows"].to_dict() == {
        ("contacts", "source_code"): 2,
        ("contacts", "child_id"): 1,
        ("contacts", "contact_date"): 1,
    }
    assert counts.loc[("contacts", "source_code"), "Reason"] == "is not a code in the referral_source list"
    assert counts["Latest load"].tolist() == [2, 2, 2]
    expected = rejection_counts(make_engine(world_url))
    assert tables["rejections"]["Rows"].tolist() == expected["rows"].tolist()
    # the load report of the April file: rows 3 to 6 of the file (the header is row 1), the unknown child withheld
    report = tables["report"]
    assert report["Row in file"].tolist() == [3, 4, 5, 6]
    assert report["Field"].tolist() == ["source_code", "contact_date", "source_code", "child_id"]
    assert report["Value"].tolist() == ["XX", "not a date", "ZZ", "[withheld]"]
    [label] = app.selectbox(key="dq-load").options
    assert label.startswith("Load 2 · contacts · contacts-april.csv · 4 of 5 rows not loaded")
    assert {m.label: m.value for m in app.metric}["Rows not loaded"] == "4"


def test_completeness_validity_and_timeliness_per_source(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE)
    sources = _tables(app)["sources"].set_index(["Table", "Source"])
    today = dt.date.today()
    april = sources.loc[("contacts", APRIL)]
    # by hand: 5 read, 4 rejected = 80%; 1 row in the store, its need level blank and its outcome filled:
    # 1 of 2 key fields = 50%; its latest contact is 2 April 2024
    assert april[["Rows read", "Rows rejected", "Rejected (% of read)", "Rows in store"]].tolist() == [5, 4, 80.0, 1]
    assert april["Key fields filled (%)"] == "50.0"
    assert april["Days since latest event"] == str((today - dt.date(2024, 4, 2)).days)
    assert april["Last file"] == "contacts-april.csv"
    world = sources.loc[("contacts", "world/contacts")]
    assert world[["Rows read", "Rows rejected", "Rejected (% of read)"]].tolist() == [4, 0, 0.0]
    # the world's referrals: need level 3 of 4, decision date 3 of 4, decision level / outcome / NFA 3 of the 3
    # decided, primary need 0 of 4, closure reason applies to none: 15 of 21 cells = 71.4%
    assert sources.loc[("referrals", "world/referrals"), "Key fields filled (%)"] == "71.4"
    assert sources.loc[("localities", "world/localities"), "Key fields filled (%)"] == "no optional fields"
    assert sources.loc[("localities", "world/localities"), "Days since latest event"] == "no event dates"
    expected = source_quality(make_engine(world_url), today).set_index(["table_name", "source"])
    assert sources["Rows in store"].to_dict() == expected["rows_in_store"].to_dict()
    assert {key: value for key, value in sources["Key fields filled (%)"].items() if value != "no optional fields"} == {
        key: f"{value:.1f}" for key, value in expected["completeness"].dropna().items()
    }
    fields = _tables(app)["fields"].set_index(["Table", "Source", "Field"])
    assert fields.loc[
        ("contacts", APRIL, "referrer_need_level"), ["Rows it applies to", "Filled", "Filled (%)"]
    ].tolist() == [
        1,
        0,
        0.0,
    ]
    assert len(fields) == len(field_completeness(make_engine(world_url)))


def test_a_store_with_no_rejections_says_so(tmp_path, request, monkeypatch) -> None:
    url = new_store_url("duckdb", tmp_path, request)
    run_load([write_metrics_world(tmp_path / "world")], url, key=TEST_KEY)
    monkeypatch.setenv("LOS_STORE_URL", url)
    app = run_page(PAGE)
    assert [s.value for s in app.success] == ["Every row read has been loaded: no load has rejected anything."]
    assert len(app.dataframe) == 2  # sources and fields; no rejection tables
