"""SPC (XmR, Making Data Count rules) on hand-built series whose mean, moving range and limits are worked out
in the comments, plus cross-checks against NHSRplotthedots' own tests and snapshots."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.metrics.spc import (
    ASSURANCE_LABELS,
    COLUMNS,
    OUTSIDE,
    SHIFT,
    TREND,
    TWO_OF_THREE,
    VARIATION_LABELS,
    SPCWarning,
    xmr,
    xmr_many,
)

# A steady baseline used by several tests: 9, 11, 9, 11, ... (12 points).
# mean = 10; every moving range is |11 - 9| = 2, so the mean moving range is 2;
# limits 10 +/- 2.66 * 2 = 10 +/- 5.32 -> lpl 4.68, upl 15.32;
# 2-sigma lines 10 +/- (2/3) * 5.32 = 10 +/- 3.5467 -> 6.4533 and 13.5467.
STEADY = [9, 11] * 6


def rules(frame: pd.DataFrame) -> list[str]:
    return frame["special_cause"].tolist()


def flagged(frame: pd.DataFrame) -> dict[int, str]:
    return {i: rule for i, rule in enumerate(rules(frame)) if rule}


def test_frame_shape_and_columns():
    frame = xmr(pd.Series([1.0, 2.0, 3.0], index=pd.period_range("2024-01", periods=3, freq="M"), name="x"))
    assert list(frame.columns) == COLUMNS
    assert list(frame.index.astype(str)) == ["2024-01", "2024-02", "2024-03"]
    assert set(VARIATION_LABELS) >= {frame.attrs["variation"]}


def test_outside_limits():
    # 10, 20, 10, 20, 10, 20, 70, 20, 10, 20, 10, 20: sum 240 -> mean 20.
    # Moving ranges: 10 x 5, |70-20| = 50, |20-70| = 50, 10 x 4 -> 190 / 11 = 17.2727.
    # upl = 20 + 2.66 * 17.2727 = 65.945 (70 is above it), lpl = -25.945;
    # upper 2-sigma = 20 + 30.63 = 50.63: only the 70 is beyond it, so no "two of three".
    # Sides of the mean: 10 below, 20 on the mean, 70 above: no run of 7; no 7 rising or falling.
    values = [10, 20, 10, 20, 10, 20, 70, 20, 10, 20, 10, 20]
    frame = xmr(values, polarity="lower_is_better")
    assert frame["mean"].iloc[0] == pytest.approx(20)
    assert frame["upl"].iloc[0] == pytest.approx(20 + 2.66 * 190 / 11)
    assert frame["lpl"].iloc[0] == pytest.approx(20 - 2.66 * 190 / 11)
    assert flagged(frame) == {6: OUTSIDE}
    assert frame["point_type"].iloc[6] == "concern"  # higher is worse here
    assert frame["point_type"].iloc[5] == "common_cause"
    assert frame.attrs["variation"] == "common_cause"  # the latest point is ordinary


def test_shift_both_sides_and_variation_icon():
    # 8, 9, 8, 9, 8, 9, 8 (sum 59) then 12, 11, 12, 11, 12, 11, 12 (sum 81): mean 140 / 14 = 10.
    # Moving ranges: six of 1, |12-8| = 4, six of 1 -> 16 / 13 = 1.2308; limits 10 +/- 3.274 (inside);
    # 2-sigma lines 10 +/- 2.1826 = 7.817 / 12.183: 8 and 12 are not beyond them.
    values = [8, 9, 8, 9, 8, 9, 8, 12, 11, 12, 11, 12, 11, 12]
    frame = xmr(values, polarity="higher_is_better")
    assert frame["mean"].iloc[0] == pytest.approx(10)
    assert frame["upl"].iloc[0] == pytest.approx(10 + 2.66 * 16 / 13)
    assert rules(frame) == [SHIFT] * 14  # every point of both runs is flagged
    assert frame["point_type"].tolist() == ["concern"] * 7 + ["improvement"] * 7
    assert frame.attrs["variation"] == "improvement_high"


def test_six_in_a_row_is_not_a_shift():
    # 9, 11, 9, then six at 12, then 8, 8, 8: no run reaches 7 on either side.
    # mean = (9+11+9 + 72 + 24) / 12 = 125 / 12 = 10.417; 11 and 12 are above it, 8 and 9 below.
    # Moving ranges 2, 2, 3, 0 x 5, 4, 0, 0 -> 11 / 11 = 1; limits 10.417 +/- 2.66 -> 7.757 .. 13.077;
    # 2-sigma 10.417 +/- 1.7733 -> 8.643 .. 12.190: the 8s are beyond the lower line (2 of 3 below!).
    values = [9, 11, 9, 12, 12, 12, 12, 12, 12, 8, 8, 8]
    frame = xmr(values)
    assert frame["mean"].iloc[0] == pytest.approx(125 / 12)
    assert flagged(frame) == {9: TWO_OF_THREE, 10: TWO_OF_THREE, 11: TWO_OF_THREE}


def test_point_on_the_mean_breaks_a_shift():
    # Below: 9, 8, 9, [10], 8, 9, 8, 9 (deviations from 10 sum to -10); above: 11, 12, 11, 12, 11, 12, 11 (+10).
    # So the mean is exactly 10 and the fourth point sits on it: 3 below, on, 4 below -> no shift there.
    # Moving ranges: 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1 = 16 over 14 -> 8/7;
    # limits 10 +/- 2.66 * 8/7 = 10 +/- 3.04; 2-sigma 10 +/- 2.0267 -> 7.9733 .. 12.0267 (8 and 12 inside).
    values = [9, 8, 9, 10, 8, 9, 8, 9, 11, 12, 11, 12, 11, 12, 11]
    frame = xmr(values)
    assert frame["mean"].iloc[3] == frame["value"].iloc[3] == 10
    assert frame["upl"].iloc[0] == pytest.approx(10 + 2.66 * 8 / 7)
    assert rules(frame) == [""] * 8 + [SHIFT] * 7
    assert frame.attrs["variation"] == "neutral_high"
    assert frame["point_type"].tolist() == ["common_cause"] * 8 + ["neutral_high"] * 7

    # Move that point to 9: the mean falls to 149/15 = 9.933 and 8 below it in a row make a shift. The mean
    # moving range becomes 14/14 = 1, so the 2-sigma lines are 9.933 +/- 1.7733 and the 8s and 12s are beyond
    # them: "two of three" holds too, but a shift comes first.
    values[3] = 9
    frame = xmr(values)
    assert frame["mean"].iloc[0] == pytest.approx(149 / 15)
    assert rules(frame) == [SHIFT] * 15


def test_precedence_outside_limits_over_shift():
    # 6, 7 x 4 (8 points below) then 12, 11, 12, 11, 29, 11, 12 (7 points above): sum 52 + 98 = 150, mean 10.
    # Moving ranges: 1 x 7, |12-7| = 5, 1, 1, 1, |29-11| = 18, 18, 1 -> 52 / 14 = 26/7 = 3.714;
    # upl = 10 + 2.66 * 26/7 = 19.88: 29 is outside and part of the shift above; the outside rule names it.
    values = [6, 7, 6, 7, 6, 7, 6, 7, 12, 11, 12, 11, 29, 11, 12]
    frame = xmr(values)
    assert frame["upl"].iloc[0] == pytest.approx(10 + 2.66 * 26 / 7)
    assert rules(frame) == [SHIFT] * 12 + [OUTSIDE] + [SHIFT] * 2


def test_precedence_shift_over_trend_over_two_of_three():
    # STEADY sets mean 10, upl 15.32, 2-sigma 13.5467 (see the top). Then 11.5 .. 13.0 rising by 0.25:
    # 7 points above the mean and 7 rising. The last two STEADY points, 9 and 11, rise into them, so the trend
    # runs over 9 points from the 9; the shift over 8 from the 11 (above the mean). Where both hold, shift names
    # the point; the 9 (below the mean) is "trend" only.
    rising = [11.5, 11.75, 12.0, 12.25, 12.5, 12.75, 13.0]
    frame = xmr(STEADY + rising, baseline=12)
    assert rules(frame) == [""] * 10 + [TREND] + [SHIFT] * 8

    # A trend crossing the mean whose top two points are beyond the 2-sigma line (13.5467), all in a window of
    # three above the mean: trend comes before two of three. 7 rising points: 7, 8, 9, 11, 12, 14, 15.
    trend = [7, 8, 9, 11, 12, 14, 15, 9]
    frame = xmr(STEADY + trend, baseline=12)
    assert rules(frame) == [""] * 12 + [TREND] * 7 + [""]


def test_trend_rising_through_the_mean_and_its_direction():
    # 11, 14, 8, 14, then 8, 9, 10, 11, 12, 13, 14 (7 points, 6 rises), then 8, 14, 8: sum 154 -> mean 11.
    # Moving ranges 3, 6, 6, 6, 1 x 6, 6, 6, 6 -> 45 / 13 = 3.4615; upl = 11 + 9.208 = 20.21;
    # 2-sigma 11 +/- 6.138 -> 4.862 .. 17.138: nothing beyond. Sides never run to 7.
    values = [11, 14, 8, 14, 8, 9, 10, 11, 12, 13, 14, 8, 14, 8]
    frame = xmr(values, polarity="higher_is_better")
    assert frame["mean"].iloc[0] == pytest.approx(11)
    assert frame["upl"].iloc[0] == pytest.approx(11 + 2.66 * 45 / 13)
    assert flagged(frame) == dict.fromkeys(range(4, 11), TREND)
    # A rising trend is an improvement here even for the points still below the mean.
    assert frame["point_type"].iloc[4:11].tolist() == ["improvement"] * 7
    assert frame.attrs["variation"] == "common_cause"


def test_tie_breaks_a_trend():
    # As above but with 10 twice (8, 9, 10, 10, 11, 12, 13, 14: 8 points, 7 steps, one of them flat) and the
    # first point 12 so the mean stays a round 11 (sum 165 over 15). Rises run 2 then 4: no trend of 6 rises.
    values = [12, 14, 8, 14, 8, 9, 10, 10, 11, 12, 13, 14, 8, 14, 8]
    frame = xmr(values)
    assert frame["mean"].iloc[0] == pytest.approx(11)
    assert flagged(frame) == {}


def test_trends_as_in_nhsrplotthedots_tests():
    # tests/testthat/test-ptd_calculate_point_type.R (nhs-r-community/NHSRplotthedots): c(1:3, 3:6) has no
    # trend (a tie), and in c(2, 1:7, 3) the points 1..7 form one (6 rises: 7 points means 6 increases).
    # For c(2, 1:7, 3): mean 33/9 = 3.667, mean MR (1 x 7 + 4) / 8 = 1.375, upl 7.32, 2-sigma 6.10 / 1.23:
    # only the 7 (above) and the 1 (below) are beyond, never two in three -> the trend is the only rule.
    assert TREND not in rules(xmr([1, 2, 3, 3, 4, 5, 6]))  # (its short limits flag other rules)
    assert flagged(xmr([2, 1, 2, 3, 4, 5, 6, 7, 3])) == dict.fromkeys(range(1, 8), TREND)
    falling = xmr([2, 7, 6, 5, 4, 3, 2, 1, 3], polarity="lower_is_better")
    assert flagged(falling) == dict.fromkeys(range(1, 8), TREND)
    assert falling["point_type"].iloc[1:8].tolist() == ["improvement"] * 7


def test_peak_between_two_trends_takes_the_later_direction():
    # STEADY (mean 10, limits 4.68 .. 15.32, 2-sigma 6.4533 .. 13.5467), then 7 rising to 13 and falling back
    # to 7: two trends sharing the 13. Sides: 3 below, 10 on the mean, 5 above, 10, 3 below: no shift; nothing
    # beyond a 2-sigma line. The 13 counts with the later (falling) trend.
    values = [*STEADY, 7, 8, 9, 10, 11, 12, 13, 12, 11, 10, 9, 8, 7]
    frame = xmr(values, baseline=12, polarity="higher_is_better")
    assert rules(frame) == [""] * 12 + [TREND] * 13
    assert frame["point_type"].iloc[12:18].tolist() == ["improvement"] * 6
    assert frame["point_type"].iloc[18:].tolist() == ["concern"] * 7
    assert frame.attrs["variation"] == "concern_low"


def test_two_of_three_on_one_side_only():
    # STEADY: mean 10, limits 4.68 .. 15.32, 2-sigma lines 6.4533 .. 13.5467. Then:
    # 14, 11, 14: all above the mean, two beyond 13.5467 -> the two 14s are flagged, not the 11 between them;
    # 9, 11, 6, 11, 6: the 6s are beyond the lower line but the window 6, 11, 6 straddles the mean -> nothing;
    # 9, 11 to finish.
    values = STEADY + [14, 11, 14, 9, 11, 6, 11, 6, 9, 11]
    frame = xmr(values, baseline=12, polarity="higher_is_better")
    assert frame["upl"].iloc[-1] == pytest.approx(15.32)
    assert flagged(frame) == {12: TWO_OF_THREE, 14: TWO_OF_THREE}
    assert frame["point_type"].iloc[12] == "improvement"


def test_two_of_three_counts_points_beyond_the_limit():
    # Making Data Count's 2023 logic (NHSRplotthedots issue #194): a point outside the limits counts towards
    # two of three. 16 (outside 15.32), 12, 14 (beyond 13.5467): 16 is "outside limits", 14 "two of three".
    frame = xmr([*STEADY, 16, 12, 14, 9, 11], baseline=12)
    assert flagged(frame) == {12: OUTSIDE, 14: TWO_OF_THREE}


def test_two_close_points_on_opposite_sides_are_common_cause():
    # NHSRplotthedots tests/testthat/test-ptd_spc_standard.R: 1, -1 x 8 with the last two 5.5 and -5.5.
    # mean 0; moving ranges 2 x 13, 6.5, 11 -> 43.5 / 15 = 2.9; 2-sigma 0 +/- 5.143, limits +/- 7.714:
    # both are beyond their 2-sigma lines, but on opposite sides -> common cause.
    values = [1, -1] * 7 + [5.5, -5.5]
    frame = xmr(values)
    assert frame["upl"].iloc[0] == pytest.approx(2.66 * 2.9)
    assert frame["point_type"].tail(2).tolist() == ["common_cause", "common_cause"]


def test_both_screening_modes():
    # 10, 12 x 5 then 50: mean 160/11 = 14.545. Moving ranges: nine of 2 and |50 - 12| = 38 -> 56/10 = 5.6.
    # Excel (default): limits 14.545 +/- 2.66 * 5.6 = +/- 14.896.
    # Screening: 38 >= 3.267 * 5.6 = 18.295 is left out, mean MR = 18/9 = 2 -> limits 14.545 +/- 5.32.
    values = [10, 12] * 5 + [50]
    excel = xmr(values)
    screened = xmr(values, screen_outliers=True)
    assert excel["mean"].iloc[0] == screened["mean"].iloc[0] == pytest.approx(160 / 11)
    assert excel["upl"].iloc[0] == pytest.approx(160 / 11 + 2.66 * 5.6)
    assert screened["upl"].iloc[0] == pytest.approx(160 / 11 + 2.66 * 2)
    assert screened["lpl"].iloc[0] == pytest.approx(160 / 11 - 2.66 * 2)
    assert excel["special_cause"].iloc[-1] == screened["special_cause"].iloc[-1] == OUTSIDE
    # Without a big jump screening changes nothing: every moving range is 2 < 3.267 * 2.
    assert xmr(STEADY, screen_outliers=True)["upl"].iloc[0] == pytest.approx(15.32)


# set.seed(123); rnorm(20) in R, the series NHSRplotthedots snapshots in
# tests/testthat/_snaps/ptd_spc_standard.md (mean_col, lpl and upl printed to 7 significant figures).
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
    -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
    0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def test_limits_match_nhsrplotthedots_snapshots():
    first = xmr(RNORM_123, screen_outliers=True)
    assert first[["mean", "lpl", "upl"]].iloc[0].tolist() == pytest.approx([0.1416238, -3.01138, 3.294627], abs=5e-6)
    jump = list(RNORM_123)
    jump[14] = 10  # y[15] <- 10 in R
    screened = xmr(jump, screen_outliers=True)
    excel = xmr(jump)
    assert screened[["mean", "lpl", "upl"]].iloc[0].tolist() == pytest.approx(
        [0.6694159, -2.383666, 3.722497], abs=5e-6
    )
    assert excel[["mean", "lpl", "upl"]].iloc[0].tolist() == pytest.approx([0.6694159, -4.596625, 5.935457], abs=5e-6)


def test_baseline_fixes_the_limits():
    # Baseline: STEADY (mean 10, limits 4.68 .. 15.32). Later points 12, 13, 12, 13, ... do not move them.
    values = STEADY + [12, 13] * 4
    fixed = xmr(values, baseline=12)
    assert fixed["mean"].unique().tolist() == [10]
    assert fixed["upl"].iloc[-1] == pytest.approx(15.32)
    # The 8 later points are all above 10 (as is the last baseline point, 11): a shift against the baseline.
    assert rules(fixed) == [""] * 11 + [SHIFT] * 9
    # Without the baseline the later points join the mean: (120 + 100) / 20 = 11.
    assert xmr(values)["mean"].iloc[0] == pytest.approx(11)
    # A baseline longer than the series uses all of it.
    assert xmr(values, baseline=50)["mean"].iloc[0] == pytest.approx(11)


def test_short_baseline_warns():
    with pytest.warns(SPCWarning, match="at least 12"):
        xmr(STEADY, baseline=6)
    with pytest.raises(ValueError):
        xmr(STEADY, baseline=1)


def test_rebase_gives_each_segment_its_own_limits():
    # Segment 1: 9, 11 x 6 (mean 10, MR 2); segment 2: 19, 21 x 6 (mean 20, MR 2). The jump 11 -> 19 between
    # them is not a moving range of either. Without the rebase the mean is 15 and each half is a shift.
    values = STEADY + [19, 21] * 6
    months = pd.date_range("2022-01-01", periods=24, freq="MS")
    series = pd.Series(values, index=months)
    rebased = xmr(series, rebase_at=[pd.Timestamp("2023-01-01")])
    assert rebased["mean"].tolist() == [10] * 12 + [20] * 12
    assert rebased["upl"].iloc[0] == pytest.approx(15.32)
    assert rebased["lpl"].iloc[-1] == pytest.approx(20 - 5.32)
    assert flagged(rebased) == {}
    assert rebased.attrs["segments"] == [months[0], months[12]]
    assert xmr(values, rebase_at=[12])["upl"].tolist() == rebased["upl"].tolist()  # by position too
    assert xmr(values, rebase_at=np.array([12]))["upl"].tolist() == rebased["upl"].tolist()
    assert xmr(values, rebase_at=12)["upl"].tolist() == rebased["upl"].tolist()
    assert rules(xmr(values)) == [SHIFT] * 24
    # A baseline applies within each segment: segment 2 gets 7 more points at 24, which do not move its mean
    # (20, from its first 12 points); with its last baseline point (21) they are 8 above it: a shift.
    with_baseline = xmr([*values, *[24] * 7], rebase_at=[12], baseline=12)
    assert with_baseline["mean"].tolist() == [10] * 12 + [20] * 19
    assert rules(with_baseline) == [""] * 23 + [SHIFT] * 8
    with pytest.raises(ValueError):
        xmr(values, rebase_at=[24])


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # A shift: 11, 12, 12, 12 end segment 1 above its mean (10) and 21, 21, 21 start segment 2 above its mean
        # (242/12 = 20.17): 7 in a row only if a run could cross the rebase.
        ([*STEADY, 12, 12, 12], [21, 21, 21, 19, 21, 19, 21, 19, 21, 19, 21, 19]),
        # A trend: 9, 11, 11.5, 12 | 12.5, 13, 13.5 rise 6 times only counting the step across the rebase.
        # (Segment 2: mean 155/12 = 12.92, mean MR 18.5/11 = 1.68: nothing else fires.)
        ([*STEADY, 11.5, 12], [12.5, 13, 13.5, 12, 14, 12, 14, 12, 14, 12, 14, 12]),
        # Two of three: 11, 14 | 25 are above their own means with 14 (> 13.5467) and 25 (segment 2: mean
        # 244/12 = 20.33, mean MR 26/11 = 2.364, 2-sigma line 24.52) beyond: a window only across the rebase.
        ([*STEADY, 14], [25, *[19, 21] * 5, 19]),
    ],
)
def test_nothing_crosses_a_rebase_or_a_series_boundary(before, after):
    rebased = xmr(before + after, baseline=12, rebase_at=[len(before)])
    assert flagged(rebased) == {}
    # The same two pieces as separate series in xmr_many, which lays them end to end.
    many = xmr_many({"before": before, "after": after}, baseline=12)
    assert (many["special_cause"] == "").all()
    assert many["mean"].tolist() == rebased["mean"].tolist()


def test_assurance_icons():
    # STEADY: limits 4.68 .. 15.32.
    assert xmr(STEADY, polarity="higher_is_better", target=3).attrs["assurance"] == "consistently_passing"
    assert xmr(STEADY, polarity="higher_is_better", target=16).attrs["assurance"] == "consistently_failing"
    assert xmr(STEADY, polarity="higher_is_better", target=10).attrs["assurance"] == "hit_and_miss"
    assert xmr(STEADY, polarity="lower_is_better", target=3).attrs["assurance"] == "consistently_failing"
    assert xmr(STEADY, polarity="lower_is_better", target=16).attrs["assurance"] == "consistently_passing"
    assert xmr(STEADY, polarity="neutral", target=16).attrs["assurance"] is None
    assert xmr(STEADY, polarity="higher_is_better").attrs["assurance"] is None
    assert set(ASSURANCE_LABELS) == {"consistently_passing", "consistently_failing", "hit_and_miss"}
    # With a rebase the latest segment's limits decide (segment 2: 14.68 .. 25.32).
    later = xmr(STEADY + [19, 21] * 6, rebase_at=[12], polarity="higher_is_better", target=12)
    assert later.attrs["assurance"] == "consistently_passing"


@pytest.mark.parametrize(
    ("polarity", "ending_high", "icon"),
    [
        ("higher_is_better", True, "improvement_high"),
        ("higher_is_better", False, "concern_low"),
        ("lower_is_better", True, "concern_high"),
        ("lower_is_better", False, "improvement_low"),
        ("neutral", True, "neutral_high"),
        ("neutral", False, "neutral_low"),
    ],
)
def test_variation_icons(polarity, ending_high, icon):
    # The shift series (8, 9, ... then 12, 11, ...; mean 10) ends with a shift above; mirrored (20 - x) below.
    values = [8, 9, 8, 9, 8, 9, 8, 12, 11, 12, 11, 12, 11, 12]
    frame = xmr(values if ending_high else [20 - v for v in values], polarity=polarity)
    assert frame.attrs["variation"] == icon
    assert icon in VARIATION_LABELS


@pytest.mark.parametrize("values", [[], [None, None], [5], [5, None, 7]])
def test_series_too_short_for_limits(values):
    frame = xmr(values, polarity="higher_is_better", target=3)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == len(values)
    assert frame["upl"].isna().all() and frame["lpl"].isna().all()
    assert (frame["special_cause"] == "").all()
    assert frame.attrs["variation"] is None and frame.attrs["assurance"] is None
    assert frame.attrs["notes"]  # says why there are no limits
    observed = [v is not None for v in values]
    assert frame["point_type"].tolist() == ["common_cause" if seen else "missing" for seen in observed]
    if values == [5]:
        assert frame["mean"].iloc[0] == 5


def test_two_points_give_trial_limits():
    # 5, 7: mean 6, one moving range of 2 -> limits 6 +/- 5.32.
    frame = xmr([5, 7], polarity="higher_is_better", target=0)
    assert frame["upl"].tolist() == pytest.approx([11.32, 11.32])
    assert frame["lpl"].tolist() == pytest.approx([0.68, 0.68])
    assert frame.attrs["variation"] == "common_cause"
    assert frame.attrs["assurance"] == "consistently_passing"
    assert "trial limits" in frame.attrs["notes"][0]


def test_missing_months():
    # 9, 11, 9, NaN, 11, 9, 11, 9, 11, 9, 11, 9, 11: mean of the 12 values = 10. Moving ranges are taken only
    # between neighbouring months, so the two around the gap are dropped: ten of 2 -> mean MR 2, upl 15.32.
    values = [9, 11, 9, math.nan, 11, 9, 11, 9, 11, 9, 11, 9, 11]
    frame = xmr(values)
    assert frame["upl"].iloc[3] == pytest.approx(15.32)
    assert frame["point_type"].iloc[3] == "missing" and frame["special_cause"].iloc[3] == ""
    assert frame.attrs["variation"] == "common_cause"

    # A run carries on over a gap: 7 observed points above the mean with a missing month among them.
    # STEADY baseline (mean 10), then 12, 12, 12, None, 12, 12, 12, 12.
    # (The last STEADY point, 11, is above the mean as well and joins the run.)
    gap = xmr([*STEADY, 12, 12, 12, None, 12, 12, 12, 12], baseline=12)
    assert rules(gap) == [""] * 11 + [SHIFT] * 4 + [""] + [SHIFT] * 4
    # A missing latest month: the icon comes from the latest month with a value.
    assert gap.attrs["variation"] == "neutral_high"
    assert xmr([*STEADY, 12, 12, 12, 12, 12, 12, 12, np.inf], baseline=12).attrs["variation"] == "neutral_high"


def test_input_is_not_changed_and_bad_arguments_raise():
    values = np.array([9.0, 11.0, np.inf, 9.0])
    xmr(values)
    assert np.isinf(values[2])
    with pytest.raises(ValueError):
        xmr(STEADY, polarity="up")
    with pytest.raises(TypeError):
        xmr(STEADY, baseline=12.5)


def test_many_series_at_once_match_one_at_a_time():
    # xmr_many lays the series end to end: nothing may leak from one into the next (means, moving ranges,
    # runs, trends, windows), so each slice must equal xmr() on that series alone.
    months = pd.date_range("2023-01-01", periods=15, freq="MS", name="month")
    series = {
        "shift": pd.Series([8, 9, 8, 9, 8, 9, 8, 12, 11, 12, 11, 12, 11, 12, 11], index=months),
        "rising": pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], index=months),
        "gap and rebase": pd.Series([9, 11, 9, None, 11, 9, 11, 19, 21, 19, 21, 19, 21, 25, 25], index=months),
        "empty": pd.Series([], dtype=float, index=pd.DatetimeIndex([], name="month")),
        "one": pd.Series([4.0], index=months[:1]),
    }
    polarity = {"shift": "higher_is_better", "rising": "lower_is_better"}
    target = {"shift": 5, "gap and rebase": 30}
    rebase_at = {"gap and rebase": [pd.Timestamp("2023-08-01")]}
    many = xmr_many(series, polarity=polarity, target=target, rebase_at=rebase_at, screen_outliers=True)
    assert many.index.names == ["series", "month"]
    assert len(many) == 15 * 3 + 1
    for key, values in series.items():
        alone = xmr(
            values,
            polarity=polarity.get(key, "neutral"),
            target=target.get(key),
            rebase_at=rebase_at.get(key),
            screen_outliers=True,
        )
        part = many.xs(key, level="series") if len(values) else many.iloc[:0].droplevel("series")
        pd.testing.assert_frame_equal(part, alone, check_freq=False, check_index_type=False)
        for name in ("variation", "assurance", "notes", "segments"):
            assert many.attrs[name][key] == alone.attrs[name], (key, name)
    assert many.attrs["variation"]["shift"] == "improvement_high"
    assert many.attrs["assurance"]["shift"] == "consistently_passing"
    assert xmr_many({}).columns.tolist() == COLUMNS
