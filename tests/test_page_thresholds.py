"""The thresholds page under AppTest: the agreement grid, the agencies' funnels, the path from contact to
plan and the tiles (each in its section, opened by the link) equal what the metrics layer gives for the same
view, and values worked out by hand from tests/front_door_world.py."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dashboard.metrics.catalogue import metric
from dashboard.metrics.comparison import compared_by, period_total
from dashboard.metrics.compute import Filters, compute
from dashboard.metrics.disclosure import render
from dashboard.metrics.thresholds import ALL_AGENCIES, agreement_matrix, disclosed_agreement
from dashboard.shell.page import SECTIONS
from dashboard.shell.view import VIEW_KEY
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.app_pages import figures, run_page, run_sections, tiles, trace
from tests.front_door_world import write_front_door_world
from tests.stores import TEST_KEY, new_store_url

PAGE = "pages/thresholds.py"
AGREEMENT, AGENCIES, TO_PLAN = SECTIONS["thresholds"].labels
ALL_DATA = Filters(start=dt.date(2024, 1, 9), end=dt.date(2024, 6, 12))  # first and last event in the world
LEVELS = ["1 Universal", "2 Additional", "3 Complex", "4 Specialist"]
PATH = "How much work reaches each step, from contact to plan?"
OVER = "Which agencies see more need than the front door, more often than most?"
UNDER = "Which agencies see less need than the front door, more often than most?"
TILES = (
    "s47_rate_per_10k",
    "s47_to_icpc_rate",
    "icpc_within_15wd_rate",
    "icpc_to_cp_plan_rate",
    "cp_plan_rate_per_10k",
)


@pytest.fixture(scope="module")
def world_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("thresholds")
    url = new_store_url("duckdb", folder, request)
    run_load([write_front_door_world(folder / "world")], url, key=TEST_KEY)
    return url


@pytest.fixture(scope="module")
def everything(world_url: str):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOS_STORE_URL", world_url)
        yield run_sections(PAGE, {"period": "All data"})


def _grid(app, who: str) -> tuple[list, list]:
    figure = figures(app)[f"Where do {who} and the front door disagree about the level of need?"]
    cells = trace(figure, kind="heatmap")
    assert cells["x"] == LEVELS and cells["y"] == LEVELS
    return cells["z"], cells["text"]


def _expected_grid(url: str, filters: Filters, agency: str) -> tuple[np.ndarray, np.ndarray]:
    """The metrics layer's matrix for the view, suppressed, as a referrer x decision grid."""
    shown = disclosed_agreement(agreement_matrix(make_engine(url), filters))
    grid = shown[shown["agency"] == agency].assign(text=render(shown[shown["agency"] == agency])["referrals"])
    counts = grid.pivot(index="referrer_level", columns="decision_level", values="referrals")
    text = grid.pivot(index="referrer_level", columns="decision_level", values="text")
    return counts.to_numpy(dtype=float), text.to_numpy()


def _check_against_metrics_layer(apps, url: str, filters: Filters, grid_agency: str = ALL_AGENCIES) -> None:
    engine = make_engine(url)
    assert all(app.session_state[VIEW_KEY].filters == filters for app in apps.values())
    who = "all agencies" if grid_agency == ALL_AGENCIES else {"6": "Police", "2A": "Schools"}[grid_agency]
    z, text = _grid(apps[AGREEMENT], who)
    counts, words = _expected_grid(url, filters, grid_agency)
    np.testing.assert_array_equal(np.array(z, dtype=float), counts)  # NaN where hidden, in the same cells
    assert text == words.tolist()
    charts = figures(apps[AGENCIES])
    points = compared_by(
        {
            m: compute(engine, m, filters, by="agency")
            for m in ("over_threshold_rate", "under_threshold_rate", "threshold_agreement_rate")
        },
        "agency",
    )
    for metric_id, question in (("over_threshold_rate", OVER), ("under_threshold_rate", UNDER)):
        visible = points[metric_id][points[metric_id]["value"].notna()]
        if visible.empty:
            assert question not in charts
        else:
            np.testing.assert_allclose(trace(charts[question], name="units")["y"], visible["value"])
    steps = trace(figures(apps[TO_PLAN])[PATH], kind="bar")
    expected = [
        int(compute(engine, m, filters)[column].sum())
        for m, column in (
            ("contacts", "numerator"),
            ("referrals", "numerator"),
            ("assessments", "numerator"),
            ("s47_rate_per_10k", "numerator"),
            ("icpc_to_cp_plan_rate", "denominator"),
            ("cp_plan_rate_per_10k", "numerator"),
        )
    ]
    assert steps["text"] == [f"{n:,}" if n == 0 or n >= 5 else "<5" for n in expected]
    shown = tiles(apps[TO_PLAN])
    for metric_id in TILES:
        chosen = metric(metric_id)
        total = period_total(compute(engine, metric_id, filters)).iloc[0]
        unit = "%" if chosen.kind == "ratio" else " per 10,000"
        assert shown[chosen.label] == ("<5" if total["value_suppressed"] else f"{total['value']:,.1f}{unit}")


