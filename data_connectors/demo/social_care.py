"""Children's social care records built from the referral chain: referrals, assessments and their factors,
section 47 enquiries, initial conferences and child protection plans.

Dates follow the statutory clocks in working days (decision within 1, assessment within 45 from referral,
conference within 15 of the strategy discussion) with realistic misses. Anything that would happen after
the end of the extract is left empty or not yet created. Three signals are planted here: GP referrals
ending in NFA (through the episode shapes), self-harm with parental mental health, and neglect rising
with deprivation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_connectors.demo.calendar import WorkingDays
from data_connectors.demo.children import Children
from data_connectors.demo.context import Partnership, blank_after, ids, pick, yes_no
from data_connectors.demo.geography import Place
from data_connectors.demo.referrals import SOURCES, ReferralChain
from data_connectors.demo.schools import Schools
from data_connectors.demo.signals import SignalPlan

NAT = np.datetime64("NaT")
# Factors at the end of assessment, % of assessments (DfE 2025 national table, data-standards 4.3), plus
# the rarer codes at small shares so every part of the list appears.
FACTORS = {
    "1A": 1.5,
    "1B": 14.3,
    "1C": 1.0,
    "2A": 2.5,
    "2B": 14.1,
    "2C": 1.2,
    "3A": 11.3,
    "3B": 31.7,
    "3C": 2.0,
    "4A": 17.6,
    "4B": 33.5,
    "4C": 2.0,
    "5A": 12.3,
    "5B": 2.5,
    "5C": 0.5,
    "6A": 3.0,
    "6B": 3.5,
    "6C": 0.8,
    "7A": 1.0,
    "8B": 0.05,
    "8C": 0.05,
    "8D": 0.05,
    "8E": 0.1,
    "8F": 0.05,
    "9A": 1.2,
    "10A": 3.3,
    "11A": 2.4,
    "12A": 0.4,
    "13A": 1.7,
    "14A": 7.0,
    "15A": 5.0,
    "16A": 17.6,
    "17A": 19.0,
    "18B": 3.0,
    "18C": 12.0,
    "19B": 2.5,
    "19C": 3.7,
    "20": 16.3,
    "22A": 0.2,
    "23A": 0.4,
    "24A": 3.2,
}
TEEN_FACTORS = ("1A", "2A", "4A", "10A", "11A", "12A", "13A", "14A", "15A", "18B", "19B", "24A")
SELF_HARM_LIFT = 3.0  # signal 3: P(15A | 4B) / P(15A | not 4B)
NEGLECT_SLOPE = 0.6  # signal 4: log-scale rise in neglect per unit of deprivation (national log IMD scale)
PRIMARY_NEED = {
    "N1": 56.0,
    "N4": 12.0,
    "N5": 11.0,
    "N3": 7.0,
    "N2": 5.0,
    "N6": 4.0,
    "N8": 2.0,
    "N7": 1.0,
    "N9": 1.5,
    "N0": 0.5,
}
CATEGORY = {"EMO": 35.0, "PHY": 7.0, "SAB": 4.0, "MUL": 3.0}  # NEG is about 50%, set by deprivation


@dataclass
class SocialCare:
    """The social care tables, and facts other modules build on (contacts, early help, neglect)."""

    tables: dict[str, pd.DataFrame]
    referral_child: np.ndarray
    referral_date: np.ndarray
    referral_source: np.ndarray
    referral_level: np.ndarray
    referral_urn: np.ndarray
    referral_contact_date: np.ndarray
    step_down_child: np.ndarray
    step_down_date: np.ndarray
    neglect_child: np.ndarray  # children with factor 16A or a neglect plan, and when
    neglect_date: np.ndarray
    neglect_severity: np.ndarray


def neglect_lift(place: Place, area: np.ndarray) -> np.ndarray:
    """How much more likely neglect is in each child's home area (mean 1 over the children given)."""
    lift = np.exp(NEGLECT_SLOPE * place.deprivation_z[area])
    return lift / lift.mean() if len(lift) else lift


