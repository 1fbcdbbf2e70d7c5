"""A metric over the whole period of a view, and agencies (or localities) compared fairly over it.

Monthly results from `compute` are added up: counts are exact sums, so the period's value is the total
over the total (a ratio), or events per 10,000 children a year (a rate). Everything returned here has been
through disclosure control (`presentation.disclosed`), so it is ready for a screen or a download.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from dashboard.metrics.catalogue import metric
from dashboard.metrics.disclosure import FLAG_SUFFIX, REASON_COLUMN
from dashboard.metrics.frames import totals_by, with_columns, without_attrs
from dashboard.metrics.funnel import LIMIT_COLUMNS, funnel_axis, proportion_funnel, proportion_limits
from dashboard.metrics.intervals import rate_per_10k, wilson
from dashboard.metrics.presentation import disclosed

SUPPRESSED = "suppressed"
"""The funnel position of a unit whose figures are hidden (where it sits would hint at its count)."""
REASON_SAME_UNIT = "hidden with the unit's other figures"


def period_total(series: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """One row: the metric over the whole period of an unsplit monthly series, suppressed where small.

    Ratios: numerator and denominator added up, value in % with its Wilson interval. Rates: events over the
    average children, scaled to a year (per 10,000 children a year), with an exact Poisson interval. Counts:
    the sum."""
    chosen = metric(series.attrs["metric"])
    attrs, series = series.attrs, without_attrs(series)
    numerator = int(series["numerator"].sum())
    months = len(series)
    if chosen.kind == "ratio":
        denominator = float(series["denominator"].sum())
        share = wilson(numerator, denominator)
        value, lower, upper = (100 * float(v) for v in share)
    elif chosen.kind == "rate_per_10k":
        denominator = float(series["denominator"].mean()) if months else np.nan
        child_years = denominator * months / 12 if months else np.nan
        rate = rate_per_10k(numerator, child_years)
        value, lower, upper = (float(v) for v in rate)
    else:
        denominator = np.nan
        value, lower, upper = float(numerator), np.nan, np.nan
    row = pd.DataFrame(
        {
            "metric": [chosen.id],
            "period_start": [series["period_start"].min() if months else None],
            "period": [_span(series)],
            "numerator": [numerator],
            "denominator": [denominator],
            "value": [value],
            "lower": [lower],
            "upper": [upper],
        }
    )
    row.attrs.update(attrs)
    return disclosed(row, threshold)


def period_totals_by(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """A ratio metric split by `by` (agency, locality, ...), added up over the period: one row per unit
    (in order of `by`; rows without one are left out) with numerator, denominator, value (%) and Wilson 95%
    interval. Not yet suppressed."""
    chosen = metric(frame.attrs["metric"])
    if chosen.kind != "ratio":
        raise ValueError(f"{chosen.id} is a {chosen.kind}: period totals by unit are for ratios")
    sums = totals_by(frame, by, ["numerator", "denominator"])
    share = wilson(sums["numerator"].to_numpy(), sums["denominator"].to_numpy())
    totals = pd.DataFrame(
        {
            "metric": chosen.id,
            "period_start": frame["period_start"].min() if len(frame) else None,
            "period": _span(frame),
            by: sums[by].array,
            "numerator": sums["numerator"].to_numpy(),
            "denominator": sums["denominator"].to_numpy(),
            "value": 100 * share.estimate,
            "lower": 100 * share.lower,
            "upper": 100 * share.upper,
        },
        index=sums.index,
    )
    totals.attrs.update(frame.attrs)
    return totals


def compared_by(frames: Mapping[str, pd.DataFrame], by: str, threshold: int | None = None) -> dict[str, pd.DataFrame]:
    """Several ratio metrics split by the same unit (agency, locality), each added up over the period,
    suppressed, and placed on a funnel plot: {metric id: points}.

    Each result's units add up to the partnership's total, so a small unit is protected by hiding another
    (secondary suppression). The same figure can appear in several results (an agency's referrals are the
    numerator of its share and the denominator of its information quality), so a unit hidden in any of
    them is hidden in all: a figure shown in one place cannot undo its hiding in another.

    Points hold numerator, denominator, value and its 95% interval (in %), and ``funnel_position`` from
    exact binomial limits around the partnership's figure (within, above 95%, ...; "suppressed" where the
    unit is hidden, "no data" where it has no denominator). The position is worked out on the true counts,
    then hidden with them: a point's value times its denominator would reveal its count. ``attrs["target"]``
    is the partnership's figure (%), the centre of the funnel.
    """
    totals = {metric_id: period_totals_by(frame, by) for metric_id, frame in frames.items()}
    points = {metric_id: disclosed(frame, threshold) for metric_id, frame in totals.items()}
    hidden_units = set()
    for shown in points.values():
        flags = shown[[c for c in shown.columns if c.endswith(FLAG_SUFFIX)]].to_numpy(dtype=bool).any(axis=1)
        hidden_units |= set(shown[by].to_numpy()[flags].tolist())
    for metric_id, shown in points.items():
        raw = totals[metric_id]
        usable = raw["denominator"] > 0
        if usable.any():
            placed = proportion_funnel(raw, "numerator", "denominator")
            position = placed["funnel_position"].astype(str).to_numpy()
            target = 100 * float(placed["target"].iloc[0])
        else:
            position = np.full(len(raw), "no data", dtype=object)
            target = np.nan
        hidden = shown[by].isin(hidden_units).to_numpy()
        replaced = _units_hidden(shown, hidden)
        replaced["funnel_position"] = np.where(hidden, SUPPRESSED, position)
        points[metric_id] = with_columns(shown, replaced)
        points[metric_id].attrs["target"] = target
    return points


def funnel_lines(points: pd.DataFrame) -> pd.DataFrame:
    """95% and 99.8% control limits (in %) around the partnership's figure along a smooth axis of
    denominators from half the smallest unit shown to a little beyond the largest, for drawing a funnel plot
    (starting lower would stretch the chart to limits of 0% and 100% that no unit is near)."""
    target = points.attrs.get("target", np.nan)
    shown = points["denominator"].dropna()
    if not (shown > 0).any() or pd.isna(target):
        return pd.DataFrame(columns=["denominator", "target", *LIMIT_COLUMNS])
    axis = funnel_axis(float(shown.max()) * 1.1, smallest=max(1.0, float(shown[shown > 0].min()) / 2))
    limits = proportion_limits(axis, target / 100)
    limits[[c for c in limits.columns if c != "denominator"]] *= 100
    return limits


def _units_hidden(shown: pd.DataFrame, hidden: np.ndarray) -> dict[str, np.ndarray]:
    """The protected columns with every figure of the `hidden` rows hidden, saying why where a figure was
    not hidden already (for `with_columns`)."""
    summary = shown.attrs.get("disclosure", {})
    reasons = shown[REASON_COLUMN].to_numpy(dtype=object).copy()
    replaced: dict[str, np.ndarray] = {}
    for column in [*summary.get("count_columns", []), *summary.get("derived_columns", [])]:
        flag = shown[column + FLAG_SUFFIX].to_numpy(dtype=bool)
        for row in np.flatnonzero(hidden & ~flag):
            reasons[row] = "; ".join(part for part in (reasons[row], f"{column}: {REASON_SAME_UNIT}") if part)
        replaced[column] = np.where(hidden, np.nan, shown[column].to_numpy(dtype="float64"))
        replaced[column + FLAG_SUFFIX] = hidden | flag
    replaced[REASON_COLUMN] = reasons
    return replaced


def _span(frame: pd.DataFrame) -> str:
    """'Apr 2024 to Mar 2025': the labels of the earliest and latest periods (one label for one period)."""
    if frame.empty:
        return ""
    bare = without_attrs(frame)
    starts, labels = bare["period_start"].to_numpy(), bare["period"].to_numpy()
    first, last = labels[starts.argmin()], labels[starts.argmax()]
    return first if first == last else f"{first} to {last}"
