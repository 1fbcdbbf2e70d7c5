"""The metric catalogue. Ids are a public interface: analysts script against them, pages link by them.

Adding a ratio is a few lines: a numerator and a denominator, each a source with conditions. Every
definition is checked when this module loads, so a broken one fails at once with its id and field.
"""

from __future__ import annotations

from dashboard.metrics.definitions import Condition as C
from dashboard.metrics.definitions import Measure, Metric, validate

PERSON = ("locality", "ward", "area", "age_band", "sex", "ethnicity")
CHILD = (*PERSON, "agency")  # events that came through a referral know who referred
AREA = ("locality", "ward", "area")
CIN = "Children in need (DfE, EES)"

NEGLECT_FACTOR = "16A"
CSE_FACTOR = "11A"
CCE_FACTOR = "24A"

_DEFINITIONS = [
    # --- Front door and referral quality -----------------------------------------------------------
    Metric(
        "contacts",
        "Contacts",
        "Contacts received by the front door: the demand every later decision starts from.",
        "count",
        Measure("contacts"),
        dimensions=(*CHILD, "school"),
    ),
    Metric(
        "contact_to_referral_rate",
        "Contacts that became referrals",
        "Share of contacts the front door passed to children's social care. Very low can mean partners "
        "contact about children who need early help instead; very high can mean thresholds are applied late.",
        "ratio",
        Measure("contacts", (C("outcome", "=", "REFERRAL"),)),
        Measure("contacts"),
        dimensions=(*CHILD, "school"),
    ),
    Metric(
        "referrals",
        "Referrals",
        "Referrals to children's social care.",
        "count",
        Measure("referrals"),
        dimensions=(*CHILD, "school"),
        reference=CIN,
    ),
    Metric(
        "referral_rate_per_10k",
        "Referral rate per 10,000 children",
        "Referrals per 10,000 children aged 0-17 living in the area: demand that can be compared between "
        "areas of different size.",
        "rate_per_10k",
        Measure("referrals"),
        dimensions=CHILD,
        reference=CIN,
    ),
    Metric(
        "rereferral_rate_12m",
        "Re-referrals within 12 months",
        "Share of referrals about a child referred before in the previous 12 months: a sign that earlier "
        "help did not last, or that the first referral was closed too soon.",
        "ratio",
        Measure("referrals", (C("rereferral_12m", "is true"),)),
        Measure("referrals"),
        polarity="lower_is_better",
        dimensions=(*CHILD, "school"),
        reference=CIN,
        england=("c1_children_in_need_referrals_and_rereferrals", "rereferral_percent"),
    ),
    Metric(
        "referral_nfa_rate",
        "Referrals with no further action",
        "Share of referrals that ended with no further action: high rates suggest referrals that did not "
        "need social care, or information too thin to act on.",
        "ratio",
        Measure("referrals", (C("nfa", "is true"),)),
        Measure("referrals"),
        polarity="lower_is_better",
        dimensions=(*CHILD, "school"),
        reference=CIN,
        england=("c1_children_in_need_referrals_and_rereferrals", "no_further_action_percent"),
    ),
    Metric(
        "assessed_not_in_need_rate",
        "Assessed as not in need",
        "Share of completed assessments that found the child not in need of social care.",
        "ratio",
        Measure("assessments_authorised", (C("outcome", "=", "NFA"),)),
        Measure("assessments_authorised"),
        polarity="lower_is_better",
        dimensions=CHILD,
        reference=CIN,
        england=("c1_children_in_need_referrals_and_rereferrals", "not_in_need_percent"),
    ),
    Metric(
        "decision_within_1wd_rate",
        "Decisions within one working day",
        "Share of referrals decided within one working day (Working Together 2023), counting English working days.",
        "ratio",
        Measure("referrals", (C("decision_working_days", "<=", 1),)),
        Measure("referrals", (C("decision_working_days", "not null"),)),
        polarity="higher_is_better",
        dimensions=CHILD,
        target=100.0,
        reference="Working Together to Safeguard Children 2023: decision within one working day",
    ),
    Metric(
        "referrals_by_source",
        "Share of referrals by source",
        "Each referring agency's share of all referrals: who sees children first.",
        "ratio",
        Measure("referrals"),
        Measure("referrals"),
        dimensions=CHILD,
        numerator_only=("agency",),
        reference=CIN,
    ),
    Metric(
        "referral_conversion_by_source",
        "Referrals leading to assessment or s47",
        "Share of each agency's referrals that led to an assessment or a section 47 enquiry: how well an "
        "agency's referrals match the threshold for social care.",
        "ratio",
        Measure("referrals", (C("outcome", "in", ("ASSESSMENT", "S47")),)),
        Measure("referrals", (C("outcome", "not null"),)),
        polarity="higher_is_better",
        dimensions=(*CHILD, "school"),
    ),
    Metric(
        "referral_information_quality",
        "Referrals with complete key information",
        "Share of referrals with the referrer's view of need, the decision, its date, the outcome and the "
        "child's home area all recorded: thin referrals make for slow and uncertain decisions.",
        "ratio",
        Measure("referrals", (C("information_complete", "is true"),)),
        Measure("referrals"),
        polarity="higher_is_better",
        dimensions=(*CHILD, "school"),
    ),
    # --- Thresholds ------------------------------------------------------------------------------------
    Metric(
        "threshold_agreement_rate",
        "Referrer and front door agree on the level of need",
        "Share of referrals where the referrer's level of need matches the front door's decision: whether "
        "agencies share one understanding of thresholds.",
        "ratio",
        Measure(
            "referrals",
            (C("referrer_need_level", "not null"), C("decision_level", "=", None, other_column="referrer_need_level")),
        ),
        Measure("referrals", (C("referrer_need_level", "not null"), C("decision_level", "not null"))),
        polarity="higher_is_better",
        dimensions=(*CHILD, "school"),
    ),
    Metric(
        "over_threshold_rate",
        "Referrer saw a higher level of need",
        "Share of referrals where the referrer judged the need higher than the front door decided.",
        "ratio",
        Measure("referrals", (C("referrer_need_level", ">", None, other_column="decision_level"),)),
        Measure("referrals", (C("referrer_need_level", "not null"), C("decision_level", "not null"))),
        polarity="lower_is_better",
        dimensions=(*CHILD, "school"),
    ),
    Metric(
        "under_threshold_rate",
        "Referrer saw a lower level of need",
        "Share of referrals where the referrer judged the need lower than the front door decided: risk the "
        "referrer did not recognise.",
        "ratio",
        Measure("referrals", (C("referrer_need_level", "<", None, other_column="decision_level"),)),
        Measure("referrals", (C("referrer_need_level", "not null"), C("decision_level", "not null"))),
        polarity="lower_is_better",
        dimensions=(*CHILD, "school"),
    ),
    Metric(
        "step_up_rate",
        "Early help stepped up to social care",
        "Share of early help episodes ending in a step up to children's social care.",
        "ratio",
        Measure("early_help_ended", (C("end_reason", "=", "STEP_UP"),)),
        Measure("early_help_ended"),
        dimensions=PERSON,
    ),
    Metric(
        "step_down_rate",
        "Assessments stepped down to early help",
        "Share of completed assessments that stepped the family down to early help.",
        "ratio",
        Measure("assessments_authorised", (C("outcome", "=", "STEP_DOWN"),)),
        Measure("assessments_authorised"),
        dimensions=CHILD,
    ),
    Metric(
        "s47_rate_per_10k",
        "Section 47 enquiries per 10,000 children",
        "Section 47 enquiries started per 10,000 children aged 0-17.",
        "rate_per_10k",
        Measure("s47_enquiries"),
        dimensions=CHILD,
        reference=CIN,
    ),
    Metric(
        "s47_to_icpc_rate",
        "Section 47 enquiries leading to an ICPC",
        "Share of section 47 enquiries that led to an initial child protection conference.",
        "ratio",
        Measure("s47_enquiries", (C("has_icpc", "is true"),)),
        Measure("s47_enquiries"),
        dimensions=CHILD,
    ),
    Metric(
        "icpc_within_15wd_rate",
        "ICPCs within 15 working days",
        "Share of initial conferences held within 15 working days of the strategy discussion that started "
        "the section 47 enquiry (Working Together 2023).",
        "ratio",
        Measure("icpcs", (C("working_days_from_s47", "<=", 15),)),
        Measure("icpcs", (C("working_days_from_s47", "not null"),)),
        polarity="higher_is_better",
        dimensions=PERSON,
        target=100.0,
        reference="Working Together to Safeguard Children 2023: ICPC within 15 working days",
    ),
    Metric(
        "icpc_to_cp_plan_rate",
        "ICPCs making a child protection plan",
        "Share of initial conferences that made a child protection plan.",
        "ratio",
        Measure("icpcs", (C("cp_plan_made", "is true"),)),
        Measure("icpcs"),
        dimensions=PERSON,
    ),
    Metric(
        "cp_plan_rate_per_10k",
        "Child protection plans started per 10,000 children",
        "Child protection plans starting, per 10,000 children aged 0-17.",
        "rate_per_10k",
        Measure("cp_plans"),
        dimensions=PERSON,
        reference=CIN,
    ),
    Metric(
        "repeat_cp_plan_rate",
        "Second or subsequent child protection plans",
        "Share of plans starting for a child who had a plan before: help that did not last.",
        "ratio",
        Measure("cp_plans", (C("previous_plans", ">", 0),)),
        Measure("cp_plans", (C("previous_plans", "not null"),)),
        polarity="lower_is_better",
        dimensions=PERSON,
        reference=CIN,
        england=("d3_cpps_subsequent_plan", "cpp_subsequent_percent"),
    ),
    Metric(
        "cp_plans_2yrs_plus",
        "Plans ending after two years or more",
        "Share of child protection plans ending in the period that had lasted two years or more: drift.",
        "ratio",
        Measure("cp_plans_ended", (C("duration_days", ">=", 730),)),
        Measure("cp_plans_ended"),
        polarity="lower_is_better",
        dimensions=PERSON,
        reference=CIN,
    ),
    # --- Assessment --------------------------------------------------------------------------------
    Metric(
        "assessments",
        "Assessments started",
        "Child and family assessments started: the step between a referral and a section 47 enquiry or help.",
        "count",
        Measure("assessments"),
        dimensions=CHILD,
    ),
    Metric(
        "assessments_within_45wd_rate",
        "Assessments within 45 working days",
        "Share of completed assessments authorised within 45 working days of starting (Working Together 2023).",
        "ratio",
        Measure("assessments_authorised", (C("working_days_to_authorise", "<=", 45),)),
        Measure("assessments_authorised"),
        polarity="higher_is_better",
        dimensions=CHILD,
        target=100.0,
        reference="Working Together to Safeguard Children 2023: assessment within 45 working days",
    ),
    Metric(
        "assessment_factor_prevalence",
        "Assessments identifying each factor",
        "Share of completed assessments at which each factor was identified (split by factor): the needs "
        "behind the work.",
        "ratio",
        Measure("assessment_factors", distinct="assessment_id"),
        Measure("assessments_authorised"),
        dimensions=CHILD,
        numerator_only=("factor",),
        reference=CIN,
    ),
    # --- Neglect -----------------------------------------------------------------------------------
    Metric(
        "neglect_at_assessment_rate_per_10k",
        "Neglect identified at assessment per 10,000 children",
        "Completed assessments identifying neglect (factor 16A) per 10,000 children aged 0-17.",
        "rate_per_10k",
        Measure("assessment_factors", (C("factor_code", "=", NEGLECT_FACTOR),), distinct="assessment_id"),
        dimensions=CHILD,
        polarity="lower_is_better",
    ),
    Metric(
        "cp_plans_neglect_rate_per_10k",
        "Child protection plans for neglect per 10,000 children",
        "Plans starting with neglect as the initial category, per 10,000 children aged 0-17.",
        "rate_per_10k",
        Measure("cp_plans", (C("initial_category", "=", "NEG"),)),
        dimensions=PERSON,
        polarity="lower_is_better",
    ),
    Metric(
        "early_help_neglect_rate_per_10k",
        "Early help for neglect per 10,000 children",
        "Early help episodes starting for neglect, per 10,000 children aged 0-17.",
        "rate_per_10k",
        Measure("early_help_episodes", (C("reason", "=", "NEGLECT"),)),
        dimensions=PERSON,
        polarity="neutral",
    ),
    Metric(
        "persistent_absence_rate",
        "Pupils persistently absent",
        "Share of pupils missing 10% or more of sessions, by the school's area.",
        "ratio",
        Measure("school_attendance", total="persistent_absentees"),
        Measure("school_attendance", (C("persistent_absentees", "not null"),), total="pupils"),
        polarity="lower_is_better",
        dimensions=(*AREA, "school"),
    ),
    Metric(
        "was_not_brought_rate_per_10k",
        "Health appointments a child was not brought to, per 10,000 children",
        "Appointments missed because no one brought the child, per 10,000 children aged 0-17.",
        "rate_per_10k",
        Measure("health_events", (C("event_type", "=", "WAS_NOT_BROUGHT"),)),
        polarity="lower_is_better",
        dimensions=(*AREA, "age_band"),
    ),
    Metric(
        "neglect_grade_concern_rate",
        "Neglect assessments graded 4 or 5 overall",
        "Share of neglect assessments whose overall grade is 4 or 5 (care that does not meet the child's needs).",
        "ratio",
        Measure("neglect_assessments", (C("overall_grade", ">=", 4),)),
        Measure("neglect_assessments", (C("overall_grade", "not null"),)),
        polarity="lower_is_better",
        dimensions=PERSON,
    ),
    # --- Exploitation and harm --------------------------------------------------------------------
    Metric(
        "cse_concern_rate",
        "Child sexual exploitation identified, per 10,000 children",
        "Completed assessments identifying child sexual exploitation (factor 11A) per 10,000 children 0-17; "
        "by school through the referring school.",
        "rate_per_10k",
        Measure("assessment_factors", (C("factor_code", "=", CSE_FACTOR),)),
        polarity="lower_is_better",
        dimensions=(*CHILD, "school"),
    ),
    Metric(
        "cce_concern_rate",
        "Child criminal exploitation identified, per 10,000 children",
        "Completed assessments identifying child criminal exploitation (factor 24A) per 10,000 children 0-17; "
        "by school through the referring school.",
        "rate_per_10k",
        Measure("assessment_factors", (C("factor_code", "=", CCE_FACTOR),)),
        polarity="lower_is_better",
        dimensions=(*CHILD, "school"),
    ),
    Metric(
        "missing_episodes",
        "Missing episodes reported to police",
        "Police incidents linked to a child going missing.",
        "count",
        Measure("police_incidents", (C("missing_episode", "is true"),)),
        polarity="lower_is_better",
        dimensions=AREA,
    ),
    Metric(
        "self_harm_rate",
        "Hospital attendances after self-harm, per 10,000 children",
        "Attendances at hospital after self-harm per 10,000 children aged 0-17.",
        "rate_per_10k",
        Measure("health_events", (C("event_type", "=", "SELF_HARM_ATTENDANCE"),)),
        polarity="lower_is_better",
        dimensions=(*AREA, "age_band"),
    ),
    Metric(
        "hate_crime_incidents",
        "Hate crimes and incidents",
        "Police incidents flagged as hate crime or hate incidents.",
        "count",
        Measure("police_incidents", (C("hate_crime", "is true"),)),
        polarity="lower_is_better",
        dimensions=AREA,
    ),
]

METRICS: dict[str, Metric] = {}
for _definition in _DEFINITIONS:
    if _definition.id in METRICS:
        raise ValueError(f"metric {_definition.id}: defined twice")
    METRICS[_definition.id] = validate(_definition)


def metric(metric_id: str) -> Metric:
    """The metric with this id; KeyError naming the command that lists them."""
    if metric_id not in METRICS:
        raise KeyError(f"unknown metric {metric_id!r}; `python -m dashboard.metrics list` shows them")
    return METRICS[metric_id]
