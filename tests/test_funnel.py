"""Funnel-plot limits and positions, with the binomial and Poisson tails worked by hand."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from dashboard.metrics.funnel import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    NO_DATA,
    WITHIN,
    funnel_axis,
    proportion_funnel,
    proportion_limits,
    rate_funnel,
    rate_limits,
)

# Binomial(10, 0.5) upper tail, by hand: P(X >= 10) = 1/1024 = 0.00098, P(X >= 9) = 11/1024 = 0.0107,
# P(X >= 8) = 56/1024 = 0.0547. So 10 of 10 is above 99.8% (0.00098 < 0.001), 9 of 10 above 95% only
# (0.0107 < 0.025), 8 of 10 within; by symmetry 1 of 10 is below 95% and 0 of 10 below 99.8%.
HAND_BINOMIAL = [(0, BELOW_998), (1, BELOW_95), (2, WITHIN), (5, WITHIN), (8, WITHIN), (9, ABOVE_95), (10, ABOVE_998)]


def test_exact_proportion_positions_match_the_binomial_tails_worked_by_hand():
    frame = pd.DataFrame({"unit": [f"u{k}" for k, _ in HAND_BINOMIAL], "yes": [k for k, _ in HAND_BINOMIAL], "n": 10})
    result = proportion_funnel(frame, "yes", "n", target=0.5)
    assert list(result["funnel_position"]) == [position for _, position in HAND_BINOMIAL]
    # The lines sit between the whole counts that the tails put on either side of them.
    row = result.iloc[0]
    assert 0.8 < row["upper_95"] < 0.9 and 0.9 < row["upper_99_8"] < 1.0
    assert 0.1 < row["lower_95"] < 0.2 and 0.0 < row["lower_99_8"] < 0.1
    assert row["lower_95"] == pytest.approx(1 - row["upper_95"])  # symmetric at a target of one half


def test_normal_method_reproduces_fingertips_formula():
    # Fingertips / PHEindicatormethods limits: target +/- z sqrt(target (1 - target) / n).
    # n = 10, target 0.5: 0.5 +/- 1.959964 x 0.158114 = 0.190102 / 0.809898; 99.8%: z = 3.090232 -> 0.011391.
    limits = proportion_limits([10], 0.5, method="normal").iloc[0]
    assert limits["lower_95"] == pytest.approx(0.190102, abs=1e-6)
    assert limits["upper_95"] == pytest.approx(0.809898, abs=1e-6)
    assert limits["lower_99_8"] == pytest.approx(0.011391, abs=1e-6)
    assert limits["upper_99_8"] == pytest.approx(0.988609, abs=1e-6)
    # With 10 of 10 the normal limits also say above 99.8%; 9 of 10 (0.9) is above 95% too.
    frame = pd.DataFrame({"yes": [9, 10], "n": [10, 10]})
    assert list(proportion_funnel(frame, "yes", "n", target=0.5, method="normal")["funnel_position"]) == [
        ABOVE_95,
        ABOVE_998,
    ]


def test_normal_limits_are_clipped_to_0_and_1():
    limits = proportion_limits([4], 0.1, method="normal").iloc[0]  # 0.1 - 1.96 x 0.15 < 0
    assert limits["lower_95"] == 0.0 and limits["lower_99_8"] == 0.0


def test_target_defaults_to_the_overall_proportion_and_limits_narrow_with_size():
    frame = pd.DataFrame({"area": ["A", "B", "C"], "yes": [10, 30, 60], "n": [50, 100, 250]})
    result = proportion_funnel(frame, "yes", "n")
    assert (result["target"] == 100 / 400).all()  # (10 + 30 + 60) / (50 + 100 + 250)
    widths = result["upper_95"] - result["lower_95"]
    assert widths.is_monotonic_decreasing
    assert list(result["value"]) == [0.2, 0.3, 0.24]
    assert list(result["area"]) == ["A", "B", "C"]  # the caller's columns are kept


def test_large_units_far_from_target_are_flagged_both_ways():
    # n = 1,000 at target 0.5: standard error 0.0158, so the 95% limits are about 0.469..0.531 and the 99.8%
    # limits 0.451..0.549: 460 and 540 (z = -/+2.53) fall between them, 400 and 600 (z = -/+6.3) beyond.
    frame = pd.DataFrame({"yes": [400, 460, 500, 540, 600], "n": 1000})
    positions = list(proportion_funnel(frame, "yes", "n", target=0.5)["funnel_position"])
    assert positions == [BELOW_998, BELOW_95, WITHIN, ABOVE_95, ABOVE_998]


def test_zero_denominators_are_no_data_without_warnings():
    frame = pd.DataFrame({"yes": [3, 0, np.nan], "n": [12, 0, 10]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = proportion_funnel(frame, "yes", "n", target=0.25)
    assert list(result["funnel_position"]) == [WITHIN, NO_DATA, NO_DATA]
    assert result.loc[1, ["value", "lower_95", "upper_95"]].isna().all()


def test_proportion_funnel_refuses_numerators_above_denominators():
    with pytest.raises(ValueError, match="between 0 and n"):
        proportion_funnel(pd.DataFrame({"yes": [11], "n": [10]}), "yes", "n")
    with pytest.raises(ValueError, match="target"):
        proportion_limits([10], 1.5)


def test_rate_positions_match_the_poisson_tails_worked_by_hand():
    # Target 2 per 10,000 in a population of 10,000: expected mu = 2.
    # P(X <= 5) = e^-2 (1 + 2 + 2 + 4/3 + 2/3 + 4/15) = 0.98344, so P(X >= 6) = 0.0166 < 0.025: 6 is above 95%,
    # while P(X >= 5) = 1 - e^-2 x 7 = 0.0527: 5 is within. P(X >= 8) = 0.0011 > 0.001 and
    # P(X >= 9) = 0.00024 < 0.001: 8 is above 95% only, 9 above 99.8%. P(X = 0) = e^-2 = 0.135 > 0.025,
    # so a population this small can never be flagged low.
    assert 1 - math.exp(-2) * (1 + 2 + 2 + 4 / 3 + 2 / 3 + 4 / 15) == pytest.approx(0.01656, abs=1e-5)
    frame = pd.DataFrame({"events": [0, 5, 6, 8, 9], "children": 10_000})
    result = rate_funnel(frame, "events", "children", target=2.0)
    assert list(result["funnel_position"]) == [WITHIN, WITHIN, ABOVE_95, ABOVE_95, ABOVE_998]
    row = result.iloc[0]
    assert 5 < row["upper_95"] < 6 and 8 < row["upper_99_8"] < 9  # per 10,000 = events here
    assert row["lower_95"] == 0.0 and row["lower_99_8"] == 0.0


def test_rate_funnel_flags_low_rates_in_large_populations():
    # 100,000 children at 20 per 10,000: mu = 200. 150 events is z = -3.5 (exact tail 0.0002): below 99.8%;
    # 175 is z = -1.77 (tail about 0.04): within. 230 is z = 2.1 (upper tail about 0.02): above 95%.
    frame = pd.DataFrame({"events": [150, 175, 230], "children": 100_000})
    result = rate_funnel(frame, "events", "children", target=20.0)
    assert list(result["funnel_position"]) == [BELOW_998, WITHIN, ABOVE_95]
    assert list(result["value"]) == [15.0, 17.5, 23.0]


def test_rate_funnel_defaults_to_overall_rate_and_handles_zero_population():
    frame = pd.DataFrame({"events": [10, 30, 0], "children": [10_000, 20_000, 0]})
    result = rate_funnel(frame, "events", "children", per=1_000)
    assert result.loc[0, "target"] == pytest.approx(40 / 30_000 * 1_000)
    assert result.loc[2, "funnel_position"] == NO_DATA
    assert np.isnan(result.loc[2, "upper_95"])


def test_rate_limits_for_a_drawing_axis():
    axis = funnel_axis(largest=50_000, smallest=100, points=50)
    assert axis[0] == 100 and axis[-1] == 50_000 and np.all(np.diff(axis) > 0)
    limits = rate_limits(axis, target_rate=25.0)
    assert (limits["upper_99_8"] > limits["upper_95"]).all()
    assert (limits["upper_95"] > 25.0).all() and (limits["lower_95"] < 25.0).all()
    assert (np.diff(limits["upper_95"]) < 0).all()  # the funnel narrows as populations grow


def test_count_limits_from_scipys_inverse_agree_with_bisection_everywhere():
    # The limits come from scipy's inverted binomial distribution where the root is above 1 count and from
    # bisection below it: both must give the same root, to a hundred-thousandth of a child, over sizes and targets.
    from dashboard.metrics.funnel import _binomial_tail_root, _bisected_tail_root

    sizes = np.unique(np.round(np.geomspace(1, 50_000, 200)))
    for target in (1e-9, 0.001, 0.02, 0.3, 0.5, 0.77, 0.999, 1.0):
        for probability in (0.001, 0.025, 0.975, 0.999):
            np.testing.assert_allclose(
                _binomial_tail_root(sizes, target, probability),
                _bisected_tail_root(sizes, target, probability),
                rtol=0,
                atol=1e-5,
            )


def test_a_lower_count_limit_at_or_below_no_children_is_given_as_zero_and_the_rest_exactly():
    # No count can fall below a lower limit of 0 or less, and its proportion is 0 either way: the limits say 0
    # there rather than work out how far below, and elsewhere agree with bisection.
    from dashboard.metrics.funnel import LEVELS, _binomial_count_limits, _bisected_tail_root

    sizes = np.arange(1.0, 300.0)
    for target in (0.02, 0.3):
        limits = _binomial_count_limits(sizes, target)
        for suffix, confidence in LEVELS.items():
            exact = _bisected_tail_root(sizes, target, 1 - (1 - confidence) / 2) - 1
            lower = limits[suffix][0]
            assert (exact <= 0).sum() >= 5 and (lower[exact <= 0] == 0).all()
            np.testing.assert_allclose(lower[exact > 0], exact[exact > 0], rtol=0, atol=1e-5)
