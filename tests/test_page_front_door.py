"""The front door page under AppTest: charts, words and the table equal what the metrics layer gives for
the same view, and hand-worked values from tests/front_door_world.py."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from dashboard.metrics.catalogue import metric
from dashboard.metrics.comparison import compared_by, period_total
from dashboard.metrics.compute import Filters, compute
from dashboard.metrics.funnel import proportion_funnel
from dashboard.metrics.presentation import disclosed
from dashboard.metrics.spc import ASSURANCE_LABELS, VARIATION_LABELS, xmr
from dashboard.shell.page import SECTIONS
from dashboard.shell.view import VIEW_KEY
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.app_pages import figures, run_page, run_sections, trace
from tests.front_door_world import write_front_door_world
from tests.stores import TEST_KEY, new_store_url

PAGE = "pages/front_door.py"
OVER_TIME, AGENCIES = SECTIONS["front_door"].labels
# "All data" runs from the first event (Tue 9 Jan 2024) to the last (an assessment starting Wed 12 Jun 2024)
ALL_DATA = Filters(start=dt.date(2024, 1, 9), end=dt.date(2024, 6, 12))
SPC_CHARTS = {
    "contact_to_referral_rate": "How many contacts become referrals?",
    "decision_within_1wd_rate": "Are referrals decided within one working day?",
    "referral_nfa_rate": "How many referrals end with no further action?",
    "rereferral_rate_12m": "How many referrals are about a child referred in the last year?",
}
CONVERSION = "Which agencies' referrals lead to an assessment or s47 enquiry more or less often than most?"
INFORMATION = "Which agencies' referrals carry complete information more or less often than most?"
SHARES = "Which agencies refer children to social care, and what share of referrals comes from each?"
BY_AGENCY = ("referrals_by_source", "referral_conversion_by_source", "referral_information_quality")


@pytest.fixture(scope="module")
def world_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("front_door")
    url = new_store_url("duckdb", folder, request)
    run_load([write_front_door_world(folder / "world")], url, key=TEST_KEY)
    return url


@pytest.fixture(scope="module")
def everything(world_url: str):
    """The page over all the data, each section opened by its link (shared by the tests that only read it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOS_STORE_URL", world_url)
        yield run_sections(PAGE, {"period": "All data"})


def _same(shown: list, expected) -> None:
    """Chart values equal the metrics layer's, hidden (NaN) exactly where it hides them."""
    shown_array = np.array([np.nan if v is None else v for v in shown], dtype=float)
    np.testing.assert_allclose(shown_array, np.asarray(expected, dtype=float), equal_nan=True)


def _markdown(app) -> list[str]:
    return [m.value for m in app.markdown]


def _check_against_metrics_layer(app, url: str, filters: Filters) -> None:
    """Every SPC chart, period value and funnel point on the page equals the metrics layer's for the view."""
    engine = make_engine(url)
    assert app.session_state[VIEW_KEY].filters == filters
    charts = figures(app)
    words = " ".join(_markdown(app))
    for metric_id, question in SPC_CHARTS.items():
        series = compute(engine, metric_id, filters)
        expected = disclosed(series, total_known=True)
        shown = trace(charts[question], name=metric(metric_id).label)
        _same(shown["y"], expected["value"])
        chosen = metric(metric_id)
        reading = xmr(expected["value"], polarity=chosen.polarity, target=chosen.target).attrs
        captions = " ".join(c.value for c in app.caption)
        if reading["variation"]:
            assert f"{VARIATION_LABELS[reading['variation']]}. " in captions
        if reading["assurance"]:
            assert ASSURANCE_LABELS[reading["assurance"]] in captions
        total = period_total(series).iloc[0]
        if not total["value_suppressed"]:
            assert f"**{total['value']:.1f}%** ({int(total['numerator']):,} of {int(total['denominator']):,}" in words
    points = compared_by({m: compute(engine, m, filters, by="agency") for m in BY_AGENCY}, "agency")
    for metric_id, question in (
        ("referral_conversion_by_source", CONVERSION),
        ("referral_information_quality", INFORMATION),
    ):
        visible = points[metric_id][points[metric_id]["value"].notna()]
        if visible.empty:
            assert question not in charts
            continue
        units = trace(charts[question], name="units")
        names = {"6": "Police", "2A": "Schools", "3B": "Health: health visitor", "3A": "Health: GP"}
        assert units["text"] == [names[a] for a in visible["agency"]]
        _same(units["y"], visible["value"])
        _same(units["x"], visible["denominator"])


def test_whole_partnership_equals_the_metrics_layer(everything, world_url: str) -> None:
    _check_against_metrics_layer(everything, world_url, ALL_DATA)


def test_values_worked_out_by_hand(everything) -> None:
    words = _markdown(everything)
    assert "**Showing:** Whole partnership · all data (Jan 2024 to Jun 2024) · all referrers · all ages" in words
    # 41 referrals came from 73 contacts; 15 referrals ended in NFA; 33 of the 39 decided within a day (the 6
    # schools' NFA referrals took 3 working days, 2 health visitor referrals have no decision date)
    assert any(w.startswith("**Contacts that became referrals** over the period: **56.2%** (41 of 73;") for w in words)
    assert any(
        w.startswith("**Referrals with no further action** over the period: **36.6%** (15 of 41;") for w in words
    )
    assert any(
        w.startswith("**Decisions within one working day** over the period: **84.6%** (33 of 39;") for w in words
    )
    # 3 re-referrals (schools, South) are too few to show; England's figure sits beside it
    assert "**Re-referrals within 12 months** over the period: **<5**. England 22.6% (2024-25)." in words
    assert any("England 6.5% (2024-25)" in w for w in words)
    # decisions: 7 of 7, 7 of 7, 7 of 8, 5 of 7 shown (May's 3 and June's 4 are too few): every month within the
    # limits, and the target of 100% inside them, so it is met some months only
    captions = [c.value for c in everything.caption]
    assert any(
        "Hit and miss: the target lies within the limits, so it will be met some months only." in c for c in captions
    )


def test_funnel_points_by_hand(everything) -> None:
    charts = figures(everything)
    units = trace(charts[CONVERSION], name="units")
    # Police: 14 of 20 referrals led to assessment or s47; schools 6 of 12. The GP (2 referrals) is too small,
    # and the health visitors (7) are hidden too, or the partnership total would give the GP away.
    assert units["text"] == ["Schools", "Police"]
    assert units["y"] == [50.0, 70.0]
    assert units["hovertext"] == ["Schools: 50.0% of 12 (within)", "Police: 70.0% of 20 (within)"]
    # the funnel is centred on the partnership: 26 of 41 referrals (14 + 6 + 5 + 1)
    line = trace(charts[CONVERSION], name="partnership")["y"]
    assert math.isclose(line[0], 100 * 26 / 41)
    captions = [c.value for c in everything.caption]
    assert any(c.endswith("Health: GP, Health: health visitor.") and c.startswith("Not drawn") for c in captions)
    # the funnel position is the exact binomial test of the true counts against the partnership figure
    placed = proportion_funnel(pd.DataFrame({"n": [14, 6, 5, 1], "d": [20, 12, 7, 2]}), "n", "d")
    assert list(placed["funnel_position"].astype(str))[:2] == ["within", "within"]
    bars = trace(charts[SHARES], kind="bar")  # shares of the 41 referrals: police 20, schools 12
    assert bars["y"] == ["Health: GP (suppressed)", "Health: health visitor (suppressed)", "Schools", "Police"]
    _same(bars["x"], [np.nan, np.nan, 100 * 12 / 41, 100 * 20 / 41])


def test_table_hides_an_agency_in_every_column(everything) -> None:
    (table,) = [d.value for d in everything.dataframe]
    rows = table.set_index("Agency")
    assert rows.loc["Police", "Referrals"] == "20"
    assert rows.loc["Schools", "Led to assessment or s47 (%)"] == "50.0"
    assert rows.loc["Health: GP", "Referrals"] == "<5"
    # the health visitors' 7 referrals would give the GP's 2 away (41 - 20 - 12 - 7): hidden everywhere
    assert set(rows.loc["Health: health visitor"].drop("Referrals")) <= {"c", "<5", "suppressed"}
    assert rows.loc["Health: health visitor", "Referrals"] == "c"


def test_a_locality_in_the_link_changes_the_figures(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_sections(PAGE, {"locality": ["South"], "period": "All data"})
    south = Filters(locality=("SOUTH",), start=ALL_DATA.start, end=ALL_DATA.end)
    _check_against_metrics_layer(app, world_url, south)
    words = _markdown(app)
    assert "**Showing:** South · all data (Jan 2024 to Jun 2024) · all referrers · all ages" in words
    # South: 14 referrals (police 8, schools 4, health visitors 2) from 23 contacts (9 more ended in advice);
    # 7 NFA (police 3, schools 3, health visitor 1)
    assert any(w.startswith("**Contacts that became referrals** over the period: **60.9%** (14 of 23;") for w in words)
    assert any(w.startswith("**Referrals with no further action** over the period: **50.0%** (7 of 14;") for w in words)
    # every South agency has a small figure (schools 1 and health visitors 1 led to assessment), so none is drawn
    assert CONVERSION not in figures(app)
    assert "No agency has enough referrals in this view to show referrals leading to assessment or s47 safely." in [
        i.value for i in app.info
    ]


def test_an_agency_in_the_link(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_sections(PAGE, {"agency": ["Police"], "period": "All data"})
    police = Filters(agency=("6",), start=ALL_DATA.start, end=ALL_DATA.end)
    _check_against_metrics_layer(app, world_url, police)
    # police: 20 referrals from 30 contacts (10 more ended in advice)
    words = _markdown(app)
    assert any(w.startswith("**Contacts that became referrals** over the period: **66.7%** (20 of 30;") for w in words)


def test_a_view_with_nothing_in_it_says_so(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE, {"agency": ["Anonymous"], "period": "All data"})
    assert [i.value for i in app.info] == [
        "Nothing matches this view: widen the period, or choose another locality or agency."
    ]
    assert not app.error


def test_only_the_section_the_link_opens_is_drawn(everything, world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    # a link without a section opens the first; each section draws its own charts and none of the others'
    assert list(figures(run_page(PAGE, {"period": "All data"}))) == list(figures(everything[OVER_TIME]))
    assert set(figures(everything[OVER_TIME])) == set(SPC_CHARTS.values())
    assert set(figures(everything[AGENCIES])) == {SHARES, CONVERSION, INFORMATION}
    assert not everything[OVER_TIME].dataframe and len(everything[AGENCIES].dataframe) == 1
