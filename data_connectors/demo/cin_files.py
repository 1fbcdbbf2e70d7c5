"""Children's social care as the local authority hands it over: a children in need census extract (DfE's
CIN census XML) beside its own extracts in the partnership's templates.

The census (DfE CIN XSD; read by `formats.cin_census`) carries each child's birth date, sex, ethnicity
and disability, and each episode's referral, assessments with their factors, section 47 enquiries,
initial conferences and child protection plans. It carries no home address and none of the front door's
own record (the referrer's view of need, the decision and its date, the contact, the referring school, an
assessment's outcome, whether the child was seen, when an enquiry ended), so the templates still carry
those, and the children extract the home small area. Both name a child by the same LAchildID, and the
templates name each referral, assessment and enquiry as the census reader does (`cin_records.key`: the
child, the dates and the place among that day's), so the load merges the two into one row each.

The file is one census extract over the whole period (`cin_census.xml`: every episode open at some time
in the five years, as known at the extract's end; its header's Year is the census year in progress), as
case-management systems produce the census for a chosen period. DfE's own returns are yearly, and an
episode open across years is in each: loading those works too (each year is its own source), but every
return of a region's partnerships then merges with rows already in the store, which costs a regional
load several minutes, so the demo writes the period once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from data_connectors.cin_records import SEX_CODES, key

# what the census carries, so the templates leave it to the census (tables it alone carries are not written
# as templates; children it does not list keep these in the children extract)
CENSUS_ONLY_TABLES = ("assessment_factors", "icpcs", "cp_plans")
LEFT_TO_CENSUS = {
    "children": ("date_of_birth", "sex", "ethnicity", "has_disability"),
    "referrals": ("nfa", "primary_need_code", "closure_date", "closure_reason"),
    "assessments": ("authorised_date",),
    "s47_enquiries": ("icpc_not_required",),
}
CENSUS_TABLES = ("children", "referrals", "assessments", "assessment_factors", "s47_enquiries", "icpcs", "cp_plans")
CENSUS_FORMATS = {
    "children": "cin_child",
    "referrals": "cin_details",
    "assessments": "cin_assessments",
    "assessment_factors": "cin_assessment_factors",
    "s47_enquiries": "cin_section47",
    "icpcs": "cin_initial_cpc",
    "cp_plans": "cin_cp_plans",
}
SEX_ELEMENT = {code: letter for letter, code in SEX_CODES.items()}
DISABILITY = {"Y": "LD", "N": "NONE"}
EPISODE = "1"  # no demo child has two episodes, assessments, enquiries or plans starting on one day
CENSUS_FILE = "cin_census.xml"


def census_year(day: date) -> int:
    """The census year a day falls in, named by the March it ends in (2027 for 1 April 2026 on)."""
    return day.year + (1 if day.month >= 4 else 0)


def _iso(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d")


def use_census_ids(tables: dict[str, pd.DataFrame]) -> None:
    """Name each referral, assessment, enquiry, conference and plan as the census reader will, in every
    table that refers to them (the demo's ids are the LA's; the census carries none)."""
    ref = tables["referrals"]
    episode_of = dict(
        zip(ref["referral_id"], zip(ref["child_id"], _iso(ref["referral_date"]), strict=True), strict=True)
    )

    def episode(referral_id: str) -> tuple[str, ...]:
        child, day = episode_of[referral_id]
        return (child, "CINdetails", day, EPISODE)

    s47 = tables["s47_enquiries"]
    enquiry_parts = {
        old: (*episode(referral), "Section47", day, EPISODE)
        for old, referral, day in zip(s47["s47_id"], s47["referral_id"], _iso(s47["start_date"]), strict=True)
    }
    assessments = tables["assessments"]
    new_assessment = {
        old: key(*episode(referral), "Assessments", day, EPISODE)
        for old, referral, day in zip(
            assessments["assessment_id"], assessments["referral_id"], _iso(assessments["start_date"]), strict=True
        )
    }
    icpcs = tables["icpcs"]
    new_icpc = {
        old: key(*enquiry_parts[s47_id], "DateOfInitialCPC")
        for old, s47_id in zip(icpcs["icpc_id"], icpcs["s47_id"], strict=True)
    }
    plans = tables["cp_plans"]
    referral_of_icpc = dict(
        zip(
            icpcs["icpc_id"],
            icpcs["s47_id"].map(dict(zip(s47["s47_id"], s47["referral_id"], strict=True))),
            strict=True,
        )
    )
    plans["cp_plan_id"] = [
        key(*episode(referral_of_icpc[icpc]), "ChildProtectionPlans", day, EPISODE)
        for icpc, day in zip(plans["icpc_id"], _iso(plans["start_date"]), strict=True)
    ]
    new_referral = {old: key(*episode(old)) for old in ref["referral_id"]}
    new_s47 = {old: key(*parts) for old, parts in enquiry_parts.items()}
    plans["icpc_id"] = plans["icpc_id"].map(new_icpc)
    icpcs["icpc_id"] = icpcs["icpc_id"].map(new_icpc)
    icpcs["s47_id"] = icpcs["s47_id"].map(new_s47)
    for frame in (s47, assessments):
        frame["referral_id"] = frame["referral_id"].map(new_referral)
    s47["s47_id"] = s47["s47_id"].map(new_s47)
    assessments["assessment_id"] = assessments["assessment_id"].map(new_assessment)
    factors = tables["assessment_factors"]
    factors["assessment_id"] = factors["assessment_id"].map(new_assessment)
    ref["referral_id"] = ref["referral_id"].map(new_referral)


@dataclass(frozen=True)
class CensusReturn:
    """One census year's file and how many rows each table's part of it holds."""

    path: Path
    rows: dict[str, int]


def _leaf(tag: str, values: pd.Series, indent: str) -> pd.Series:
    """`<Tag>value</Tag>` on its own line where there is a value, else nothing."""
    present = values.notna() & (values.astype(object) != "")
    text = indent + f"<{tag}>" + values.astype(str) + f"</{tag}>\n"
    return text.where(present, "")


def _dates(frame: pd.DataFrame, column: str, known_by: pd.Timestamp) -> pd.Series:
    """ISO dates up to the return's reference date; later ones are not known yet."""
    values = pd.to_datetime(frame[column])
    return values.dt.strftime("%Y-%m-%d").where(values <= known_by)


