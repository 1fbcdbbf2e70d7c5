"""Who is referred, when, and how each referral's episode will unfold.

Referrals are simulated month by month so re-referrals are real: a re-referral goes to a child whose
previous referral was less than 12 months earlier and whose episode has closed, and the number of them
each month follows the planted re-referral rate (signal 6: a step change at the change month). The
shape of each episode (source, route, durations) is drawn up front and does not depend on the child,
so the whole month can be handled at once; the GP's high no-further-action rate (signal 5) is part of
that shape.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from data_connectors.demo.calendar import change_month, month_starts
from data_connectors.demo.children import Children, draw_ages, draw_areas, last_child_day
from data_connectors.demo.context import (
    REFERRALS_PER_MONTH,
    Partnership,
    Rates,
    uniform_dates,
    weighted_sample,
)
from data_connectors.demo.geography import Place
from data_connectors.demo.schools import Schools
from data_connectors.demo.signals import CSE_REFERRAL_RAMP, SignalPlan

# Referral sources, % of referrals: police 28 and schools 21 (DfE 2025 via Social Work Today); the rest
# from the 2020 EES C5 split (health 15, LA services 14, individuals 8, other 4.5, other legal 3.5 ...).
SOURCES = {
    "6": 28.0,
    "2A": 21.0,
    "3A": 3.5,
    "3B": 3.0,
    "3C": 1.5,
    "3D": 2.0,
    "3E": 3.0,
    "3F": 2.0,
    "5A": 4.0,
    "5B": 3.0,
    "5C": 2.0,
    "5D": 5.0,
    "1A": 4.5,
    "1B": 1.5,
    "1C": 1.0,
    "1D": 1.0,
    "8": 4.5,
    "7": 3.5,
    "2B": 2.0,
    "9": 1.8,
    "10": 1.0,
    "4": 1.2,
}
SCHOOL_AGE_SHARE = 0.77  # share of referrals for children aged 4+ (schools cannot refer younger ones)
# Routes after the front-door decision, for referrals that are not NFA.
ROUTES = {"ADVICE": 2.5, "STEP_DOWN": 1.8, "OTHER": 0.4, "S47": 20.0, "ASSESSMENT": 75.3}
ASSESSMENT_OUTCOMES = {"NFA": 36.0, "STEP_DOWN": 14.0, "CIN_PLAN": 24.0, "S47": 24.0, "OTHER": 2.0}
S47_OUTCOMES = {
    "ICPC": 31.0,
    "CONTINUE_ASSESSMENT": 30.0,
    "NFA": 18.0,
    "SERVICES": 10.0,
    "MONITOR": 7.0,
    "LEGAL": 1.0,
    "OTHER": 3.0,
}
# CP plan durations when they end (EES D7 2025): <=3m 15.9%, 3-6m 11.0%, 6-12m 43.5%, 1-2y 25.2%, 2y+ 4.4%.
PLAN_BANDS = ((15.9, 20, 91), (11.0, 92, 182), (43.5, 183, 365), (25.2, 366, 730), (4.4, 731, 1100))
SEASON = np.array([1.02, 1.0, 1.08, 0.95, 1.05, 1.05, 1.0, 0.78, 1.0, 1.08, 1.08, 0.9])
REREFERRAL_DAYS = 364  # a re-referral comes at most 364 days after the previous referral ...
LONG_GAP_DAYS = 367  # ... and a repeat that is not a re-referral at least 367 days after (unambiguous)


@dataclass
class ReferralChain:
    """Referrals in date order: the child (position in Children), date, kind and episode shape."""

    child: np.ndarray
    date: np.ndarray
    kind: np.ndarray  # 0 first or new, 1 re-referral within 12 months, 2 repeat after 12 months
    plan: pd.DataFrame


def _calendar(wd: np.ndarray) -> np.ndarray:
    """A generous calendar-day length for a number of working days (weekends, holidays, spare)."""
    return np.ceil(np.asarray(wd) * 1.45).astype(np.int64) + 5


def draw_episodes(
    rng: np.random.Generator,
    n: int,
    rates: Rates,
    *,
    source: str | None = None,
    no_nfa: bool = False,
    quick: bool = False,
) -> pd.DataFrame:
    """The shape of n referral episodes: source, route, every duration and a generous closure estimate."""
    if source is None:
        weights = dict(SOURCES)
        school = SOURCES["2A"] / 100 / SCHOOL_AGE_SHARE
        weights = {
            k: (school * 100 if k == "2A" else v * (1 - school) / (1 - SOURCES["2A"] / 100))
            for k, v in weights.items()
        }
        codes = np.array(list(weights), dtype=object)
        w = np.array(list(weights.values()))
        src = codes[rng.choice(len(codes), n, p=w / w.sum())]
    else:
        src = np.full(n, source, dtype=object)
    nfa_rate = np.where(src == "3A", rates.nfa_gp, rates.nfa_other)
    nfa = (rng.random(n) < nfa_rate) & (not no_nfa)
    route_codes = np.array(list(ROUTES), dtype=object)
    rw = np.array(list(ROUTES.values()))
    if no_nfa:
        rw = np.array([0.0, 0.0, 0.0, 35.0, 65.0])
    route = np.where(nfa, "NFA", route_codes[rng.choice(len(route_codes), n, p=rw / rw.sum())])

    decision_wd = rng.choice([0, 1, 2, 3, 4, 5], n, p=[0.57, 0.31, 0.05, 0.035, 0.02, 0.015])
    lag_wd = rng.choice([0, 1, 2, 3, 4, 5], n, p=[0.3, 0.25, 0.2, 0.12, 0.08, 0.05])
    median = 12 if quick else 23
    total_wd = np.clip(np.round(median * np.exp(rng.normal(0, 0.6, n))), 3, 140).astype(np.int64)
    total_wd = np.maximum(total_wd, decision_wd + lag_wd + 2)
    ao_codes = np.array(list(ASSESSMENT_OUTCOMES), dtype=object)
    aw = np.array(list(ASSESSMENT_OUTCOMES.values()))
    assess_outcome = ao_codes[rng.choice(len(ao_codes), n, p=aw / aw.sum())]
    so_codes = np.array(list(S47_OUTCOMES), dtype=object)
    sw = np.array(list(S47_OUTCOMES.values()))
    s47_outcome = so_codes[rng.choice(len(so_codes), n, p=sw / sw.sum())]
    has_s47 = (route == "S47") | ((route == "ASSESSMENT") & (assess_outcome == "S47"))
    # On the S47 route the assessment runs alongside the enquiry and concludes in step with it.
    on_s47_route = route == "S47"
    assess_outcome = np.where(
        on_s47_route,
        np.select([s47_outcome == "ICPC", s47_outcome == "NFA"], ["S47", "NFA"], "CIN_PLAN"),
        assess_outcome,
    )
    s47_frac = rng.uniform(0.15, 0.8, n)
    s47_wd = np.clip(np.round(12 * np.exp(rng.normal(0, 0.45, n))), 2, 60).astype(np.int64)
    icpc_wd = np.clip(np.round(11 * np.exp(rng.normal(0, 0.37, n))), 3, 45).astype(np.int64)
    plan_made = rng.random(n) < 0.86
    band = rng.choice(len(PLAN_BANDS), n, p=np.array([b[0] for b in PLAN_BANDS]) / 100)
    lows = np.array([b[1] for b in PLAN_BANDS])
    highs = np.array([b[2] for b in PLAN_BANDS])
    plan_days = (lows[band] + rng.random(n) * (highs[band] - lows[band])).astype(np.int64)
    cin_days = np.clip(np.round(200 * np.exp(rng.normal(0, 0.6, n))), 40, 900).astype(np.int64)
    after_plan_days = np.where(rng.random(n) < 0.5, 0, rng.integers(14, 120, n))
    other_days = rng.integers(0, 21, n)

    # A generous estimate of when the episode closes (calendar days after the referral).
    decision_est = _calendar(decision_wd)
    auth_est = _calendar(total_wd)
    s47_start_est = np.where(
        on_s47_route,
        _calendar(decision_wd + 1),
        _calendar(decision_wd + lag_wd + s47_frac * (total_wd - decision_wd - lag_wd)),
    )
    s47_end_est = s47_start_est + _calendar(s47_wd)
    icpc_est = s47_start_est + _calendar(icpc_wd)
    with_s47 = np.select(
        [(s47_outcome == "ICPC") & plan_made, s47_outcome == "ICPC", s47_outcome == "NFA"],
        [
            icpc_est + plan_days + after_plan_days,
            np.maximum(auth_est, icpc_est) + cin_days,
            np.maximum(auth_est, s47_end_est),
        ],
        np.maximum(auth_est, s47_end_est) + cin_days,
    )
    without_s47 = np.where(assess_outcome == "CIN_PLAN", auth_est + cin_days, auth_est)
    closure_est = np.select(
        [np.isin(route, ["NFA", "ADVICE", "STEP_DOWN"]), route == "OTHER", has_s47],
        [decision_est, decision_est + other_days, with_s47],
        without_s47,
    )
    return pd.DataFrame(
        {
            "source": src,
            "route": route,
            "decision_wd": decision_wd,
            "lag_wd": lag_wd,
            "total_wd": total_wd,
            "assess_outcome": assess_outcome,
            "has_s47": has_s47,
            "s47_frac": s47_frac,
            "s47_wd": s47_wd,
            "s47_outcome": s47_outcome,
            "icpc_wd": icpc_wd,
            "plan_made": plan_made,
            "plan_days": plan_days,
            "cin_days": cin_days,
            "after_plan_days": after_plan_days,
            "other_days": other_days,
            "closure_est": closure_est,
            "signal": False,
        }
    )


def monthly_counts(rng: np.random.Generator, p: Partnership, months: np.ndarray) -> np.ndarray:
    """Referrals per month: seasonal (August and December dip), a gentle rise, a little noise."""
    month_of_year = months.astype("datetime64[M]").astype(int) % 12
    next_month = (months.astype("datetime64[M]") + 1).astype("datetime64[D]")
    days_in = (np.minimum(next_month, p.end64 + 1) - np.maximum(months, p.start64)).astype(int)
    full = (next_month - months).astype(int)
    trend = 1 + 0.04 * (np.arange(len(months)) - len(months) / 2) / len(months)
    season = SEASON / SEASON.mean()
    expected = REFERRALS_PER_MONTH * p.scale * season[month_of_year] * trend * days_in / full
    return np.round(expected * np.exp(rng.normal(0, 0.04, len(months)))).astype(np.int64)


def _weekdays(rng: np.random.Generator, dates: np.ndarray, latest: np.ndarray) -> np.ndarray:
    """Most referrals arrive on weekdays: move most weekend dates to the Monday when allowed."""
    weekday = (dates.astype(np.int64) + 3) % 7
    to_monday = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
    moved = dates + to_monday.astype("timedelta64[D]")
    move = (to_monday > 0) & (rng.random(len(dates)) < 0.75) & (moved <= latest)
    return np.where(move, moved, dates)


def simulate_referrals(p: Partnership, place: Place, children: Children) -> ReferralChain:
    """Month by month: re-referrals (at the planted rate), then repeats after a year, then new children."""
    rng = p.rng("referrals")
    months = month_starts(p.start, p.end)
    counts = monthly_counts(rng, p, months)
    total = int(counts.sum())
    plan = draw_episodes(rng, total, p.rates)
    change = change_month(p.start, p.end)
    new_age = draw_ages(rng, total)
    new_area = draw_areas(rng, place, total)

    dob = np.empty(total, dtype="datetime64[D]")
    last = np.empty(total, dtype="datetime64[D]")
    closure = np.empty(total, dtype="datetime64[D]")
    n_refs = np.zeros(total, dtype=np.int64)
    kids = 0
    out_child = np.empty(total, dtype=np.int64)
    out_date = np.empty(total, dtype="datetime64[D]")
    out_kind = np.empty(total, dtype=np.int8)
    cursor = 0
    deficit = 0.0
    for m, first in enumerate(months):
        month_start = max(first, p.start64)
        month_end = min((first.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1, p.end64)
        n = int(counts[m])
        rate = p.rates.rereferral_before if first < change else p.rates.rereferral_after
        if first == change:
            deficit = 0.0
        carry = min(deficit, 0.3 * rate * n)  # catch up slowly on re-referrals there were no candidates for
        want = rng.binomial(n, rate) + carry

        known = np.arange(kids)
        adult_day = last_child_day(dob[:kids])
        lo = np.maximum(month_start, closure[:kids] + 1)
        hi = np.minimum(np.minimum(month_end, last[:kids] + REREFERRAL_DAYS), adult_day)
        fits = lo <= hi
        candidates = known[fits]
        recency = (month_start - last[candidates]).astype(np.int64)
        weight = np.exp(-recency / 120) * (1 + 0.5 * np.minimum(n_refs[candidates] - 1, 3))
        r = int(min(round(want), len(candidates), n))
        chosen_at = weighted_sample(rng, weight, r)
        re_child = candidates[chosen_at]
        re_date = _weekdays(
            rng, uniform_dates(rng, lo[fits][chosen_at], hi[fits][chosen_at]), hi[fits][chosen_at]
        )
        deficit = deficit - carry + max(0.0, want - r)

        lo2 = np.maximum(np.maximum(month_start, last[:kids] + LONG_GAP_DAYS), closure[:kids] + 1)
        hi2 = np.minimum(month_end, adult_day)
        fits2 = (lo2 <= hi2) & ~np.isin(known, re_child)
        candidates2 = known[fits2]
        n_long = int(min(round(p.rates.long_gap_repeat * n), len(candidates2), n - r))
        chosen2 = weighted_sample(rng, np.ones(len(candidates2)), n_long)
        long_child = candidates2[chosen2]
        long_date = _weekdays(
            rng, uniform_dates(rng, lo2[fits2][chosen2], hi2[fits2][chosen2]), hi2[fits2][chosen2]
        )

        k = n - r - n_long
        new_child = np.arange(kids, kids + k)
        new_date = _weekdays(
            rng, uniform_dates(rng, np.full(k, month_start), np.full(k, month_end)), np.full(k, month_end)
        )
        dob[new_child] = new_date - new_age[new_child].astype("timedelta64[D]")
        kids += k

        child = np.concatenate([re_child, long_child, new_child])
        date = np.concatenate([re_date, long_date, new_date])
        slots = np.arange(cursor, cursor + n)
        out_child[slots] = child
        out_date[slots] = date
        out_kind[slots] = np.concatenate([np.ones(r), np.full(n_long, 2), np.zeros(k)]).astype(np.int8)
        last[child] = date
        closure[child] = date + plan["closure_est"].to_numpy()[slots].astype("timedelta64[D]")
        n_refs[child] += 1
        cursor += n

    positions = children.add(rng, dob[:kids], new_area[:kids])
    order = np.lexsort((np.arange(total), out_date))
    return ReferralChain(
        positions[out_child[order]], out_date[order], out_kind[order], plan.iloc[order].reset_index(drop=True)
    )


def append_referrals(
    chain: ReferralChain, child: np.ndarray, date: np.ndarray, plan: pd.DataFrame
) -> ReferralChain:
    """Add planted referrals (new children only) and keep the chain in date order."""
    all_child = np.concatenate([chain.child, child])
    all_date = np.concatenate([chain.date, date])
    kind = np.concatenate([chain.kind, np.zeros(len(child), dtype=np.int8)])
    merged = pd.concat([chain.plan, plan], ignore_index=True)
    order = np.lexsort((np.arange(len(all_date)), all_date))
    return ReferralChain(
        all_child[order], all_date[order], kind[order], merged.iloc[order].reset_index(drop=True)
    )


def planted_school_referrals(
    p: Partnership,
    place: Place,
    schools: Schools,
    children: Children,
    chain: ReferralChain,
    signals: SignalPlan,
) -> tuple[ReferralChain, np.ndarray, SignalPlan]:
    """Signal 1: extra referrals from the CSE school in the last six months, rising month by month, for
    teenagers (mostly girls) who live in its catchment; their assessments usually record 11A.

    The rise is set against the school's own history: each month adds a growing multiple of the
    school's usual monthly referrals (and at least the planned minimum), so it stands out for a big
    school as well as a small one. Returns the chain, the new children and the plan with the counts."""
    rng = p.rng("signal-referrals")
    usual = _usual_school_referrals(p, schools, children, chain, signals)
    counts = np.maximum(signals.cse_referrals, np.round(usual * CSE_REFERRAL_RAMP)).astype(int)
    signals = replace(signals, cse_referrals=counts)
    month = np.repeat(signals.cse_months, counts)
    k = len(month)
    first = np.maximum(month, p.start64)
    last = np.minimum((month.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1, p.end64)
    date = _weekdays(rng, uniform_dates(rng, first, last), last)
    catchment = np.flatnonzero(schools.nearest["secondary"][:, 0] == signals.cse_school)
    if len(catchment) == 0:
        catchment = np.array([schools.area[signals.cse_school]])
    area = catchment[rng.integers(0, len(catchment), k)]
    age_days = (12 * 365.25 + rng.random(k) * 3.5 * 365.25).astype(np.int64)
    sex = np.where(rng.random(k) < 0.8, "2", "1").astype(object)
    positions = children.add(rng, date - age_days.astype("timedelta64[D]"), area, sex)
    plan = draw_episodes(rng, k, p.rates, source="2A", no_nfa=True, quick=True)
    plan["signal"] = True
    return append_referrals(chain, positions, date, plan), positions, signals


def _usual_school_referrals(
    p: Partnership, schools: Schools, children: Children, chain: ReferralChain, signals: SignalPlan
) -> float:
    """The CSE school's usual referrals per month before the rise (its pupils, referred by a school)."""
    child = chain.child
    age = ((chain.date - children.column("dob")[child]).astype(np.int64) / 365.25).astype(int)
    school = schools.attended(
        children.column("area")[child],
        age,
        children.column("second_school")[child],
        children.column("special_school")[child],
    )
    mine = (chain.plan["source"].to_numpy() == "2A") & (school == signals.cse_school)
    before = chain.date < signals.cse_months[0]
    months = max(1, len(month_starts(p.start, p.end)) - len(signals.cse_months))
    return float((mine & before).sum() / months)
