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
* Many series: ``xmr_many`` charts a mapping of series exactly as ``xmr`` would, laid end to end in one pass
  of array arithmetic (segments keep them apart), for pages that show every measure for every locality.
* Equality is judged with a relative tolerance of 1e-9, so a rate that is "on the mean" or "equal to last
  month" is not tipped either way by floating-point rounding.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
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
POINT_TYPES = ("common_cause", "improvement", "concern", "neutral_high", "neutral_low", MISSING)
# Columns are built by taking from these (codes 0..n), much faster than making strings point by point.
_RULE_STRINGS = pd.array(["", *RULES], dtype="str")
_POINT_TYPE_STRINGS = pd.array(list(POINT_TYPES), dtype="str")

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
    _check_options(polarity, baseline)
    charts = _charts({None: values}, screen_outliers, baseline, polarity, target, rebase_at)
    frame = pd.DataFrame(charts.columns, index=charts.indexes[0])
    frame.attrs.update({name: found[None] for name, found in charts.attrs.items()})
    return frame


def xmr_many(
    series: Mapping[Hashable, Iterable[Any] | pd.Series],
    *,
    screen_outliers: bool = False,
    baseline: int | None = None,
    polarity: Polarity | Mapping[Hashable, Polarity] = "neutral",
    target: float | None | Mapping[Hashable, float | None] = None,
    rebase_at: Iterable[Any] | None | Mapping[Hashable, Iterable[Any] | None] = None,
) -> pd.DataFrame:
    """xmr() for many series at once (e.g. every measure for every locality on an overview page), as one frame.

    Each series is charted exactly as xmr() would chart it. polarity, target and rebase_at are one value for
    all series or a mapping from series key to value (keys left out get the default). Returns the rows of every
    chart with a (series, point) MultiIndex; attrs "variation", "assurance", "notes" and "segments" are dicts
    keyed by series. All series are worked out together in one pass of array arithmetic, so this is much faster
    than calling xmr() in a loop.
    """
    _check_options("neutral", baseline)
    for key in series:
        _check_options(_pick(polarity, key, "neutral"), None)
    charts = _charts(series, screen_outliers, baseline, polarity, target, rebase_at)
    point_index = charts.indexes[0].append(charts.indexes[1:]) if charts.indexes else pd.Index([])
    series_level = pd.Index(list(series), tupleize_cols=False).repeat([len(index) for index in charts.indexes])
    names = ["series", point_index.name if point_index.name is not None else "point"]
    frame = pd.DataFrame(charts.columns, index=pd.MultiIndex.from_arrays([series_level, point_index], names=names))
    frame.attrs.update(charts.attrs)
    return frame


class SPCWarning(UserWarning):
    """A chart that can be drawn but should be read with care (e.g. a baseline under 12 points)."""


@dataclass(slots=True)
class _Charts:
    columns: dict[str, Any]  # the frame's columns, every series one after another
    indexes: list[pd.Index]  # each series' own index
    attrs: dict[str, dict[Hashable, Any]]  # variation, assurance, notes and segments, by series


def _check_options(polarity: str, baseline: int | None) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    if baseline is None:
        return
    if isinstance(baseline, bool) or not isinstance(baseline, int | np.integer):
        raise TypeError(f"baseline must be a whole number of points, not {baseline!r}")
    if baseline < 2:
        raise ValueError("baseline must be at least 2 points: limits need a moving range")
    if baseline < RECOMMENDED_BASELINE:
        warnings.warn(
            f"baseline of {baseline} points: Making Data Count advises at least {RECOMMENDED_BASELINE}",
            SPCWarning,
            stacklevel=3,
        )


def _pick(value: Any, key: Hashable, default: Any = None) -> Any:
    """An option given once for all series, or per series as a mapping."""
    return value.get(key, default) if isinstance(value, Mapping) else value


