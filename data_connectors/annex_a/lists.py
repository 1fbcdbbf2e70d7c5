"""The columns of Annex A Lists 1 to 8, and how a sheet (or CSV file) is recognised as one of them.

Headings follow the open-source Annex A specification in SocialFinanceDigitalLabs/liia-tools
(`liiatools/spec/annex_a`), cross-checked against the Standard Safeguarding Dataset's Annex A extract.
Every child list starts with the common columns (Child Unique ID, Gender, Ethnicity, Date of Birth, Age
of Child (Years)). Headings match ignoring case, spacing and punctuation; each column also accepts the
few other wordings listed with it (`aliases`), seen in older templates and system extracts.

A sheet is recognised by its header, not its name: it needs a child identifier and the columns that
only that list has (its `signature`). The sheet's name ("List 3 - Referrals") breaks a tie, and names the
list when the header is too damaged to tell, so the load can say which column is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from data_connectors.readers import normalise_header


@dataclass(frozen=True)
class Column:
    """One Annex A column: the heading Ofsted uses, and other wordings accepted for it."""

    heading: str
    aliases: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The normalised heading: how the formats name the column."""
        return normalise_header(self.heading)

    def spellings(self) -> set[str]:
        return {compact(self.heading), *(compact(alias) for alias in self.aliases)}


def compact(heading: str) -> str:
    """Letters and digits only, lower case: "Referral NFA?" and "referral_nfa" compare equal."""
    return re.sub(r"[^0-9a-z]", "", heading.lower())


# not "Child ID": the project's own templates call their column child_id, and must never look like Annex A
CHILD_ID = Column("Child Unique ID", ("Unique Child ID", "LA Child ID", "Child Unique Identifier"))
GENDER = Column("Gender", ("Sex",))
ETHNICITY = Column("Ethnicity")
DATE_OF_BIRTH = Column("Date of Birth", ("DOB", "Birth Date"))
AGE = Column("Age of Child (Years)", ("Age of Child", "Age", "Age (Years)"))
DISABILITY = Column("Does the Child have a Disability", ("Disability", "Has Disability", "Child has a Disability"))
TEAM = Column("Allocated Team")
WORKER = Column("Allocated Worker")
COMMON = (CHILD_ID, GENDER, ETHNICITY, DATE_OF_BIRTH, AGE)
SHARED = (*COMMON, DISABILITY, TEAM, WORKER)  # never tell one list from another


@dataclass(frozen=True)
class AnnexList:
    """One list: its number, topic, own columns in template order, which of them a load needs, and the
    date that places a row in time (with the child, it tells one row from another)."""

    number: int
    topic: str
    columns: tuple[Column, ...]
    required: tuple[Column, ...]
    event: Column

    @property
    def label(self) -> str:
        return f"List {self.number}"

    @property
    def signature(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c not in SHARED)


CONTACT_DATE = Column("Date of Contact", ("Contact Date",))
CONTACT_SOURCE = Column("Contact Source", ("Source of Contact",))
LIST_1 = AnnexList(
    1, "contacts", (CONTACT_DATE, CONTACT_SOURCE), (CHILD_ID, CONTACT_DATE, CONTACT_SOURCE), CONTACT_DATE
)

EH_START = Column("Assessment start date", ("Early Help Assessment Start Date", "Start Date of Assessment"))
EH_END = Column(
    "Assessment completion date",
    ("Early Help Assessment Completion Date", "Assessment Completed Date", "Date Assessment Completed"),
)
EH_ORGANISATION = Column(
    "Organisation completing assessment", ("Organisation Completing the Assessment", "Organisation")
)
LIST_2 = AnnexList(2, "early help", (EH_START, EH_END, EH_ORGANISATION), (CHILD_ID, EH_START), EH_START)

REFERRAL_DATE = Column("Date of referral", ("Referral Date",))
REFERRAL_SOURCE = Column("Referral Source", ("Source of Referral",))
REFERRAL_NFA = Column("Referral NFA?", ("Referral NFA", "NFA", "Referral No Further Action"))
REFERRALS_12M = Column(
    "Number of Referrals in Last 12 Months",
    ("Referrals in Last 12 Months", "Number of Referrals in the Last 12 Months"),
)
LIST_3 = AnnexList(
    3,
    "referrals",
    (REFERRAL_DATE, REFERRAL_SOURCE, REFERRAL_NFA, REFERRALS_12M, TEAM, WORKER),
    (CHILD_ID, REFERRAL_DATE, REFERRAL_SOURCE),
    REFERRAL_DATE,
)

