"""Ofsted ILACS Annex A child-level lists: the workbook a local authority prepares for an inspection.

The bundle takes a workbook (or one list saved as CSV) whose sheets are laid out as Annex A lists,
recognised by header (see `annex_a.lists`), and loads:

| part | table | from |
|---|---|---|
| children | children | the common columns of every list, one row per child |
| List 1 | contacts | date of contact, contact source |
| List 2 | early_help_episodes | assessment start and completion dates, organisation (when it names an agency) |
| List 3 | referrals | date, source, NFA; primary need and closure from the matching List 6 row |
| List 4 | assessments | start, child seen, authorisation, "not requiring support" as outcome NFA |
| List 5 | s47_enquiries | strategy discussion date, ICPC deemed unnecessary |
| List 5, rows with a Date of ICPC | icpcs | ICPC date, whether it made a plan, the enquiry it followed |
| List 7 | cp_plans | start, end, initial and latest category, previous plans |

List 6 (children in need) and List 8 (children in care) give their children, and List 6 its primary need
and closure to the referral it matches; the canonical schema has no place for the rest of them (visits,
case status, legal status, placements), which the load report names as columns not used. Lists 9 to 11
(care leavers, adoption, adopters) are not read.

Annex A has no identifiers for contacts, referrals and the rest, so each row's is made from what it is:
the list, the child, the row's date and its place among that child's rows that day (`answers.stand_in_ids`);
the load keeps only the keyed hash of it, and an identical reload makes the same ones.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.annex_a import answers
from data_connectors.annex_a.lists import (
    ASSESSMENT_AUTHORISED,
    ASSESSMENT_START,
    CHILD_ID,
    CHILD_SEEN,
    CIN_CLOSURE,
    CLOSURE_REASON,
    CONTACT_DATE,
    CONTACT_SOURCE,
    CP_END,
    CP_START,
    DATE_OF_BIRTH,
    DISABILITY,
    EH_END,
    EH_ORGANISATION,
    EH_START,
    ETHNICITY,
    GENDER,
    ICPC_DATE,
    ICPC_PLAN,
    ICPC_UNNECESSARY,
    INITIAL_CATEGORY,
    LATEST_CATEGORY,
    LIST_1,
    LIST_2,
    LIST_3,
    LIST_4,
    LIST_5,
    LIST_6,
    LIST_7,
    LIST_8,
    PREVIOUS_PLANS,
    PRIMARY_NEED,
    REFERRAL_DATE,
    REFERRAL_NFA,
    REFERRAL_SOURCE,
    S47_START,
    SUPPORT_REQUIRED,
    AnnexList,
    Column,
    Match,
    recognise,
)
from data_connectors.annex_a.workbook import (
    LIST_6_COLUMNS,
    SEQUENCE,
    ListSheet,
    children,
    join_list_6,
    read_list,
    sheet_label,
)
from data_connectors.formats.base import Bundle, Part, TableFormat
from data_connectors.readers import (
    ROW_NUMBER,
    ROW_PROBLEM,
    SNIFF_BYTES,
    TEXT,
    TabularFile,
    UnusableFile,
    as_mask,
    normalise_header,
    open_sheets,
)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
S47_START_DATE = "s47_start_date"  # the icpcs part's own name for the enquiry's date (not a template column)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=TEXT)


def _sequence(frame: pd.DataFrame, child: str, day: str) -> pd.Series:
    """The row's place among the child's rows that day: worked out over the whole sheet before any rows
    are set aside (the icpcs part keeps some), else over what this frame holds."""
    if SEQUENCE in frame:
        return frame[SEQUENCE]
    return answers.occurrence(_column(frame, child).str.strip(), _column(frame, day))


def _written(frame: pd.DataFrame) -> pd.Series:
    """Rows with anything in them: a blank row gets no made-up values, so validation calls it blank."""
    filled = pd.Series(False, index=frame.index)
    for name in frame.columns:
        if name not in (ROW_NUMBER, ROW_PROBLEM, SEQUENCE):
            filled |= as_mask(frame[name].astype(TEXT).str.strip().str.len() > 0)
    return filled


def _keyed(frame: pd.DataFrame, kind: str, key: str, day: str) -> pd.DataFrame:
    """Dates read, then the row's stand-in identifier made from kind, child, date and sequence."""
    out = frame.copy()
    out[day] = answers.iso_dates(_column(frame, day))
    made = answers.stand_in_ids(kind, _column(out, "child_id"), out[day], _sequence(out, "child_id", day))
    out[key] = made.where(_written(frame))
    return out