def test_whole_partnership_equals_the_metrics_layer(everything, world_url: str) -> None:
    _check_against_metrics_layer(everything, world_url, ALL_DATA)


def test_agreement_grid_by_hand(everything) -> None:
    z, text = _grid(everything[AGREEMENT], "all agencies")
    # referrer's level 4 decided at 4: police 14, health visitors 5, GP 1; at 2: police's 6 NFA
    assert text[3] == ["0", "6", "0", "20"]
    # level 2 -> 2: health visitors 2 and GP 1: too few to show
    assert text[1][1] == "<5" and np.isnan(z[1][1])
    # the schools' 6 (3 -> 2) and 6 (3 -> 4) are hidden in the partnership's grid ("c"), or its level-2 column
    # would give the 3 away by subtraction
    assert text[2] == ["0", "c", "0", "c"]


def test_funnels_by_hand(everything) -> None:
    charts = figures(everything[AGENCIES])
    over = trace(charts[OVER], name="units")
    under = trace(charts[UNDER], name="units")
    # schools: 12 referrals, 6 judged higher (3 -> 2) and 6 lower (3 -> 4); police: 20, 6 higher, none lower.
    # The GP (2 referrals) and health visitors (7, hidden so the GP's cannot be worked out) are not drawn.
    assert over["text"] == ["Schools", "Police"] and over["y"] == [50.0, 30.0]
    assert under["text"] == ["Schools", "Police"] and under["y"] == [50.0, 0.0]
    # 6 of the partnership's 41 referrals were judged lower: schools' 50% of 12 is above the 95% limit
    assert under["hovertext"][0] == "Schools: 50.0% of 12 (above 95%)"


def test_path_and_tiles_by_hand(everything) -> None:
    to_plan = everything[TO_PLAN]
    steps = trace(figures(to_plan)[PATH], kind="bar")
    assert steps["y"] == [
        "Contacts",
        "Referrals",
        "Assessments",
        "Section 47 enquiries",
        "Initial conferences (ICPC)",
        "Child protection plans",
    ]
    assert steps["text"] == ["73", "41", "18", "8", "6", "5"]
    # 41/73, 18/41, 8/18, 6/8 and 5/6, per 100
    assert (
        "Over the period: 56 referrals per 100 contacts; 44 assessments per 100 referrals; 44 s47 enquiries per 100 "
        "assessments; 75 ICPCs per 100 s47 enquiries; 83 plans per 100 ICPCs."
    ) in [c.value for c in to_plan.caption]
    shown = tiles(to_plan)
    # 8 enquiries in 6 months among 3,000 children: 8 / 1,500 child-years = 53.3 per 10,000 a year
    assert shown["Section 47 enquiries per 10,000 children"] == "53.3 per 10,000"
    assert shown["Section 47 enquiries leading to an ICPC"] == "75.0%"  # 6 of 8
    assert shown["ICPCs within 15 working days"] == "83.3%"  # 5 of 6 (one South ICPC took 18)
    assert shown["ICPCs making a child protection plan"] == "83.3%"  # 5 of 6
    assert shown["Child protection plans started per 10,000 children"] == "33.3 per 10,000"  # 5 / 1,500
    england = {m.label: m.proto.delta for m in to_plan.metric}
    assert england["ICPCs within 15 working days"] == "England 81.4% (2024-25)"
    words = [m.value for m in to_plan.markdown]
    # one second plan of 5: too few to show; no plan has ended, so nothing to say about long plans
    assert any(w.startswith("**Second or subsequent child protection plans** over the period: **<5**") for w in words)
    assert any(i.value.startswith("Plans ending after two years or more: nothing in this view") for i in to_plan.info)


