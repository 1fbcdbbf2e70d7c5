"""The board's "what changed" list on hand-built monthly series: which signals surface, in what order, and in
whose name."""

from __future__ import annotations

import pandas as pd

from dashboard.metrics.signals import recent_signals

MONTHS = [
    f"{month} 2026"
    for month in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
]
STEADY = [20, 22] * 6
# mean (6 x 20 + 5 x 22 + 40) / 12 = 22.5; mean moving range (10 x 2 + 18) / 11 = 3.45; upper limit
# 22.5 + 2.66 x 3.45 = 31.7, so December's 40 is outside the limits: more referrals closed with no action
JUMP = [20, 22] * 5 + [20, 40]
# mean 24.75; the last seven months all below it: a shift, and fewer closed with no action is better
FALL = [30, 32, 30, 32, 30, 20, 21, 20, 21, 20, 21, 20]


def _series(values: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"period": MONTHS, "value": [float(v) for v in values]})


def test_recent_signals_by_place_concerns_first() -> None:
    overall = {"referral_nfa_rate": _series(JUMP)}
    by_locality = {
        "referral_nfa_rate": pd.concat(
            [_series(STEADY).assign(locality="L1"), _series(FALL).assign(locality="L2")], ignore_index=True
        )
    }
    signals = recent_signals(overall, by_locality, view_localities={"L1": "North", "L2": "South"})
    assert signals[["place", "point_type", "rule", "period"]].values.tolist() == [
        ["the partnership", "concern", "outside limits", "Dec 2026"],
        ["South", "improvement", "shift", "Dec 2026"],
    ]
    assert signals["summary"].tolist() == [
        "a concern: outside the usual range (latest Dec 2026)",
        "an improvement: a run of months on one side of the average (latest Dec 2026)",
    ]


def test_nothing_recent_gives_an_empty_list() -> None:
    overall = {"referral_nfa_rate": _series(STEADY)}
    by_locality = {"referral_nfa_rate": _series(STEADY).assign(locality="L1")}
    assert recent_signals(overall, by_locality, view_localities={}).empty


def test_a_view_within_one_locality_is_named_after_it_and_not_repeated() -> None:
    # the view is North: its whole is North's series, and North's split would repeat it signal for signal
    overall = {"referral_nfa_rate": _series(JUMP)}
    by_locality = {"referral_nfa_rate": _series(JUMP).assign(locality="L1")}
    signals = recent_signals(overall, by_locality, view_localities={"L1": "North"}, whole="North")
    assert signals[["place", "point_type", "rule"]].values.tolist() == [["North", "concern", "outside limits"]]
