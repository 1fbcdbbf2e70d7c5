"""The neglect index: where the signs of neglect concentrate, with every component shown.

Method (documented on the Neglect page too): for each area, each indicator is taken over the whole
period chosen (events over the period; rates per 10,000 children per year of the period). Each indicator
is turned into a z-score across the areas compared (how many standard deviations above or below the
average area it sits), and the index is the mean of an area's z-scores over the indicators that have any
data. An index of +1 means the area sits, on average, one standard deviation above the partnership on the
signs of neglect. Indicators with no events anywhere, or equal everywhere, carry no information and are
left out (and listed as such). It ranks areas for attention; it is not a measure of any child's care.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from dashboard.metrics.catalogue import metric
from dashboard.metrics.compute import Filters, compute, compute_many
from dashboard.metrics.disclosure import suppress
from dashboard.metrics.frames import totals_by, with_columns
from dashboard.metrics.store_overview import tables_with_rows
from data_connectors.config import suppression_threshold

COMPONENTS = (
    "neglect_at_assessment_rate_per_10k",
    "cp_plans_neglect_rate_per_10k",
    "early_help_neglect_rate_per_10k",
    "was_not_brought_rate_per_10k",
    "persistent_absence_rate",
    "neglect_grade_concern_rate",
)


def indicator_by_area(engine: Engine, metric_id: str, filters: Filters, level: str) -> pd.DataFrame:
    """One indicator for each area over the whole period: numerators and denominators added across the
    months, a rate's denominator as child-years (each month's children over twelve), so a rate is per
    10,000 children per year however many months or financial years the period touches."""
    return _over_period(compute(engine, metric_id, filters, by=level, grain="month"), level)


def _over_period(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """A monthly result by area as one indicator per area over the whole period (see `indicator_by_area`)."""
    totals = totals_by(frame, level, ["numerator", "denominator"])
    kind = metric(frame.attrs["metric"]).kind
    if kind == "rate_per_10k":
        totals["denominator"] = totals["denominator"] / 12
    scale = {"ratio": 100.0, "rate_per_10k": 10_000.0}.get(kind, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        totals["value"] = np.where(
            totals["denominator"] > 0, scale * totals["numerator"] / totals["denominator"], np.nan
        )
    return totals


def neglect_index(engine: Engine, filters: Filters | None = None, level: str = "ward") -> pd.DataFrame:
    """Per area: each component's value and z-score, the index, its rank (1 = most signs of neglect) and
    how many components it rests on. `attrs["left_out"]` names components without information."""
    return _index(_indicators(engine, filters or Filters(), level), level)


def neglect_table(engine: Engine, filters: Filters | None = None, level: str = "ward") -> pd.DataFrame:
    """`neglect_index` with each component's numerator and denominator beside it (``<id>_numerator``,
    ``<id>_denominator``, for every component, left out or not): what disclosure control and the page's
    plain words about left-out components need. Same `attrs["left_out"]`."""
    indicators = _indicators(engine, filters or Filters(), level)
    frame = _index(indicators, level)
    areas = frame[level].tolist()
    counts = {}
    for metric_id, indicator in indicators.items():
        for part in ("numerator", "denominator"):
            found = dict(zip(indicator[level].tolist(), indicator[part].tolist(), strict=True))
            whole_or_not = indicator[part].dtype
            counts[f"{metric_id}_{part}"] = np.array([found.get(area, 0) for area in areas], dtype=whole_or_not)
    return with_columns(frame, counts)


def left_out_reasons(table: pd.DataFrame, tables_with_rows: set[str]) -> dict[str, str]:
    """Why each left-out component carries no information, in plain words: its source holds no data yet,
    nothing happened in this view, too few areas have a value, or it is the same everywhere."""
    reasons = {}
    for metric_id in table.attrs.get("left_out", []):
        chosen = metric(metric_id)
        numerator = table.get(f"{metric_id}_numerator", pd.Series(dtype=float))
        denominator = table.get(f"{metric_id}_denominator", pd.Series(dtype=float))
        if chosen.numerator.source not in tables_with_rows:
            reasons[metric_id] = f"no data loaded yet for {chosen.label.lower()}"
        elif numerator.sum() == 0:
            reasons[metric_id] = f"none in this view ({chosen.label.lower()})"
        elif (denominator > 0).sum() < 2:
            reasons[metric_id] = f"fewer than two areas have a value for {chosen.label.lower()}"
        else:
            reasons[metric_id] = f"{chosen.label} is the same in every area, so it cannot tell areas apart"
    return reasons


def component_sources_with_rows(engine: Engine) -> set[str]:
    """The components' source tables that hold any rows at all (an empty one means "not loaded yet")."""
    return tables_with_rows(engine, {metric(metric_id).numerator.source for metric_id in COMPONENTS})


