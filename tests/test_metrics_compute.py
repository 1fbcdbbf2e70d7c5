"""Metrics on the small partnership in tests/metrics_world.py, every expected value worked out by hand,
on DuckDB and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.metrics.__main__ import main as metrics_main
from dashboard.metrics.catalogue import METRICS, metric
from dashboard.metrics.compute import Filters, compute, compute_many
from dashboard.metrics.definitions import Condition, DefinitionError, Measure, Metric, validate
from dashboard.metrics.england import england_value
from dashboard.metrics.materialise import event_tables_current, refresh_event_tables
from dashboard.metrics.neglect import neglect_index
from dashboard.metrics.presentation import disclosed
from dashboard.metrics.thresholds import agreement_matrix
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.metrics_world import A1, A2, write_metrics_world
from tests.reference_data import DFE
from tests.stores import TEST_KEY, new_store_url

H1 = Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One loaded store per engine for the whole module: the metrics only read it."""
    folder = tmp_path_factory.mktemp("metrics")
    url = new_store_url(request.param, folder, request)
    run_load([write_metrics_world(folder / "world")], url, key=TEST_KEY)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _series(frame: pd.DataFrame, column: str = "value") -> dict:
    return dict(zip(frame["period"], frame[column], strict=True))


def test_counts_by_month_with_empty_months_as_zero(engine: sa.Engine) -> None:
    frame = compute(engine, "referrals", H1)
    # R1 Jan, R4 Feb, R3 May, R2 Jun; March and April had none
    assert _series(frame, "numerator") == {
        "Jan 2024": 1,
        "Feb 2024": 1,
        "Mar 2024": 0,
        "Apr 2024": 0,
        "May 2024": 1,
        "Jun 2024": 1,
    }


def test_quarters_and_financial_years_add_up_months(engine: sa.Engine) -> None:
    assert _series(compute(engine, "referrals", H1, grain="quarter"), "numerator") == {"2024 Q1": 2, "2024 Q2": 2}
    # Jan to Mar 2024 fall in 2023-24; Apr to Jun in 2024-25
    assert _series(compute(engine, "referrals", H1, grain="year"), "numerator") == {"2023-24": 2, "2024-25": 2}


def test_rate_per_10k_uses_the_children_of_the_area_split(engine: sa.Engine) -> None:
    frame = compute(
        engine,
        "referral_rate_per_10k",
        Filters(start=dt.date(2024, 4, 1), end=dt.date(2025, 3, 31)),
        by="locality",
        grain="year",
    )
    rows = frame.set_index("locality")
    # 2024-25: NORTH has R2 (C1 in A1), population 2,000 -> 5.0 per 10k; SOUTH has R3, 1,000 -> 10.0
    assert rows.loc["NORTH", "numerator"] == 1 and rows.loc["NORTH", "denominator"] == 2000
    assert rows.loc["NORTH", "value"] == pytest.approx(5.0)
    assert rows.loc["SOUTH", "value"] == pytest.approx(10.0)
    # exact Poisson 95% interval for a count of 1 is 0.0253 to 5.572; per 10,000 of 1,000 children
    assert rows.loc["SOUTH", "lower"] == pytest.approx(0.253, abs=0.001)
    assert rows.loc["SOUTH", "upper"] == pytest.approx(55.72, abs=0.01)


def test_age_band_filter_limits_events_and_population(engine: sa.Engine) -> None:
    filters = Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), age_band=("5-9",))
    frame = compute(engine, "referral_rate_per_10k", filters, grain="year")
    # aged 5-9 at referral: only C3 (born Jan 2019) referred May 2024 (R3), in 2024-25; 1,500 children aged 5
    assert _series(frame, "numerator") == {"2023-24": 0, "2024-25": 1}
    assert _series(frame, "denominator") == {"2023-24": 1500, "2024-25": 1500}


def test_rereferral_nfa_and_decision_timeliness(engine: sa.Engine) -> None:
    year = Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    rereferral = compute(engine, "rereferral_rate_12m", year, grain="year").set_index("period")
    # 2024-25 (Apr 2024 on): R3 and R2; R2 follows C1's R1 of January -> 1 of 2
    assert rereferral.loc["2024-25", ["numerator", "denominator", "value"]].tolist() == [1, 2, 50.0]
    assert rereferral.loc["2023-24", ["numerator", "denominator"]].tolist() == [0, 2]
    nfa = compute(engine, "referral_nfa_rate", year, grain="year").set_index("period")
    assert nfa.loc["2024-25", "value"] == 50.0  # R2
    timely = compute(engine, "decision_within_1wd_rate", year, grain="year").set_index("period")
    # R1 (Fri -> Mon) 1 working day; R4 undecided so not counted; R3 over the bank holiday 1; R2 2
    assert timely.loc["2023-24", ["numerator", "denominator"]].tolist() == [1, 1]
    assert timely.loc["2024-25", ["numerator", "denominator"]].tolist() == [1, 2]


