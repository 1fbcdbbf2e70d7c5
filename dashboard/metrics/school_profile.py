"""One school's picture: what happened to its referrals, the needs found when they were assessed, and
how its referral rate compares with similar schools.

The school is the view here: figures take the period and age band of the view, but not its locality,
ward or referring agency (a school's pupils live across localities, and its referrals are the school's).

Similar schools are the same phase, in the same size band (pupils on roll) and in small areas of similar
deprivation (IMD decile within one), anywhere in the partnership. Where that leaves fewer than
`minimum` others, the match is widened one step at a time (decile within two; then any size; then phase
only), and the description says which match was used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.metrics.compute import Filters, compute, filter_clauses
from dashboard.metrics.definitions import Measure, Metric
from dashboard.metrics.intervals import rate_interval
from dashboard.metrics.maps import over_period
from dashboard.metrics.materialise import readable
from data_connectors.codelists import ALL_CODE_LISTS

SIZE_BANDS = ((0, 200, "under 200 pupils"), (200, 400, "200-399"), (400, 800, "400-799"), (800, 1500, "800-1,499"))
LARGEST_BAND = "1,500 pupils or more"
NOT_DECIDED = "NOT_DECIDED"
REFERRALS_PER_100 = Metric(
    "school_referrals_per_100_pupils",
    "Referrals per 100 pupils a year",
    "Referrals the school made to children's social care, per 100 pupils on roll, per year of the period.",
    "count",
    Measure("referrals"),
    unit=" per 100 pupils a year",
)
"""How the rate reads on a chart; not in the catalogue, since pupils on roll are a school's, not an area's."""


def school_scope(filters: Filters, *urns: str) -> Filters:
    """The view's period and age band, for these schools only."""
    return Filters(school=tuple(urns), age_band=filters.age_band, start=filters.start, end=filters.end)


def referral_outcomes(engine: Engine, urn: str, filters: Filters) -> pd.DataFrame:
    """Referrals the school made in the period by outcome (every outcome listed, 0 where none; referrals
    not yet decided last): outcome code, outcome label, referrals."""
    scope = school_scope(filters, urn)
    with engine.connect() as connection:
        referrals = readable(connection, "referrals")
        outcome = sa.func.coalesce(referrals.c.outcome, NOT_DECIDED)
        query = (
            sa.select(outcome.label("outcome"), sa.func.count().label("referrals"))
            .where(*filter_clauses(referrals, scope, "referrals"))
            .group_by(outcome)
        )
        counts = dict(connection.execute(query).all())
    labels = {**ALL_CODE_LISTS["referral_outcome"].codes, NOT_DECIDED: "Not yet decided"}
    return pd.DataFrame(
        {
            "outcome": list(labels),
            "outcome_label": list(labels.values()),
            "referrals": [int(counts.get(code, 0)) for code in labels],
        }
    )


def factors_found(engine: Engine, urn: str, filters: Filters) -> pd.DataFrame:
    """Assessments following the school's referrals at which each factor was identified, as a share of
    those assessments, over the whole period (`assessment_factor_prevalence` by factor)."""
    frame = compute(engine, "assessment_factor_prevalence", school_scope(filters, urn), by="factor")
    out = over_period(frame, "factor")
    names = ALL_CODE_LISTS["assessment_factor"].codes
    out["factor_label"] = [names.get(code, code) for code in out["factor"]]
    return out.sort_values("numerator", ascending=False, kind="stable").reset_index(drop=True)


def size_band(pupils: float | None) -> str:
    if pupils is None or pd.isna(pupils):
        return "size not known"
    for low, high, name in SIZE_BANDS:
        if low <= pupils < high:
            return name
    return LARGEST_BAND


def similar_schools(schools: pd.DataFrame, urn: str, minimum: int = 3) -> tuple[pd.DataFrame, str]:
    """The school and its similar schools (rows of `schools`, as `maps.schools_in_view` gives them, the
    school first), and a sentence saying how they were matched."""
    table = schools.assign(size_band=[size_band(p) for p in schools["pupils"]])
    school = table[table["urn"] == urn]
    if school.empty:
        raise KeyError(f"school {urn!r} is not in the list")
    me = school.iloc[0]
    others = table[(table["urn"] != urn) & (table["phase"] == me["phase"])]
    decile = me["imd_decile"]
    known = pd.notna(decile)
    gap = (others["imd_decile"] - decile).abs() if known else pd.Series(np.nan, index=others.index)
    same_size = others["size_band"] == me["size_band"]
    phase = str(me["phase_name"]).lower()
    steps = []
    if known:
        steps += [
            (
                same_size & (gap <= 1),
                f"{phase} schools of {me['size_band']} pupils in areas of similar deprivation "
                f"(IMD decile {max(int(decile) - 1, 1)} to {min(int(decile) + 1, 10)})",
            ),
            (
                same_size & (gap <= 2),
                f"{phase} schools of {me['size_band']} pupils in areas of IMD decile "
                f"{max(int(decile) - 2, 1)} to {min(int(decile) + 2, 10)} (too few closer matches)",
            ),
            (
                gap <= 1,
                f"{phase} schools of any size in areas of IMD decile {max(int(decile) - 1, 1)} to "
                f"{min(int(decile) + 1, 10)} (too few of a similar size)",
            ),
        ]
    else:
        steps.append((same_size, f"{phase} schools of {me['size_band']} pupils (the school's area has no IMD decile)"))
    for chosen, description in steps:
        if int(chosen.sum()) >= minimum:
            return pd.concat([school, others[chosen]]).reset_index(drop=True), f"Similar schools: {description}."
    return pd.concat([school, others]).reset_index(drop=True), f"Similar schools: all {phase} schools (too few closer)."


def referral_rates(engine: Engine, schools: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Referrals each school made in the period per 100 pupils on roll per year, with the exact Poisson
    95% interval: urn, name, referrals (numerator), pupils, value, lower, upper."""
    urns = schools["urn"].tolist()
    frame = compute(engine, "referrals", school_scope(filters, *urns), by="school")
    months = max(int(frame["period_start"].nunique()), 1)
    counts = over_period(frame, "school").set_index("school")["numerator"] if not frame.empty else pd.Series()
    out = schools[["urn", "name", "pupils"]].copy()
    out["numerator"] = [int(counts.get(urn, 0)) for urn in urns]
    pupil_years = pd.to_numeric(out["pupils"], errors="coerce").fillna(0).to_numpy(dtype=float) * months / 12
    interval = rate_interval(out["numerator"].to_numpy(dtype=float), pupil_years, per=100)
    out["value"] = np.asarray(interval.estimate, dtype=float)
    out["lower"] = np.asarray(interval.lower, dtype=float)
    out["upper"] = np.asarray(interval.upper, dtype=float)
    out.attrs["months"] = months
    return out
