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
from dashboard.metrics.compute import Filters, compute

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
    frame = compute(engine, metric_id, filters, by=level, grain="month")
    totals = frame.groupby(level, as_index=False)[["numerator", "denominator"]].sum()
    kind = metric(metric_id).kind
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
    filters = filters or Filters()
    values, zscores, left_out = {}, {}, []
    for metric_id in COMPONENTS:
        component = indicator_by_area(engine, metric_id, filters, level).set_index(level)["value"]
        spread = component.std(ddof=0)
        if component.notna().sum() < 2 or not spread or np.isnan(spread):
            left_out.append(metric_id)
            continue
        values[metric_id] = component
        zscores[metric_id] = (component - component.mean()) / spread
    frame = pd.DataFrame(values).add_suffix("_value")
    z = pd.DataFrame(zscores)
    frame = frame.join(z.add_suffix("_z"), how="outer")
    frame["index"] = z.mean(axis=1)
    frame["components"] = z.notna().sum(axis=1)
    frame = frame.sort_values("index", ascending=False)
    frame["rank"] = frame["index"].rank(ascending=False, method="min")
    frame = frame.reset_index().rename(columns={"index_name": level})
    frame.attrs["left_out"] = left_out
    return frame
