"""The Neglect page under AppTest: the index, every component and its z-score equal the metrics layer's for
the same view, worked out by hand on tests/neglect_world.py, with small counts hidden."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.metrics.catalogue import metric
from dashboard.metrics.compute import Filters, compute
from dashboard.metrics.neglect import indicator_by_area, neglect_index
from dashboard.metrics.spc import xmr
from dashboard.shell.page import SECTIONS
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.app_pages import run_page, run_sections
from tests.chart_specs import chart_specs, chart_titled, trace
from tests.neglect_world import W1, W2, W3, write_neglect_world
from tests.stores import TEST_KEY, new_store_url

PAGE = "pages/neglect.py"
SECTION_KEY = SECTIONS["neglect"].key
BY_AREA, OVER_TIME = SECTIONS["neglect"].labels
FY = "Financial year 2024-25"
FY_FILTERS = Filters(start=dt.date(2024, 4, 1), end=dt.date(2025, 3, 31))
ASSESSMENT, PLANS, ABSENCE = (
    "Neglect at assessment (per 10,000)",
    "CP plans for neglect (per 10,000)",
    "Persistent absence (%)",
)


@pytest.fixture(scope="module")
def world_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("neglect")
    url = new_store_url("duckdb", folder, request)
    run_load([write_neglect_world(folder / "world")], url, key=TEST_KEY)
    return url


def _index_table(app) -> pd.DataFrame:
    return app.dataframe[0].value.set_index("Code")


def test_every_value_equals_the_metrics_layer_and_the_hand_worked_one(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    monkeypatch.setenv("LOS_SUPPRESSION_THRESHOLD", "1")  # nothing hidden: every value can be compared
    app = run_sections(PAGE, {"period": FY})
    shown = _index_table(app)
    expected = neglect_index(make_engine(world_url), FY_FILTERS, level="ward").set_index("ward")
    assert list(shown.index) == list(expected.index) == [W3, W2, W1]  # ranked, most signs of neglect first
    assert shown["Ward"].tolist() == ["Ward Three", "Ward Two", "Ward One"]
    for code, row in expected.iterrows():
        assert shown.loc[code, "Neglect index"] == f"{row['index']:+.2f}"
        assert shown.loc[code, "Rank"] == f"{row['rank']:.0f}"
        for metric_id, label in (
            ("neglect_at_assessment_rate_per_10k", ASSESSMENT),
            ("cp_plans_neglect_rate_per_10k", PLANS),
            ("persistent_absence_rate", ABSENCE),
        ):
            value, z = row[f"{metric_id}_value"], row[f"{metric_id}_z"]
            assert shown.loc[code, label] == ("" if pd.isna(value) else f"{value:.1f}")
            assert shown.loc[code, f"{label}: z"] == ("" if pd.isna(z) else f"{z:+.2f}")
    # by hand, 2024-25, 1,000 child-years per ward: neglect at assessment 0, 10, 20 per 10,000 (mean 10,
    # standard deviation sqrt(200/3) = 8.165, so z = -1.22, 0, +1.22); CP plans for neglect 20, 0, 10
    # (+1.22, -1.22, 0); persistent absence 10% and 20% (-1, +1; Ward Three has no school).
    # Index: Ward Three (1.22 + 0) / 2 = +0.61; Ward Two (0 - 1.22 + 1) / 3 = -0.07; Ward One -1/3 = -0.33.
    assert shown.loc[W3, [ASSESSMENT, f"{ASSESSMENT}: z", PLANS, "Indicators used"]].tolist() == [
        "20.0",
        "+1.22",
        "10.0",
        2,
    ]
    assert shown["Neglect index"].tolist() == ["+0.61", "-0.07", "-0.33"]
    assert shown.loc[W3, ABSENCE] == ""  # no school in the ward: no value, not a hidden one
    # the chart draws the same index, highest at the top (plotly lists bars bottom up)
    bars = trace(chart_specs(app)[0])
    assert bars["y"] == ["Ward One", "Ward Two", "Ward Three"]
    assert bars["x"] == pytest.approx(expected["index"].tolist()[::-1])
    assert bars["x"] == pytest.approx([-1 / 3, (1 - 1.5**0.5) / 3, 1.5**0.5 / 2])


def test_left_out_components_are_named_and_the_method_is_shown(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_sections(PAGE, {"period": FY})
    [warning] = [w.value for w in app.warning]
    assert "no data loaded yet for early help for neglect per 10,000 children" in warning
    assert "no data loaded yet for neglect assessments graded 4 or 5 overall" in warning
    assert "is the same in every area, so it cannot tell areas apart" in warning  # not brought: 30 everywhere
    method = [m.value for m in app.markdown if "z-score" in m.value]
    assert method and method[0].startswith("For each area, each indicator is taken over the whole period chosen")
    infos = [i.value for i in app.info]
    assert "No data loaded yet for early help for neglect per 10,000 children." in infos
    assert "No data loaded yet for neglect assessments graded 4 or 5 overall." in infos


def test_small_counts_are_hidden_and_the_index_cannot_give_them_back(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_sections(PAGE, {"period": FY})  # the default threshold: counts of 1 to 4 hidden
    shown = _index_table(app)
    # counts of 1 and 2 are hidden with their value and z-score ("c"); zeros are shown. Ward Two (1 assessment)
    # and Ward One (2 plans) have one hidden component each, so their persistent absence is hidden too, or
    # the index would give the small one back; Ward Three already has two hidden. Every index stays.
    hidden = {W3: (ASSESSMENT, PLANS), W2: (ASSESSMENT, ABSENCE), W1: (PLANS, ABSENCE)}
    for code, labels in hidden.items():
        for label in labels:
            assert shown.loc[code, label] == "c" and shown.loc[code, f"{label}: z"] == "c", (code, label)
    assert shown.loc[W2, PLANS] == "0.0" and shown.loc[W1, ASSESSMENT] == "0.0"
    assert shown["Neglect index"].tolist() == ["+0.61", "-0.07", "-0.33"]
    assert any("c marks a figure hidden" in c.value for c in app.caption)


def test_localities_and_a_locality_filter(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    monkeypatch.setenv("LOS_SUPPRESSION_THRESHOLD", "1")
    app = run_sections(PAGE, {"period": FY, "neglect_level": "Locality"})
    shown = app.dataframe[0].value.set_index("Locality")
    # two localities: every z-score is +1 or -1. South (A2 + A3, 2,000 child-years): assessment 15 per
    # 10,000 (above North's 0), plans 5 (below North's 20), absence 20% (above 10%): index +1/3
    assert shown["Neglect index"].to_dict() == {"South": "+0.33", "North": "-0.33"}
    assert shown.loc["South", ASSESSMENT] == "15.0" and shown.loc["South", PLANS] == "5.0"

    app = run_sections(PAGE, {"period": FY, "locality": ["South"]})
    shown = _index_table(app)
    south = Filters(locality=("SOUTH",), start=FY_FILTERS.start, end=FY_FILTERS.end)
    expected = neglect_index(make_engine(world_url), south, level="ward").set_index("ward")
    assert list(shown.index) == list(expected.index) == [W3, W2]
    assert shown["Neglect index"].tolist() == [f"{v:+.2f}" for v in expected["index"]]


def test_trends_are_the_monthly_series_of_the_view(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    monkeypatch.setenv("LOS_SUPPRESSION_THRESHOLD", "1")
    app = run_sections(PAGE, {"period": FY})
    plans = chart_titled(app, "Are child protection plans for neglect changing?")
    series = compute(make_engine(world_url), "cp_plans_neglect_rate_per_10k", FY_FILTERS, grain="month")
    drawn = trace(plans, metric("cp_plans_neglect_rate_per_10k").label)
    assert drawn["x"] == series["period"].tolist()
    assert drawn["y"] == pytest.approx(series["value"].tolist())
    # one plan in each of Jul, Sep and Nov 2024 among 3,000 children: 1 / 3,000 x 10,000 = 3.33 in a month
    assert dict(zip(drawn["x"], drawn["y"], strict=True))["Jul 2024"] == pytest.approx(10_000 / 3_000)
    assert trace(plans, "mean")["y"] == pytest.approx(xmr(series["value"])["mean"].tolist())
    # attendance arrives by term: its chart has only the months that have pupils counted
    absence = chart_titled(app, "Is persistent absence from school changing?")
    assert trace(absence, metric("persistent_absence_rate").label)["x"] == ["Sep 2024"]


def test_one_area_cannot_be_ranked_but_its_trends_show(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_sections(PAGE, {"period": FY, "ward": ["Ward Two"]})
    assert [i.value for i in app.info][0] == (
        "The index compares areas with each other, and this view holds only one ward: compare by a finer level "
        "(ward or small area) or widen the view."
    )
    assert not app.dataframe
    assessed = chart_titled(app, "Is neglect identified at assessment changing?")
    assert "Ward Two" in assessed["layout"]["title"]["text"]
    assert "None in this view: child protection plans for neglect per 10,000 children." in [i.value for i in app.info]


def test_a_view_with_nothing_in_it_says_so(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE, {"period": "Choose dates", "dates": ["2024-01-01", "2024-03-31"]})
    assert [i.value for i in app.info] == ["Nothing matches this view: widen the period, or choose another locality."]


def test_rates_are_per_year_however_many_financial_years_the_period_touches(world_url: str) -> None:
    # July 2024 to June 2025 spans two financial years but is twelve months: 1,000 child-years per ward.
    # Ward Three's two assessments identifying neglect (September and November) are 20 per 10,000 a year.
    twelve_months = Filters(start=dt.date(2024, 7, 1), end=dt.date(2025, 6, 30))
    rates = indicator_by_area(make_engine(world_url), "neglect_at_assessment_rate_per_10k", twelve_months, "ward")
    rates = rates.set_index("ward")
    assert rates.loc[W3, "denominator"] == pytest.approx(1_000)
    assert rates.loc[W3, "value"] == pytest.approx(20.0)
    # and six months are half a child-year each: April to September 2024 holds Ward Three's first one
    half = Filters(start=dt.date(2024, 4, 1), end=dt.date(2024, 9, 30))
    rates = indicator_by_area(make_engine(world_url), "neglect_at_assessment_rate_per_10k", half, "ward").set_index(
        "ward"
    )
    assert rates.loc[W3, ["numerator", "denominator", "value"]].tolist() == pytest.approx([1, 500, 20.0])


def test_only_the_section_the_link_opens_is_drawn(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    first = run_page(PAGE, {"period": FY})  # a link without a section opens the first: the index, no trends
    assert [c["layout"]["title"]["text"].split("<br>")[0] for c in chart_specs(first)] == [
        "Which areas show most signs of neglect?"
    ]
    trends = run_page(PAGE, {"period": FY, SECTION_KEY: OVER_TIME})
    assert not trends.dataframe and len(chart_specs(trends)) == 4  # a chart for each component with data