def test_a_locality_and_an_agency_in_the_link(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    link = {"locality": ["South"], "period": "All data", "grid_agency": "Police"}
    apps = run_sections(PAGE, link)
    south = Filters(locality=("SOUTH",), start=ALL_DATA.start, end=ALL_DATA.end)
    _check_against_metrics_layer(apps, world_url, south, grid_agency="6")
    # South: 23 contacts and 14 referrals; 4 assessments, 3 enquiries, 2 ICPCs and 1 plan are too few to show
    steps = trace(figures(apps[TO_PLAN])[PATH], kind="bar")
    assert steps["text"] == ["23", "14", "<5", "<5", "<5", "<5"]
    assert steps["x"] == [23, 14, 0, 0, 0, 0]  # a hidden step is drawn at no length, its "<5" at the axis
    # South police: 5 referrals at 4 -> 4 and 3 at 4 -> 2; the 3 is too few, and the 5 is hidden with it
    z, text = _grid(apps[AGREEMENT], "Police")
    assert text[3] == ["0", "<5", "0", "c"]


def test_the_grid_for_one_agency(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    apps = run_sections(PAGE, {"period": "All data", "grid_agency": "Schools"})
    _check_against_metrics_layer(apps, world_url, ALL_DATA, grid_agency="2A")
    z, text = _grid(apps[AGREEMENT], "Schools")
    assert text[2] == ["0", "6", "0", "6"]  # schools refer at level 3: 6 decided at 2, 6 at 4
    assert z[2] == [0.0, 6.0, 0.0, 6.0]


def test_an_agency_filter_says_what_it_cannot_filter(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    apps = run_sections(PAGE, {"agency": ["Police"], "period": "All data"})
    police = Filters(agency=("6",), start=ALL_DATA.start, end=ALL_DATA.end)
    _check_against_metrics_layer(apps, world_url, police)
    steps = trace(figures(apps[TO_PLAN])[PATH], kind="bar")
    # police: 30 contacts, 20 referrals, 6 assessments, 8 enquiries; conferences and plans know no referrer
    assert steps["text"] == ["30", "20", "6", "8", "6", "5"]
    assert steps["y"][-2:] == ["Initial conferences (ICPC) (all referrers)", "Child protection plans (all referrers)"]
    captions = [c.value for c in apps[TO_PLAN].caption]
    assert any(c.startswith("Conferences and plans do not record who made the referral") for c in captions)
    # ratios only between steps counted alike: no conferences (every referrer) per 100 police enquiries
    assert (
        "Over the period: 67 referrals per 100 contacts; 30 assessments per 100 referrals; 133 s47 enquiries per "
        "100 assessments; 83 plans per 100 ICPCs." in captions
    )


def test_only_the_section_the_link_opens_is_drawn(everything, world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    # a link without a section opens the first; each section draws its own charts and none of the others'
    assert list(figures(run_page(PAGE, {"period": "All data"}))) == list(figures(everything[AGREEMENT]))
    drawn = {label: set(figures(app)) for label, app in everything.items()}
    assert drawn[AGREEMENT] == {"Where do all agencies and the front door disagree about the level of need?"}
    assert drawn[AGENCIES] == {OVER, UNDER}
    assert PATH in drawn[TO_PLAN] and not drawn[TO_PLAN] & (drawn[AGREEMENT] | drawn[AGENCIES])
    assert not tiles(everything[AGREEMENT]) and not tiles(everything[AGENCIES])
    assert [tab.label for tab in everything[TO_PLAN].tabs] == list(SECTIONS["thresholds"].labels)


def test_a_view_with_nothing_in_it_says_so(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE, {"agency": ["Anonymous"], "period": "All data"})
    assert [i.value for i in app.info] == [
        "Nothing matches this view: widen the period, or choose another locality or agency."
    ]
    assert not app.error