def age_years(dob: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Whole years of age on a date."""
    return ((when - dob).astype(np.int64) / 365.25).astype(np.int64)


def teen_weight(age: np.ndarray) -> np.ndarray:
    """Factors about the child's own behaviour and exploitation belong mostly to teenagers."""
    return np.select([age < 8, age < 11, age < 13], [0.08, 0.4, 1.3], 2.3)


def build_social_care(
    p: Partnership,
    place: Place,
    schools: Schools,
    children: Children,
    chain: ReferralChain,
    signals: SignalPlan,
) -> SocialCare:
    """Dates, decisions and outcomes for every referral, then the tables that hang off referrals."""
    rng = p.rng("social_care")
    wd = WorkingDays(p.start, p.end)
    end = p.end64
    plan = chain.plan
    n = len(chain.date)
    child = chain.child
    ref_date = chain.date
    dob = children.column("dob")[child]
    area = children.column("area")[child]
    age = age_years(dob, ref_date)
    signal = plan["signal"].to_numpy(dtype=bool)

    # Source: schools cannot refer a child below school age; those draws go to other non-GP sources.
    source = plan["source"].to_numpy(dtype=object).copy()
    too_young = (source == "2A") & (age < 4)
    others = {k: v for k, v in SOURCES.items() if k not in ("2A", "3A")}
    source[too_young] = pick(rng, others, int(too_young.sum()))
    school = np.full(n, -1, dtype=np.int64)
    is_school = source == "2A"
    school[is_school] = schools.attended(
        area[is_school],
        age[is_school],
        children.column("second_school")[child][is_school],
        children.column("special_school")[child][is_school],
    )
    school[signal] = signals.cse_school
    urn = np.where(school >= 0, schools.urn[np.maximum(school, 0)], None)

    route = plan["route"].to_numpy(dtype=object)
    decision = blank_after(wd.add(ref_date, plan["decision_wd"].to_numpy()), end)
    decided = ~np.isnat(decision)
    decision_level = np.select(
        [route == "NFA", route == "ADVICE", route == "STEP_DOWN", route == "OTHER", route == "S47"],
        [
            np.where(rng.random(n) < 0.6, "1", "2"),
            np.where(rng.random(n) < 0.7, "2", "1"),
            np.where(rng.random(n) < 0.6, "3", "2"),
            np.where(rng.random(n) < 0.5, "3", "2"),
            "4",
        ],
        np.where(rng.random(n) < 0.78, "4", "3"),
    ).astype(object)
    level = _referrer_level(rng, decision_level, source, route)
    nfa = route == "NFA"
    need = pick(rng, PRIMARY_NEED, n)
    need[nfa] = np.where(
        rng.random(int(nfa.sum())) < 0.55, pick(rng, {"N9": 3, "N0": 1}, int(nfa.sum())), need[nfa]
    )

    # Assessments: on the ASSESSMENT and S47 routes, once the decision is made.
    assessed = np.isin(route, ["ASSESSMENT", "S47"]) & decided
    a_start = np.full(n, NAT, dtype="datetime64[D]")
    a_start[assessed] = wd.add(decision[assessed], plan["lag_wd"].to_numpy()[assessed])
    assessed &= a_start <= end
    a_start[~assessed] = NAT
    authorised = np.full(n, NAT, dtype="datetime64[D]")
    authorised[assessed] = blank_after(wd.add(ref_date[assessed], plan["total_wd"].to_numpy()[assessed]), end)
    a_outcome = np.where(~np.isnat(authorised), plan["assess_outcome"].to_numpy(dtype=object), None)

    # Section 47 enquiries: straight from the referral, or part way through the assessment.
    on_route = route == "S47"
    has_s47 = plan["has_s47"].to_numpy(dtype=bool) & decided & (assessed | on_route)
    s_start = np.full(n, NAT, dtype="datetime64[D]")
    s_start[on_route & has_s47] = wd.add(
        decision[on_route & has_s47], rng.integers(0, 2, int((on_route & has_s47).sum()))
    )
    via = has_s47 & ~on_route
    offset = np.round(
        plan["s47_frac"].to_numpy()
        * (plan["total_wd"].to_numpy() - plan["decision_wd"].to_numpy() - plan["lag_wd"].to_numpy())
    ).astype(np.int64)
    s_start[via] = wd.add(a_start[via], np.maximum(offset[via], 0))
    has_s47 &= s_start <= end
    s_start[~has_s47] = NAT
    s_outcome_all = plan["s47_outcome"].to_numpy(dtype=object)
    s_end = np.full(n, NAT, dtype="datetime64[D]")
    s_end[has_s47] = wd.add(s_start[has_s47], plan["s47_wd"].to_numpy()[has_s47])
    icpc = np.full(n, NAT, dtype="datetime64[D]")
    to_icpc = has_s47 & (s_outcome_all == "ICPC")
    icpc[to_icpc] = wd.add(s_start[to_icpc], plan["icpc_wd"].to_numpy()[to_icpc])
    s_end[to_icpc] = np.minimum(s_end[to_icpc], icpc[to_icpc] - np.timedelta64(1, "D"))
    s_end[to_icpc] = np.maximum(s_end[to_icpc], s_start[to_icpc])
    s_end = blank_after(s_end, end)
    s_outcome = np.where(~np.isnat(s_end), s_outcome_all, None)
    icpc = blank_after(icpc, end)
    plan_made = plan["plan_made"].to_numpy(dtype=bool)
    has_plan = ~np.isnat(icpc) & plan_made
    cp_start = np.where(has_plan, icpc, NAT)
    cp_end = cp_start + plan["plan_days"].to_numpy().astype("timedelta64[D]")

    # When the episode closes, by how it went.
    cin = plan["cin_days"].to_numpy().astype("timedelta64[D]")
    late = np.maximum(authorised, s_end)  # NaT if either is still open
    late = np.where(
        np.isnat(authorised) | (has_s47 & np.isnat(s_end)), NAT, np.where(has_s47, late, authorised)
    )
    closure = np.select(
        [
            np.isin(route, ["NFA", "ADVICE", "STEP_DOWN"]),
            route == "OTHER",
            has_plan,
            to_icpc,
            has_s47 & (s_outcome_all == "NFA"),
            has_s47,
            a_outcome == "CIN_PLAN",
        ],
        [
            decision,
            decision + plan["other_days"].to_numpy().astype("timedelta64[D]"),
            cp_end + plan["after_plan_days"].to_numpy().astype("timedelta64[D]"),
            np.maximum(late, icpc) + cin,
            late,
            late + cin,
            authorised + cin,
        ],
        authorised,
    )
    # A child is only re-referred once the last episode has closed; keep it so even at the edges.
    next_ref = _next_referral(child, ref_date)
    cap = next_ref - np.timedelta64(1, "D")
    closure = np.where(~np.isnat(next_ref) & (closure > cap), cap, closure)
    cp_end = np.where(~np.isnat(next_ref) & (cp_end > cap), cap, cp_end)
    cp_end = blank_after(cp_end, end)
    closure = blank_after(np.where(decided, closure, NAT), end)
    reason = _closure_reasons(
        rng,
        route,
        a_outcome,
        has_s47,
        s_outcome_all,
        has_plan,
        age_years(dob, np.where(np.isnat(closure), ref_date, closure)),
        age,
    )
    reason = np.where(np.isnat(closure), None, reason)
    reopened = ~np.isnat(next_ref) & np.isnat(closure)  # never expected; keeps the chain consistent
    closure[reopened] = cap[reopened]
    reason[reopened] = "RC7"

    referral_id = ids(p.prefix, "R", np.arange(n) + 1, 7)
    tables: dict[str, pd.DataFrame] = {}
    referrals = pd.DataFrame(
        {
            "referral_id": referral_id,
            "child_pos": child,
            "contact_id": None,
            "referral_date": ref_date,
            "source_code": source,
            "referrer_need_level": level,
            "school_urn": urn,
            "decision_date": decision,
            "decision_level": np.where(decided, decision_level, None),
            "outcome": np.where(decided, route, None),
            "nfa": yes_no(nfa, decided),
            "primary_need_code": np.where(decided, need, None),
            "closure_date": closure,
            "closure_reason": reason,
        }
    )
    tables["referrals"] = referrals

    # Assessments and their factors.
    a_rows = np.flatnonzero(assessed)
    a_rows = a_rows[np.lexsort((a_rows, a_start[a_rows]))]
    assessment_id = np.empty(n, dtype=object)
    assessment_id[a_rows] = ids(p.prefix, "A", np.arange(len(a_rows)) + 1, 7)
    tables["assessments"] = pd.DataFrame(
        {
            "assessment_id": assessment_id[a_rows],
            "child_pos": child[a_rows],
            "referral_id": referral_id[a_rows],
            "start_date": a_start[a_rows],
            "authorised_date": authorised[a_rows],
            "child_seen": yes_no(rng.random(len(a_rows)) < 0.97),
            "outcome": a_outcome[a_rows],
        }
    )
    done = a_rows[~np.isnat(authorised[a_rows])]
    factors, has16 = _factors(rng, place, done, area, age, signal, a_outcome, assessment_id)
    tables["assessment_factors"] = factors

    # Section 47, conferences, plans.
    s_rows = np.flatnonzero(has_s47)
    s_rows = s_rows[np.lexsort((s_rows, s_start[s_rows]))]
    s47_id = np.empty(n, dtype=object)
    s47_id[s_rows] = ids(p.prefix, "S", np.arange(len(s_rows)) + 1, 6)
    tables["s47_enquiries"] = pd.DataFrame(
        {
            "s47_id": s47_id[s_rows],
            "child_pos": child[s_rows],
            "referral_id": referral_id[s_rows],
            "start_date": s_start[s_rows],
            "end_date": s_end[s_rows],
            "outcome": s_outcome[s_rows],
            "icpc_not_required": yes_no(s_outcome[s_rows] != "ICPC", s_outcome[s_rows] != None),  # noqa: E711
        }
    )
    i_rows = np.flatnonzero(~np.isnat(icpc))
    i_rows = i_rows[np.lexsort((i_rows, icpc[i_rows]))]
    icpc_id = np.empty(n, dtype=object)
    icpc_id[i_rows] = ids(p.prefix, "IC", np.arange(len(i_rows)) + 1, 6)
    tables["icpcs"] = pd.DataFrame(
        {
            "icpc_id": icpc_id[i_rows],
            "child_pos": child[i_rows],
            "s47_id": s47_id[i_rows],
            "icpc_date": icpc[i_rows],
            "cp_plan_made": yes_no(has_plan[i_rows]),
        }
    )
    c_rows = i_rows[has_plan[i_rows]]
    category = _categories(rng, place, area[c_rows], signal[c_rows])
    latest = np.where(
        rng.random(len(c_rows)) < 0.88,
        category,
        pick(rng, {"EMO": 4, "MUL": 3, "NEG": 3, "PHY": 1}, len(c_rows)),
    )
    tables["cp_plans"] = pd.DataFrame(
        {
            "cp_plan_id": ids(p.prefix, "CP", np.arange(len(c_rows)) + 1, 6),
            "child_pos": child[c_rows],
            "icpc_id": icpc_id[c_rows],
            "start_date": cp_start[c_rows],
            "end_date": cp_end[c_rows],
            "initial_category": category,
            "latest_category": latest,
            "previous_plans": _previous_plans(rng, child[c_rows]),
        }
    )

    # What early help and neglect assessments build on.
    down_referral = (route == "STEP_DOWN") & decided
    down_assessed = a_outcome == "STEP_DOWN"
    step_child = np.concatenate([child[down_referral], child[down_assessed]])
    step_date = np.concatenate([decision[down_referral], authorised[down_assessed]])
    neg_plan = c_rows[category == "NEG"]
    neglect_child = np.concatenate([child[has16], child[neg_plan]])
    neglect_date = np.concatenate([a_start[has16], cp_start[neg_plan]])
    severity = np.concatenate([np.full(len(has16), 0.5), np.full(len(neg_plan), 1.0)])
    contact_date = ref_date - np.where(rng.random(n) < 0.2, 1, 0).astype("timedelta64[D]")
    contact_date = np.maximum(contact_date, p.start64)
    return SocialCare(
        tables,
        child,
        ref_date,
        source,
        level,
        urn,
        contact_date,
        step_child,
        step_date,
        neglect_child,
        neglect_date,
        severity,
    )


def _next_referral(child: np.ndarray, date: np.ndarray) -> np.ndarray:
    """The same child's next referral date (NaT for the last one)."""
    order = np.lexsort((date, child))
    nxt = np.full(len(child), NAT, dtype="datetime64[D]")
    same = child[order][1:] == child[order][:-1]
    nxt[order[:-1][same]] = date[order][1:][same]
    return nxt


def _referrer_level(
    rng: np.random.Generator, decision_level: np.ndarray, source: np.ndarray, route: np.ndarray
) -> np.ndarray:
    """The referrer's own view of need: agrees with the front door about 70% of the time, and
    referrers more often see need as higher than the front door does. GPs whose referrals end in
    NFA had mostly said level 4."""
    n = len(decision_level)
    level = decision_level.astype(int)
    disagree = rng.random(n) > 0.72
    step = np.array([-2, -1, 1, 2])[rng.choice(4, n, p=[0.04, 0.31, 0.5, 0.15])]
    moved = level + step
    moved = np.where((moved < 1) | (moved > 4), level - step, moved)
    level = np.where(disagree, np.clip(moved, 1, 4), level)
    gp_nfa = (source == "3A") & (route == "NFA") & (rng.random(n) < 0.75)
    level = np.where(gp_nfa, 4, level)
    return level.astype(str).astype(object)


def _closure_reasons(
    rng: np.random.Generator,
    route: np.ndarray,
    a_outcome: np.ndarray,
    has_s47: np.ndarray,
    s_outcome: np.ndarray,
    has_plan: np.ndarray,
    age_at_close: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """CIN census reasons for closure: RC8 after NFA, RC9 when stepped down, RC7 for most others."""
    n = len(route)
    served = has_plan | (has_s47 & (s_outcome != "NFA")) | (a_outcome == "CIN_PLAN")
    served_reason = pick(rng, {"RC7": 88.0, "RC5": 5.0, "RC3": 3.0, "RC4": 3.0, "RC1": 1.0}, n)
    served_reason = np.where((served_reason == "RC1") & (age > 4), "RC7", served_reason)
    served_reason = np.where((age_at_close >= 17) & (rng.random(n) < 0.35), "RC6", served_reason)
    return np.select(
        [
            np.isin(route, ["NFA"]),
            route == "ADVICE",
            route == "STEP_DOWN",
            route == "OTHER",
            served,
            has_s47 & (s_outcome == "NFA"),
            a_outcome == "NFA",
            a_outcome == "STEP_DOWN",
        ],
        ["RC8", "RC7", "RC9", "RC7", served_reason, "RC8", "RC8", "RC9"],
        "RC7",
    ).astype(object)


def _factors(
    rng: np.random.Generator,
    place: Place,
    rows: np.ndarray,
    area: np.ndarray,
    age: np.ndarray,
    signal: np.ndarray,
    outcome: np.ndarray,
    assessment_id: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Factors per completed assessment: national shares, teenage factors by age, neglect by deprivation,
    self-harm three times as likely with parental mental health, CSE for the planted school."""
    codes = list(FACTORS)
    base = np.array([FACTORS[c] / 100 for c in codes])
    k = len(rows)
    prob = np.repeat(base[None, :], k, axis=0)
    teen = teen_weight(age[rows])
    teen = teen / teen.mean() if k else teen
    for code in TEEN_FACTORS:
        prob[:, codes.index(code)] *= teen
    prob[:, codes.index("16A")] *= neglect_lift(place, area[rows])
    draws = rng.random((k, len(codes)))
    has = draws < np.clip(prob, 0, 0.95)
    parental = has[:, codes.index("4B")]
    harm = teen * (1 + (SELF_HARM_LIFT - 1) * parental)
    harm = harm / harm.mean() if k else harm
    has[:, codes.index("15A")] = draws[:, codes.index("15A")] < np.clip(FACTORS["15A"] / 100 * harm, 0, 0.95)
    cse = signal[rows]
    has[cse, codes.index("11A")] = rng.random(int(cse.sum())) < 0.85
    none = ~has.any(axis=1)
    row_idx, col_idx = np.nonzero(has)
    factor = np.array(codes, dtype=object)[col_idx]
    extra_rows = np.flatnonzero(none)
    extra_code = np.where(outcome[rows[extra_rows]] == "NFA", "21", "20").astype(object)
    row_idx = np.concatenate([row_idx, extra_rows])
    factor = np.concatenate([factor, extra_code])
    rank = pd.Series(factor, dtype=object).map(_RANK).to_numpy(dtype=np.int64)
    order = np.lexsort((rank, row_idx))  # assessments in id order, factors in code-list order
    frame = pd.DataFrame({"assessment_id": assessment_id[rows[row_idx[order]]], "factor_code": factor[order]})
    return frame, rows[has[:, codes.index("16A")]]


_RANK = {code: i for i, code in enumerate([*FACTORS, "21"])}


def _categories(rng: np.random.Generator, place: Place, area: np.ndarray, cse: np.ndarray) -> np.ndarray:
    """Initial category of abuse: neglect about half, more where deprived; sexual abuse for CSE children."""
    n = len(area)
    p_neglect = np.clip(0.5 * neglect_lift(place, area), 0.08, 0.88)
    rest = pick(rng, CATEGORY, n)
    category = np.where(rng.random(n) < p_neglect, "NEG", rest).astype(object)
    category[cse & (rng.random(n) < 0.6)] = "SAB"
    return category


def _previous_plans(rng: np.random.Generator, child: np.ndarray) -> np.ndarray:
    """Earlier plans: those in the extract plus some before it, so about 24.5% are repeat plans (DfE 2025)."""
    order = np.argsort(child, kind="stable")
    earlier = np.empty(len(child), dtype=np.int64)
    earlier[order] = pd.Series(child[order]).groupby(child[order]).cumcount().to_numpy()
    have = (earlier > 0).mean() if len(child) else 0.0
    extra_p = max(0.0, (0.245 - have) / max(1e-9, 1 - have))
    before = np.where(rng.random(len(child)) < extra_p, rng.choice([1, 1, 1, 2, 2, 3], len(child)), 0)
    return earlier + np.where(earlier > 0, rng.random(len(child)) < 0.3, before).astype(np.int64)
