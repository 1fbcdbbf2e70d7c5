"""One child of a DfE children in need (CIN) census file, as rows of the canonical tables.

The census nests everything under each child (DfE CIN XSD; element names as DfE spells them):

    Child > ChildIdentifiers, ChildCharacteristics (Ethnicity, Disabilities > Disability*),
            CINdetails* > CINreferralDate, ReferralSource, PrimaryNeedCode, CINclosureDate,
                          ReasonForClosure, DateOfInitialCPC, ReferralNFA,
                          Assessments* (> FactorsIdentifiedAtAssessment > AssessmentFactors*),
                          CINPlanDates*, Section47*, ChildProtectionPlans* (> Reviews > CPPreviewDate*)

Each module element is repeated directly (there is no <Assessment> inside <Assessments>). The file
holds no identifiers for episodes, assessments, enquiries, conferences or plans, so each is keyed by
the child and its own dates: an episode by LAchildID, CINreferralDate and its place among the child's
episodes on that date; an assessment, enquiry or plan by its episode, its start date and its place
among those starting that day. The same file (or next year's census holding the same episode) so
gives the same keys. Keys are short digests of those parts; validation then applies the
partnership's keyed hash, as it does to every identifier.

Values go on as the census writes them (codes, ISO dates, "true"/"false"/"1"/"0"); validation checks
them and names the census element in the report. A few are worked out:
- sex: `Sex` (M, F, U; 2023-24 on) becomes the GenderCurrent code (1, 2, 0); older files' GenderCurrent
  is used as it is. A wrong value in either is reported against "Sex".
- has_disability: any Disability other than NONE; only NONE is no; no Disabilities is unknown.
- referral outcome NFA when ReferralNFA is true; enquiry outcome ICPC when it has a DateOfInitialCPC.
- initial conferences: one per Section47 DateOfInitialCPC, plus the episode's own DateOfInitialCPC
  when no enquiry of the episode has that date (a conference not preceded by an enquiry in this
  episode; the same date is the same conference). cp_plan_made when a plan of the episode starts
  that day, and the plan is linked to that conference.
Not kept (no canonical place, or identifying): UPN, FormerUPN, UPNunknown, ExpectedPersonBirthDate,
PersonDeathDate, AssessmentInternalReviewDate, CINPlanDates, InitialCPCtarget, CPPreviewDate.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator

from data_connectors.xml_records import XmlNode

Row = tuple[str, XmlNode, dict[str, str | None], str | None]  # table, element it comes from, values, problem

COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("LAchildID", "PersonBirthDate", "Sex", "Ethnicity", "Disabilities"),
    "referrals": (
        "referral_id",
        "LAchildID",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "ReferralNFA",
        "outcome",
    ),
    "assessments": (
        "assessment_id",
        "LAchildID",
        "referral_id",
        "AssessmentActualStartDate",
        "AssessmentAuthorisationDate",
    ),
    "assessment_factors": ("assessment_id", "AssessmentFactors"),
    "s47_enquiries": ("s47_id", "LAchildID", "referral_id", "S47ActualStartDate", "ICPCnotRequired", "outcome"),
    "icpcs": ("icpc_id", "LAchildID", "s47_id", "DateOfInitialCPC", "cp_plan_made"),
    "cp_plans": (
        "cp_plan_id",
        "LAchildID",
        "icpc_id",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
    ),
}

SEX_CODES = {"M": "1", "F": "2", "U": "0"}
TRUE_TEXT = {"true", "1"}


def key(*parts: str) -> str:
    """A stable stand-in for an identifier the census does not carry (36 characters)."""
    return "cin:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


class _Module:
    """A module element's own fields (its child elements that hold text), and any structural problem."""

    def __init__(self, node: XmlNode | None, fields: tuple[str, ...]) -> None:
        self.node = node
        self.leaves: dict[str, XmlNode] = {}
        self.problem: str | None = None
        for child in node.children if node is not None else ():
            if child.tag not in fields or child.children:
                continue
            if child.tag in self.leaves and self.problem is None:
                first = self.leaves[child.tag].line
                self.problem = f"<{node.tag}> holds <{child.tag}> twice (lines {first} and {child.line})"
            self.leaves.setdefault(child.tag, child)

    def text(self, tag: str) -> str | None:
        leaf = self.leaves.get(tag)
        return (leaf.text or None) if leaf is not None else None

    def values(self, *tags: str) -> dict[str, str | None]:
        return {tag: self.text(tag) for tag in tags}


def _both(*problems: str | None) -> str | None:
    found = [p for p in problems if p]
    return "; ".join(found) if found else None


def _is_true(text: str | None) -> bool:
    return text is not None and text.strip().lower() in TRUE_TEXT


def child_rows(child: XmlNode) -> Iterator[Row]:
    """Every table row one <Child> element gives, with the element each row comes from."""
    identifiers = _Module(child.find("ChildIdentifiers"), ("LAchildID", "PersonBirthDate", "Sex", "GenderCurrent"))
    characteristics = _Module(child.find("ChildCharacteristics"), ("Ethnicity",))
    la_child_id = identifiers.text("LAchildID")
    yield (
        "children",
        child,
        {
            "LAchildID": la_child_id,
            "PersonBirthDate": identifiers.text("PersonBirthDate"),
            "Sex": _sex(identifiers),
            "Ethnicity": characteristics.text("Ethnicity"),
            "Disabilities": _has_disability(characteristics.node),
        },
        _both(identifiers.problem, characteristics.problem),
    )
    episodes_on: Counter[str] = Counter()
    for episode in child.findall("CINdetails"):
        yield from _episode_rows(la_child_id, episode, episodes_on)


