"""Metric results made fit for a screen, a download or an export: small counts suppressed (with what is
built on them, and the cells that would let a total give them away), and the England value alongside."""

from __future__ import annotations

import pandas as pd

from dashboard.metrics.catalogue import metric
from dashboard.metrics.disclosure import suppress
from data_connectors.config import suppression_threshold

DIMENSION_COLUMNS = ("locality", "ward", "area", "agency", "school", "age_band", "sex", "ethnicity", "factor")


def disclosed(frame: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """A `compute` result with disclosure control applied: numerators of 1 to threshold-1 hidden, and the
    value and interval built on them. When the result is split (by locality, agency, ...), the parts of a
    period add up to the partnership total shown elsewhere, so secondary suppression protects them."""
    chosen = metric(frame.attrs["metric"])
    split = [column for column in DIMENSION_COLUMNS if column in frame.columns]
    counts = ["numerator"] + (["denominator"] if chosen.kind == "ratio" else [])
    derived = {"value": counts, "lower": counts, "upper": counts}
    options: dict = {}
    if split:
        options = {"totals": {split[0]: None}, "group_by": "period_start"}
    out = suppress(frame, counts, derived_columns=derived, threshold=threshold or suppression_threshold(), **options)
    out.attrs.update({k: v for k, v in frame.attrs.items() if k not in out.attrs})
    return out