def _charts(
    series: Mapping[Hashable, Iterable[Any] | pd.Series],
    screen_outliers: bool,
    baseline: int | None,
    polarity: Any,
    target: Any,
    rebase_at: Any,
) -> _Charts:
    """Every series laid end to end and worked out in one go; segments (a series, or part of one after a
    rebase) keep them apart: no moving range, run or window crosses from one segment into the next."""
    keys = list(series)
    indexes, values, starts, offsets = [], [], [], [0]
    for key in keys:
        index, y = _as_array(series[key])
        indexes.append(index)
        values.append(y)
        starts.append(_segment_starts(_pick(rebase_at, key), index, y.size))
        offsets.append(offsets[-1] + y.size)
    y = np.concatenate(values) if values else np.empty(0)
    segment_starts = np.array(
        [offset + s for offset, local in zip(offsets[:-1], starts, strict=True) for s in local], dtype=np.intp
    )
    segment = np.repeat(np.arange(segment_starts.size), np.diff(np.append(segment_starts, y.size)))
    better = np.repeat([_BETTER[_pick(polarity, key, "neutral")] for key in keys], np.diff(offsets)).astype(np.int8)

    mean, mean_mr, count = _segment_limits(y, segment, segment_starts, baseline, screen_outliers)
    has_limits = np.isfinite(mean_mr)
    upl, lpl = mean + LIMIT_FACTOR * mean_mr, mean - LIMIT_FACTOR * mean_mr
    observed = np.isfinite(y)
    tested = np.flatnonzero(observed & has_limits[segment])  # without limits no rule is tested, not even runs
    rule = np.zeros(y.size, dtype=np.intp)
    direction = np.zeros(y.size, dtype=np.int8)
    rule[tested], direction[tested] = _rules(y[tested], segment[tested], mean, mean_mr, upl, lpl)
    point_type = _point_types(rule, direction, observed, better)

    columns = {
        "value": y,
        "mean": mean[segment],
        "upl": upl[segment],
        "lpl": lpl[segment],
        "special_cause": _RULE_STRINGS.take(rule),
        "point_type": _POINT_TYPE_STRINGS.take(point_type),
    }
    attrs: dict[str, dict[Hashable, Any]] = {"variation": {}, "assurance": {}, "notes": {}, "segments": {}}
    first_segment = 0
    for key, index, local, start, stop in zip(keys, indexes, starts, offsets[:-1], offsets[1:], strict=True):
        segments = range(first_segment, first_segment + len(local))
        first_segment += len(local)
        attrs["segments"][key] = [index[s] for s in local]
        attrs["notes"][key] = _notes(local, count[segments], has_limits[segments])
        seen = np.flatnonzero(observed[start:stop])
        last = start + int(seen[-1]) if seen.size else None
        icons = (None, None)
        if last is not None and has_limits[segment[last]]:
            icons = (
                _variation(point_type[last], direction[last]),
                _assurance(_pick(polarity, key, "neutral"), _pick(target, key), upl[segment[last]], lpl[segment[last]]),
            )
        attrs["variation"][key], attrs["assurance"][key] = icons
    return _Charts(columns, indexes, attrs)


_BETTER = {"higher_is_better": 1, "lower_is_better": -1, "neutral": 0}


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
    if rebase_at is None:
        rebase_at = ()
    elif np.ndim(rebase_at) == 0:  # one position or label given on its own
        rebase_at = [rebase_at]
    positions = {0}
    for item in rebase_at:
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