def _sex(identifiers: _Module) -> str | None:
    sex = identifiers.text("Sex")
    if sex is None:
        return identifiers.text("GenderCurrent")
    return SEX_CODES.get(sex.upper(), sex)


def _has_disability(characteristics: XmlNode | None) -> str | None:
    disabilities = characteristics.find("Disabilities") if characteristics is not None else None
    codes = [d.text.upper() for d in disabilities.findall("Disability") if d.text] if disabilities is not None else []
    if not codes:
        return None
    return "true" if any(code != "NONE" for code in codes) else "false"


def _episode_rows(la_child_id: str | None, node: XmlNode, episodes_on: Counter[str]) -> Iterator[Row]:
    """A CINdetails element: the referral and everything that followed it in the episode."""
    episode = _Module(
        node,
        (
            "CINreferralDate",
            "ReferralSource",
            "PrimaryNeedCode",
            "CINclosureDate",
            "ReasonForClosure",
            "DateOfInitialCPC",
            "ReferralNFA",
        ),
    )
    child = la_child_id or ""
    referral_date = episode.text("CINreferralDate") or ""
    episodes_on[referral_date] += 1
    episode_parts = (child, "CINdetails", referral_date, str(episodes_on[referral_date]))
    referral_id = key(*episode_parts)
    values = episode.values("CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate")
    values |= episode.values("ReasonForClosure", "ReferralNFA")
    values |= {
        "referral_id": referral_id,
        "LAchildID": la_child_id,
        "outcome": "NFA" if _is_true(episode.text("ReferralNFA")) else None,
    }
    yield "referrals", node, values, episode.problem

    common = {"LAchildID": la_child_id, "referral_id": referral_id}
    yield from _assessment_rows(node, episode_parts, common)
    plans = [
        _Module(
            plan,
            ("CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse", "LatestCategoryOfAbuse", "NumberOfPreviousCPP"),
        )
        for plan in node.findall("ChildProtectionPlans")
    ]
    plan_starts = {plan.text("CPPstartDate") for plan in plans} - {None}
    conferences: dict[str, str] = {}  # conference date -> icpc_id
    yield from _enquiry_rows(node, episode_parts, common, plan_starts, conferences)

    own_date = episode.leaves.get("DateOfInitialCPC")
    if own_date is not None and own_date.text and own_date.text not in conferences:
        icpc_id = key(*episode_parts, "DateOfInitialCPC", own_date.text)
        conferences[own_date.text] = icpc_id
        yield "icpcs", own_date, _conference(icpc_id, la_child_id, None, own_date.text, plan_starts), episode.problem

    plans_on: Counter[str] = Counter()
    for plan in plans:
        start = plan.text("CPPstartDate") or ""
        plans_on[start] += 1
        values = plan.values("CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse", "LatestCategoryOfAbuse")
        values |= plan.values("NumberOfPreviousCPP")
        values |= {
            "cp_plan_id": key(*episode_parts, "ChildProtectionPlans", start, str(plans_on[start])),
            "LAchildID": la_child_id,
            "icpc_id": conferences.get(start),
        }
        yield "cp_plans", plan.node, values, plan.problem


def _assessment_rows(node: XmlNode, episode_parts: tuple[str, ...], common: dict) -> Iterator[Row]:
    started_on: Counter[str] = Counter()
    for element in node.findall("Assessments"):
        assessment = _Module(element, ("AssessmentActualStartDate", "AssessmentAuthorisationDate"))
        start = assessment.text("AssessmentActualStartDate") or ""
        started_on[start] += 1
        assessment_id = key(*episode_parts, "Assessments", start, str(started_on[start]))
        values = assessment.values("AssessmentActualStartDate", "AssessmentAuthorisationDate")
        yield "assessments", element, values | common | {"assessment_id": assessment_id}, assessment.problem
        for factors in element.findall("FactorsIdentifiedAtAssessment"):
            for factor in factors.findall("AssessmentFactors"):
                values = {"assessment_id": assessment_id, "AssessmentFactors": factor.text or None}
                yield "assessment_factors", factor, values, None


def _enquiry_rows(
    node: XmlNode,
    episode_parts: tuple[str, ...],
    common: dict,
    plan_starts: set[str],
    conferences: dict[str, str],
) -> Iterator[Row]:
    """Section 47 enquiries, and the initial conference each led to (recorded in `conferences`)."""
    started_on: Counter[str] = Counter()
    for element in node.findall("Section47"):
        enquiry = _Module(element, ("S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"))
        start = enquiry.text("S47ActualStartDate") or ""
        started_on[start] += 1
        enquiry_parts = (*episode_parts, "Section47", start, str(started_on[start]))
        s47_id = key(*enquiry_parts)
        conference = enquiry.leaves.get("DateOfInitialCPC")
        held = conference is not None and bool(conference.text)
        values = enquiry.values("S47ActualStartDate", "ICPCnotRequired")
        values |= common | {"s47_id": s47_id, "outcome": "ICPC" if held else None}
        yield "s47_enquiries", element, values, enquiry.problem
        if held:
            icpc_id = key(*enquiry_parts, "DateOfInitialCPC")
            conferences.setdefault(conference.text, icpc_id)
            values = _conference(icpc_id, common["LAchildID"], s47_id, conference.text, plan_starts)
            yield "icpcs", conference, values, enquiry.problem


def _conference(
    icpc_id: str, la_child_id: str | None, s47_id: str | None, date: str, plan_starts: set[str]
) -> dict[str, str | None]:
    return {
        "icpc_id": icpc_id,
        "LAchildID": la_child_id,
        "s47_id": s47_id,
        "DateOfInitialCPC": date,
        "cp_plan_made": "true" if date in plan_starts else "false",
    }
