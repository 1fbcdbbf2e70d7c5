"""The board overview under AppTest: tiles equal what the metrics layer gives for the same view."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.metrics.catalogue import metric
from dashboard.metrics.comparison import period_total
from dashboard.metrics.compute import Filters, compute
from dashboard.metrics.signals import HEADLINE_METRICS
from dashboard.shell.sections import total_text
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.app_pages import run_page, tiles
from tests.metrics_world import write_metrics_world
from tests.stores import TEST_KEY, new_store_url

# tests/metrics_world.py: the latest event is 3 Jun 2024, so "last 12 months" is Jun 2023 to May 2024
LAST_12 = Filters(start=dt.date(2023, 6, 1), end=dt.date(2024, 5, 31))


@pytest.fixture(scope="module")
def world_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("overview")
    url = new_store_url("duckdb", folder, request)
    run_load([write_metrics_world(folder / "world")], url, key=TEST_KEY)
    return url


def test_tiles_match_the_metrics_layer(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page()
    shown = tiles(app)
    engine = make_engine(world_url)
    assert [m.value for m in app.markdown if m.value.startswith("**Showing:**")] == [
        "**Showing:** Whole partnership · last 12 months (Jun 2023 to May 2024) · all referrers · all ages"
    ]
    for metric_id in HEADLINE_METRICS:
        chosen = metric(metric_id)
        total = period_total(compute(engine, metric_id, LAST_12))  # suppressed, as every page's tiles show it
        assert shown[chosen.label] == total_text(total, chosen, 5), metric_id
    # by hand: re-referrals 0 of 3 (R1, R4, R3; R2 is in June): the 3 are too few to show, and so is a share of
    # them (a 0% would say none of the 3 was a re-referral); decisions within a day: R1 and R3 (2 of 2)
    assert shown["Re-referrals within 12 months"] == "<5"
    assert shown["Decisions within one working day"] == "<5"
    assert shown["ICPCs within 15 working days"] == "no data"


def test_a_locality_in_the_link_filters_every_tile(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(query={"locality": ["South"], "period": "All data"})  # the link holds names people read
    caption = [m.value for m in app.markdown if m.value.startswith("**Showing:**")][0]
    assert caption == "**Showing:** South · all data (Jan 2024 to Jun 2024) · all referrers · all ages"
    # South: R4 (Feb, not decided) and R3 (May): NFA 0 of 2, a share of too few to show
    assert tiles(app)["Referrals with no further action"] == "<5"


def test_a_view_with_nothing_in_it_says_so(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    anonymous = ALL_CODE_LISTS["referral_source"].codes["9"]
    app = run_page(query={"agency": [anonymous]})  # no anonymous referrals in this partnership
    assert [i.value for i in app.info] == [
        "Nothing matches this view: widen the period, or choose another locality or agency."
    ]


def test_a_store_built_by_an_older_release_gains_the_new_tables(tmp_path, request, monkeypatch) -> None:
    url = new_store_url("duckdb", tmp_path, request)
    run_load([write_metrics_world(tmp_path / "world")], url, key=TEST_KEY)
    engine = make_engine(url)
    with engine.begin() as connection:  # as a store made before published statistics existed
        connection.exec_driver_sql("DROP TABLE published_statistics")
    engine.dispose()
    monkeypatch.setenv("LOS_STORE_URL", url)
    app = run_page()
    assert not app.error
    assert tiles(app)["Re-referrals within 12 months"] == "<5"


def test_the_view_warmed_at_start_is_the_one_an_untouched_filter_bar_gives(world_url: str, monkeypatch) -> None:
    from dashboard.shell.store_facts import data_version, store_facts
    from dashboard.shell.view import VIEW_KEY, default_filters
    from dashboard.shell.warm import warm_default_view

    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page()
    facts = store_facts(world_url, data_version(world_url))
    assert default_filters(facts) == app.session_state[VIEW_KEY].filters == LAST_12
    assert warm_default_view() is True


def test_nothing_is_warmed_on_a_store_not_built_yet(tmp_path, monkeypatch) -> None:
    from dashboard.shell.warm import warm_default_view

    monkeypatch.setenv("LOS_STORE_URL", f"duckdb:///{tmp_path}/new.duckdb")
    assert warm_default_view() is False
