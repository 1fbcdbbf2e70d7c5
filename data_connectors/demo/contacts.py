"""Contacts to the front door: one behind every referral, and many more that end in advice, early
help or no further action.

About a fifth of contacts become referrals. Children who only ever have contacts are created here,
each with a few contacts around an anchor date; referred children get some extra contacts too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_connectors.demo.children import Children, draw_ages, draw_areas, last_child_day
from data_connectors.demo.context import (
    CONTACT_ONLY_CHILDREN,
    OTHER_CONTACTS,
    Partnership,
    ids,
    pick,
    uniform_dates,
)
from data_connectors.demo.geography import Place
from data_connectors.demo.schools import Schools
from data_connectors.demo.social_care import SocialCare, age_years

# Contacts that do not become referrals: police notifications are a larger share than among referrals.
CONTACT_SOURCES = {
    "6": 34.0,
    "2A": 17.0,
    "3A": 4.0,
    "3B": 4.0,
    "3C": 2.0,
    "3D": 2.0,
    "3E": 2.5,
    "3F": 1.5,
    "5A": 3.0,
    "5B": 2.5,
    "5C": 1.5,
    "5D": 4.0,
    "1A": 5.0,
    "1B": 2.0,
    "1C": 1.0,
    "1D": 1.0,
    "8": 4.5,
    "7": 3.0,
    "2B": 2.0,
    "9": 2.0,
    "10": 1.0,
    "4": 1.5,
}
OUTCOMES = {"NFA": 25.0, "ADVICE": 30.0, "EARLY_HELP": 45.0}
LEVEL_BY_OUTCOME = {
    "NFA": {"1": 50, "2": 35, "3": 12, "4": 3},
    "ADVICE": {"1": 25, "2": 45, "3": 25, "4": 5},
    "EARLY_HELP": {"1": 3, "2": 35, "3": 50, "4": 12},
}
EXTRA_CONTACTS_PER_REFERRED_CHILD = 0.9


@dataclass
class Contacts:
    """Every contact, plus what referrals and early help need from them."""

    frame: pd.DataFrame
    referral_contact_id: np.ndarray  # in referral order
    early_help_child: np.ndarray
    early_help_date: np.ndarray


def build_contacts(
    p: Partnership, place: Place, children: Children, schools: Schools, care: SocialCare
) -> Contacts:
    """All contacts: one behind each referral (same child, source and need level), and the rest."""
    rng = p.rng("contacts")
    start, end = p.start64, p.end64

    # Children known only through contacts: a few contacts each within a year of an anchor date.
    k = p.scaled(CONTACT_ONLY_CHILDREN)
    anchor = uniform_dates(rng, np.full(k, start), np.full(k, end))
    dob = anchor - draw_ages(rng, k).astype("timedelta64[D]")
    positions = children.add(rng, dob, draw_areas(rng, place, k))
    referred = np.unique(care.referral_child)
    per_child = 1 + rng.negative_binomial(2, 2 / (2 + _mean_extra(p, k, len(referred))), k)
    child_a = np.repeat(positions, per_child)
    centre_a = np.repeat(anchor, per_child)
    extra = rng.poisson(EXTRA_CONTACTS_PER_REFERRED_CHILD, len(referred))
    child_b = np.repeat(referred, extra)
    first_ref = pd.Series(care.referral_date).groupby(care.referral_child).min()
    centre_b = first_ref.reindex(child_b).to_numpy(dtype="datetime64[D]")
    child = np.concatenate([child_a, child_b])
    centre = np.concatenate([centre_a, centre_b])
    all_dob = children.column("dob")[child]
    low = np.maximum(np.maximum(centre - 365, all_dob), start)
    high = np.minimum(np.minimum(centre + 365, last_child_day(all_dob)), end)
    date = uniform_dates(rng, low, np.maximum(high, low))
    m = len(child)
    outcome = pick(rng, OUTCOMES, m)
    level = np.empty(m, dtype=object)
    for name, weights in LEVEL_BY_OUTCOME.items():
        these = outcome == name
        level[these] = pick(rng, weights, int(these.sum()))
    source = pick(rng, CONTACT_SOURCES, m)
    age = age_years(all_dob, date)
    young = (source == "2A") & (age < 4)
    source[young] = pick(rng, {"3B": 5, "8": 3, "1A": 2, "6": 4}, int(young.sum()))
    is_school = source == "2A"
    school = np.full(m, -1, dtype=np.int64)
    school[is_school] = schools.attended(
        children.column("area")[child][is_school],
        age[is_school],
        children.column("second_school")[child][is_school],
        children.column("special_school")[child][is_school],
    )
    urn = np.where(school >= 0, schools.urn[np.maximum(school, 0)], None)

    n_ref = len(care.referral_child)
    frame = pd.DataFrame(
        {
            "child_pos": np.concatenate([care.referral_child, child]),
            "contact_date": np.concatenate([care.referral_contact_date, date]),
            "source_code": np.concatenate([care.referral_source, source]),
            "referrer_need_level": np.concatenate([care.referral_level, level]),
            "school_urn": np.concatenate([care.referral_urn, urn]),
            "outcome": np.concatenate([np.full(n_ref, "REFERRAL", dtype=object), outcome]),
        }
    )
    order = np.lexsort((np.arange(len(frame)), frame["contact_date"].to_numpy()))
    contact_id = np.empty(len(frame), dtype=object)
    contact_id[order] = ids(p.prefix, "CT", np.arange(len(frame)) + 1, 7)
    frame.insert(0, "contact_id", contact_id)
    eh = frame["outcome"].to_numpy() == "EARLY_HELP"
    return Contacts(
        frame.iloc[order].reset_index(drop=True),
        contact_id[:n_ref],
        frame["child_pos"].to_numpy()[eh],
        frame["contact_date"].to_numpy(dtype="datetime64[D]")[eh],
    )


def _mean_extra(p: Partnership, contact_only: int, referred: int) -> float:
    """Extra contacts per contact-only child so all non-referral contacts come to about the target."""
    target = p.scaled(OTHER_CONTACTS) - EXTRA_CONTACTS_PER_REFERRED_CHILD * referred - contact_only
    return max(0.2, target / max(1, contact_only))
