"""Confidence intervals checked against published values and hand-worked formulas."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from dashboard.metrics.intervals import Interval, poisson_count, rate_interval, rate_per_10k, wilson, z_value


@pytest.mark.parametrize(
    ("numerator", "denominator", "lower", "upper"),
    [
        # Newcombe RG (1998) "Two-sided confidence intervals for the single proportion: comparison of seven
        # methods", Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score, no continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_1998(numerator, denominator, lower, upper):
    interval = wilson(numerator, denominator)
    assert interval.estimate == pytest.approx(numerator / denominator)
    assert round(interval.lower, 4) == lower
    assert round(interval.upper, 4) == upper


def test_wilson_by_hand_at_99_8_percent():
    # 5 of 10: centre (5 + z^2/2)/(10 + z^2) = 0.5 by symmetry; half-width z*sqrt(2.5 + z^2/4)/(10 + z^2).
    z = 3.090232306167813  # normal quantile for 99.9% (two-sided 99.8%)
    half = z * math.sqrt(2.5 + z * z / 4) / (10 + z * z)
    interval = wilson(5, 10, confidence=0.998)
    assert interval.lower == pytest.approx(0.5 - half)
    assert interval.upper == pytest.approx(0.5 + half)
    assert z_value(0.998) == pytest.approx(z)


def test_wilson_all_events_mirrors_no_events():
    none, every = wilson(0, 20), wilson(20, 20)
    assert every.upper == 1.0
    assert every.lower == pytest.approx(1 - none.upper)


def test_wilson_keeps_series_index_and_gives_nan_for_zero_denominators_without_warnings():
    numerators = pd.Series([3, 0, 0, pd.NA], index=["North", "South", "East", "West"], dtype="Int64")
    denominators = pd.Series([12, 8, 0, 5], index=numerators.index)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        interval = wilson(numerators, denominators)
    assert list(interval.estimate.index) == ["North", "South", "East", "West"]
    assert interval.estimate["North"] == 0.25
    assert interval.lower["South"] == 0.0 and interval.upper["South"] > 0  # 0 of 8 still has an interval
    assert np.isnan(interval.estimate["East"]) and np.isnan(interval.lower["East"]) and np.isnan(interval.upper["East"])
    assert np.isnan(interval.lower["West"])  # a missing numerator stays missing


def test_wilson_refuses_impossible_proportions():
    with pytest.raises(ValueError, match="larger than its denominator"):
        wilson([3, 9], [5, 8])
    with pytest.raises(ValueError, match="negative"):
        wilson(-1, 5)
    with pytest.raises(ValueError, match="confidence"):
        wilson(1, 5, confidence=95)


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [
        # Exact Poisson (Garwood) 95% limits. Count 0: upper 3.689 (epitools/FSA pois.exact documentation:
        # "When x = 0 ... the upper confidence limit pois.exact returns 3.689"). Count 1: the lower limit solves
        # 1 - exp(-mu) = 0.025, so mu = -ln(0.975) = 0.0253 by hand. Count 10: 4.795 to 18.390, the standard
        # tabulated exact limits quoted in the metrics issue.
        (0, 0.0, 3.689),
        (1, 0.0253, 5.572),
        (10, 4.795, 18.390),
    ],
)
def test_exact_poisson_interval_published_values(count, lower, upper):
    interval = poisson_count(count)
    assert interval.lower == pytest.approx(lower, abs=6e-4)
    assert interval.upper == pytest.approx(upper, abs=6e-4)


def test_exact_poisson_count_zero_is_minus_log_alpha():
    # For 0 events the exact upper limit solves exp(-mu) = alpha/2, so mu = -ln(0.025) = 3.68888 at 95%.
    assert poisson_count(0).upper == pytest.approx(-math.log(0.025))
    assert poisson_count(0, confidence=0.998).upper == pytest.approx(-math.log(0.001))


def test_byar_formula_by_hand():
    # Fingertips technical guidance "Rates": O_lower = O(1 - 1/(9O) - z/(3 sqrt O))^3,
    # O_upper = (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3.
    z = 1.959963984540054
    observed = 25
    lower = observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    upper = (observed + 1) * (1 - 1 / (9 * (observed + 1)) + z / (3 * math.sqrt(observed + 1))) ** 3
    interval = poisson_count(observed, method="byar")
    assert interval.lower == pytest.approx(lower)
    assert interval.upper == pytest.approx(upper)
    # On paper: 1 - 1/225 - 1.96/15 = 0.864892, cubed x 25 = 16.174; 1 - 1/234 + 1.96/15.2971 = 1.123853,
    # cubed x 26 = 36.906 (the exact limits are 16.179 and 36.905).
    assert (round(interval.lower, 3), round(interval.upper, 3)) == (16.174, 36.906)


def test_byar_within_0_2_percent_of_exact_from_10_events():
    # PHE Technical Guide: Confidence Intervals (2018), Appendix 1: "For 95% confidence intervals, Byar's method
    # is within 0.2% of the exact value for numerators of 10 or more".
    counts = np.arange(10, 2001)
    exact, byar = poisson_count(counts), poisson_count(counts, method="byar")
    assert np.max(np.abs(byar.lower / exact.lower - 1)) < 0.002
    assert np.max(np.abs(byar.upper / exact.upper - 1)) < 0.002


def test_fingertips_method_switches_from_exact_to_byar_at_10():
    exact, byar, fingertips = (poisson_count([9, 10], method=m) for m in ("exact", "byar", "fingertips"))
    assert fingertips.lower[0] == exact.lower[0] and fingertips.upper[0] == exact.upper[0]
    assert fingertips.lower[1] == byar.lower[1] and fingertips.upper[1] == byar.upper[1]
    assert byar.lower[1] != exact.lower[1]


def test_rate_per_10k_scales_the_count_interval():
    # 10 referrals in 4,000 children: 25.0 per 10,000, exact limits 4.795 and 18.390 events -> 11.99 to 45.98.
    interval = rate_per_10k(10, 4_000)
    assert interval.estimate == pytest.approx(25.0)
    assert interval.lower == pytest.approx(4.7954 * 2.5, abs=1e-3)
    assert interval.upper == pytest.approx(18.3904 * 2.5, abs=1e-3)


def test_rates_vectorised_with_zero_counts_and_zero_populations():
    counts = pd.Series([0, 10, 3], index=["A", "B", "C"])
    populations = pd.Series([2_000, 4_000, 0], index=counts.index)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        interval = rate_interval(counts, populations, per=1_000)
    frame = interval.to_frame("rate")
    assert list(frame.columns) == ["rate", "rate_lower", "rate_upper"]
    assert frame.loc["A", "rate"] == 0.0 and frame.loc["A", "rate_lower"] == 0.0
    assert frame.loc["A", "rate_upper"] == pytest.approx(3.68888 / 2)  # 3.689 events per 2,000 -> per 1,000
    assert frame.loc["B", "rate"] == 2.5
    assert frame.loc["C"].isna().all()


def test_poisson_refuses_negative_counts_and_unknown_methods():
    with pytest.raises(ValueError, match="negative"):
        poisson_count([-1, 3])
    with pytest.raises(ValueError, match="negative"):
        rate_per_10k(3, -100)
    with pytest.raises(ValueError, match="unknown method"):
        poisson_count(3, method="wald")


def test_scalars_in_scalars_out():
    interval = wilson(1, 4)
    assert isinstance(interval, Interval)
    assert all(isinstance(value, float) for value in interval)
