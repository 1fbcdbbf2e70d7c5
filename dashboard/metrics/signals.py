"""Headline measures for a board, and the special-cause signals worth a chair's attention, most important
first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.metrics.catalogue import metric
from dashboard.metrics.spc import xmr_many

HEADLINE_METRICS = (
    "referral_rate_per_10k",
    "rereferral_rate_12m",
    "referral_nfa_rate",
    "decision_within_1wd_rate",
    "threshold_agreement_rate",
    "assessments_within_45wd_rate",
    "icpc_within_15wd_rate",
    "repeat_cp_plan_rate",
)
RECENT_MONTHS = 3
RULE_ORDER = {"outside limits": 0, "shift": 1, "trend": 2, "two of three": 3}
TYPE_ORDER = {"concern": 0, "improvement": 1, "neutral_high": 2, "neutral_low": 2}
RULE_WORDS = {
    "outside limits": "outside the usual range",
    "shift": "a run of months on one side of the average",
    "trend": "a steady rise or fall over seven months",
    "two of three": "two of the last three months near the edge of the usual range",
}


def recent_signals(
    overall: dict[str, pd.DataFrame],
    by_locality: dict[str, pd.DataFrame],
    view_localities: dict[str, str],
    whole: str = "the partnership",
) -> pd.DataFrame:
    """Special-cause points in the last three months of each series (the view as a whole, named `whole`, and
    each locality in it), concerns before improvements, then by the strength of the rule, then the most
    recent. A view within one locality is that locality: its split would repeat the whole, so is left out."""
    series: dict[str, np.ndarray] = {}  # plain arrays: a region has hundreds of series, and pandas slices are slow
    polarity, target = {}, {}
    for metric_id, frame in overall.items():
        series[f"{metric_id}\t{whole}"] = frame["value"].to_numpy(dtype=float, na_value=np.nan)
    for metric_id, frame in by_locality.items():
        localities = frame["locality"].to_numpy(dtype=object)
        values = frame["value"].to_numpy(dtype=float, na_value=np.nan)
        places = sorted({code for code in localities if isinstance(code, str)})  # as groupby: no blank key
        for locality in places if len(places) > 1 else []:
            place = view_localities.get(locality, locality)
            series[f"{metric_id}\t{place}"] = values[localities == locality]
    for key in series:
        chosen = metric(key.split("\t")[0])
        polarity[key], target[key] = chosen.polarity, chosen.target
    if not series:
        return _empty()
    periods = {metric_id: list(frame["period"]) for metric_id, frame in overall.items()}
    charts = xmr_many(series, polarity=polarity, target=target)
    charts.attrs = {}  # the icons by series are not needed here, and pandas copies attrs into every slice
    point = charts.groupby(level=0, sort=False).cumcount()
    points = charts.groupby(level=0, sort=False)["value"].transform("size")
    flagged = charts[
        (point >= points - RECENT_MONTHS) & (charts["special_cause"] != "") & (charts["point_type"] != "common_cause")
    ]
    latest = flagged.groupby(level=0, sort=False).tail(1)  # the most recent signal of each series
    rows = []
    for (key, position), last in zip(latest.index, latest.to_dict("records"), strict=True):
        metric_id, place = str(key).split("\t")
        label = metric(metric_id).label
        months = periods[metric_id]
        position = int(position)
        when = months[position] if position < len(months) else ""
        kind = {"concern": "a concern", "improvement": "an improvement"}.get(last["point_type"], "a change")
        rows.append(
            {
                "metric_id": metric_id,
                "label": label,
                "place": place,
                "point_type": last["point_type"],
                "rule": last["special_cause"],
                "period": when,
                "summary": f"{kind}: {RULE_WORDS.get(last['special_cause'], last['special_cause'])} (latest {when})",
                "order": (TYPE_ORDER.get(last["point_type"], 3), RULE_ORDER.get(last["special_cause"], 4), -position),
            }
        )
    if not rows:
        return _empty()
    return pd.DataFrame(rows).sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["metric_id", "label", "place", "point_type", "rule", "period", "summary"])