def test_wilson_interval_on_a_ratio(engine: sa.Engine) -> None:
    year = Filters(start=dt.date(2024, 4, 1), end=dt.date(2025, 3, 31))
    row = compute(engine, "rereferral_rate_12m", year, grain="year").iloc[0]
    # Wilson 95% for 1 of 2: centre (1 + 1.9208) / 5.8415 = 0.5, half-width 0.4056 -> 9.45% to 90.55%
    assert row["lower"] == pytest.approx(9.45, abs=0.01)
    assert row["upper"] == pytest.approx(90.55, abs=0.01)


def test_threshold_agreement_over_and_under(engine: sa.Engine) -> None:
    year = Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    # with both levels: R1 3/3 agree, R2 4/2 referrer higher, R3 2/4 referrer lower
    for metric_id, expected in [
        ("threshold_agreement_rate", 1),
        ("over_threshold_rate", 1),
        ("under_threshold_rate", 1),
    ]:
        frame = compute(engine, metric_id, year, grain="quarter")
        assert frame["numerator"].sum() == expected and frame["denominator"].sum() == 3, metric_id


def test_share_by_source_divides_by_all_referrals(engine: sa.Engine) -> None:
    frame = compute(engine, "referrals_by_source", H1, by="agency", grain="quarter").set_index(["period", "agency"])
    # Q1: R1 and R4 from police (6) -> 2 of 2; Q2: R2 and R3 from schools (2A) -> 2 of 2, police 0 of 2
    assert frame.loc[("2024 Q1", "6"), ["numerator", "denominator", "value"]].tolist() == [2, 2, 100.0]
    assert frame.loc[("2024 Q2", "2A"), ["numerator", "denominator", "value"]].tolist() == [2, 2, 100.0]
    assert frame.loc[("2024 Q2", "6"), ["numerator", "denominator", "value"]].tolist() == [0, 2, 0.0]


def test_locality_filter_and_a_school_split(engine: sa.Engine) -> None:
    north = compute(
        engine,
        "referrals",
        Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30), locality=("NORTH",)),
        grain="quarter",
    )
    assert _series(north, "numerator") == {"2024 Q1": 1, "2024 Q2": 1}  # R1, R2 (C1 lives in A1)
    by_school = compute(engine, "referrals", H1, by="school", grain="quarter")
    assert by_school.loc[by_school["school"] == "100001", "numerator"].tolist() == [0, 1]


def test_assessment_timeliness_and_factors(engine: sa.Engine) -> None:
    year = Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    timely = compute(engine, "assessments_within_45wd_rate", year, grain="year").set_index("period")
    # AS1 authorised in March (2023-24) after 44 working days; AS2 in July (2024-25) after 60
    assert timely.loc["2023-24", ["numerator", "denominator"]].tolist() == [1, 1]
    assert timely.loc["2024-25", ["numerator", "denominator"]].tolist() == [0, 1]
    factors = compute(engine, "assessment_factor_prevalence", year, by="factor", grain="year")
    factors = factors[factors["period"] == "2023-24"].set_index("factor")
    assert factors.loc["4B", ["numerator", "denominator"]].tolist() == [1, 1]
    neglect = compute(engine, "neglect_at_assessment_rate_per_10k", year, by="area", grain="year")
    row = neglect[(neglect["period"] == "2024-25") & (neglect["area"] == A2)].iloc[0]
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 1000, 10.0)
    assert neglect[(neglect["area"] == A1)]["numerator"].sum() == 0


# metrics on the contacts and referrals sources: counts, a rate, ratios, and a share by source
TOGETHER = (
    "referrals",
    "referral_rate_per_10k",
    "referral_nfa_rate",
    "rereferral_rate_12m",
    "decision_within_1wd_rate",
    "threshold_agreement_rate",
    "over_threshold_rate",
    "under_threshold_rate",
    "referral_conversion_by_source",
    "referral_information_quality",
    "referrals_by_source",
    "contacts",
    "contact_to_referral_rate",
)


