"""Early help episodes and neglect (GCP2-style) assessments.

Early help starts after a contact that the front door sent to early help, or after a step-down from
social care. Neglect as the reason, and the grades of neglect assessments, rise with the deprivation of
the child's home area (signal 4). Only grades are kept, never the licensed tool's item text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_connectors.demo.children import Children
from data_connectors.demo.context import Partnership, blank_after, ids, pick
from data_connectors.demo.geography import Place
from data_connectors.demo.social_care import SocialCare, age_years, neglect_lift

NAT = np.datetime64("NaT")
REASONS = {  # NEGLECT is set separately from deprivation (about 15% on average)
    "DOMESTIC_ABUSE": 18.0,
    "PARENTAL_MENTAL_HEALTH": 14.0,
    "PARENTAL_SUBSTANCE": 6.0,
    "CHILD_BEHAVIOUR": 14.0,
    "CHILD_MENTAL_HEALTH": 12.0,
    "SCHOOL_ATTENDANCE": 8.0,
    "FAMILY_CONFLICT": 8.0,
    "FINANCIAL_HOUSING": 3.0,
    "OTHER": 2.0,
}
NEGLECT_SHARE = 0.15
ENDS = {"NEEDS_MET": 72.0, "DISENGAGED": 19.0, "MOVED": 4.5, "OTHER": 4.5}  # STEP_UP is set from referrals
STEP_UP_SHARE = 0.10
LEAD = {
    "LA_EARLY_HELP": 50.0,
    "SCHOOLS": 25.0,
    "HEALTH_PROVIDER": 10.0,
    "VOLUNTARY": 10.0,
    "HOUSING": 2.0,
    "OTHER": 3.0,
}


def build_early_help(
    p: Partnership,
    place: Place,
    children: Children,
    care: SocialCare,
    eh_child: np.ndarray,
    eh_contact_date: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Early help episodes (one open at a time per child) and the neglect assessments that follow some."""
    rng = p.rng("early_help")
    end = p.end64
    child = np.concatenate([eh_child, care.step_down_child])
    after = np.concatenate([eh_contact_date, care.step_down_date])
    start = after + rng.integers(2, 28, len(after)).astype("timedelta64[D]")
    keep = start <= end
    child, start = child[keep], start[keep]
    natural_end = start + np.clip(np.round(150 * np.exp(rng.normal(0, 0.5, len(start)))), 28, 600).astype(
        "timedelta64[D]"
    )
    # A child has one episode at a time: drop an episode that starts while the previous one is open.
    order = np.lexsort((start, child))
    child, start, natural_end = child[order], start[order], natural_end[order]
    running = pd.Series(natural_end.astype(np.int64)).groupby(child).cummax().shift().to_numpy()
    same = np.r_[False, child[1:] == child[:-1]]
    overlap = same & (start.astype(np.int64) <= np.nan_to_num(running, nan=-1e18))
    child, start, natural_end = child[~overlap], start[~overlap], natural_end[~overlap]

    # Stepped up: a referral for the child while the episode is open ends it.
    refs = pd.DataFrame({"child": care.referral_child, "ref": care.referral_date}).sort_values("ref")
    eps = pd.DataFrame({"child": child, "start": start, "row": np.arange(len(child))}).sort_values("start")
    nxt = pd.merge_asof(
        eps, refs, left_on="start", right_on="ref", by="child", direction="forward", allow_exact_matches=False
    ).sort_values("row")
    next_ref = nxt["ref"].to_numpy(dtype="datetime64[D]")
    stepped = ~np.isnat(next_ref) & (next_ref <= natural_end)
    end_date = np.where(stepped, next_ref, natural_end)
    reason_end = pick(rng, ENDS, len(child))
    top_up = max(0.0, (STEP_UP_SHARE - stepped.mean()) / max(1e-9, 1 - stepped.mean()))
    stepped |= rng.random(len(child)) < top_up
    reason_end = np.where(stepped, "STEP_UP", reason_end)
    end_date = blank_after(end_date, end)
    reason_end = np.where(np.isnat(end_date), None, reason_end)

    area = children.column("area")[child]
    lift = neglect_lift(place, area)
    neglect = rng.random(len(child)) < np.clip(NEGLECT_SHARE * lift, 0, 0.6)
    reason = np.where(neglect, "NEGLECT", pick(rng, REASONS, len(child)))
    age = age_years(children.column("dob")[child], start)
    lead = pick(rng, LEAD, len(child))
    lead = np.where((age < 4) & (lead == "SCHOOLS"), "HEALTH_PROVIDER", lead)
    order = np.lexsort((np.arange(len(child)), start))
    episodes = pd.DataFrame(
        {
            "episode_id": ids(p.prefix, "EH", np.arange(len(child)) + 1, 7),
            "child_pos": child[order],
            "start_date": start[order],
            "end_date": end_date[order],
            "reason": reason[order],
            "end_reason": reason_end[order],
            "lead_agency": lead[order],
        }
    )
    neglect_assessments = _neglect_assessments(rng, p, place, children, child[neglect], start[neglect], care)
    return episodes, neglect_assessments


def _neglect_assessments(
    rng: np.random.Generator,
    p: Partnership,
    place: Place,
    children: Children,
    eh_child: np.ndarray,
    eh_start: np.ndarray,
    care: SocialCare,
) -> pd.DataFrame:
    """GCP2-style grades (1 best, 5 worst) for many early help neglect cases and social care neglect cases."""
    from_eh = rng.random(len(eh_child)) < 0.55
    from_care = rng.random(len(care.neglect_child)) < np.where(care.neglect_severity >= 1.0, 0.7, 0.45)
    child = np.concatenate([eh_child[from_eh], care.neglect_child[from_care]])
    when = np.concatenate([eh_start[from_eh], care.neglect_date[from_care]])
    severity = np.concatenate([np.zeros(int(from_eh.sum())), care.neglect_severity[from_care]])
    date = when + rng.integers(5, 45, len(when)).astype("timedelta64[D]")
    keep = (date <= p.end64) & (date < children.column("dob")[child] + np.timedelta64(18 * 365, "D"))
    child, date, severity = child[keep], date[keep], severity[keep]
    z = place.deprivation_z[children.column("area")[child]]
    latent = rng.normal(0, 0.8, len(child)) + 0.45 * z + severity
    overall = np.clip(np.round(2.4 + 0.8 * latent), 1, 5).astype(int)

    def area_grade() -> np.ndarray:
        return np.clip(np.round(overall + rng.normal(0, 0.7, len(child))), 1, 5).astype(int)

    order = np.lexsort((np.arange(len(child)), date))
    grades = {
        name: area_grade()[order]
        for name in (
            "physical_care_grade",
            "safety_grade",
            "emotional_care_grade",
            "developmental_care_grade",
        )
    }
    return pd.DataFrame(
        {
            "neglect_assessment_id": ids(p.prefix, "NG", np.arange(len(child)) + 1, 6),
            "child_pos": child[order],
            "assessment_date": date[order],
            "tool": "GCP2",
            **grades,
            "overall_grade": overall[order],
        }
    )
