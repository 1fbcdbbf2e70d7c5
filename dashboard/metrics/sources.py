"""Event sources: each canonical table seen as dated events carrying the dimensions a metric splits by.

Every source is a SQLAlchemy subquery with the same standard columns, so one query builder serves every
metric: `event_date`, the geography of the event (`area_code`, `ward_code`, `locality_code`: a child's
home area for children's events, the location for police incidents, the school's area for attendance),
`agency` (who referred, where known), `school_urn`, `age_band`, `sex`, `ethnicity`, a `weight` (1 for a
row; the count for tables that arrive already counted), plus the table's own columns and derived ones
(working days to a decision, whether a referral follows another within 12 months, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import sqlalchemy as sa

from data_connectors import schema

DIMENSIONS = ("locality", "ward", "area", "agency", "school", "age_band", "sex", "ethnicity", "factor")
DIMENSION_COLUMNS = {
    "locality": "locality_code",
    "ward": "ward_code",
    "area": "area_code",
    "agency": "agency",
    "school": "school_urn",
    "age_band": "age_band",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "factor": "factor_code",
}
AGE_BANDS = (("0-4", 60), ("5-9", 120), ("10-15", 192), ("16-17", 216))  # upper bound in months of age


def _months(date: sa.ColumnElement) -> sa.ColumnElement:
    return sa.extract("year", date) * 12 + sa.extract("month", date)


def age_band(birth_month: sa.ColumnElement, on: sa.ColumnElement) -> sa.ColumnElement:
    """The child's age band on a date, from the month of birth (the store keeps no day)."""
    months = _months(on) - _months(birth_month)
    return sa.case(
        *[(months < upper, sa.literal(band)) for band, upper in AGE_BANDS],
        else_=sa.null(),
    ).label("age_band")


def _working_day(alias: str) -> tuple[sa.FromClause, sa.ColumnElement]:
    days = schema.working_days.alias(alias)
    return days, days.c.working_day_number


def _days_between(later: sa.ColumnElement, earlier: sa.ColumnElement) -> sa.ColumnElement:
    """Calendar days (date minus date is a whole number of days on DuckDB and PostgreSQL)."""
    return sa.type_coerce(later - earlier, sa.Integer)


def _geography(area: sa.ColumnElement) -> tuple[list[sa.ColumnElement], Callable[[sa.FromClause], sa.FromClause]]:
    """Area, ward and locality columns for an area code, and the joins that bring them."""
    areas, wards = schema.small_areas, schema.wards

    def join(base: sa.FromClause) -> sa.FromClause:
        return base.outerjoin(areas, areas.c.area_code == area).outerjoin(wards, wards.c.ward_code == areas.c.ward_code)

    columns = [
        area.label("area_code"),
        areas.c.ward_code.label("ward_code"),
        wards.c.locality_code.label("locality_code"),
    ]
    return columns, join


def _child_source(
    table: sa.Table,
    date: sa.ColumnElement,
    *extra: sa.ColumnElement,
    agency: sa.ColumnElement | None = None,
    school: sa.ColumnElement | None = None,
    joins: Callable[[sa.FromClause], sa.FromClause] | None = None,
) -> sa.Select:
    """Events about a child: geography, age, sex and ethnicity from the child's record."""
    children = schema.children
    geography, join_geography = _geography(children.c.home_area_code)
    base = table.outerjoin(children, children.c.child_id == table.c.child_id)
    if joins is not None:
        base = joins(base)
    own = [c for c in table.columns if c.name not in (*schema.PROVENANCE_COLUMNS, "child_id")]
    return sa.select(
        date.label("event_date"),
        *geography,
        (agency if agency is not None else sa.null()).label("agency"),
        (school if school is not None else sa.null()).label("school_urn"),
        age_band(children.c.birth_month, date),
        children.c.sex.label("sex"),
        children.c.ethnicity.label("ethnicity"),
        sa.literal(1).label("weight"),
        table.c.child_id,
        *own,
        *extra,
    ).select_from(join_geography(base))


def _contacts() -> sa.Select:
    t = schema.contacts
    return _child_source(t, t.c.contact_date, agency=t.c.source_code, school=t.c.school_urn)