def _together(engine: sa.Engine, by: str) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """compute_many's results, and the counting queries it ran (each groups a source by month)."""
    statements: list[str] = []

    def record(connection, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        frames = compute_many(engine, TOGETHER, H1, by=by, grain="quarter")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return frames, [s for s in statements if "date_trunc" in s]


def _counted(frame: pd.DataFrame, by: str) -> dict[tuple[str, str], list[int]]:
    """(period, split value) -> [numerator] for a count, [numerator, denominator] otherwise."""
    columns = ["numerator"] if metric(frame.attrs["metric"]).kind == "count" else ["numerator", "denominator"]
    return {(row["period"], row[by]): [int(row[c]) for c in columns] for _, row in frame.iterrows()}


def test_metrics_computed_together_match_each_computed_alone(engine: sa.Engine) -> None:
    together, counting = _together(engine, "locality")
    assert len(counting) == 2  # one query for contacts, one for every referral measure
    for metric_id in TOGETHER:
        alone = compute(engine, metric_id, H1, by="locality", grain="quarter")
        pd.testing.assert_frame_equal(together[metric_id], alone, obj=metric_id)
        assert together[metric_id].attrs == alone.attrs
    # NORTH: R1 (Jan: police, levels 3/3, decided in 1 working day, to assessment), R2 (Jun: school, 4/2, 2
    # working days, NFA, re-refers C1); K1 (referral), K2 (advice). SOUTH: R4 (Feb: police, nothing
    # recorded), R3 (May: school, 2/4, 1 working day, to s47); K3 (referral), K4 (NFA). Children: 2,000
    # in NORTH, 1,000 in SOUTH. Cells in the order NORTH Q1, NORTH Q2, SOUTH Q1, SOUTH Q2.
    expected = {
        "referrals": ([1], [1], [1], [1]),
        "referral_rate_per_10k": ([1, 2000], [1, 2000], [1, 1000], [1, 1000]),
        "referral_nfa_rate": ([0, 1], [1, 1], [0, 1], [0, 1]),
        "rereferral_rate_12m": ([0, 1], [1, 1], [0, 1], [0, 1]),
        "decision_within_1wd_rate": ([1, 1], [0, 1], [0, 0], [1, 1]),
        "threshold_agreement_rate": ([1, 1], [0, 1], [0, 0], [0, 1]),
        "over_threshold_rate": ([0, 1], [1, 1], [0, 0], [0, 1]),
        "under_threshold_rate": ([0, 1], [0, 1], [0, 0], [1, 1]),
        "referral_conversion_by_source": ([1, 1], [0, 1], [0, 0], [1, 1]),
        "referral_information_quality": ([1, 1], [1, 1], [0, 1], [1, 1]),
        "referrals_by_source": ([1, 1], [1, 1], [1, 1], [1, 1]),
        "contacts": ([2], [0], [2], [0]),
        "contact_to_referral_rate": ([1, 2], [0, 0], [1, 2], [0, 0]),
    }
    cells = [("2024 Q1", "NORTH"), ("2024 Q2", "NORTH"), ("2024 Q1", "SOUTH"), ("2024 Q2", "SOUTH")]
    for metric_id, values in expected.items():
        assert _counted(together[metric_id], "locality") == dict(zip(cells, values, strict=True)), metric_id
    assert together["referral_rate_per_10k"].set_index(["period", "locality"]).loc[
        ("2024 Q1", "SOUTH"), "value"
    ] == pytest.approx(10.0)


def test_metrics_computed_together_by_agency_match_each_computed_alone(engine: sa.Engine) -> None:
    together, counting = _together(engine, "agency")
    assert len(counting) == 3  # contacts; referrals by agency; all referrals, for the share's denominator
    for metric_id in TOGETHER:
        alone = compute(engine, metric_id, H1, by="agency", grain="quarter")
        pd.testing.assert_frame_equal(together[metric_id], alone, obj=metric_id)
    # police (6) referred R1 and R4 in Q1, schools (2A) R3 and R2 in Q2: each quarter's share is of all 2
    assert _counted(together["referrals_by_source"], "agency") == {
        ("2024 Q1", "2A"): [0, 2],
        ("2024 Q1", "6"): [2, 2],
        ("2024 Q2", "2A"): [2, 2],
        ("2024 Q2", "6"): [0, 2],
    }
    # R1 went to assessment (R4 has no outcome yet); of the schools', R3 went to s47 and R2 was NFA
    assert _counted(together["referral_conversion_by_source"], "agency") == {
        ("2024 Q1", "2A"): [0, 0],
        ("2024 Q1", "6"): [1, 1],
        ("2024 Q2", "2A"): [1, 2],
        ("2024 Q2", "6"): [0, 0],
    }
    # Q1 contacts: police K1 (referral) and K4 (NFA); schools K2 (advice) and K3 (referral)
    assert _counted(together["contact_to_referral_rate"], "agency") == {
        ("2024 Q1", "2A"): [1, 2],
        ("2024 Q1", "6"): [1, 2],
        ("2024 Q2", "2A"): [0, 0],
        ("2024 Q2", "6"): [0, 0],
    }


def test_every_catalogue_metric_computes_on_the_store(engine: sa.Engine) -> None:
    for metric_id in METRICS:
        frame = compute(engine, metric_id, H1, grain="quarter")
        assert list(frame["period"]) == ["2024 Q1", "2024 Q2"], metric_id
        assert (frame["numerator"] >= 0).all(), metric_id


def test_contact_conversion(engine: sa.Engine) -> None:
    frame = compute(engine, "contact_to_referral_rate", H1, grain="quarter")
    assert frame["numerator"].tolist() == [2, 0] and frame["denominator"].tolist() == [4, 0]


def test_a_broken_definition_names_the_metric_and_field() -> None:
    with pytest.raises(DefinitionError, match=r"metric broken_rate: numerator.where: referrals has no column 'colour'"):
        validate(
            Metric(
                "broken_rate",
                "Broken",
                "",
                "ratio",
                Measure("referrals", (Condition("colour", "=", "x"),)),
                Measure("referrals"),
            )
        )
    with pytest.raises(DefinitionError, match=r"metric lonely: denominator: a ratio needs one"):
        validate(Metric("lonely", "Lonely", "", "ratio", Measure("referrals")))
    with pytest.raises(DefinitionError, match=r"metric odd: dimensions: 'school' is not available on health_events"):
        validate(Metric("odd", "Odd", "", "count", Measure("health_events"), dimensions=("school",)))


def test_area_split_shows_areas_without_events(engine: sa.Engine) -> None:
    frame = compute(engine, "referrals", Filters(start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31)), by="area")
    assert frame[["area", "numerator"]].values.tolist() == [[A1, 0], [A2, 0]]