def _dates(out: pd.DataFrame, *names: str) -> None:
    for name in names:
        if name in out:
            out[name] = answers.iso_dates(out[name])


def _mapped(out: pd.DataFrame, read: Callable[[pd.Series], pd.Series], *names: str) -> None:
    for name in names:
        if name in out:
            out[name] = read(out[name])


def derive_contacts(frame: pd.DataFrame) -> pd.DataFrame:
    out = _keyed(frame, "contact", "contact_id", "contact_date")
    _mapped(out, answers.sources, "source_code")
    return out


def derive_early_help(frame: pd.DataFrame) -> pd.DataFrame:
    out = _keyed(frame, "early_help", "episode_id", "start_date")
    _dates(out, "end_date")
    _mapped(out, answers.agencies, "lead_agency")
    out["reason"] = pd.Series("NOT_STATED", index=out.index, dtype=TEXT).where(_written(frame))
    return out


def derive_referrals(frame: pd.DataFrame) -> pd.DataFrame:
    out = _keyed(frame, "referral", "referral_id", "referral_date")
    _mapped(out, answers.sources, "source_code")
    _mapped(out, answers.yes_no, "nfa")
    _mapped(out, answers.primary_needs, "primary_need_code")
    _mapped(out, answers.closure_reasons, "closure_reason")
    _dates(out, "closure_date")
    return out


def _not_in_need(values: pd.Series) -> pd.Series:
    """'Was the child assessed as requiring LA children's social care support?' No is the assessment
    outcome NFA (assessed as not in need); Yes says support is needed but not which, so it stays empty."""
    answered = answers.yes_no(values)
    outcome = answered.mask(as_mask(answered == answers.NO), "NFA")
    return outcome.mask(as_mask(answered == answers.YES))


def derive_assessments(frame: pd.DataFrame) -> pd.DataFrame:
    out = _keyed(frame, "assessment", "assessment_id", "start_date")
    _dates(out, "authorised_date")
    _mapped(out, answers.yes_no, "child_seen")
    _mapped(out, _not_in_need, "outcome")
    return out


def derive_s47(frame: pd.DataFrame) -> pd.DataFrame:
    out = _keyed(frame, "s47", "s47_id", "start_date")
    _mapped(out, answers.yes_no, "icpc_not_required")
    return out


def derive_icpcs(frame: pd.DataFrame) -> pd.DataFrame:
    """The conference of a List 5 row, tied to that row's enquiry (the same stand-in as derive_s47 makes)."""
    out = _keyed(frame, "s47", "s47_id", S47_START_DATE)
    sequence = _sequence(out, "child_id", S47_START_DATE)
    made = answers.stand_in_ids("icpc", out["child_id"], out[S47_START_DATE], sequence)
    out["icpc_id"] = made.where(_written(frame))
    _dates(out, "icpc_date")
    _mapped(out, answers.yes_no, "cp_plan_made")
    return out


def derive_cp_plans(frame: pd.DataFrame) -> pd.DataFrame:
    out = _keyed(frame, "cp_plan", "cp_plan_id", "start_date")
    _dates(out, "end_date")
    _mapped(out, answers.categories, "initial_category", "latest_category")
    return out


