"""National and partnership code lists that the canonical schema validates against.

National lists follow the DfE children in need census (CIN XSD 2024) and police.uk; the partnership
lists (need levels, outcomes, agencies) are the project's own vocabulary, chosen to map cleanly onto the
Standard Safeguarding Dataset proposals. Each list is data: it is written to the store's `code_lists`
table, printed in the data dictionary and used by validation, so there is exactly one copy of each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeList:
    """A named list of codes with their meanings and where the list comes from."""

    name: str
    source: str
    codes: dict[str, str]

    def __post_init__(self) -> None:
        # validation matches a value's upper-case spelling, so every canonical code is upper case
        lower = [code for code in self.codes if code != code.upper()]
        if lower:
            raise ValueError(f"code list {self.name}: codes must be upper case: {lower}")


CIN_XSD = "DfE children in need census schema (CIN_schema_2024.xsd)"

REFERRAL_SOURCE = CodeList(
    "referral_source",
    CIN_XSD + ", ReferralSource N00152; also used for contact source (Annex A list 1)",
    {
        "1A": "Individual: family member, relative or carer",
        "1B": "Individual: acquaintance (including neighbours and childminders)",
        "1C": "Individual: self",
        "1D": "Individual: other",
        "2A": "Schools",
        "2B": "Education services",
        "3A": "Health: GP",
        "3B": "Health: health visitor",
        "3C": "Health: school nurse",
        "3D": "Health: other primary health services",
        "3E": "Health: A&E",
        "3F": "Health: other",
        "4": "Housing: local authority housing or housing association",
        "5A": "LA services: social care (e.g. adult social care)",
        "5B": "LA services: other internal (e.g. youth offending)",
        "5C": "LA services: external (another local authority)",
        "5D": "LA services: early help",
        "6": "Police",
        "7": "Other legal agency (courts, probation, immigration, Cafcass, prison)",
        "8": "Other (children's centres, independent providers, voluntary organisations)",
        "9": "Anonymous",
        "10": "Unknown",
    },
)

ASSESSMENT_FACTOR = CodeList(
    "assessment_factor",
    CIN_XSD + ", AssessmentFactors N00181 (A = the child, B = parent or carer, C = other household member)",
    {
        "1A": "Alcohol misuse: child",
        "1B": "Alcohol misuse: parent or carer",
        "1C": "Alcohol misuse: other household member",
        "2A": "Drug misuse: child",
        "2B": "Drug misuse: parent or carer",
        "2C": "Drug misuse: other household member",
        "3A": "Domestic abuse: child is the subject",
        "3B": "Domestic abuse: parent or carer is the subject",
        "3C": "Domestic abuse: other household member is the subject",
        "4A": "Mental health: child",
        "4B": "Mental health: parent or carer",
        "4C": "Mental health: other household member",
        "5A": "Learning disability: child",
        "5B": "Learning disability: parent or carer",
        "5C": "Learning disability: other household member",
        "6A": "Physical disability or illness: child",
        "6B": "Physical disability or illness: parent or carer",
        "6C": "Physical disability or illness: other household member",
        "7A": "Young carer",
        "8B": "Privately fostered: overseas child intending to return",
        "8C": "Privately fostered: overseas child intending to stay",
        "8D": "Privately fostered: UK child in educational placement",
        "8E": "Privately fostered: UK child in alternative family arrangement",
        "8F": "Privately fostered: other",
        "9A": "Unaccompanied asylum-seeking child",
        "10A": "Going or being missing",
        "11A": "Child sexual exploitation",
        "12A": "Trafficking",
        "13A": "Gangs",
        "14A": "Socially unacceptable behaviour",
        "15A": "Self-harm",
        "16A": "Abuse or neglect: neglect",
        "17A": "Abuse or neglect: emotional abuse",
        "18B": "Physical abuse: child on child",
        "18C": "Physical abuse: adult on child",
        "19B": "Sexual abuse: child on child",
        "19C": "Sexual abuse: adult on child",
        "20": "Other",
        "21": "No factors identified",
        "22A": "Female genital mutilation",
        "23A": "Abuse linked to faith or belief",
        "24A": "Child criminal exploitation",
    },
)

CATEGORY_OF_ABUSE = CodeList(
    "category_of_abuse",
    CIN_XSD + ", InitialCategoryOfAbuse N00113 / LatestCategoryOfAbuse",
    {
        "NEG": "Neglect",
        "PHY": "Physical abuse",
        "SAB": "Sexual abuse",
        "EMO": "Emotional abuse",
        "MUL": "Multiple or not recommended",
    },
)

PRIMARY_NEED = CodeList(
    "primary_need",
    CIN_XSD + ", PrimaryNeedCode N00101",
    {
        "N1": "Abuse or neglect",
        "N2": "Child's disability",
        "N3": "Parental disability or illness",
        "N4": "Family in acute stress",
        "N5": "Family dysfunction",
        "N6": "Socially unacceptable behaviour",
        "N7": "Low income",
        "N8": "Absent parenting",
        "N9": "Cases other than children in need",
        "N0": "Not stated",
    },
)

CLOSURE_REASON = CodeList(
    "closure_reason",
    CIN_XSD + ", ReasonForClosure",
    {
        "RC1": "Adopted",
        "RC2": "Died",
        "RC3": "Child arrangements order",
        "RC4": "Special guardianship order",
        "RC5": "Transferred to another local authority",
        "RC6": "Transferred to adult social care",
        "RC7": "Services ceased for any other reason, including no longer in need",
        "RC8": "Closed after assessment, no further action",
        "RC9": "Closed after assessment, referred to early help",
    },
)

SEX = CodeList(
    "sex",
    CIN_XSD + ", GenderCurrent (legacy field)",
    {"1": "Male", "2": "Female", "0": "Not recorded or unborn", "9": "Indeterminate"},
)

ETHNICITY = CodeList(
    "ethnicity",
    CIN_XSD + ", Ethnicity (DfE codes)",
    {
        "WBRI": "White British",
        "WIRI": "White Irish",
        "WIRT": "Traveller of Irish heritage",
        "WOTH": "Any other White background",
        "WROM": "Gypsy or Roma",
        "MWBC": "White and Black Caribbean",
        "MWBA": "White and Black African",
        "MWAS": "White and Asian",
        "MOTH": "Any other mixed background",
        "AIND": "Indian",
        "APKN": "Pakistani",
        "ABAN": "Bangladeshi",
        "AOTH": "Any other Asian background",
        "BCRB": "Black Caribbean",
        "BAFR": "Black African",
        "BOTH": "Any other Black background",
        "CHNE": "Chinese",
        "OOTH": "Any other ethnic group",
        "REFU": "Refused",
        "NOBT": "Information not yet obtained",
    },
)

NEED_LEVEL = CodeList(
    "need_level",
    "Partnership continuum of need (four levels, as most local threshold documents use)",
    {
        "1": "Universal: needs met by universal services",
        "2": "Additional: early help from a single agency",
        "3": "Complex: multi-agency early help",
        "4": "Specialist: statutory social work (child in need or at risk of significant harm)",
    },
)

CONTACT_OUTCOME = CodeList(
    "contact_outcome",
    "Standard Safeguarding Dataset proposal SSD038 (not a national standard)",
    {
        "NFA": "No further action",
        "ADVICE": "Information and advice",
        "EARLY_HELP": "Referred to early help",
        "REFERRAL": "Referred to children's social care",
    },
)

REFERRAL_OUTCOME = CodeList(
    "referral_outcome",
    "Standard Safeguarding Dataset proposal SSD051 (not a national standard)",
    {
        "NFA": "No further action",
        "ADVICE": "Advice and information or signposting",
        "STEP_DOWN": "Step down to early help",
        "ASSESSMENT": "Assessment required",
        "S47": "Strategy discussion and/or section 47 enquiry",
        "OTHER": "Other",
    },
)

ASSESSMENT_OUTCOME = CodeList(
    "assessment_outcome",
    "Standard Safeguarding Dataset proposal SSD061 (not a national standard), with CIN plan added",
    {
        "NFA": "No further action (assessed as not in need)",
        "STEP_DOWN": "Step down to early help",
        "CIN_PLAN": "Child in need plan",
        "S47": "Strategy discussion and/or section 47 enquiry",
        "OTHER": "Other",
    },
)

S47_OUTCOME = CodeList(
    "s47_outcome",
    "Standard Safeguarding Dataset proposal SSD083 (not a national standard), shortened",
    {
        "ICPC": "Initial child protection conference",
        "MONITOR": "Other agency to monitor the child's welfare",
        "CONTINUE_ASSESSMENT": "No further action under s47; continue with family assessment",
        "LEGAL": "Initiate legal action",
        "SERVICES": "Provision of services (s17)",
        "NFA": "No further action",
        "OTHER": "Other outcome",
    },
)

EARLY_HELP_REASON = CodeList(
    "early_help_reason",
    "Partnership vocabulary for the main reason for an early help episode",
    {
        "NEGLECT": "Neglect or poor home conditions",
        "DOMESTIC_ABUSE": "Domestic abuse in the household",
        "PARENTAL_MENTAL_HEALTH": "Parental mental health",
        "PARENTAL_SUBSTANCE": "Parental alcohol or drug misuse",
        "CHILD_BEHAVIOUR": "Child's behaviour",
        "CHILD_MENTAL_HEALTH": "Child's emotional wellbeing or mental health",
        "SCHOOL_ATTENDANCE": "School attendance",
        "FAMILY_CONFLICT": "Family conflict or relationship breakdown",
        "FINANCIAL_HOUSING": "Financial hardship or housing",
        "OTHER": "Other",
        "NOT_STATED": "Not stated by the source (Annex A list 2 records no reason)",
    },
)

EARLY_HELP_END = CodeList(
    "early_help_end",
    "Partnership vocabulary for why an early help episode ended",
    {
        "NEEDS_MET": "Needs met",
        "STEP_UP": "Stepped up to children's social care",
        "DISENGAGED": "Family disengaged or declined",
        "MOVED": "Moved away",
        "OTHER": "Other",
    },
)

POLICE_CATEGORY = CodeList(
    "police_category",
    "police.uk street-level crime types (14), plus incident types police share with partners",
    {
        "ANTI_SOCIAL_BEHAVIOUR": "Anti-social behaviour",
        "BICYCLE_THEFT": "Bicycle theft",
        "BURGLARY": "Burglary",
        "CRIMINAL_DAMAGE_ARSON": "Criminal damage and arson",
        "DRUGS": "Drugs",
        "OTHER_CRIME": "Other crime",
        "OTHER_THEFT": "Other theft",
        "POSSESSION_OF_WEAPONS": "Possession of weapons",
        "PUBLIC_ORDER": "Public order",
        "ROBBERY": "Robbery",
        "SHOPLIFTING": "Shoplifting",
        "THEFT_FROM_THE_PERSON": "Theft from the person",
        "VEHICLE_CRIME": "Vehicle crime",
        "VIOLENCE_SEXUAL_OFFENCES": "Violence and sexual offences",
        "MISSING_PERSON": "Missing person report (partner incident)",
        "DOMESTIC_INCIDENT": "Domestic incident (partner incident)",
        "CONCERN_FOR_WELFARE": "Concern for welfare (partner incident)",
    },
)

LOCATION_PRECISION = CodeList(
    "location_precision",
    "How exact an incident's coordinates are",
    {
        "EXACT": "Recorded location, rounded to about 100 metres on load",
        "SNAPPED": "Anonymised snap point (police.uk): approximate, never an address",
        "AREA": "Only the small area is known; coordinates are the area's centroid",
    },
)

BOUNDARY_LEVEL = CodeList(
    "boundary_level",
    "The partnership's geographies, finest first",
    {
        "SMALL_AREA": "Small area (LSOA 2021)",
        "WARD": "Electoral ward",
        "LOCALITY": "Partnership locality (a local authority district where the partnership has no localities)",
    },
)

HEALTH_EVENT_TYPE = CodeList(
    "health_event_type",
    "Partnership health extract (aggregated by small area and month)",
    {
        "SELF_HARM_ATTENDANCE": "Attendance at hospital after self-harm",
        "WAS_NOT_BROUGHT": "Child not brought to a health appointment",
    },
)

AGE_BAND = CodeList(
    "age_band",
    "DfE children in need publication age bands",
    {"0-4": "Under 5", "5-9": "5 to 9", "10-15": "10 to 15", "16-17": "16 and 17"},
)

SCHOOL_PHASE = CodeList(
    "school_phase",
    "Get Information About Schools, PhaseOfEducation (name)",
    {
        "NURSERY": "Nursery",
        "PRIMARY": "Primary",
        "MIDDLE_DEEMED_PRIMARY": "Middle deemed primary",
        "SECONDARY": "Secondary",
        "MIDDLE_DEEMED_SECONDARY": "Middle deemed secondary",
        "16_PLUS": "16 plus",
        "ALL_THROUGH": "All-through",
        "NOT_APPLICABLE": "Not applicable (e.g. special schools and pupil referral units)",
    },
)

TERM = CodeList("term", "School terms", {"AUTUMN": "Autumn", "SPRING": "Spring", "SUMMER": "Summer"})

PARTNER_AGENCY = CodeList(
    "partner_agency",
    "Statutory safeguarding partners and relevant agencies (Working Together 2023)",
    {
        "LA_CSC": "Local authority children's social care",
        "LA_EARLY_HELP": "Local authority early help",
        "LA_EDUCATION": "Local authority education services",
        "SCHOOLS": "Schools and colleges",
        "POLICE": "Police",
        "ICB": "Integrated care board",
        "HEALTH_PROVIDER": "Health provider (hospital, community or mental health trust)",
        "PRIMARY_CARE": "Primary care (GPs)",
        "PROBATION": "Probation service",
        "YOUTH_JUSTICE": "Youth justice service",
        "HOUSING": "Housing",
        "VOLUNTARY": "Voluntary and community sector",
        "PARTNERSHIP": "Safeguarding partnership business unit",
        "OTHER": "Other",
    },
)

AUDIT_GRADE = CodeList(
    "audit_grade",
    "Ofsted-style practice grades used in multi-agency case audits",
    {
        "OUTSTANDING": "Outstanding",
        "GOOD": "Good",
        "REQUIRES_IMPROVEMENT": "Requires improvement",
        "INADEQUATE": "Inadequate",
    },
)

ACTION_STATUS = CodeList(
    "action_status",
    "Partnership action tracker",
    {
        "OPEN": "Open, not started",
        "IN_PROGRESS": "In progress",
        "COMPLETED": "Completed",
        "CLOSED_NOT_DONE": "Closed without completion",
    },
)

ACTION_ORIGIN = CodeList(
    "action_origin",
    "Where a partnership action came from",
    {
        "AUDIT": "Multi-agency audit",
        "LEARNING_REVIEW": "Rapid review or child safeguarding practice review",
        "SECTION_11": "Section 11 audit",
        "ESCALATION": "Escalation",
        "PRIORITY": "Partnership priority plan",
        "OTHER": "Other",
    },
)

TRAINING_DELIVERY = CodeList(
    "training_delivery",
    "How a training event was delivered",
    {"IN_PERSON": "In person", "ONLINE_LIVE": "Online, live", "E_LEARNING": "E-learning"},
)

RAG_RATING = CodeList(
    "rag_rating",
    "Section 11 self-assessment rating against a standard",
    {"MET": "Met", "PARTIALLY_MET": "Partially met", "NOT_MET": "Not met"},
)

LEARNING_REVIEW_TYPE = CodeList(
    "learning_review_type",
    "Working Together 2023 reviews",
    {
        "RAPID_REVIEW": "Rapid review",
        "LCSPR": "Local child safeguarding practice review",
        "NATIONAL": "National review",
        "OTHER": "Other learning review",
    },
)

FEEDBACK_SENTIMENT = CodeList(
    "feedback_sentiment",
    "How a child or young person felt about the help they received",
    {"POSITIVE": "Positive", "MIXED": "Mixed", "NEGATIVE": "Negative"},
)

PRIORITY_STATUS = CodeList(
    "priority_status",
    "Progress of a partnership priority",
    {"ON_TRACK": "On track", "AT_RISK": "At risk", "OFF_TRACK": "Off track", "COMPLETE": "Complete"},
)

ALL_CODE_LISTS: dict[str, CodeList] = {
    code_list.name: code_list
    for code_list in (
        REFERRAL_SOURCE,
        ASSESSMENT_FACTOR,
        CATEGORY_OF_ABUSE,
        PRIMARY_NEED,
        CLOSURE_REASON,
        SEX,
        ETHNICITY,
        NEED_LEVEL,
        CONTACT_OUTCOME,
        REFERRAL_OUTCOME,
        ASSESSMENT_OUTCOME,
        S47_OUTCOME,
        EARLY_HELP_REASON,
        EARLY_HELP_END,
        POLICE_CATEGORY,
        LOCATION_PRECISION,
        BOUNDARY_LEVEL,
        HEALTH_EVENT_TYPE,
        AGE_BAND,
        SCHOOL_PHASE,
        TERM,
        PARTNER_AGENCY,
        AUDIT_GRADE,
        ACTION_STATUS,
        ACTION_ORIGIN,
        TRAINING_DELIVERY,
        RAG_RATING,
        LEARNING_REVIEW_TYPE,
        FEEDBACK_SENTIMENT,
        PRIORITY_STATUS,
    )
}