def test_command_line_lists_every_metric(capsys) -> None:
    assert metrics_main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(f"{metric_id}  (" in out for metric_id in METRICS)


def test_command_line_shows_a_metric_for_a_locality(engine: sa.Engine, capsys) -> None:
    url = engine.url.render_as_string(hide_password=False)
    arguments = ["show", "referrals", "--locality", "north", "--from", "2024-01-01", "--to", "2024-06-30"]
    assert metrics_main([*arguments, "--grain", "quarter", "--format", "csv", "--store", url]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str)
    # one referral in each quarter: suppressed as on screen
    assert frame[["period", "numerator"]].values.tolist() == [["2024 Q1", "<5"], ["2024 Q2", "<5"]]
    assert metrics_main(["show", "referrals", "--locality", "Atlantis", "--store", url]) == 1
    assert capsys.readouterr().err.strip() == "error: no locality called Atlantis (localities: North, South)"
    assert metrics_main(["show", "referals", "--store", url]) == 1
    assert "unknown metric 'referals'" in capsys.readouterr().err


def test_threshold_agreement_matrix_by_agency(engine: sa.Engine) -> None:
    matrix = agreement_matrix(engine, H1).set_index(["agency", "referrer_level", "decision_level"])
    # police (6): R1 3 -> 3; schools (2A): R2 4 -> 2, R3 2 -> 4; R4 has no levels
    assert len(matrix) == 2 * 16
    assert matrix["referrals"].sum() == 3
    assert matrix.loc[("6", "3", "3"), ["referrals", "agreement"]].tolist() == [1, "agree"]
    assert matrix.loc[("2A", "4", "2"), ["referrals", "agreement"]].tolist() == [1, "referrer higher"]
    assert matrix.loc[("2A", "2", "4"), ["referrals", "agreement"]].tolist() == [1, "referrer lower"]


def test_a_filter_a_source_cannot_honour_is_named(engine: sa.Engine) -> None:
    frame = compute(engine, "hate_crime_incidents", Filters(agency=("6",)), grain="year")
    assert frame.attrs["filters_not_applied"] == ["agency"]
    assert compute(engine, "referrals", Filters(agency=("6",)), grain="year").attrs["filters_not_applied"] == []


