"""The planted signals: where each one is, how strong, and how to describe it in the manifest.

Each signal is something a real partnership would want its dashboard to surface. The plan is fixed
before any event is drawn, so every module plants its part of a signal in the same place and month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data_connectors.demo.calendar import change_month, month_starts
from data_connectors.demo.context import Partnership
from data_connectors.demo.geography import Place, distance_m
from data_connectors.demo.schools import Schools

CSE_RADIUS_M = 500
HATE_RADIUS_M = 400
CSE_MONTHS = 6
CSE_INCIDENTS = np.array([2, 3, 4, 6, 7, 9])  # extra CSE-flagged incidents near the school, last 6 months
CSE_REFERRALS = np.array([1, 2, 3, 4, 5, 6])  # extra referrals from the school with CSE concerns
CSE_REFERRAL_RAMP = np.array(
    [0.6, 1.0, 1.4, 1.9, 2.4, 3.0]
)  # ... or this multiple of its usual monthly number
CSE_BACKGROUND_PER_MONTH = 0.15  # CSE-flagged incidents near the school before the rise (its own history)
HATE_PER_MONTH = 0.6  # extra hate incidents near the other school, every month of the period
GP_SOURCE = "3A"


@dataclass(frozen=True)
class SignalPlan:
    """Where and when the signals are planted in one partnership."""

    cse_school: int
    cse_months: np.ndarray
    cse_incidents: np.ndarray
    cse_referrals: np.ndarray
    hate_school: int
    hate_per_month: float
    change_month: np.datetime64


def plan_signals(p: Partnership, place: Place, schools: Schools) -> SignalPlan:
    """Choose a secondary in one of the two most deprived localities for CSE, another school for hate."""
    rng = p.rng("signals")
    locality_codes = place.localities["locality_code"].tolist()
    deprived = [locality_codes.index(code) for code in place.locality_deprivation_order[:2]]
    school_locality = place.locality_of_area[schools.area]
    secondary = np.flatnonzero((schools.phase == "SECONDARY") & np.isin(school_locality, deprived))
    if len(secondary) == 0:
        secondary = np.flatnonzero(schools.phase == "SECONDARY")
    cse = int(rng.choice(secondary))
    far = distance_m(schools.lat, schools.lon, schools.lat[cse], schools.lon[cse]) > 2500
    options = np.flatnonzero(
        far
        & np.isin(schools.phase, ["PRIMARY", "SECONDARY"])
        & np.isin(school_locality, [locality_codes.index(c) for c in place.locality_deprivation_order[:3]])
    )
    if len(options) == 0:
        options = np.flatnonzero(far)
    hate = int(rng.choice(options))
    months = month_starts(p.start, p.end)[-CSE_MONTHS:]
    scale = max(p.scale, 0.5)
    return SignalPlan(
        cse_school=cse,
        cse_months=months,
        cse_incidents=np.maximum(1, np.round(CSE_INCIDENTS * scale)).astype(int),
        cse_referrals=np.maximum(1, np.round(CSE_REFERRALS * scale)).astype(int),
        hate_school=hate,
        hate_per_month=HATE_PER_MONTH * scale,
        change_month=change_month(p.start, p.end),
    )


def describe(plan: SignalPlan, p: Partnership, place: Place, schools: Schools) -> dict[str, dict]:
    """This partnership's details of every signal, for the manifest."""

    def school(k: int) -> dict:
        return {
            "school_urn": str(schools.urn[k]),
            "school_name": str(schools.frame["school_name"][k]),
            "latitude": float(round(schools.lat[k], 6)),
            "longitude": float(round(schools.lon[k], 6)),
            "area_code": str(place.area_codes[schools.area[k]]),
        }

    where = {"partnership": p.folder, "la_code": p.la_code}
    order = place.locality_deprivation_order
    names = dict(zip(place.localities["locality_code"], place.localities["locality_name"], strict=True))
    return {
        "cse_near_school": {
            **where,
            **school(plan.cse_school),
            "radius_m": CSE_RADIUS_M,
            "rising_from": str(plan.cse_months[0]),
            "months": [str(m)[:7] for m in plan.cse_months],
            "extra_police_incidents_by_month": plan.cse_incidents.tolist(),
            "background_incidents_per_month_before": CSE_BACKGROUND_PER_MONTH,
            "extra_school_referrals_by_month": plan.cse_referrals.tolist(),
            "factor_code": "11A",
        },
        "hate_crime_near_school": {
            **where,
            **school(plan.hate_school),
            "radius_m": HATE_RADIUS_M,
            "extra_incidents_per_month": round(plan.hate_per_month, 2),
        },
        "self_harm_parental_mental_health": {
            **where,
            "factor": "15A",
            "given_factor": "4B",
            "target_lift": 3.0,
        },
        "neglect_and_deprivation": {
            **where,
            "most_deprived_locality": order[0],
            "most_deprived_locality_name": names[order[0]],
            "second_most_deprived_locality": order[1],
            "least_deprived_locality": order[-1],
            "least_deprived_locality_name": names[order[-1]],
            "localities_most_deprived_first": order,
        },
        "gp_referrals_nfa": {
            **where,
            "source_code": GP_SOURCE,
            "target_nfa_rate": p.rates.nfa_gp,
            "target_nfa_rate_other_sources": p.rates.nfa_other,
        },
        "rereferral_step_change": {
            **where,
            "change_month": str(plan.change_month)[:7],
            "change_date": str(plan.change_month),
            "rate_before": p.rates.rereferral_before,
            "rate_after": p.rates.rereferral_after,
        },
    }


SIGNAL_TEXT = {
    "cse_near_school": (
        "Child sexual exploitation concerns rising around one secondary school over the last six "
        "months: more police incidents flagged cse_concern within the radius, and more referrals from "
        "the school (source 2A, school_urn) whose assessments record factor 11A.",
        "Hotspot page: the school stands out against its own history (counts in the radius by month); "
        "referrals by school: this URN rises month on month; 11A share among its assessments is high.",
    ),
    "hate_crime_near_school": (
        "Hate incidents (hate_crime = Y) concentrated near another school throughout the period.",
        "Hotspot page: several times the background density within the radius, in every year, not a spike.",
    ),
    "self_harm_parental_mental_health": (
        "Self-harm (15A) is about three times as likely when parental mental health (4B) is recorded.",
        "Factor co-occurrence: lift of 15A given 4B near 3 (P(15A|4B) / P(15A|not 4B)).",
    ),
    "neglect_and_deprivation": (
        "Neglect rises with deprivation: factor 16A, CP plans for neglect, early help for neglect, "
        "neglect assessment grades, children not brought to health appointments and persistent absence.",
        "Locality comparisons and funnel plots: the most deprived localities sit well above the least "
        "deprived.",
    ),
    "gp_referrals_nfa": (
        "GP referrals (source 3A) end in no further action about 30% of the time against about 5-6% "
        "for other sources, with the GP often rating need at level 4 while the front door decides 1-2.",
        "Referral outcomes by agency: 3A is an outlier on a funnel plot; threshold agreement is low for 3A.",
    ),
    "rereferral_step_change": (
        "Re-referrals within 12 months step up from about 18% to about 27% at the change month.",
        "SPC chart of the monthly re-referral rate: a run of points above the mean from the change month.",
    ),
}