def _nested(frame: pd.DataFrame, text: pd.Series, by: str, order: str) -> pd.Series:
    """Module elements joined per episode (or assessment, or child), in `order`, indexed by `by`."""
    if frame.empty:
        return pd.Series(dtype=object)
    sorting = np.lexsort((frame[order].to_numpy(), frame[by].to_numpy()))
    owners = frame[by].to_numpy()[sorting]
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    joined = np.add.reduceat(text.to_numpy(dtype=object)[sorting], starts)  # concatenates the text of each run
    return pd.Series(joined, index=owners[starts])


def write_census_return(folder: Path, tables: dict[str, pd.DataFrame], start: date, end: date) -> CensusReturn:
    """The partnership's census extract for the whole period, as DfE's CIN XML (one element per line)."""
    return _write_return(folder / CENSUS_FILE, tables, census_year(end), pd.Timestamp(start), pd.Timestamp(end))


def _write_return(
    path: Path, tables: dict[str, pd.DataFrame], year: int, year_start: pd.Timestamp, known_by: pd.Timestamp
) -> CensusReturn:
    """A return of the episodes open at some time from `year_start` to `known_by`, as known on that day."""
    ref = tables["referrals"]
    referral_date = pd.to_datetime(ref["referral_date"])
    # open at some time in the year; a few demo assessments are authorised after their episode closed, and
    # the return of the year they were authorised in lists the episode too, so their factors are returned
    closure = pd.to_datetime(ref["closure_date"])
    authorised_by_episode = (
        pd.to_datetime(tables["assessments"]["authorised_date"])
        .groupby(tables["assessments"]["referral_id"].to_numpy())
        .max()
    )
    last_work = np.fmax(
        closure.to_numpy(), ref["referral_id"].map(authorised_by_episode).to_numpy(dtype="datetime64[ns]")
    )
    open_in_year = (referral_date <= known_by) & (closure.isna() | (last_work >= year_start))
    episodes = ref[open_in_year]
    ids = episodes["referral_id"].to_numpy()

    assessments = tables["assessments"]
    assessments = assessments[
        assessments["referral_id"].isin(ids)
        & _active(assessments, "start_date", ["authorised_date"], year_start, known_by)
    ]
    authorised = _dates(assessments, "authorised_date", known_by)
    factors = tables["assessment_factors"]
    finished = assessments.loc[authorised.notna(), "assessment_id"].to_numpy()
    factors = factors[factors["assessment_id"].isin(finished)]
    factor_text = _nested(
        factors, _leaf("AssessmentFactors", factors["factor_code"], "            "), "assessment_id", "factor_code"
    )
    assessment_text = (
        "        <Assessments>\n"
        + _leaf("AssessmentActualStartDate", _dates(assessments, "start_date", known_by), "          ")
        + _leaf("AssessmentAuthorisationDate", authorised, "          ")
        + _wrap("FactorsIdentifiedAtAssessment", assessments["assessment_id"].map(factor_text), "          ")
        + "        </Assessments>\n"
    )

    s47 = tables["s47_enquiries"]
    conference_of = tables["icpcs"].set_index("s47_id")["icpc_date"]
    s47 = s47.assign(icpc_date=s47["s47_id"].map(conference_of))
    s47 = s47[
        s47["referral_id"].isin(ids) & _active(s47, "start_date", ["end_date", "icpc_date"], year_start, known_by)
    ]
    icpcs = tables["icpcs"].set_index("s47_id")
    conference = _dates(icpcs, "icpc_date", known_by).reindex(s47["s47_id"]).reset_index(drop=True)
    conference.index = s47.index
    not_required = s47["icpc_not_required"].where(_dates(s47, "end_date", known_by).notna())
    s47_text = (
        "        <Section47>\n"
        + _leaf("S47ActualStartDate", _dates(s47, "start_date", known_by), "          ")
        + _leaf("DateOfInitialCPC", conference, "          ")
        + _leaf("ICPCnotRequired", not_required.map({"Y": "true", "N": "false"}), "          ")
        + "        </Section47>\n"
    )
    episode_conference = conference.groupby(s47["referral_id"]).first()

    plans = tables["cp_plans"]
    referral_of_plan = (
        plans["icpc_id"]
        .map(dict(zip(tables["icpcs"]["icpc_id"], tables["icpcs"]["s47_id"], strict=True)))
        .map(dict(zip(tables["s47_enquiries"]["s47_id"], tables["s47_enquiries"]["referral_id"], strict=True)))
    )
    plans = plans.assign(referral_id=referral_of_plan)
    plans = plans[plans["referral_id"].isin(ids) & _active(plans, "start_date", ["end_date"], year_start, known_by)]
    plan_text = (
        "        <ChildProtectionPlans>\n"
        + _leaf("CPPstartDate", _dates(plans, "start_date", known_by), "          ")
        + _leaf("CPPendDate", _dates(plans, "end_date", known_by), "          ")
        + _leaf("InitialCategoryOfAbuse", plans["initial_category"], "          ")
        + _leaf("LatestCategoryOfAbuse", plans["latest_category"], "          ")
        + _leaf("NumberOfPreviousCPP", plans["previous_plans"].astype(str), "          ")
        + "        </ChildProtectionPlans>\n"
    )

    decided = pd.to_datetime(episodes["decision_date"]) <= known_by
    closed = _dates(episodes, "closure_date", known_by)
    episode_id = episodes["referral_id"]
    episode_text = (
        "      <CINdetails>\n"
        + _leaf("CINreferralDate", _dates(episodes, "referral_date", known_by), "        ")
        + _leaf("ReferralSource", episodes["source_code"], "        ")
        + _leaf("PrimaryNeedCode", episodes["primary_need_code"].where(decided), "        ")
        + _leaf("CINclosureDate", closed, "        ")
        + _leaf("ReasonForClosure", episodes["closure_reason"].where(closed.notna()), "        ")
        + _leaf("DateOfInitialCPC", episode_id.map(episode_conference), "        ")
        + _leaf("ReferralNFA", episodes["nfa"].where(decided).map({"Y": "true", "N": "false"}), "        ")
        + episode_id.map(_nested(assessments, assessment_text, "referral_id", "start_date")).fillna("")
        + episode_id.map(_nested(s47, s47_text, "referral_id", "start_date")).fillna("")
        + episode_id.map(_nested(plans, plan_text, "referral_id", "start_date")).fillna("")
        + "      </CINdetails>\n"
    )
    episodes_of = _nested(episodes, episode_text, "child_id", "referral_date")

    children = tables["children"]
    children = children[children["child_id"].isin(episodes["child_id"].unique())]
    child_text = (
        "    <Child>\n      <ChildIdentifiers>\n"
        + _leaf("LAchildID", children["child_id"], "        ")
        + _leaf("PersonBirthDate", _iso(children["date_of_birth"]), "        ")
        + _leaf("Sex", children["sex"].map(SEX_ELEMENT), "        ")
        + "      </ChildIdentifiers>\n      <ChildCharacteristics>\n"
        + _leaf("Ethnicity", children["ethnicity"], "        ")
        + _wrap(
            "Disabilities", _leaf("Disability", children["has_disability"].map(DISABILITY), "          "), "        "
        )
        + "      </ChildCharacteristics>\n"
        + children["child_id"].map(episodes_of)
        + "    </Child>\n"
    )
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(_header(year, known_by))
        handle.writelines(child_text.tolist())
        handle.write("  </Children>\n</Message>\n")
    rows = {
        "children": len(children),
        "referrals": len(episodes),
        "assessments": len(assessments),
        "assessment_factors": len(factors),
        "s47_enquiries": len(s47),
        "icpcs": int(conference.notna().sum()),
        "cp_plans": len(plans),
    }
    return CensusReturn(path, rows)