ASSESSMENT_START = Column(
    "Continuous Assessment Start Date", ("Continuous Assessment Start", "Assessment Actual Start Date")
)
CHILD_SEEN = Column("Child Seen During Continuous Assessment", ("Child Seen During Assessment", "Child Seen"))
ASSESSMENT_AUTHORISED = Column(
    "Continuous Assessment Date of Authorisation",
    ("Continuous Assessment Authorisation Date", "Assessment Authorisation Date", "Date of Authorisation"),
)
SUPPORT_REQUIRED = Column(
    "Was the child assessed as requiring LA children's social care support?",
    (
        "Was the child assessed as requiring LA childrens social care support",
        "Assessed as requiring LA children's social care support",
        "Requiring LA children's social care support",
    ),
)
LIST_4 = AnnexList(
    4,
    "assessments",
    (DISABILITY, ASSESSMENT_START, CHILD_SEEN, ASSESSMENT_AUTHORISED, SUPPORT_REQUIRED, TEAM, WORKER),
    (CHILD_ID, ASSESSMENT_START),
    ASSESSMENT_START,
)

S47_START = Column(
    "Strategy discussion initiating Section 47 Enquiry Start Date",
    (
        "Strategy Discussion Initiating Section 47 Enquiry Start Date",
        "Section 47 Enquiry Start Date",
        "S47 Enquiry Start Date",
        "S47 Start Date",
    ),
)
ICPC_UNNECESSARY = Column(
    "Was an Initial Child Protection Conference deemed unnecessary?",
    ("Was an ICPC deemed unnecessary?", "ICPC deemed unnecessary", "ICPC not required"),
)
ICPC_DATE = Column(
    "Date of Initial Child Protection Conference",
    ("Date of ICPC", "ICPC Date", "Initial Child Protection Conference Date"),
)
ICPC_PLAN = Column(
    "Did the Initial Child Protection Conference Result in a Child Protection Plan",
    (
        "Did the ICPC result in a CP Plan",
        "Did the ICPC result in a Child Protection Plan",
        "ICPC resulted in a CP Plan",
    ),
)
S47_12M = Column(
    "Number of Section 47 Enquiries in the last 12 months",
    ("Number of S47 Enquiries in last 12 months", "Number of Section 47 Enquiries in last 12 months"),
)
ICPC_12M = Column("Number of ICPCs in the last 12 months", ("Number of ICPCs in last 12 months",))
LIST_5 = AnnexList(
    5,
    "section 47 enquiries and ICPCs",
    (DISABILITY, S47_START, ICPC_UNNECESSARY, ICPC_DATE, ICPC_PLAN, S47_12M, ICPC_12M, TEAM, WORKER),
    (CHILD_ID, S47_START),
    S47_START,
)

CIN_START = Column("CIN Start Date", ("Child in Need Start Date",))
PRIMARY_NEED = Column("Primary Need Code", ("Primary Need",))
LAST_SEEN = Column("Date Child Was Last Seen", ("Date Child Last Seen",))
CIN_CLOSURE = Column("CIN Closure Date", ("Child in Need Closure Date",))
CLOSURE_REASON = Column("Reason for Closure", ("Closure Reason",))
CASE_STATUS = Column("Case Status")
LIST_6 = AnnexList(
    6,
    "children in need",
    (DISABILITY, CIN_START, PRIMARY_NEED, LAST_SEEN, CIN_CLOSURE, CLOSURE_REASON, CASE_STATUS, TEAM, WORKER),
    (CHILD_ID, CIN_START),
    CIN_START,
)