def _referrals() -> sa.Select:
    t = schema.referrals
    referral_day, referral_number = _working_day("referral_day")
    decision_day, decision_number = _working_day("decision_day")
    previous = sa.func.lag(t.c.referral_date).over(
        partition_by=t.c.child_id, order_by=(t.c.referral_date, t.c.referral_id)
    )
    # an earlier referral of the same child, at most 365 days before: the DfE re-referral measure
    inner = sa.select(t.c.referral_id, previous.label("previous_referral_date")).subquery("previous_referrals")

    def joins(base: sa.FromClause) -> sa.FromClause:
        return (
            base.outerjoin(inner, inner.c.referral_id == t.c.referral_id)
            .outerjoin(referral_day, referral_day.c.day == t.c.referral_date)
            .outerjoin(decision_day, decision_day.c.day == t.c.decision_date)
        )

    rereferral = sa.case(
        (inner.c.previous_referral_date.is_(None), False),
        else_=_days_between(t.c.referral_date, inner.c.previous_referral_date) <= 365,
    )
    information_complete = sa.and_(
        t.c.referrer_need_level.is_not(None),
        t.c.decision_date.is_not(None),
        t.c.decision_level.is_not(None),
        t.c.outcome.is_not(None),
        schema.children.c.home_area_code.is_not(None),
    )
    return _child_source(
        t,
        t.c.referral_date,
        (decision_number - referral_number).label("decision_working_days"),
        rereferral.label("rereferral_12m"),
        information_complete.label("information_complete"),
        agency=t.c.source_code,
        school=t.c.school_urn,
        joins=joins,
    )


def _referral_for(table: sa.Table) -> tuple[sa.FromClause, Callable[[sa.FromClause], sa.FromClause]]:
    referrals = schema.referrals.alias(f"{table.name}_referral")
    return referrals, lambda base: base.outerjoin(referrals, referrals.c.referral_id == table.c.referral_id)


def _assessment_source(authorised_only: bool) -> sa.Select:
    """Assessments dated by their start, or (authorised_only) by their authorisation: timeliness and
    outcomes count when the work ends, so those metrics read only authorised assessments."""
    t = schema.assessments
    start_day, start_number = _working_day("start_day")
    end_day, end_number = _working_day("end_day")
    referral, join_referral = _referral_for(t)

    def joins(base: sa.FromClause) -> sa.FromClause:
        joined = join_referral(base)
        for day, column in ((start_day, t.c.start_date), (end_day, t.c.authorised_date)):
            joined = joined.join(day, day.c.day == column, isouter=not authorised_only)
        return joined

    return _child_source(
        t,
        t.c.authorised_date if authorised_only else t.c.start_date,
        (end_number - start_number).label("working_days_to_authorise"),
        agency=referral.c.source_code,
        school=referral.c.school_urn,
        joins=joins,
    )


def _assessments() -> sa.Select:
    return _assessment_source(authorised_only=False)


def _assessments_authorised() -> sa.Select:
    return _assessment_source(authorised_only=True)


def _assessment_factors() -> sa.Select:
    """One row per factor at an authorised assessment, dated by the authorisation."""
    factors, assessments = schema.assessment_factors, schema.assessments
    referral, join_referral = _referral_for(assessments)
    select = _child_source(
        assessments,
        assessments.c.authorised_date,
        factors.c.factor_code,
        agency=referral.c.source_code,
        school=referral.c.school_urn,
        joins=lambda base: join_referral(base).join(factors, factors.c.assessment_id == assessments.c.assessment_id),
    )
    return select.where(assessments.c.authorised_date.is_not(None))


def _s47_enquiries() -> sa.Select:
    t, icpcs = schema.s47_enquiries, schema.icpcs
    referral, join_referral = _referral_for(t)
    has_icpc = sa.exists().where(icpcs.c.s47_id == t.c.s47_id)
    return _child_source(
        t,
        t.c.start_date,
        has_icpc.label("has_icpc"),
        agency=referral.c.source_code,
        school=referral.c.school_urn,
        joins=join_referral,
    )


def _icpcs() -> sa.Select:
    t, enquiries = schema.icpcs, schema.s47_enquiries
    start_day, start_number = _working_day("s47_day")
    icpc_day, icpc_number = _working_day("icpc_day")

    def joins(base: sa.FromClause) -> sa.FromClause:
        return (
            base.outerjoin(enquiries, enquiries.c.s47_id == t.c.s47_id)
            .outerjoin(start_day, start_day.c.day == enquiries.c.start_date)
            .outerjoin(icpc_day, icpc_day.c.day == t.c.icpc_date)
        )

    return _child_source(t, t.c.icpc_date, (icpc_number - start_number).label("working_days_from_s47"), joins=joins)


def _cp_plans() -> sa.Select:
    t = schema.cp_plans
    return _child_source(t, t.c.start_date)