def _active(
    frame: pd.DataFrame, start: str, ends: list[str], year_start: pd.Timestamp, known_by: pd.Timestamp
) -> pd.Series:
    """Modules a return lists: started by its reference date and still going at some time in the year (not
    finished, or finishing in it), as the census asks; earlier years' returns hold the ones finished before."""
    going = pd.Series(False, index=frame.index)
    for end in ends:
        going |= pd.to_datetime(frame[end]) >= year_start
    finished = pd.concat([pd.to_datetime(frame[end]).notna() for end in ends], axis=1).any(axis=1)
    return (pd.to_datetime(frame[start]) <= known_by) & (going | ~finished)


def _wrap(tag: str, inner: pd.Series, indent: str) -> pd.Series:
    """A container element around lines, or nothing when there are none."""
    inner = inner.fillna("")
    return (indent + f"<{tag}>\n" + inner + indent + f"</{tag}>\n").where(inner != "", "")


def _header(year: int, reference: pd.Timestamp) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>\n    <CollectionDetails>\n'
        f"      <Collection>CIN</Collection>\n      <Year>{year}</Year>\n"
        f"      <ReferenceDate>{reference:%Y-%m-%d}</ReferenceDate>\n    </CollectionDetails>\n"
        "    <Source>\n      <SourceLevel>L</SourceLevel>\n      <SoftwareCode>Line of Sight demo</SoftwareCode>\n"
        f"      <Release>1</Release>\n      <SerialNo>{year % 1000:03d}</SerialNo>\n    </Source>\n  </Header>\n"
        "  <Children>\n"
    )