def test_neglect_index_by_area(engine: sa.Engine) -> None:
    frame = neglect_index(engine, Filters(start=dt.date(2024, 4, 1), end=dt.date(2025, 3, 31)), level="area")
    # only neglect at assessment has events: AS2 (factor 16A, C3 in A2) -> A2 1 per 1,000 children = 10 per 10k,
    # A1 0. Mean 5, standard deviation 5: z = +1 for A2, -1 for A1; the index is that one component.
    rows = frame.set_index("area")
    assert rows.loc[A2, "neglect_at_assessment_rate_per_10k_value"] == pytest.approx(10.0)
    assert rows.loc[A2, "index"] == pytest.approx(1.0) and rows.loc[A1, "index"] == pytest.approx(-1.0)
    assert rows.loc[A2, "rank"] == 1 and rows.loc[A2, "components"] == 1
    assert "cp_plans_neglect_rate_per_10k" in frame.attrs["left_out"]


def test_small_counts_are_suppressed_for_display(engine: sa.Engine) -> None:
    frame = disclosed(compute(engine, "referrals_by_source", H1, by="agency", grain="quarter"))
    q2 = frame[frame["period"] == "2024 Q2"].set_index("agency")
    # Q2: schools 2 of 2 is below 5: hidden with its share. Police 0 of 2 would then give the schools' 2
    # away (the quarter's total is shown elsewhere), so it is hidden too, as a secondary suppression.
    assert q2.loc["2A", "numerator_suppressed"] and pd.isna(q2.loc["2A", "value"])
    assert q2.loc["6", "numerator_suppressed"]
    assert q2.loc["6", "suppression_reason"].startswith("numerator: hidden so a total cannot reveal")
    assert frame.attrs["disclosure"]["secondary"] == 2
    plain = disclosed(compute(engine, "referrals", H1, grain="quarter"), threshold=2)
    # with a threshold of 2 only counts of 1 hide: Q1 has 2 referrals and Q2 has 2, both shown
    assert plain["numerator"].tolist() == [2, 2]
    hidden = disclosed(compute(engine, "referrals", H1, grain="month"), threshold=2)
    assert hidden["numerator_suppressed"].tolist() == [True, True, False, False, True, True]  # 1, 1, 0, 0, 1, 1


def test_england_values_come_from_loaded_dfe_statistics(store_url: str) -> None:
    engine = make_engine(store_url)
    assert england_value("rereferral_rate_12m").value == 22.6  # the built-in table, before any load
    run_load([DFE / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"], store_url)
    # as published in DfE's C1 file: 22.6% in 2025, 22.4% in 2024; NFA 6.5% in 2025
    loaded = england_value("rereferral_rate_12m", 2024, engine)
    assert (loaded.value, loaded.year_ending_march, loaded.source) == (
        22.4,
        2024,
        "DfE c1_children_in_need_referrals_and_rereferrals",
    )
    assert england_value("referral_nfa_rate", None, engine).value == 6.5
    assert england_value("contacts", None, engine) is None
    engine.dispose()


def test_flat_event_tables_give_the_same_results(store_url: str, tmp_path) -> None:
    run_load([write_metrics_world(tmp_path / "world")], store_url)
    engine = make_engine(store_url)
    before = {m: compute(engine, m, H1, grain="quarter") for m in METRICS}
    assert refresh_event_tables(engine) is True
    assert refresh_event_tables(engine) is False  # nothing loaded since
    with engine.connect() as connection:
        assert event_tables_current(connection)
    after = {m: compute(engine, m, H1, grain="quarter") for m in METRICS}
    for metric_id in METRICS:
        pd.testing.assert_frame_equal(before[metric_id], after[metric_id], check_dtype=False, obj=metric_id)
    # a new load makes them stale, and results fall back to the live query until rebuilt
    run_load([write_metrics_world(tmp_path / "again")], store_url, source="again")
    with engine.connect() as connection:
        assert not event_tables_current(connection)
    engine.dispose()


def test_reads_run_side_by_side_give_what_one_connection_gives(engine: sa.Engine) -> None:
    # given an engine, a set's queries run on connections of their own in threads; given a connection,
    # one after another: the results must be the same, split or not, rates (with population) included
    threads: set[str] = set()

    def record(*args) -> None:
        threads.add(threading.current_thread().name)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        for by in (None, "locality", "agency"):
            side_by_side = compute_many(engine, TOGETHER, H1, by=by, grain="quarter")
            with engine.connect() as connection:
                in_turn = compute_many(connection, TOGETHER, H1, by=by, grain="quarter")
            for metric_id, frame in in_turn.items():
                pd.testing.assert_frame_equal(side_by_side[metric_id], frame, obj=f"{metric_id} by {by}")
                assert side_by_side[metric_id].attrs == frame.attrs
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert any(name.startswith("store-read") for name in threads)
