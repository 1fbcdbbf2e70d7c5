"""Statistical process control (SPC) the NHS England "Making Data Count" way: separate signal from noise.

An XmR chart asks whether the latest months differ from what the process usually does. The centre line is
the mean; the process limits are mean +/- 2.66 x the mean moving range (the average month-to-month change),
which is about three sigma. A point is "special cause" when one of four rules fires; everything else is
common-cause variation (noise that needs no explanation). The rules, in order of precedence (a point meeting
several is named after the first):

1. ``outside limits``: a point above the upper or below the lower process limit (a point exactly on a
   limit is inside).
2. ``shift``: 7 or more points in a row on the same side of the mean; a point on the mean breaks the run.
3. ``trend``: 7 or more points in a row each higher (or each lower) than the one before, that is 6 rises
   (or 6 falls) in a row; two equal consecutive values (a tie) break the trend.
4. ``two of three``: 2 of 3 consecutive points beyond the 2-sigma line (two-thirds of the way from the mean
   to a limit) on the same side, all three on that side of the mean. Points beyond the limit count too
   (Making Data Count's 2023 logic); only the points beyond the 2-sigma line are flagged, not the third.

Every point of a qualifying run is flagged. Whether a flagged point is an improvement or a concern depends on
the direction of the signal (above or below the mean; for a trend, rising or falling) and on the polarity of
the measure. Where a point ends a rising trend and starts a falling one, the later trend gives the direction.

Choices, following design.md and NHSRplotthedots (the public reference implementation):

* Moving-range screening: the Making Data Count Excel tool does not screen (our default). With
  ``screen_outliers=True`` moving ranges >= 3.267 x the mean moving range are left out and the mean moving
  range is worked out once more (NHSRplotthedots' default), so one freak jump does not widen the limits.
* Baselines: ``baseline=N`` fixes the mean and limits on the first N points (positions, in each segment) and
  extends them; a segment shorter than N uses all its points. Making Data Count advises at least 12 points
  (15-20 for reliable limits): a shorter baseline gives an SPCWarning, and any segment whose limits rest on
  fewer than 12 values is noted in ``attrs["notes"]`` (no warning: short series are common on dashboards).
* Rebasing: ``rebase_at`` lists where a new segment starts (after a change in the process); each segment has
  its own mean, limits and rules, and no moving range or run crosses a rebase.
* Missing values (NaN, None, +/-inf): the row stays (value NaN, point_type ``"missing"``, no rule). No moving
  range is taken across a gap (as NHSRplotthedots); runs and trends carry on over it, comparing the points
  either side.
* Short series: 0 points give an empty frame; 1 point (or a segment with no two consecutive values) has a
  mean but no limits (no moving range), so no rule is tested (not even shift or trend) and no icon is given;
  from 2 points limits exist (trial limits until 12). Nothing raises for a short series.
* Equality is judged with a relative tolerance of 1e-9, so a rate that is "on the mean" or "equal to last
  month" is not tipped either way by floating-point rounding.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd

Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]

LIMIT_FACTOR = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of two points
TWO_SIGMA_FACTOR = LIMIT_FACTOR * 2 / 3
SCREEN_FACTOR = 3.267  # D4 for moving ranges of two points: the upper limit of the moving-range chart
RUN_LENGTH = 7  # points for a shift or a trend
RECOMMENDED_BASELINE = 12
REL_TOL = 1e-9

OUTSIDE, SHIFT, TREND, TWO_OF_THREE = "outside limits", "shift", "trend", "two of three"
RULES = (OUTSIDE, SHIFT, TREND, TWO_OF_THREE)  # in order of precedence
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
COLUMNS = ["value", "mean", "upl", "lpl", "special_cause", "point_type"]
MISSING = "missing"

VARIATION_LABELS = {
    "common_cause": "Common cause variation: no significant change",
    "improvement_high": "Special cause variation: improvement (higher)",
    "improvement_low": "Special cause variation: improvement (lower)",
    "concern_high": "Special cause variation: concern (higher)",
    "concern_low": "Special cause variation: concern (lower)",
    "neutral_high": "Special cause variation: higher (neither better nor worse)",
    "neutral_low": "Special cause variation: lower (neither better nor worse)",
}
ASSURANCE_LABELS = {
    "consistently_passing": "The target will be met consistently if nothing changes",
    "consistently_failing": "The target will not be met if nothing changes",
    "hit_and_miss": "Hit and miss: the target lies within the limits, so it will be met some months only",
}


def xmr(
    values: Iterable[Any] | pd.Series,
    *,
    screen_outliers: bool = False,
    baseline: int | None = None,
    polarity: Polarity = "neutral",
    target: float | None = None,
    rebase_at: Iterable[Any] | None = None,
) -> pd.DataFrame:
    """XmR chart of one series in time order, with the Making Data Count rules applied.

    values: numbers oldest first (a Series keeps its index, e.g. months). screen_outliers: leave out moving
    ranges >= 3.267 x their mean (NHSRplotthedots) instead of the Excel tool's no screening. baseline: fix the
    mean and limits on the first N points of each segment (N >= 2). polarity: which way is better, for the
    improvement/concern colours and the assurance icon. target: gives the assurance icon. rebase_at: where new
    segments start, as positions (int) or, for a Series, index labels (e.g. a month).

    Returns one row per point: value, mean, upl, lpl, special_cause (rule name or "") and point_type
    (common_cause / improvement / concern / neutral_high / neutral_low, or "missing"). ``attrs`` holds
    "variation" (the icon for the latest point, a VARIATION_LABELS key, or None without limits), "assurance"
    (an ASSURANCE_LABELS key, or None without a target, with a neutral polarity or without limits), "notes"
    (plain-English caveats such as a short baseline) and "segments" (the index label where each segment starts).
    """
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, int | np.integer)):
        raise TypeError(f"baseline must be a whole number of points, not {baseline!r}")
    if baseline is not None and baseline < 2:
        raise ValueError("baseline must be at least 2 points: limits need a moving range")
    if baseline is not None and baseline < RECOMMENDED_BASELINE:
        warnings.warn(
            f"baseline of {baseline} points: Making Data Count advises at least {RECOMMENDED_BASELINE}",
            SPCWarning,
            stacklevel=2,
        )
    index, y = _as_array(values)
    n = y.size
    observed = np.isfinite(y)
    starts = _segment_starts(rebase_at, index, n)

    mean, upl, lpl, two_up, two_low = (np.full(n, np.nan) for _ in range(5))
    rule = np.full(n, "", dtype=object)
    direction = np.zeros(n, dtype=np.int8)
    notes: list[str] = [] if n else ["No values: nothing to chart."]
    for seg, (start, stop) in enumerate(zip(starts, [*starts[1:], n][: len(starts)], strict=True)):
        limits = _limits(y[start:stop], baseline, screen_outliers)
        for column, value in zip((mean, upl, lpl, two_up, two_low), limits[:5], strict=True):
            column[start:stop] = value
        notes.extend(_segment_notes(seg, len(starts), start, limits[5], bool(np.isfinite(limits[1]))))
        positions = start + np.flatnonzero(observed[start:stop])
        if np.isfinite(limits[1]):  # without limits no rule is tested, not even the runs
            rule[positions], direction[positions] = _rules(y[positions], *limits[:5])

    point_type = _point_types(rule, direction, polarity)
    point_type[~observed] = MISSING
    frame = pd.DataFrame(
        {"value": y, "mean": mean, "upl": upl, "lpl": lpl, "special_cause": rule, "point_type": point_type},
        index=index,
    )
    last = np.flatnonzero(observed)[-1] if observed.any() else None
    has_limits = last is not None and not np.isnan(upl[last])
    frame.attrs["variation"] = _variation(point_type[last], direction[last]) if has_limits else None
    frame.attrs["assurance"] = _assurance(polarity, target, upl[last], lpl[last]) if has_limits else None
    frame.attrs["notes"] = notes
    frame.attrs["segments"] = [index[start] for start in starts]
    return frame


class SPCWarning(UserWarning):
    """A chart that can be drawn but should be read with care (e.g. a baseline under 12 points)."""


def _as_array(values: Iterable[Any] | pd.Series) -> tuple[pd.Index, np.ndarray]:
    """Values as floats with NaN for anything missing (None, pd.NA, +/-inf), and the index to return them on."""
    series = values if isinstance(values, pd.Series) else None
    if series is not None:
        raw = series.to_numpy()
    else:
        raw = np.asarray(values if isinstance(values, np.ndarray) else list(values))
    if raw.dtype.kind in "fiub":
        numbers = raw.astype(float)  # a copy: the caller's data is never changed
    else:
        numbers = pd.to_numeric(pd.Series(raw, dtype=object)).astype("Float64").to_numpy(float, na_value=np.nan)
    numbers[~np.isfinite(numbers)] = np.nan
    index = series.index if series is not None else pd.RangeIndex(numbers.size)
    return index, numbers


def _segment_starts(rebase_at: Iterable[Any] | None, index: pd.Index, n: int) -> list[int]:
    """Sorted positions where segments start (always 0 when there are points)."""
    positions = {0}
    for item in rebase_at or ():
        if isinstance(item, int | np.integer) and not isinstance(item, bool):
            position = int(item)
        else:
            found = index.get_loc(item)
            if not isinstance(found, int | np.integer):
                raise ValueError(f"rebase_at label {item!r} matches more than one point")
            position = int(found)
        if not 0 <= position < n:
            raise ValueError(f"rebase_at position {position} is outside the series of {n} points")
        positions.add(position)
    return sorted(positions) if n else []


def _limits(y: np.ndarray, baseline: int | None, screen: bool) -> tuple[float, float, float, float, float, int]:
    """Mean, upper and lower process limits, upper and lower 2-sigma lines, and how many values set them."""
    fixed = y[:baseline] if baseline is not None else y
    count = int(np.isfinite(fixed).sum())
    if count == 0:
        return (np.nan,) * 5 + (0,)
    mean = float(np.nanmean(fixed))
    moving_ranges = np.abs(np.diff(fixed))
    moving_ranges = moving_ranges[np.isfinite(moving_ranges)]  # none across a gap
    if moving_ranges.size == 0:
        return (mean, np.nan, np.nan, np.nan, np.nan, count)
    mean_mr = float(moving_ranges.mean())
    if screen and mean_mr > 0:
        mean_mr = float(moving_ranges[moving_ranges < SCREEN_FACTOR * mean_mr].mean())
    return (
        mean,
        mean + LIMIT_FACTOR * mean_mr,
        mean - LIMIT_FACTOR * mean_mr,
        mean + TWO_SIGMA_FACTOR * mean_mr,
        mean - TWO_SIGMA_FACTOR * mean_mr,
        count,
    )


def _segment_notes(seg: int, segments: int, start: int, count: int, has_limits: bool) -> list[str]:
    """Plain-English caveats for one segment: why it has no limits, or why its limits are only trial ones."""
    where = f"segment {seg + 1} (from position {start})" if segments > 1 else "the series"
    if count == 0:
        return [f"No values in {where}: no mean or limits."]
    if not has_limits:
        return [f"No two consecutive values in {where}: a mean but no process limits, so no rule can be tested."]
    if count < RECOMMENDED_BASELINE:
        return [
            f"Limits for {where} rest on {count} values: trial limits until there are "
            f"{RECOMMENDED_BASELINE} (Making Data Count prefers 15-20)."
        ]
    return []


def _rules(
    y: np.ndarray, mean: float, upl: float, lpl: float, two_up: float, two_low: float
) -> tuple[np.ndarray, np.ndarray]:
    """For the observed points of one segment: the rule each meets first (or "") and its direction (+1/-1)."""
    n = y.size
    tolerance = REL_TOL * max(abs(mean), abs(upl - mean) if np.isfinite(upl) else 0.0)
    side = np.where(np.abs(y - mean) <= tolerance, 0, np.sign(y - mean)).astype(np.int8)
    outside = (y > upl) | (y < lpl)  # False when there are no limits
    shift = _in_runs(side, RUN_LENGTH)

    steps = np.diff(y)
    ties = np.abs(steps) <= REL_TOL * np.maximum(np.abs(y[1:]), np.abs(y[:-1]))
    rises = np.where(ties, 0, np.sign(steps)).astype(np.int8)
    in_trend_steps = _in_runs(rises, RUN_LENGTH - 1)
    trend = np.zeros(n, dtype=bool)
    trend[1:] |= in_trend_steps
    trend[:-1] |= in_trend_steps
    trend_direction = np.zeros(n, dtype=np.int8)
    trend_direction[1:][in_trend_steps] = rises[in_trend_steps]  # as the end of a trend...
    trend_direction[:-1][in_trend_steps] = rises[in_trend_steps]  # ...overwritten by a later trend it starts

    beyond = np.where(y > two_up, 1, np.where(y < two_low, -1, 0)).astype(np.int8)
    two_of_three = _two_of_three(side, beyond)

    conditions = [outside, shift, trend, two_of_three]
    rule = np.select(conditions, list(RULES), default="").astype(object)
    direction = np.select(conditions, [side, side, trend_direction, side], default=0).astype(np.int8)
    return rule, direction


def _in_runs(key: np.ndarray, length: int) -> np.ndarray:
    """True where key is non-zero and part of a run of at least `length` equal consecutive values."""
    n = key.size
    if n < length:
        return np.zeros(n, dtype=bool)
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = key[1:] != key[:-1]
    run_id = np.cumsum(new_run) - 1
    return (key != 0) & (np.bincount(run_id)[run_id] >= length)


def _two_of_three(side: np.ndarray, beyond: np.ndarray) -> np.ndarray:
    """Points beyond a 2-sigma line in a window of 3 on one side of the mean with at least 2 beyond it."""
    n = side.size
    flagged = np.zeros(n, dtype=bool)
    if n < 3:
        return flagged
    sides = np.lib.stride_tricks.sliding_window_view(side, 3)
    beyonds = np.lib.stride_tricks.sliding_window_view(beyond, 3)
    one_side = (sides[:, 0] != 0) & (sides[:, 1] == sides[:, 0]) & (sides[:, 2] == sides[:, 0])
    windows = one_side & ((beyonds == sides[:, :1]).sum(axis=1) >= 2)
    for offset in range(3):
        flagged[offset : n - 2 + offset] |= windows & (beyonds[:, offset] != 0)
    return flagged


def _point_types(rule: np.ndarray, direction: np.ndarray, polarity: Polarity) -> np.ndarray:
    special = rule != ""
    if polarity == "neutral":
        kinds = np.where(direction > 0, "neutral_high", "neutral_low")
    else:
        better = direction * (1 if polarity == "higher_is_better" else -1)
        kinds = np.where(better > 0, "improvement", "concern")
    return np.where(special, kinds, "common_cause").astype(object)


def _variation(point_type: str, direction: int) -> str:
    """The variation icon, from the latest point (as the Making Data Count tools do)."""
    if point_type in ("common_cause", "neutral_high", "neutral_low"):
        return point_type
    return f"{point_type}_{'high' if direction > 0 else 'low'}"


def _assurance(polarity: Polarity, target: float | None, upl: float, lpl: float) -> str | None:
    """Can the process, as it runs now (latest segment's limits), be relied on to meet the target?"""
    if target is None or polarity == "neutral" or not np.isfinite(target):
        return None
    if target > upl:  # every likely value falls below the target
        return "consistently_failing" if polarity == "higher_is_better" else "consistently_passing"
    if target < lpl:
        return "consistently_passing" if polarity == "higher_is_better" else "consistently_failing"
    return "hit_and_miss"