def disclosed_index(table: pd.DataFrame, level: str, threshold: int | None = None) -> pd.DataFrame:
    """The neglect table made fit to show: each component's value and z-score hidden where the count it
    rests on is small (and, as secondary suppression, where the partnership total would give a hidden
    count away), and an area's index hidden where it would give back a hidden component.

    The index is the mean of an area's z-scores, so with every other z-score shown it would reveal a single
    hidden one. Each area's row is therefore treated as a total of its components: where exactly one is
    hidden, one more is hidden (the smallest other non-zero count); only where there is none is the index
    itself hidden (and, because the row totals are treated like any other counts, one more area's index
    with it). A component's count is its numerator, or for a share with no events its denominator (a share
    of 0 out of 3 is as telling as 3). Ranks are then among the areas whose index is shown.
    """
    components = [m for m in COMPONENTS if f"{m}_z" in table.columns]
    work = table.copy()
    keys = []
    for metric_id in components:
        numerator, denominator = work[f"{metric_id}_numerator"], work[f"{metric_id}_denominator"]
        key = numerator if metric(metric_id).kind != "ratio" else numerator.where(numerator > 0, denominator)
        work[f"{metric_id}_count"] = key.fillna(0)
        keys.append(f"{metric_id}_count")
    if not keys:
        return work  # no component carries information: there is nothing to show, so nothing to hide
    threshold = threshold or suppression_threshold()
    # the row's total, offset so that it is never a small count itself (it is never shown): it is hidden
    # only when a row has exactly one hidden component and no other non-zero one to hide beside it
    work["all_components"] = work[keys].sum(axis=1) + threshold
    derived = {f"{m}_{part}": [f"{m}_count"] for m in components for part in ("value", "z")}
    derived |= {"index": ["all_components"], "rank": ["all_components"]}
    out = suppress(
        work,
        [*keys, "all_components"],
        derived_columns=derived,
        threshold=threshold,
        group_by=[],
        total_column="all_components",
    )
    shown = out["index"].notna()
    out.loc[shown, "rank"] = out.loc[shown, "index"].rank(ascending=False, method="min")
    out.attrs.update({k: v for k, v in table.attrs.items() if k not in out.attrs})
    return out


def _indicators(engine: Engine, filters: Filters, level: str) -> dict[str, pd.DataFrame]:
    frames = compute_many(engine, COMPONENTS, filters, by=level, grain="month")
    return {metric_id: _over_period(frames[metric_id], level) for metric_id in COMPONENTS}


def _index(indicators: dict[str, pd.DataFrame], level: str) -> pd.DataFrame:
    """Each component's value and z-score for every area any component has, the index (the mean of an
    area's z-scores), how many it rests on, and the rank, most signs of neglect first. Worked out on plain
    arrays: a page's areas are tens to hundreds of rows, where pandas' alignment would cost more."""
    found = {
        metric_id: dict(zip(indicator[level].tolist(), indicator["value"].tolist(), strict=True))
        for metric_id, indicator in indicators.items()
    }
    areas = sorted(set().union(*found.values()))
    columns: dict[str, np.ndarray] = {}
    zscores, left_out = [], []
    for metric_id, by_area in found.items():
        own = np.array(list(by_area.values()), dtype="float64")
        spread = np.nanstd(own) if np.any(~np.isnan(own)) else np.nan
        if np.count_nonzero(~np.isnan(own)) < 2 or not spread or np.isnan(spread):
            left_out.append(metric_id)
            continue
        value = np.array([by_area.get(area, np.nan) for area in areas], dtype="float64")
        columns[f"{metric_id}_value"] = value
        zscores.append((f"{metric_id}_z", (value - np.nanmean(own)) / spread))
    columns.update(zscores)
    z = np.column_stack([score for _, score in zscores]) if zscores else np.empty((len(areas), 0))
    shown = np.count_nonzero(~np.isnan(z), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        columns["index"] = np.where(shown > 0, np.nansum(z, axis=1) / np.maximum(shown, 1), np.nan)
    columns["components"] = shown.astype("int64")
    frame = pd.DataFrame(columns, index=pd.Index(areas, name=level)).sort_values("index", ascending=False)
    frame["rank"] = frame["index"].rank(ascending=False, method="min")
    frame = frame.reset_index()
    frame.attrs["left_out"] = left_out
    return frame


def method_in_words() -> str:
    """The method paragraph of this module's docstring, as one paragraph for the Neglect page."""
    text = (__doc__ or "").split("Method (documented on the Neglect page too):", 1)[-1]
    return " ".join(text.split())