def _segment_limits(
    y: np.ndarray, segment: np.ndarray, starts: np.ndarray, baseline: int | None, screen: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per segment: the mean, the mean moving range (NaN without one) and how many values set them."""
    segments = starts.size
    used = np.isfinite(y)
    if baseline is not None:
        used &= np.arange(y.size) - starts[segment] < baseline
    count = np.bincount(segment, weights=used, minlength=segments)
    total = np.bincount(segment, weights=np.where(used, y, 0.0), minlength=segments)
    moving_range = np.abs(np.diff(y))
    valid = used[1:] & used[:-1] & (segment[1:] == segment[:-1])  # none across a gap or a rebase
    mr_segment = segment[1:]
    mean_mr = _segment_mean(moving_range, valid, mr_segment, segments)
    if screen:
        cut = SCREEN_FACTOR * mean_mr[mr_segment]
        valid &= (moving_range < cut) | (cut == 0)  # a flat series (mean MR 0) has nothing to screen
        mean_mr = _segment_mean(moving_range, valid, mr_segment, segments)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    return mean, mean_mr, count.astype(int)


def _segment_mean(x: np.ndarray, keep: np.ndarray, segment: np.ndarray, segments: int) -> np.ndarray:
    counts = np.bincount(segment, weights=keep, minlength=segments)
    totals = np.bincount(segment, weights=np.where(keep, x, 0.0), minlength=segments)
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals / counts  # NaN where a segment has none


def _rules(
    y: np.ndarray,
    segment: np.ndarray,
    segment_mean: np.ndarray,
    segment_mr: np.ndarray,
    segment_upl: np.ndarray,
    segment_lpl: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For observed points (in order, of segments with limits): the rule each meets first (a code, 0 for none)
    and the direction of the signal (+1 higher or rising, -1 lower or falling)."""
    n = y.size
    mean, mean_mr = segment_mean[segment], segment_mr[segment]
    starts = np.ones(n, dtype=bool)  # where a segment starts: runs and windows stop there
    starts[1:] = segment[1:] != segment[:-1]

    deviation = y - mean
    side = np.sign(deviation)
    side[np.abs(deviation) <= REL_TOL * np.maximum(np.abs(mean), LIMIT_FACTOR * mean_mr)] = 0  # on the mean

    steps = np.diff(y)
    rises = np.sign(steps)
    rises[np.abs(steps) <= REL_TOL * np.maximum(np.abs(y[1:]), np.abs(y[:-1]))] = 0  # a tie
    rises[starts[1:]] = 0  # no step from one segment into the next
    trend_steps = _in_runs(rises, RUN_LENGTH - 1, starts[1:])
    trend_direction = np.zeros(n)
    trend_direction[1:][trend_steps] = rises[trend_steps]  # as the end of a trend...
    trend_direction[:-1][trend_steps] = rises[trend_steps]  # ...overwritten by a later trend it starts

    two_sigma = TWO_SIGMA_FACTOR * mean_mr
    beyond = (y > mean + two_sigma).astype(np.int8) - (y < mean - two_sigma)
    # Codes are 1 + the rule's place in RULES, set from the last rule to the first so that the first one wins.
    rule = np.zeros(n, dtype=np.intp)
    rule[_two_of_three(side, beyond, starts)] = 4
    rule[trend_direction != 0] = 3
    rule[_in_runs(side, RUN_LENGTH, starts)] = 2
    rule[(y > segment_upl[segment]) | (y < segment_lpl[segment])] = 1  # the very limits shown: on one is inside
    direction = np.where(rule == 3, trend_direction, side)
    direction[rule == 0] = 0
    return rule, direction.astype(np.int8)


def _in_runs(key: np.ndarray, length: int, breaks: np.ndarray) -> np.ndarray:
    """True where key is non-zero and part of a run of at least `length` equal consecutive values (a run also
    ends where `breaks` is True)."""
    new_run = breaks.copy()
    if key.size:
        new_run[0] = True
        new_run[1:] |= key[1:] != key[:-1]
    run_id = np.cumsum(new_run) - 1
    return (key != 0) & (np.bincount(run_id)[run_id] >= length) if key.size else new_run


def _two_of_three(side: np.ndarray, beyond: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Points beyond a 2-sigma line in a window of 3 (in one segment) on one side of the mean with at least 2
    beyond the line on that side."""
    n = side.size
    flagged = np.zeros(n, dtype=bool)
    if n < 3:
        return flagged
    first, second, third = side[:-2], side[1:-1], side[2:]
    windows = (first != 0) & (second == first) & (third == first) & ~starts[1:-1] & ~starts[2:]
    windows &= (beyond[:-2] == first).astype(int) + (beyond[1:-1] == first) + (beyond[2:] == first) >= 2
    for offset in range(3):
        flagged[offset : n - 2 + offset] |= windows & (beyond[offset : n - 2 + offset] != 0)
    return flagged


def _point_types(rule: np.ndarray, direction: np.ndarray, observed: np.ndarray, better: np.ndarray) -> np.ndarray:
    """Codes into POINT_TYPES: which way each special-cause point points, judged by the polarity (better: +1
    higher is better, -1 lower is better, 0 neutral)."""
    judged = direction * better
    kinds = np.where(better == 0, np.where(direction > 0, 3, 4), np.where(judged > 0, 1, 2))
    kinds[rule == 0] = 0
    kinds[~observed] = 5
    return kinds


def _notes(starts: list[int], count: np.ndarray, has_limits: np.ndarray) -> list[str]:
    """Plain-English caveats for a series: why a segment has no limits, or why its limits are only trial ones."""
    if not starts:
        return ["No values: nothing to chart."]
    notes = []
    for number, (start, values, limits) in enumerate(zip(starts, count, has_limits, strict=True), start=1):
        where = f"segment {number} (from position {start})" if len(starts) > 1 else "the series"
        if values == 0:
            notes.append(f"No values in {where}: no mean or limits.")
        elif not limits:
            notes.append(f"No two consecutive values in {where}: a mean but no process limits, so no rule is tested.")
        elif values < RECOMMENDED_BASELINE:
            notes.append(
                f"Limits for {where} rest on {values} values: trial limits until there are "
                f"{RECOMMENDED_BASELINE} (Making Data Count prefers 15-20)."
            )
    return notes


def _variation(point_type: int, direction: int) -> str:
    """The variation icon, from the latest point (as the Making Data Count tools do)."""
    name = POINT_TYPES[point_type]
    if name in ("common_cause", "neutral_high", "neutral_low"):
        return name
    return f"{name}_{'high' if direction > 0 else 'low'}"


def _assurance(polarity: Polarity, target: float | None, upl: float, lpl: float) -> str | None:
    """Can the process, as it runs now (latest segment's limits), be relied on to meet the target?"""
    if target is None or polarity == "neutral" or not np.isfinite(target):
        return None
    if target > upl:  # every likely value falls below the target
        return "consistently_failing" if polarity == "higher_is_better" else "consistently_passing"
    if target < lpl:
        return "consistently_passing" if polarity == "higher_is_better" else "consistently_failing"
    return "hit_and_miss"