CP_START = Column("Child Protection Plan Start Date", ("CP Plan Start Date",))
INITIAL_CATEGORY = Column("Initial Category of Abuse")
LATEST_CATEGORY = Column("Latest Category of Abuse")
LAST_VISIT = Column("Date of the Last Statutory Visit", ("Date of Last Statutory Visit",))
SEEN_ALONE = Column("Was the Child Seen Alone?", ("Child Seen Alone",))
LATEST_REVIEW = Column("Date of latest review conference", ("Date of Last Review Conference",))
CP_END = Column("Child Protection Plan End Date", ("CP Plan End Date",))
EPO = Column(
    "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
    (
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months",
        "Subject to EPO or Police Protection in last six months",
    ),
)
PREVIOUS_PLANS = Column(
    "Number of Previous Child Protection Plans", ("Number of Previous CP Plans", "Previous CP Plans")
)
LIST_7 = AnnexList(
    7,
    "child protection",
    (
        DISABILITY,
        CP_START,
        INITIAL_CATEGORY,
        LATEST_CATEGORY,
        LAST_VISIT,
        SEEN_ALONE,
        LATEST_REVIEW,
        CP_END,
        EPO,
        PREVIOUS_PLANS,
        TEAM,
        WORKER,
    ),
    (CHILD_ID, CP_START, INITIAL_CATEGORY),
    CP_START,
)

LOOKED_AFTER_START = Column("Date Started to be Looked After", ("Date Started Looked After",))
LIST_8 = AnnexList(
    8,
    "children in care",
    (
        DISABILITY,
        LOOKED_AFTER_START,
        Column("Child's Category of Need"),
        Column("Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)"),
        Column("Start date of current legal status"),
        Column("Child's Legal Status"),
        Column("Date of Latest Statutory Review"),
        Column("Date of Last Social Work Visit"),
        Column("What is the permanence plan for this child?"),
        Column("Date of Last IRO Visit / Contact to the Child"),
        Column("Date of Last Health Assessment"),
        Column("Date of Last Dental Check"),
        Column("Number of Placements in the Last 12 months"),
        Column("Date Ceased to be Looked After"),
        Column("Reason Ceased to be Looked After"),
        Column("Start Date of Most Recent Placement"),
        Column("Placement Type"),
        Column("Placement Provider"),
        Column("Placement postcode"),
        Column("URN of Placement"),
        Column("Placement Location"),
        Column("LA of Placement"),
        TEAM,
        WORKER,
    ),
    (CHILD_ID, LOOKED_AFTER_START),
    LOOKED_AFTER_START,
)

LISTS = (LIST_1, LIST_2, LIST_3, LIST_4, LIST_5, LIST_6, LIST_7, LIST_8)
LIST_NAME = re.compile(r"\blist\s*0*(\d{1,2})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    """A sheet read as a list: the sheet's own (normalised) header name for each column it has."""

    annex_list: AnnexList
    names: dict[Column, str]

    def missing(self) -> list[Column]:
        return [column for column in self.annex_list.required if column not in self.names]

    def name(self, column: Column) -> str | None:
        return self.names.get(column)


def find_columns(header: list[str], columns: tuple[Column, ...]) -> dict[Column, str]:
    """Which header name (normalised, as the reader gives it) holds each column; the first one wins."""
    found: dict[Column, str] = {}
    by_spelling = {compact(name): name for name in reversed(header) if name}
    for column in columns:
        for spelling in column.spellings():
            if spelling in by_spelling:
                found[column] = by_spelling[spelling]
                break
    return found


def recognise(header: list[str], sheet_name: str | None = None) -> Match | None:
    """The list a sheet holds, or None. A sheet needs a child identifier and either a column only one list
    has (the list with most of them wins; the sheet name breaks a tie) or a name such as "List 3"."""
    if not find_columns(header, (CHILD_ID,)):
        return None
    named = _named_list(sheet_name)
    scores = {annex: len(find_columns(header, annex.signature)) for annex in LISTS}
    best = max(scores.values())
    if best == 0 and named is None:
        return None
    if best == 0 or (named is not None and scores[named] == best):
        chosen = named
    else:
        chosen = next(annex for annex in LISTS if scores[annex] == best)
    return Match(chosen, find_columns(header, (*SHARED, *chosen.columns)))


def _named_list(sheet_name: str | None) -> AnnexList | None:
    found = LIST_NAME.search(sheet_name or "")
    if found is None:
        return None
    return next((annex for annex in LISTS if annex.number == int(found.group(1))), None)