def _cp_plans_ended() -> sa.Select:
    """Plans dated by their end: how long plans lasted is known when they end."""
    t = schema.cp_plans
    select = _child_source(t, t.c.end_date, _days_between(t.c.end_date, t.c.start_date).label("duration_days"))
    return select.where(t.c.end_date.is_not(None))


def _early_help() -> sa.Select:
    t = schema.early_help_episodes
    return _child_source(t, t.c.start_date)


def _early_help_ended() -> sa.Select:
    t = schema.early_help_episodes
    return _child_source(t, t.c.end_date).where(t.c.end_date.is_not(None))


def _neglect_assessments() -> sa.Select:
    t = schema.neglect_assessments
    return _child_source(t, t.c.assessment_date)


def _police_incidents() -> sa.Select:
    t = schema.police_incidents
    geography, join = _geography(t.c.area_code)
    own = [c for c in t.columns if c.name not in (*schema.PROVENANCE_COLUMNS, "area_code")]
    return sa.select(
        t.c.incident_date.label("event_date"),
        *geography,
        sa.null().label("agency"),
        sa.null().label("school_urn"),
        sa.null().label("age_band"),
        sa.null().label("sex"),
        sa.null().label("ethnicity"),
        sa.literal(1).label("weight"),
        *own,
    ).select_from(join(t))


def _health_events() -> sa.Select:
    t = schema.health_events
    geography, join = _geography(t.c.area_code)
    return sa.select(
        t.c.month.label("event_date"),
        *geography,
        sa.null().label("agency"),
        sa.null().label("school_urn"),
        t.c.age_band.label("age_band"),
        sa.null().label("sex"),
        sa.null().label("ethnicity"),
        t.c.event_count.label("weight"),
        t.c.event_type,
    ).select_from(join(t))


def _school_attendance() -> sa.Select:
    t, schools = schema.school_attendance, schema.schools
    geography, join = _geography(schools.c.area_code)
    return sa.select(
        t.c.term_start.label("event_date"),
        *geography,
        sa.null().label("agency"),
        t.c.urn.label("school_urn"),
        sa.null().label("age_band"),
        sa.null().label("sex"),
        sa.null().label("ethnicity"),
        sa.literal(1).label("weight"),
        t.c.pupils,
        t.c.persistent_absentees,
        t.c.sessions_possible,
        t.c.sessions_missed,
    ).select_from(join(t.join(schools, schools.c.urn == t.c.urn)))


SOURCES: dict[str, Callable[[], sa.Select]] = {
    "contacts": _contacts,
    "referrals": _referrals,
    "assessments": _assessments,
    "assessments_authorised": _assessments_authorised,
    "assessment_factors": _assessment_factors,
    "s47_enquiries": _s47_enquiries,
    "icpcs": _icpcs,
    "cp_plans": _cp_plans,
    "cp_plans_ended": _cp_plans_ended,
    "early_help_episodes": _early_help,
    "early_help_ended": _early_help_ended,
    "neglect_assessments": _neglect_assessments,
    "police_incidents": _police_incidents,
    "health_events": _health_events,
    "school_attendance": _school_attendance,
}


_GEOGRAPHY = ("locality", "ward", "area")
_CHILD = (*_GEOGRAPHY, "agency", "school", "age_band", "sex", "ethnicity")
# which standard columns hold real values on each source (the others are there, empty, for one query shape)
SOURCE_DIMENSIONS: dict[str, tuple[str, ...]] = {
    **{name: _CHILD for name in SOURCES},
    "assessment_factors": (*_CHILD, "factor"),
    "icpcs": tuple(d for d in _CHILD if d not in ("agency", "school")),
    "cp_plans": tuple(d for d in _CHILD if d not in ("agency", "school")),
    "cp_plans_ended": tuple(d for d in _CHILD if d not in ("agency", "school")),
    "early_help_episodes": tuple(d for d in _CHILD if d not in ("agency", "school")),
    "early_help_ended": tuple(d for d in _CHILD if d not in ("agency", "school")),
    "neglect_assessments": tuple(d for d in _CHILD if d not in ("agency", "school")),
    "police_incidents": _GEOGRAPHY,
    "health_events": (*_GEOGRAPHY, "age_band"),
    "school_attendance": (*_GEOGRAPHY, "school"),
}


@cache
def source(name: str) -> sa.Subquery:
    """The named event source as a subquery with the standard columns (built once per process)."""
    if name not in SOURCES:
        raise KeyError(f"unknown event source {name!r}; known: {', '.join(SOURCES)}")
    return SOURCES[name]().subquery(name)