def derive_children(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    _dates(out, "date_of_birth")
    _mapped(out, answers.sexes, "sex")
    _mapped(out, answers.ethnicities, "ethnicity")
    _mapped(out, answers.yes_no, "has_disability")
    return out


@dataclass(frozen=True)
class Layout:
    """A list's format under the canonical Annex A headings, with the Annex A columns behind it, so a sheet
    that words its headings otherwise gets a copy of the format under its own names (`for_sheet`)."""

    format: TableFormat
    renames: dict[Column, str]  # Annex A column -> template (or derive's own) column
    used: tuple[Column, ...]
    required: tuple[Column, ...]

    def for_sheet(self, match: Match) -> TableFormat:
        """The format under the sheet's own headings, so the load report names the column the sheet has."""

        def own(column: Column) -> str:
            return match.name(column) or column.name

        return replace(
            self.format,
            columns=tuple(own(c) for c in self.used),
            required=tuple(own(c) for c in self.required),
            renames={own(column): template for column, template in self.renames.items()},
        )


def _layout(
    name: str,
    annex: AnnexList | None,
    table: sa.Table,
    description: str,
    renames: dict[Column, str],
    derive: Callable[[pd.DataFrame], pd.DataFrame],
    also: tuple[Column, ...] = (),
    note: str = "",
) -> Layout:
    """A list's layout: the common columns (read by the children part), the columns its table takes, and
    any `also` read by another part of the same sheet."""
    common = (CHILD_ID, GENDER, ETHNICITY, DATE_OF_BIRTH)
    if annex is not None and DISABILITY in annex.columns:
        common = (*common, DISABILITY)
    used = tuple(dict.fromkeys((*common, *renames, *also)))
    required = annex.required if annex else (CHILD_ID,)
    layout = TableFormat(
        name=name,
        table=table,
        description=description,
        columns=tuple(c.name for c in used),
        required=tuple(c.name for c in required),
        renames={column.name: template for column, template in renames.items()},
        derive=derive,
        note=note,
    )
    return Layout(layout, renames, used, required)


ALONE = " (loaded alone with --kind, its children must already be in the store)"
CONTACTS = _layout(
    "annex_a_list_1",
    LIST_1,
    schema.contacts,
    "Ofsted Annex A List 1, contacts" + ALONE,
    {CHILD_ID: "child_id", CONTACT_DATE: "contact_date", CONTACT_SOURCE: "source_code"},
    derive_contacts,
)
EARLY_HELP = _layout(
    "annex_a_list_2",
    LIST_2,
    schema.early_help_episodes,
    "Ofsted Annex A List 2, early help assessments as episodes (reason NOT_STATED)" + ALONE,
    {CHILD_ID: "child_id", EH_START: "start_date", EH_END: "end_date", EH_ORGANISATION: "lead_agency"},
    derive_early_help,
    note="List 2 records no reason for early help: reason is NOT_STATED",
)
REFERRALS = _layout(
    "annex_a_list_3",
    LIST_3,
    schema.referrals,
    "Ofsted Annex A List 3, referrals" + ALONE,
    {CHILD_ID: "child_id", REFERRAL_DATE: "referral_date", REFERRAL_SOURCE: "source_code", REFERRAL_NFA: "nfa"},
    derive_referrals,
)
ASSESSMENTS = _layout(
    "annex_a_list_4",
    LIST_4,
    schema.assessments,
    "Ofsted Annex A List 4, continuous assessments" + ALONE,
    {
        CHILD_ID: "child_id",
        ASSESSMENT_START: "start_date",
        CHILD_SEEN: "child_seen",
        ASSESSMENT_AUTHORISED: "authorised_date",
        SUPPORT_REQUIRED: "outcome",
    },
    derive_assessments,
    note="an assessment that found no need for support has outcome NFA; one that found a need has no outcome "
    "(List 4 does not say which service followed)",
)
S47 = _layout(
    "annex_a_list_5",
    LIST_5,
    schema.s47_enquiries,
    "Ofsted Annex A List 5, section 47 enquiries" + ALONE,
    {CHILD_ID: "child_id", S47_START: "start_date", ICPC_UNNECESSARY: "icpc_not_required"},
    derive_s47,
    also=(ICPC_DATE, ICPC_PLAN),  # read by the icpcs part
)
ICPCS = _layout(
    "annex_a_list_5_icpcs",
    LIST_5,
    schema.icpcs,
    "Ofsted Annex A List 5, only the rows with a Date of ICPC, as initial child protection conferences",
    {CHILD_ID: "child_id", S47_START: S47_START_DATE, ICPC_DATE: "icpc_date", ICPC_PLAN: "cp_plan_made"},
    derive_icpcs,
    also=(ICPC_UNNECESSARY,),
)
CP_PLANS = _layout(
    "annex_a_list_7",
    LIST_7,
    schema.cp_plans,
    "Ofsted Annex A List 7, child protection plans" + ALONE,
    {
        CHILD_ID: "child_id",
        CP_START: "start_date",
        CP_END: "end_date",
        INITIAL_CATEGORY: "initial_category",
        LATEST_CATEGORY: "latest_category",
        PREVIOUS_PLANS: "previous_plans",
    },
    derive_cp_plans,
)
CHILDREN = _layout(
    "annex_a_children",
    None,
    schema.children,
    "Ofsted Annex A, the common columns of every list: one row per child",
    {
        CHILD_ID: "child_id",
        GENDER: "sex",
        ETHNICITY: "ethnicity",
        DATE_OF_BIRTH: "date_of_birth",
        DISABILITY: "has_disability",
    },
    derive_children,
)
# List 6's columns that go onto the referral a CIN episode matches
FROM_LIST_6 = {PRIMARY_NEED: "primary_need_code", CIN_CLOSURE: "closure_date", CLOSURE_REASON: "closure_reason"}


# --- The bundle ------------------------------------------------------------------------------------


def _csv_header(path: Path) -> list[str]:
    """A CSV file's first line, read cheaply (the claim must not read a large file through)."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    text = head.decode("utf-8-sig", errors="replace")
    return [normalise_header(cell) for cell in next(csv.reader(io.StringIO(text)), [])]


def claims(target: str) -> bool:
    """A workbook with a sheet laid out as an Annex A list, or a CSV file that is one."""
    if "://" in target:
        return False
    path = Path(target)
    suffix = path.suffix.lower()
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return False
        if suffix in WORKBOOK_SUFFIXES:
            return any(recognise(sheet.header, sheet.sheet) for sheet in open_sheets(path))
        if suffix in CSV_SUFFIXES:
            return recognise(_csv_header(path)) is not None
    except (UnusableFile, OSError, csv.Error):
        return False
    return False


def _list_sheets(path: Path) -> tuple[list[tuple[TabularFile, Match]], list[str]]:
    """The sheets laid out as lists, and the names of the others; UnusableFile for a list sheet missing
    a column its table needs, or two sheets holding the same list."""
    found: list[tuple[TabularFile, Match]] = []
    others: list[str] = []
    for tabular in open_sheets(path):
        match = recognise(tabular.header, tabular.sheet)
        if match is None:
            others.append(tabular.sheet or tabular.label)
            continue
        missing = match.missing()
        if missing:
            names = ", ".join(column.heading for column in missing)
            plural = "columns" if len(missing) > 1 else "a column"
            raise UnusableFile(
                Path(sheet_label(tabular)), f"is missing {plural} Annex A {match.annex_list.label} needs: {names}"
            )
        twin = next((t for t, m in found if m.annex_list == match.annex_list), None)
        if twin is not None:
            raise UnusableFile(
                path,
                f"has two sheets laid out as Annex A {match.annex_list.label} ({twin.sheet} and {tabular.sheet}); "
                "keep one",
            )
        found.append((tabular, match))
    if not found:
        raise UnusableFile(path, "has no sheet laid out as an Annex A list (Lists 1 to 8 need a Child Unique ID)")
    return found, others


def _part(label: str, sheet: ListSheet, layout: TableFormat, frame: pd.DataFrame, header: list[str]) -> Part:
    return Part(label, sheet.tabular.path, layout, lambda: iter([frame]), len(frame), sheet.tabular.scan.sha256, header)


def _unused_columns(sheet: ListSheet, joined_to_referrals: bool) -> list[str]:
    """A sheet without a part of its own (Lists 6 and 8): its columns no table holds, named with the sheet."""
    used = [CHILD_ID, GENDER, ETHNICITY, DATE_OF_BIRTH, DISABILITY]
    if joined_to_referrals:
        used += [LIST_6.event, *FROM_LIST_6]
    names = {sheet.match.name(column) for column in used}
    return [f"{name} ({sheet.short})" for name in sheet.tabular.header if name and name not in names]


def _referrals_part(sheet: ListSheet, episodes: ListSheet | None) -> Part:
    layout = REFERRALS.for_sheet(sheet.match)
    if episodes is None:
        return _part(sheet.label, sheet, layout, sheet.frame, sheet.tabular.header)
    joined = join_list_6(sheet, episodes)
    not_matched = joined.episodes - joined.matched
    note = (
        f"{episodes.short}: {joined.matched:,} of {joined.episodes:,} children in need episodes match a referral "
        "here (same child, CIN start date = referral date) and give it primary need and closure"
    )
    if not_matched:
        others = "the other has" if not_matched == 1 else f"the other {not_matched:,} have"
        note += f"; {others} no referral in this list, so their need and closure are not kept"
    layout = replace(
        layout,
        columns=(*layout.columns, *LIST_6_COLUMNS.values()),
        renames={**layout.renames, **{LIST_6_COLUMNS[column]: name for column, name in FROM_LIST_6.items()}},
        note=note,
    )
    return _part(sheet.label, sheet, layout, joined.frame, sheet.tabular.header)


def _early_help_part(sheet: ListSheet) -> Part:
    layout = EARLY_HELP.for_sheet(sheet.match)
    named = sheet.column(EH_ORGANISATION).str.strip()
    unknown = int((as_mask(named.str.len() > 0) & answers.agencies(named).isna()).sum())
    if unknown:
        layout = replace(
            layout,
            note=f"{layout.note}; the organisation completing the assessment is not kept where it names no partner "
            f"agency (by code or name): {unknown:,} rows",
        )
    return _part(sheet.label, sheet, layout, sheet.frame, sheet.tabular.header)


def _icpcs_part(sheet: ListSheet) -> Part:
    """Only the rows with a Date of ICPC: the others had no conference, so they are no icpcs rows."""
    held = as_mask(sheet.column(ICPC_DATE).str.strip().str.len() > 0)
    where = "rows with a Date of ICPC"
    label = f"{sheet.tabular.path} [{sheet.short}: {where}]" if sheet.tabular.sheet else f"{sheet.label} [{where}]"
    # the enquiries part of the same sheet already names its unused columns
    return _part(label, sheet, ICPCS.for_sheet(sheet.match), sheet.frame[held].reset_index(drop=True), [])


SIMPLE_PARTS = {1: CONTACTS, 4: ASSESSMENTS, 5: S47, 7: CP_PLANS}


def _list_parts(sheet: ListSheet, by_number: dict[int, ListSheet]) -> list[Part]:
    """The parts a list sheet gives: none for Lists 6 and 8 (their children come through the children part)."""
    if sheet.number == LIST_3.number:
        return [_referrals_part(sheet, by_number.get(LIST_6.number))]
    if sheet.number == LIST_2.number:
        return [_early_help_part(sheet)]
    if sheet.number not in SIMPLE_PARTS:
        return []
    layout = SIMPLE_PARTS[sheet.number].for_sheet(sheet.match)
    main = _part(sheet.label, sheet, layout, sheet.frame, sheet.tabular.header)
    return [main, _icpcs_part(sheet)] if sheet.number == LIST_5.number else [main]


def parts(target: str) -> list[Part]:
    """Children first, then each list's table(s); sheets that are not lists are named as not used."""
    path = Path(target)
    if not path.exists():
        raise UnusableFile(path, "does not exist")
    found, others = _list_sheets(path)
    sheets = [read_list(tabular, match) for tabular, match in found]
    by_number = {sheet.number: sheet for sheet in sheets}
    kids = children(sheets)
    with_referrals = LIST_3.number in by_number
    unused = [
        column
        for sheet in sheets
        if sheet.number in (LIST_6.number, LIST_8.number)
        for column in _unused_columns(sheet, with_referrals)
    ]
    chunks = kids.chunks
    children_part = Part(
        f"{path} [children]",
        path,
        replace(CHILDREN.format, note=kids.note()),
        lambda: iter(chunks),
        kids.count,
        sheets[0].tabular.scan.sha256,
        unused,
        unused_sheets=others,
    )
    return [children_part, *(part for sheet in sheets for part in _list_parts(sheet, by_number))]


FORMATS = [layout.format for layout in (CONTACTS, EARLY_HELP, REFERRALS, ASSESSMENTS, S47, CP_PLANS)]
BUNDLES = [
    Bundle(
        name="annex_a",
        description="Ofsted ILACS Annex A workbook (Lists 1 to 8 by header; one list alone as CSV too): children, "
        "contacts, early help, referrals, assessments, section 47 enquiries, ICPCs and child protection plans",
        claims=claims,
        parts=parts,
        suffixes=(*WORKBOOK_SUFFIXES, ".csv"),
        formats=tuple(
            layout.format for layout in (CHILDREN, CONTACTS, EARLY_HELP, REFERRALS, ASSESSMENTS, S47, ICPCS, CP_PLANS)
        ),
    )
]
