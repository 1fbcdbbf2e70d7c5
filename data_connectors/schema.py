"""The canonical partnership schema, declared once.

This SQLAlchemy metadata is the single description of the store: it creates the tables, drives row
validation (types, required fields, code lists, ranges, references, keys), names the columns of the
canonical templates and generates the data dictionary. Column `info` carries what SQLAlchemy cannot:
`description`, `codelist`, `references` ("table.column"), `privacy` (how a sensitive field is reduced
on the way in), `template_name` (when the template column differs) and `minimum` / `maximum`.
Table `info` carries `description`, `group`, `period` (the date column that says which period an
extract covers), `postcode_inputs` (template-only postcode columns reduced to a small area) and `merged`
(rows that several sources describe, each filling the columns it knows: see `data_connectors.writer`).

References are checked by the load pipeline rather than by database foreign keys, so that a reload can
replace rows in any order and DuckDB (whose key indexes make deletes very slow) behaves like PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from data_connectors.codelists import ALL_CODE_LISTS

metadata = sa.MetaData()

KEYED_HASH = "keyed_hash"
BIRTH_MONTH = "birth_month"
ROUNDED_LOCATION = "rounded_location"

SEVERAL_SOURCES = "several_sources"
PROVENANCE_COLUMNS = ("source", "load_id", SEVERAL_SOURCES)


def col(
    name: str,
    type_: Any,
    description: str,
    *,
    key: bool = False,
    required: bool = False,
    codelist: str | None = None,
    references: str | None = None,
    privacy: str | None = None,
    template_name: str | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> sa.Column:
    """One canonical column; keys are always required."""
    if codelist is not None and codelist not in ALL_CODE_LISTS:
        raise ValueError(f"column {name}: unknown code list {codelist!r}")
    info = {
        "description": description,
        "codelist": codelist,
        "references": references,
        "privacy": privacy,
        "template_name": template_name,
        "minimum": minimum,
        "maximum": maximum,
    }
    return sa.Column(
        name,
        type_,
        primary_key=key,
        nullable=not (key or required),
        info={k: v for k, v in info.items() if v is not None},
    )


def child_id(required: bool = True) -> sa.Column:
    return col(
        "child_id",
        sa.String(40),
        "The child, as a keyed hash of the local authority's child identifier.",
        required=required,
        references="children.child_id",
        privacy=KEYED_HASH,
    )


def canonical_table(name: str, group: str, description: str, *columns: sa.Column, **info: Any) -> sa.Table:
    """Declare a data table with its provenance columns and a key that DuckDB does not index. A `merged`
    table also records whether more than one source describes a row."""
    provenance = [
        sa.Column("source", sa.String(200), nullable=False, info={"description": "Which extract this row came from."}),
        sa.Column("load_id", sa.Integer, nullable=False, info={"description": "The load that wrote this row."}),
    ]
    if info.get("merged"):
        provenance.append(
            sa.Column(
                SEVERAL_SOURCES,
                sa.Boolean,
                nullable=False,
                info={
                    "description": "More than one source describes this row (each filled the columns it knows); "
                    "`source` is the last to write it, and no one source's newer extract removes it."
                },
            )
        )
    table = sa.Table(
        name,
        metadata,
        *columns,
        *provenance,
        info={"description": description, "group": group, **info},
    )
    # DuckDB's key index makes deletes and commits about fifty times slower; the pipeline enforces keys.
    table.primary_key.ddl_if(callable_=lambda ddl, target, bind, dialect, **kw: dialect.name != "duckdb")
    return table


AREA_CODE = "ONS small area (LSOA 2021) code"

# --- Geography -------------------------------------------------------------------------------------

localities = canonical_table(
    "localities",
    "geography",
    "Partnership localities: the areas leaders plan and meet by.",
    col("locality_code", sa.String(20), "Locality code chosen by the partnership.", key=True),
    col("locality_name", sa.String(100), "Locality name.", required=True),
    col("la_code", sa.String(9), "ONS local authority code (E06/E08/E09/E10).", required=True),
    col("la_name", sa.String(100), "Local authority name.", required=True),
)

wards = canonical_table(
    "wards",
    "geography",
    "Electoral wards and the locality each belongs to.",
    col("ward_code", sa.String(9), "ONS ward code (E05).", key=True),
    col("ward_name", sa.String(100), "Ward name.", required=True),
    col("locality_code", sa.String(20), "Locality.", required=True, references="localities.locality_code"),
)

small_areas = canonical_table(
    "small_areas",
    "geography",
    "Small areas (LSOA 2021), the finest geography the store keeps for children's homes.",
    col("area_code", sa.String(9), AREA_CODE + ".", key=True),
    col("area_name", sa.String(100), "Small area name.", required=True),
    col("ward_code", sa.String(9), "Ward the small area sits in.", required=True, references="wards.ward_code"),
    col("centroid_latitude", sa.Double, "Latitude of the area's centre (WGS84).", minimum=49.0, maximum=61.0),
    col("centroid_longitude", sa.Double, "Longitude of the area's centre (WGS84).", minimum=-9.0, maximum=3.0),
)

boundaries = canonical_table(
    "boundaries",
    "geography",
    "Boundaries of small areas, wards and localities for maps, as GeoJSON in WGS84. The GeoJSON connector "
    "repairs each to valid polygons, simplifies it to 10 m (on British National Grid metres, each boundary on "
    "its own) with coordinates to 6 decimal places, and works out its centroid. Codes are not checked against "
    "the lookup tables: a national boundary file loads whole, and pages draw the areas they know.",
    col("level", sa.String(10), "Which geography the boundary is of.", key=True, codelist="boundary_level"),
    col("area_code", sa.String(20), "Small area, ward or locality code, as in those tables.", key=True),
    col("area_name", sa.String(100), "Name of the area."),
    col("geometry", sa.Text, "Boundary as a GeoJSON Polygon or MultiPolygon geometry (WGS84).", required=True),
    col("centroid_latitude", sa.Double, "Latitude of the boundary's centroid (WGS84).", minimum=49.0, maximum=61.0),
    col("centroid_longitude", sa.Double, "Longitude of the boundary's centroid (WGS84).", minimum=-9.0, maximum=3.0),
)

postcode_areas = canonical_table(
    "postcode_areas",
    "geography",
    "Postcode to small area lookup (e.g. from the ONS postcode directory): how postcodes are reduced "
    "to a small area on the way in. Postcodes themselves are never stored against a child.",
    col("postcode", sa.String(8), "Postcode, upper case, single space before the inward code.", key=True),
    col("area_code", sa.String(9), AREA_CODE + ".", required=True, references="small_areas.area_code"),
)

population = canonical_table(
    "population",
    "geography",
    "Children's population by small area, year and single year of age (ONS mid-year estimates).",
    col("area_code", sa.String(9), AREA_CODE + ".", key=True, references="small_areas.area_code"),
    col("year", sa.Integer, "Mid-year of the estimate.", key=True, minimum=2000, maximum=2100),
    col("age", sa.Integer, "Single year of age, 0 to 17.", key=True, minimum=0, maximum=17),
    col("population", sa.Integer, "Estimated number of children.", required=True, minimum=0),
)

deprivation = canonical_table(
    "deprivation",
    "geography",
    "Indices of Deprivation by small area (rank 1 and decile 1 are the most deprived).",
    col("area_code", sa.String(9), AREA_CODE + ".", key=True, references="small_areas.area_code"),
    col("iod_year", sa.Integer, "Edition of the indices (2019, 2025).", key=True, minimum=2000, maximum=2100),
    col("imd_score", sa.Double, "Index of Multiple Deprivation score.", required=True, minimum=0),
    col("imd_rank", sa.Integer, "IMD rank among all English small areas.", minimum=1),
    col("imd_decile", sa.Integer, "IMD decile (1 = most deprived 10%).", required=True, minimum=1, maximum=10),
    col("idaci_score", sa.Double, "IDACI: share of children in income-deprived families.", minimum=0, maximum=1),
    col("idaci_rank", sa.Integer, "IDACI rank.", minimum=1),
    col("idaci_decile", sa.Integer, "IDACI decile (1 = most deprived 10%).", minimum=1, maximum=10),
)

schools = canonical_table(
    "schools",
    "geography",
    "Schools and colleges (Get Information About Schools).",
    col("urn", sa.String(8), "Unique reference number of the establishment.", key=True),
    col("school_name", sa.String(200), "Establishment name.", required=True),
    col("phase", sa.String(30), "Phase of education.", required=True, codelist="school_phase"),
    col("establishment_type", sa.String(100), "Type of establishment (GIAS name)."),
    col("la_code", sa.String(9), "ONS local authority code."),
    col("area_code", sa.String(9), AREA_CODE + " the school stands in.", references="small_areas.area_code"),
    col("latitude", sa.Double, "Latitude (WGS84).", minimum=49.0, maximum=61.0),
    col("longitude", sa.Double, "Longitude (WGS84).", minimum=-9.0, maximum=3.0),
    col("pupils", sa.Integer, "Number of pupils on roll.", minimum=0),
    col("is_open", sa.Boolean, "Whether the establishment is open."),
)

# --- Children's social care ------------------------------------------------------------------------

children = canonical_table(
    "children",
    "social_care",
    "Children known to the partnership. No name, address, date of birth or national identifier is kept.",
    col(
        "child_id",
        sa.String(40),
        "Keyed hash of the local authority's child identifier.",
        key=True,
        privacy=KEYED_HASH,
    ),
    col(
        "birth_month",
        sa.Date,
        "First day of the month of birth (the day is dropped on the way in).",
        privacy=BIRTH_MONTH,
        template_name="date_of_birth",
    ),
    col("sex", sa.String(1), "Sex as recorded (CIN GenderCurrent codes).", codelist="sex"),
    col("ethnicity", sa.String(4), "Ethnicity (DfE code).", codelist="ethnicity"),
    col("has_disability", sa.Boolean, "Whether the child has a disability."),
    col(
        "home_area_code",
        sa.String(9),
        "Small area of the child's home, from the postcode when one is given.",
        references="small_areas.area_code",
    ),
    postcode_inputs={"home_postcode": "home_area_code"},
    merged=True,
)

contacts = canonical_table(
    "contacts",
    "social_care",
    "Contacts to the front door (Annex A list 1), with the referrer's own view of the level of need.",
    col("contact_id", sa.String(40), "Keyed hash of the contact identifier.", key=True, privacy=KEYED_HASH),
    child_id(),
    col("contact_date", sa.Date, "Date the contact was received.", required=True),
    col("source_code", sa.String(3), "Who made the contact.", required=True, codelist="referral_source"),
    col("referrer_need_level", sa.String(1), "Level of need in the referrer's view.", codelist="need_level"),
    col("school_urn", sa.String(8), "School that made the contact, if a school did.", references="schools.urn"),
    col("outcome", sa.String(12), "What the front door decided.", codelist="contact_outcome"),
    period="contact_date",
)

referrals = canonical_table(
    "referrals",
    "social_care",
    "Referrals to children's social care (CIN census CINdetails; Annex A list 3) with the front-door "
    "decision, so thresholds can be compared with the referrer's view.",
    col("referral_id", sa.String(40), "Keyed hash of the referral identifier.", key=True, privacy=KEYED_HASH),
    child_id(),
    col(
        "contact_id",
        sa.String(40),
        "Contact the referral came from.",
        references="contacts.contact_id",
        privacy=KEYED_HASH,
    ),
    col("referral_date", sa.Date, "CIN referral date.", required=True),
    col("source_code", sa.String(3), "Source of referral.", required=True, codelist="referral_source"),
    col("referrer_need_level", sa.String(1), "Level of need in the referrer's view.", codelist="need_level"),
    col("school_urn", sa.String(8), "Referring school, if a school referred.", references="schools.urn"),
    col("decision_date", sa.Date, "Date the front door decided what to do."),
    col("decision_level", sa.String(1), "Level of need the front door decided on.", codelist="need_level"),
    col("outcome", sa.String(12), "Outcome of the referral.", codelist="referral_outcome"),
    col("nfa", sa.Boolean, "Referral resulted in no further action (CIN ReferralNFA)."),
    col("primary_need_code", sa.String(2), "Primary need.", codelist="primary_need"),
    col("closure_date", sa.Date, "Date the CIN episode closed."),
    col("closure_reason", sa.String(3), "Reason the CIN episode closed.", codelist="closure_reason"),
    period="referral_date",
    merged=True,
)

assessments = canonical_table(
    "assessments",
    "social_care",
    "Child and family assessments (CIN census Assessments; Annex A list 4).",
    col("assessment_id", sa.String(40), "Keyed hash of the assessment identifier.", key=True, privacy=KEYED_HASH),
    child_id(),
    col(
        "referral_id",
        sa.String(40),
        "Referral the assessment belongs to.",
        references="referrals.referral_id",
        privacy=KEYED_HASH,
    ),
    col("start_date", sa.Date, "Assessment actual start date.", required=True),
    col("authorised_date", sa.Date, "Date the assessment was authorised (completed)."),
    col("child_seen", sa.Boolean, "Whether the child was seen during the assessment."),
    col("outcome", sa.String(12), "Outcome of the assessment.", codelist="assessment_outcome"),
    period="start_date",
    merged=True,
)

assessment_factors = canonical_table(
    "assessment_factors",
    "social_care",
    "Factors identified at the end of an assessment, one row per factor (CIN AssessmentFactorsList).",
    col(
        "assessment_id",
        sa.String(40),
        "Assessment.",
        key=True,
        references="assessments.assessment_id",
        privacy=KEYED_HASH,
    ),
    col("factor_code", sa.String(3), "Factor identified.", key=True, codelist="assessment_factor"),
    merged=True,
)

s47_enquiries = canonical_table(
    "s47_enquiries",
    "social_care",
    "Section 47 enquiries (CIN census Section47; Annex A list 5).",
    col("s47_id", sa.String(40), "Keyed hash of the enquiry identifier.", key=True, privacy=KEYED_HASH),
    child_id(),
    col(
        "referral_id",
        sa.String(40),
        "Referral the enquiry belongs to.",
        references="referrals.referral_id",
        privacy=KEYED_HASH,
    ),
    col("start_date", sa.Date, "Date of the strategy discussion starting the enquiry.", required=True),
    col("end_date", sa.Date, "Date the enquiry ended."),
    col("outcome", sa.String(20), "Outcome of the enquiry.", codelist="s47_outcome"),
    col("icpc_not_required", sa.Boolean, "An initial conference was judged unnecessary."),
    period="start_date",
    merged=True,
)

icpcs = canonical_table(
    "icpcs",
    "social_care",
    "Initial child protection conferences.",
    col("icpc_id", sa.String(40), "Keyed hash of the conference identifier.", key=True, privacy=KEYED_HASH),
    child_id(),
    col(
        "s47_id",
        sa.String(40),
        "Enquiry that led to the conference.",
        references="s47_enquiries.s47_id",
        privacy=KEYED_HASH,
    ),
    col("icpc_date", sa.Date, "Date of the conference.", required=True),
    col("cp_plan_made", sa.Boolean, "The conference made a child protection plan.", required=True),
    period="icpc_date",
    merged=True,
)

cp_plans = canonical_table(
    "cp_plans",
    "social_care",
    "Child protection plans (CIN census ChildProtectionPlans; Annex A list 7).",
    col("cp_plan_id", sa.String(40), "Keyed hash of the plan identifier.", key=True, privacy=KEYED_HASH),
    child_id(),
    col(
        "icpc_id",
        sa.String(40),
        "Conference that made the plan.",
        references="icpcs.icpc_id",
        privacy=KEYED_HASH,
    ),
    col("start_date", sa.Date, "Plan start date.", required=True),
    col("end_date", sa.Date, "Plan end date."),
    col("initial_category", sa.String(3), "Initial category of abuse.", required=True, codelist="category_of_abuse"),
    col("latest_category", sa.String(3), "Latest category of abuse.", codelist="category_of_abuse"),
    col("previous_plans", sa.Integer, "Number of previous child protection plans.", minimum=0, maximum=50),
    period="start_date",
    merged=True,
)

early_help_episodes = canonical_table(
    "early_help_episodes",
    "social_care",
    "Early help episodes (Annex A list 2; SSD ssd_early_help_episodes).",
    col("episode_id", sa.String(40), "Keyed hash of the episode identifier.", key=True, privacy=KEYED_HASH),
    child_id(),
    col("start_date", sa.Date, "Episode start date.", required=True),
    col("end_date", sa.Date, "Episode end date."),
    col("reason", sa.String(30), "Main reason for early help.", required=True, codelist="early_help_reason"),
    col("end_reason", sa.String(12), "Why the episode ended.", codelist="early_help_end"),
    col("lead_agency", sa.String(20), "Agency leading the early help plan.", codelist="partner_agency"),
    period="start_date",
)

neglect_assessments = canonical_table(
    "neglect_assessments",
    "social_care",
    "Neglect assessments with area grades 1 (best) to 5 (worst), as Graded Care Profile 2 records them. "
    "Only the grades are kept, never the licensed tool's item text.",
    col(
        "neglect_assessment_id",
        sa.String(40),
        "Keyed hash of the assessment identifier.",
        key=True,
        privacy=KEYED_HASH,
    ),
    child_id(),
    col("assessment_date", sa.Date, "Date of the assessment.", required=True),
    col("tool", sa.String(40), "Tool used (e.g. GCP2).", required=True),
    col("physical_care_grade", sa.Integer, "Physical care grade.", minimum=1, maximum=5),
    col("safety_grade", sa.Integer, "Care of safety grade.", minimum=1, maximum=5),
    col("emotional_care_grade", sa.Integer, "Emotional care (love and belonging) grade.", minimum=1, maximum=5),
    col("developmental_care_grade", sa.Integer, "Developmental care (esteem) grade.", minimum=1, maximum=5),
    col("overall_grade", sa.Integer, "Overall grade.", minimum=1, maximum=5),
    period="assessment_date",
)

# --- Partner agencies ------------------------------------------------------------------------------

police_incidents = canonical_table(
    "police_incidents",
    "partners",
    "Police incidents and crimes shared with the partnership, with safeguarding flags. Locations are "
    "rounded to about 100 metres on the way in; police.uk locations are anonymous snap points.",
    col("incident_id", sa.String(40), "Keyed hash of the police reference.", key=True, privacy=KEYED_HASH),
    col("incident_date", sa.Date, "Date of the incident (first of the month for police.uk).", required=True),
    col("category", sa.String(30), "Crime or incident type.", required=True, codelist="police_category"),
    col("hate_crime", sa.Boolean, "Flagged as a hate crime or hate incident."),
    col("cse_concern", sa.Boolean, "Child sexual exploitation concern flagged."),
    col("cce_concern", sa.Boolean, "Child criminal exploitation concern flagged."),
    col("missing_episode", sa.Boolean, "Linked to a child's missing episode."),
    col("domestic_abuse", sa.Boolean, "Domestic abuse flagged."),
    col("child_present", sa.Boolean, "A child was present or linked."),
    child_id(required=False),
    col(
        "latitude",
        sa.Double,
        "Latitude (WGS84), rounded to 3 decimal places.",
        minimum=49.0,
        maximum=61.0,
        privacy=ROUNDED_LOCATION,
    ),
    col(
        "longitude",
        sa.Double,
        "Longitude (WGS84), rounded to 3 decimal places.",
        minimum=-9.0,
        maximum=3.0,
        privacy=ROUNDED_LOCATION,
    ),
    col("location_precision", sa.String(8), "How exact the location is.", codelist="location_precision"),
    col("area_code", sa.String(9), AREA_CODE + " of the location.", references="small_areas.area_code"),
    period="incident_date",
)

health_events = canonical_table(
    "health_events",
    "partners",
    "Health events for children, counted by small area, month, type and age band (no child-level data).",
    col("area_code", sa.String(9), AREA_CODE + ".", key=True, references="small_areas.area_code"),
    col("month", sa.Date, "First day of the month.", key=True),
    col("event_type", sa.String(25), "Type of event.", key=True, codelist="health_event_type"),
    col("age_band", sa.String(5), "Age band.", key=True, codelist="age_band"),
    col("event_count", sa.Integer, "Number of events.", required=True, minimum=0),
    period="month",
)

school_attendance = canonical_table(
    "school_attendance",
    "partners",
    "School attendance by school and term.",
    col("urn", sa.String(8), "School.", key=True, references="schools.urn"),
    col("academic_year", sa.String(7), "Academic year, e.g. 2024/25.", key=True),
    col("term", sa.String(6), "Term.", key=True, codelist="term"),
    col("pupils", sa.Integer, "Pupils on roll.", required=True, minimum=0),
    col("sessions_possible", sa.Integer, "Possible sessions.", required=True, minimum=0),
    col("sessions_missed", sa.Integer, "Sessions missed (authorised and unauthorised).", required=True, minimum=0),
    col("persistent_absentees", sa.Integer, "Pupils missing 10% or more of sessions.", minimum=0),
    col("term_start", sa.Date, "First day of term.", required=True),
    period="term_start",
)

# --- Partnership practice --------------------------------------------------------------------------

audits = canonical_table(
    "audits",
    "practice",
    "Multi-agency case audits.",
    col("audit_id", sa.String(20), "Audit reference.", key=True),
    col("title", sa.String(200), "Audit title.", required=True),
    col("theme", sa.String(100), "Theme (e.g. neglect, exploitation, front door)."),
    col("start_date", sa.Date, "Date the audit started.", required=True),
    col("completed_date", sa.Date, "Date the audit reported."),
    col("cases_reviewed", sa.Integer, "Number of cases reviewed.", minimum=0),
    col("lead_agency", sa.String(20), "Agency leading the audit.", codelist="partner_agency"),
    period="start_date",
)

audit_findings = canonical_table(
    "audit_findings",
    "practice",
    "Findings from audits, by agency.",
    col("finding_id", sa.String(20), "Finding reference.", key=True),
    col("audit_id", sa.String(20), "Audit.", required=True, references="audits.audit_id"),
    col("agency", sa.String(20), "Agency the finding is about.", codelist="partner_agency"),
    col("grade", sa.String(20), "Practice grade.", codelist="audit_grade"),
    col("finding", sa.String(4000), "What the audit found."),
)

actions = canonical_table(
    "actions",
    "practice",
    "Partnership actions, with owner, due date and the re-audit that tests them.",
    col("action_id", sa.String(20), "Action reference.", key=True),
    col("origin", sa.String(20), "Where the action came from.", required=True, codelist="action_origin"),
    col("origin_ref", sa.String(20), "Reference of the audit, review or return it came from."),
    col("description", sa.String(4000), "What is to be done.", required=True),
    col("owner_agency", sa.String(20), "Agency that owns the action.", required=True, codelist="partner_agency"),
    col("due_date", sa.Date, "Date due.", required=True),
    col("status", sa.String(20), "Status.", required=True, codelist="action_status"),
    col("completed_date", sa.Date, "Date completed."),
    col("reaudit_id", sa.String(20), "Audit that re-tests the action.", references="audits.audit_id"),
)

training_events = canonical_table(
    "training_events",
    "practice",
    "Multi-agency training events.",
    col("event_id", sa.String(20), "Event reference.", key=True),
    col("title", sa.String(200), "Course title.", required=True),
    col("topic", sa.String(100), "Topic (e.g. neglect, exploitation, thresholds)."),
    col("event_date", sa.Date, "Date delivered.", required=True),
    col("delivery", sa.String(12), "How it was delivered.", codelist="training_delivery"),
    col("places", sa.Integer, "Places offered.", minimum=0),
    col("attendees", sa.Integer, "People who attended.", minimum=0),
    period="event_date",
)

training_evaluations = canonical_table(
    "training_evaluations",
    "practice",
    "Evaluations by attendees, before and after, and whether practice changed at follow-up.",
    col("evaluation_id", sa.String(20), "Evaluation reference.", key=True),
    col("event_id", sa.String(20), "Training event.", required=True, references="training_events.event_id"),
    col("agency", sa.String(20), "Attendee's agency.", codelist="partner_agency"),
    col("confidence_before", sa.Integer, "Confidence before (1 to 5).", minimum=1, maximum=5),
    col("confidence_after", sa.Integer, "Confidence after (1 to 5).", minimum=1, maximum=5),
    col("follow_up_date", sa.Date, "Date of the follow-up survey."),
    col("practice_changed", sa.Boolean, "Attendee reports a change in practice at follow-up."),
)

escalations = canonical_table(
    "escalations",
    "practice",
    "Professional disagreements escalated between agencies.",
    col("escalation_id", sa.String(20), "Escalation reference.", key=True),
    col("raised_date", sa.Date, "Date raised.", required=True),
    col("raising_agency", sa.String(20), "Agency that raised it.", required=True, codelist="partner_agency"),
    col("receiving_agency", sa.String(20), "Agency it was raised with.", codelist="partner_agency"),
    col("stage", sa.Integer, "Highest stage reached in the escalation policy.", minimum=1, maximum=5),
    col("subject", sa.String(200), "What the disagreement was about (e.g. threshold decision)."),
    col("resolved_date", sa.Date, "Date resolved."),
    col("outcome", sa.String(200), "How it was resolved."),
    period="raised_date",
)

section11_returns = canonical_table(
    "section11_returns",
    "practice",
    "Section 11 self-assessments: each agency's rating against each standard.",
    col("return_id", sa.String(20), "Return line reference.", key=True),
    col("agency", sa.String(20), "Agency.", required=True, codelist="partner_agency"),
    col("return_year", sa.String(7), "Year of the return, e.g. 2025/26.", required=True),
    col("standard", sa.Integer, "Standard number.", required=True, minimum=1, maximum=20),
    col("rating", sa.String(14), "Self-assessed rating.", required=True, codelist="rag_rating"),
    col("evidence_summary", sa.String(4000), "Evidence given."),
)

priorities = canonical_table(
    "priorities",
    "practice",
    "Partnership priorities and their progress.",
    col("priority_id", sa.String(20), "Priority reference.", key=True),
    col("title", sa.String(200), "Priority.", required=True),
    col("description", sa.String(4000), "What success looks like."),
    col("lead_agency", sa.String(20), "Lead agency.", codelist="partner_agency"),
    col("start_date", sa.Date, "Start date.", required=True),
    col("end_date", sa.Date, "End date."),
    col("status", sa.String(10), "Progress.", codelist="priority_status"),
)

learning_reviews = canonical_table(
    "learning_reviews",
    "practice",
    "Rapid reviews and child safeguarding practice reviews.",
    col("review_id", sa.String(20), "Review reference.", key=True),
    col("review_type", sa.String(14), "Type of review.", required=True, codelist="learning_review_type"),
    col("notification_date", sa.Date, "Date of the serious incident notification.", required=True),
    col("rapid_review_date", sa.Date, "Date the rapid review was completed."),
    col("published_date", sa.Date, "Date the review was published."),
    col("themes", sa.String(500), "Learning themes."),
    col("recommendations", sa.Integer, "Number of recommendations.", minimum=0),
    period="notification_date",
)

voice_of_child = canonical_table(
    "voice_of_child",
    "practice",
    "What children and young people said about the help they received (themes only, no free text).",
    col("feedback_id", sa.String(20), "Feedback reference.", key=True),
    col("feedback_date", sa.Date, "Date given.", required=True),
    col("agency", sa.String(20), "Agency or service the feedback is about.", codelist="partner_agency"),
    col("age_band", sa.String(5), "Age band of the child.", codelist="age_band"),
    col("theme", sa.String(100), "Theme (e.g. being listened to, knowing my worker)."),
    col("sentiment", sa.String(8), "How the child felt.", codelist="feedback_sentiment"),
    period="feedback_date",
)

# --- Benchmarks ------------------------------------------------------------------------------------

published_statistics = canonical_table(
    "published_statistics",
    "benchmarks",
    "Published official statistics (DfE Explore Education Statistics files and the like) for England, its "
    "regions and local authorities, one value per indicator, so the partnership can be set beside England, "
    "its region and its statistical neighbours.",
    col("publication", sa.String(100), "Which published file: its name without date stamps.", key=True),
    col("time_period", sa.String(6), "Period as published: YYYY, or YYYYYY for e.g. academic year 2024/25.", key=True),
    col("time_identifier", sa.String(40), "What the period is (Reporting year, Academic year, ...).", key=True),
    col("geographic_level", sa.String(20), "National, Regional or Local authority.", key=True),
    col("area_code", sa.String(9), "ONS code of the country, region or local authority.", key=True),
    col("area_name", sa.String(100), "Name of the country, region or local authority."),
    col("old_la_code", sa.String(3), "DfE local authority number (three digits), for local authorities."),
    col(
        "breakdown",
        sa.String(500),
        'The row\'s other dimensions as "name=value" pairs in name order, joined by "; " ("Total" when none).',
        key=True,
    ),
    col(
        "indicator",
        sa.String(100),
        "The published column the value comes from, its heading in lower snake case (e.g. referral_count).",
        key=True,
    ),
    col("value", sa.Double, "The published figure; empty when a symbol stands in its place."),
    col(
        "marker",
        sa.String(5),
        "The published symbol when there is no figure: c confidential (suppressed), low or k rounds to zero "
        "but is not zero, u low reliability, x not available, z not applicable, : or ~ older symbols.",
    ),
)

statistical_neighbours = canonical_table(
    "statistical_neighbours",
    "benchmarks",
    "DfE statistical neighbours: for each local authority, the ten most similar authorities, closest first.",
    col("model", sa.String(10), "Which statistical neighbour model (e.g. 2025, 2021).", key=True),
    col("la_code", sa.String(3), "DfE local authority number (three digits; old_la_code in EES files).", key=True),
    col("rank", sa.Integer, "Position among its neighbours, 1 = most similar.", key=True, minimum=1, maximum=10),
    col("neighbour_la_code", sa.String(3), "The neighbour's DfE local authority number.", required=True),
    col("la_name", sa.String(100), "Name of the local authority whose neighbours these are."),
    col("closeness", sa.String(20), "How close the model judges the neighbour (e.g. Very close), when given."),
)

# --- The store's own records -----------------------------------------------------------------------

loads = sa.Table(
    "loads",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False, info={"description": "Load number."}),
    sa.Column("table_name", sa.String(40), nullable=False, info={"description": "Table loaded."}),
    sa.Column("source", sa.String(200), nullable=False, info={"description": "Extract the rows came from."}),
    sa.Column("file_name", sa.String(300), nullable=False, info={"description": "File name (no folder)."}),
    sa.Column("file_sha256", sa.String(64), nullable=False, info={"description": "Fingerprint of the file."}),
    sa.Column("format", sa.String(40), nullable=False, info={"description": "Format the file was read as."}),
    sa.Column("loaded_at", sa.DateTime, nullable=False, info={"description": "When the load finished (UTC)."}),
    sa.Column("rows_read", sa.Integer, nullable=False, info={"description": "Data rows read."}),
    sa.Column("rows_loaded", sa.Integer, nullable=False, info={"description": "Rows written to the store."}),
    sa.Column("rows_rejected", sa.Integer, nullable=False, info={"description": "Rows kept in the report."}),
    sa.Column("period_from", sa.Date, info={"description": "Earliest event date in the extract."}),
    sa.Column("period_to", sa.Date, info={"description": "Latest event date in the extract."}),
    info={"description": "One row per file loaded: the load history behind the data quality page.", "group": "store"},
)

load_rejections = sa.Table(
    "load_rejections",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False, info={"description": "Load number."}),
    sa.Column("table_name", sa.String(40), nullable=False, info={"description": "Table the row was for."}),
    sa.Column("file_name", sa.String(300), nullable=False, info={"description": "File name (no folder)."}),
    sa.Column("row_number", sa.Integer, nullable=False, info={"description": "Row in the file (header = 1)."}),
    sa.Column("field", sa.String(100), nullable=False, info={"description": "Field at fault."}),
    sa.Column("reason", sa.String(500), nullable=False, info={"description": "Why the row was not loaded."}),
    sa.Column("value", sa.String(200), info={"description": "The value, redacted for sensitive fields."}),
    info={"description": "Rows not loaded, with the reason: nothing read is ever silently dropped.", "group": "store"},
)

code_lists = sa.Table(
    "code_lists",
    metadata,
    sa.Column("list_name", sa.String(40), nullable=False, info={"description": "Code list."}),
    sa.Column("code", sa.String(30), nullable=False, info={"description": "Code."}),
    sa.Column("label", sa.String(200), nullable=False, info={"description": "Meaning."}),
    info={"description": "Every code list the schema validates against, for labels in pages.", "group": "store"},
)

store_meta = sa.Table(
    "store_meta",
    metadata,
    sa.Column("name", sa.String(60), nullable=False, info={"description": "Setting."}),
    sa.Column("value", sa.String(500), nullable=False, info={"description": "Value."}),
    info={
        "description": "Facts about the store, such as the fingerprint of its pseudonymisation key.",
        "group": "store",
    },
)

working_days = sa.Table(
    "working_days",
    metadata,
    sa.Column("day", sa.Date, nullable=False, info={"description": "Calendar day."}),
    sa.Column(
        "working_day_number",
        sa.Integer,
        nullable=False,
        info={"description": "English working days from the calendar's start up to and including this day."},
    ),
    info={
        "description": "The English working-day calendar (weekends and England and Wales bank holidays off), "
        "so statutory timescales in working days are a subtraction inside the store's own queries.",
        "group": "store",
    },
)

SYSTEM_TABLES = ("loads", "load_rejections", "code_lists", "store_meta", "working_days")


def data_tables() -> list[sa.Table]:
    """Canonical data tables in dependency order (a table comes after every table it references)."""
    tables = [t for t in metadata.sorted_tables if t.name not in SYSTEM_TABLES]
    ordered: list[sa.Table] = []
    placed: set[str] = set()
    while len(ordered) < len(tables):
        progress = len(ordered)
        for table in tables:
            if table.name in placed:
                continue
            parents = {ref.split(".")[0] for ref in referenced_columns(table).values()} - {table.name}
            if table.info.get("postcode_inputs"):
                parents.add("postcode_areas")
            if parents <= placed:
                ordered.append(table)
                placed.add(table.name)
        if len(ordered) == progress:
            raise ValueError("the canonical tables reference each other in a cycle")
    return ordered


def referenced_columns(table: sa.Table) -> dict[str, str]:
    """Column name to the "table.column" it must match."""
    return {c.name: c.info["references"] for c in table.columns if "references" in c.info}


def is_merged(table: sa.Table) -> bool:
    """Rows of this table may be described by several sources (a census return and a local extract)."""
    return bool(table.info.get("merged"))


def key_columns(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def content_columns(table: sa.Table) -> list[sa.Column]:
    """The columns an extract supplies (everything but provenance)."""
    return [c for c in table.columns if c.name not in PROVENANCE_COLUMNS]


def template_columns(table: sa.Table) -> list[str]:
    """Column names of the canonical template for a table, in order."""
    names = [c.info.get("template_name", c.name) for c in content_columns(table)]
    for postcode_column, area_column in table.info.get("postcode_inputs", {}).items():
        names.insert(names.index(area_column), postcode_column)
    return names


def table_by_name(name: str) -> sa.Table:
    if name not in metadata.tables or name in SYSTEM_TABLES:
        raise KeyError(name)
    return metadata.tables[name]
