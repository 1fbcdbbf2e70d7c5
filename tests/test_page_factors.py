"""The assessment factors page under AppTest: prevalence, the England comparison and the co-occurrence explorer
equal the metrics layer's for the same view, worked out by hand on tests/factors_world.py, small counts hidden."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from dashboard.metrics.compute import Filters, compute
from dashboard.metrics.cooccurrence import factor_pairs
from dashboard.metrics.factors import cooccurrence, factor_counts, factor_rows, pairs_with, prevalence_over_period
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.app_pages import run_page
from tests.chart_specs import chart_titled, trace
from tests.factors_world import N, write_factors_world
from tests.stores import TEST_KEY, new_store_url

PAGE = "pages/factors.py"
FY = "Financial year 2024-25"
FY_FILTERS = Filters(start=dt.date(2024, 4, 1), end=dt.date(2025, 3, 31))
PREVALENCE_CHART = "Which factors are identified most often at assessment?"
PAIRS_CHART = "Which factors are recorded with self-harm more often than chance?"


@pytest.fixture(scope="module")
def world_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("factors")
    url = new_store_url("duckdb", folder, request)
    run_load([write_factors_world(folder / "world")], url, key=TEST_KEY)
    return url


def _tables(app) -> tuple[pd.DataFrame, pd.DataFrame]:
    england, pairs = (frame.value for frame in app.dataframe)
    return england.set_index("Factor"), pairs.set_index("Recorded with")


def test_prevalence_and_england_equal_the_metrics_layer(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE, {"period": FY})
    engine = make_engine(world_url)
    prevalence = prevalence_over_period(compute(engine, "assessment_factor_prevalence", FY_FILTERS, by="factor"))
    bars = trace(chart_titled(app, PREVALENCE_CHART))
    drawn = dict(zip(bars["y"], bars["x"], strict=True))
    for row in prevalence.itertuples():
        name = next(label for label in drawn if label.startswith(f"{row.factor} "))
        if row.numerator >= 5:
            assert drawn[name] == pytest.approx(row.value)
        else:  # 21 "no factors identified": 4 of 40, hidden with its share
            assert name.endswith("(suppressed)") and math.isnan(drawn[name])
    # by hand: self-harm at 10 of 40 completed assessments = 25%; parental mental health 16 of 40 = 40%
    assert drawn["15A Self-harm"] == pytest.approx(25.0)
    assert drawn["4B Mental health: parent or carer"] == pytest.approx(40.0)

    england, _ = _tables(app)
    # England's basis: of the 36 assessments with a factor other than 21. Self-harm 10 / 36 = 27.8%; Wilson's
    # interval is (10 + 1.92) / 39.84 +/- 1.96 x sqrt(10 x 26 / 36 + 0.96) / 39.84 = 29.9% +/- 14.1%, i.e.
    # 15.8% to 44.0%, far above England's 25,470 of 513,250 = 5.0%. Domestic abuse (3B) 6 / 36 = 16.7%, whose
    # interval (7.9% to 31.9%) just holds England's 31.7%: lower, but it could be chance, so "similar".
    assert england.loc["15A Self-harm"].tolist() == ["10", "36", "27.8", "15.8", "44.0", "5.0", "higher than England"]
    assert england.loc["3B Domestic abuse: parent or carer is the subject", "Share (%)"] == "16.7"
    assert england.loc["3B Domestic abuse: parent or carer is the subject", "Compared with England"] == (
        "similar to England"
    )
    assert "21 No factors identified" not in england.index  # England publishes no share for it


def test_the_explorer_shows_self_harm_with_lift_and_odds_ratio(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE, {"period": FY})
    engine = make_engine(world_url)
    assert "**15A Self-harm** was identified at 10 of 40 completed assessments in this view." in [
        m.value for m in app.markdown
    ]
    _, pairs = _tables(app)
    expected = pairs_with(cooccurrence(factor_counts(engine, FY_FILTERS), N), "15A").set_index("other")
    # by hand: self-harm and parental mental health together at 8 where chance gives 10 x 16 / 40 = 4: lift 2;
    # the 2x2 table 8, 2, 8, 22 gives an odds ratio of 8 x 22 / (2 x 8) = 11
    mental_health = pairs.loc["4B Mental health: parent or carer"]
    assert mental_health[
        ["Assessments with both", "With the other factor", "Expected together by chance"]
    ].tolist() == [
        "8",
        "16",
        "4.0",
    ]
    assert mental_health[["Lift", "Odds ratio"]].tolist() == ["2.00", "11.00"]
    row = expected.loc["4B"]
    assert mental_health["95% interval from"] == f"{row['or_lower']:.2f}"
    assert mental_health["to"] == f"{row['or_upper']:.2f}"
    assert mental_health["Adjusted p (BH)"] == f"{row['p_adjusted']:.3g}"
    # with domestic abuse only once: the count is hidden and so is everything built on it
    domestic = pairs.loc["3B Domestic abuse: parent or carer is the subject"]
    assert domestic[
        ["Assessments with both", "With the other factor", "Lift", "Odds ratio", "Adjusted p (BH)"]
    ].tolist() == [
        "<5",
        "6",
        "c",
        "c",
        "c",
    ]
    assert list(pairs.index)[-1].startswith("3B ")  # hidden pairs go last, whatever their p-value
    # the chart draws the same odds ratios, hidden pairs with no dot
    dots = trace(chart_titled(app, PAIRS_CHART))
    drawn = dict(zip(dots["y"], dots["x"], strict=True))
    assert drawn["4B Mental health: parent or carer"] == pytest.approx(11.0)
    assert math.isnan(drawn["3B Domestic abuse: parent or carer is the subject (suppressed)"])
    reading = " ".join(c.value for c in app.caption)
    assert "2 means twice as often together as chance would give" in reading
    assert "a question to audit, not a finding" in reading


def test_another_factor_chosen_in_the_link(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE, {"period": FY, "with_factor": "4B Mental health: parent or carer"})
    _, pairs = _tables(app)
    # parental mental health (AF03-AF18) with domestic abuse (AF10-AF15): all 6 together
    assert pairs.loc["3B Domestic abuse: parent or carer is the subject", "Assessments with both"] == "6"
    assert pairs.loc["15A Self-harm", "Lift"] == "2.00"
    assert "**4B Mental health: parent or carer** was identified at 16 of 40 completed assessments in this view." in [
        m.value for m in app.markdown
    ]


def test_a_locality_filter_reaches_every_part(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    monkeypatch.setenv("LOS_SUPPRESSION_THRESHOLD", "1")
    app = run_page(PAGE, {"period": FY, "locality": ["North"]})
    north = Filters(locality=("NORTH",), start=FY_FILTERS.start, end=FY_FILTERS.end)
    engine = make_engine(world_url)
    prevalence = prevalence_over_period(compute(engine, "assessment_factor_prevalence", north, by="factor"))
    completed = int(prevalence["denominator"].max())
    assert completed == N // 2  # the odd-numbered children live in the north
    england, pairs = _tables(app)
    expected = pairs_with(cooccurrence(factor_counts(engine, north), completed), "15A").set_index("other")
    assert len(pairs) == len(expected)
    for code, row in expected.iterrows():
        label = next(name for name in pairs.index if name.startswith(f"{code} "))
        assert pairs.loc[label, "Assessments with both"] == f"{row['n_both']:.0f}"
        assert pairs.loc[label, "Lift"] == f"{row['lift']:.2f}"
        assert pairs.loc[label, "Odds ratio"] == f"{row['odds_ratio']:.2f}"
    # self-harm in the north: AF01, 03, 05, 07, 09 = 5 of 20
    assert england.loc["15A Self-harm", "Assessments with the factor"] == "5"


def test_a_view_with_no_assessments_says_so(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE, {"period": FY, "age": ["0-4"]})  # every child here is 14
    assert [i.value for i in app.info] == [
        "No completed assessments with factors in this view: widen the period, or choose another locality or agency."
    ]


def test_only_pairs_together_more_often_than_chance_are_flagged(world_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", world_url)
    app = run_page(PAGE, {"period": FY})
    _, pairs = _tables(app)
    expected = pairs_with(cooccurrence(factor_counts(make_engine(world_url), FY_FILTERS), N), "15A").set_index("other")
    # self-harm never with "other" (20): a significant pair, but apart, not together; not flagged
    assert expected.loc["20", "n_both"] == 0 and expected.loc["20", "p_adjusted"] < 0.05
    assert pairs.loc["20 Other", "Worth a look"] == ""
    flagged = {code for code, row in expected.iterrows() if row["p_adjusted"] < 0.05 and row["lift"] > 1}
    assert {name.split()[0] for name in pairs.index[pairs["Worth a look"] == "yes"]} == flagged


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def both_stores(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp(f"factors-{request.param}")
    url = new_store_url(request.param, folder, request)
    run_load([write_factors_world(folder / "world")], url, key=TEST_KEY)
    return url


def test_pairs_counted_in_the_store_equal_pairs_counted_from_the_rows(both_stores: str) -> None:
    """The page counts factors and pairs in the store; the notebook function counts the long table: they agree,
    pair by pair, on both engines."""
    engine = make_engine(both_stores)
    counts = factor_counts(engine, FY_FILTERS)
    # by hand (tests/factors_world.py): 40 completed assessments, 36 with a factor other than 21, self-harm at
    # 10, parental mental health at 16, the two together at 8
    assert (counts.assessments, counts.with_any) == (40, 36)
    assert (counts.per_factor["15A"], counts.per_factor["4B"], counts.per_pair[("15A", "4B")]) == (10, 16, 8)
    from_store = cooccurrence(counts, N)
    from_rows = factor_pairs(factor_rows(engine, FY_FILTERS), n_assessments=N)
    pd.testing.assert_frame_equal(from_store, from_rows, check_dtype=False)
