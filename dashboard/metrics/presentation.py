"""Metric results made fit for a screen, a download or an export: small counts suppressed (with what is
built on them, and the cells that would let a total give them away), and the England value alongside."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import pandas as pd

from dashboard.metrics.catalogue import metric
from dashboard.metrics.disclosure import suppress
from data_connectors.config import suppression_threshold

DIMENSION_COLUMNS = ("locality", "ward", "area", "agency", "school", "age_band", "sex", "ethnicity", "factor")


def disclosed(frame: pd.DataFrame, threshold: int | None = None, total_known: bool = False) -> pd.DataFrame:
    """A `compute` result with disclosure control applied: numerators of 1 to threshold-1 hidden, and the
    value and interval built on them. When the result is split (by locality, agency, ...), the parts of a
    period add up to the partnership total shown elsewhere, so secondary suppression protects them.

    `total_known`: an unsplit series whose periods add up to a total shown alongside (a monthly chart next
    to the value over the whole period): secondary suppression then protects the months as well."""
    chosen = metric(frame.attrs["metric"])
    split = [column for column in DIMENSION_COLUMNS if column in frame.columns]
    counts = ["numerator"] + (["denominator"] if chosen.kind == "ratio" else [])
    derived = {"value": counts, "lower": counts, "upper": counts}
    options: dict = {}
    if split:
        options = {"totals": {split[0]: None}, "group_by": "period_start"}
    elif total_known:
        options = {"group_by": []}
    out = suppress(frame, counts, derived_columns=derived, threshold=threshold or suppression_threshold(), **options)
    out.attrs.update({k: v for k, v in frame.attrs.items() if k not in out.attrs})
    return out


def disclosed_counts(
    frame: pd.DataFrame,
    counts: str | Sequence[str],
    *,
    totals: Mapping[str, Hashable | None] | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Counts that are not a metric result (a grid of referrals by level, the steps of a path) with the
    configured disclosure control: small counts hidden; with `totals` (e.g. both axes of a two-way grid,
    None for a total readers can know), enough other cells hidden that no total gives a small count away."""
    return suppress(frame, counts, threshold=threshold or suppression_threshold(), totals=totals)
