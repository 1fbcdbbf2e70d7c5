"""The Standard Safeguarding Dataset (Data to Insight), read from the local authority's own database.

The SSD is a set of `ssd_*` tables a local authority builds inside its case-management database
(`data-to-insight/ssd-data-model`). `python -m data_connectors load <SQLAlchemy URL>` reads the ones the
canonical schema has a place for, each as one part:

    ssd_person (+ latest ssd_address, ssd_disability) -> children    ssd_cin_assessments    -> assessments
    ssd_contacts                                      -> contacts    ssd_assessment_factors -> assessment_factors
    ssd_early_help_episodes                           -> early_help  ssd_s47_enquiry        -> s47_enquiries
    ssd_cin_episodes                                  -> referrals   ssd_initial_cp_conference -> icpcs
                                                                     ssd_cp_plans           -> cp_plans

Only ssd_person must exist; a table that is absent is simply not loaded, and ssd_* tables with no
canonical home (looked-after children, visits, reviews, workforce ...) are named in the report. Rows are
numbered by their position in the order of the table's key, as each part's label says. Outcome JSON
flags become the project's outcome codes (see the rules below); identifiers are hashed, dates of birth
cut to the month and postcodes looked up to a small area by validation, as for every source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.codelists import (
    ASSESSMENT_OUTCOME,
    CATEGORY_OF_ABUSE,
    CONTACT_OUTCOME,
    EARLY_HELP_END,
    EARLY_HELP_REASON,
    ETHNICITY,
    PARTNER_AGENCY,
    REFERRAL_OUTCOME,
    S47_OUTCOME,
    CodeList,
)
from data_connectors.database_source import (
    UnusableDatabase,
    column_names,
    count_rows,
    database_problem,
    open_engine,
    read_chunks,
    table_names,
)
from data_connectors.formats.base import Bundle, Part, TableFormat
from data_connectors.readers import ROW_NUMBER, ROW_PROBLEM, TEXT, as_mask, python_values
from data_connectors.ssd_values import (
    TRUE_TEXTS,
    OutcomeRules,
    code_list_words,
    date_part,
    factor_codes,
    flag_value,
    lookup,
    outcome_codes,
    per_distinct,
    words,
)
from data_connectors.store import describe_url

# --- value rules -----------------------------------------------------------------------------------

# pers_sex is F/M/U in the SSD; pers_gender uses the NHS 00/01/02/09 codes (10-99 are local sub-codes of 9)
SEX_WORDS = {"M": "1", "MALE": "1", "F": "2", "FEMALE": "2", "U": "0", "UNKNOWN": "0"} | {c: c for c in "0129"}
GENDER_WORDS = (
    {"00": "0", "01": "1", "02": "2", "09": "9"} | {c: c for c in "0129"} | {str(code): "9" for code in range(10, 100)}
)
ETHNICITY_WORDS = code_list_words(ETHNICITY) | {"CNHE": "CHNE"}  # the SSD guidance spells Chinese CNHE
CATEGORY_WORDS = code_list_words(CATEGORY_OF_ABUSE) | {
    "NEGLECT": "NEG",
    "PHYSICAL ABUSE": "PHY",
    "PHYSICAL": "PHY",
    "SEXUAL ABUSE": "SAB",
    "SEXUAL": "SAB",
    "EMOTIONAL ABUSE": "EMO",
    "EMOTIONAL": "EMO",
}
# The SSD suggests these early help reasons; those that do not say whose need it is (parent or child)
# cannot be told apart in the partnership's list and load as OTHER.
EARLY_HELP_REASON_WORDS = code_list_words(EARLY_HELP_REASON) | {
    "DOMESTIC VIOLENCE ABUSE": "DOMESTIC_ABUSE",
    "CHILD ABUSE NEGLECT": "NEGLECT",
    "PARENTING AND FAMILY DYNAMICS": "FAMILY_CONFLICT",
    "SOCIO ECONOMIC CHALLENGES": "FINANCIAL_HOUSING",
    "ALCOHOL SUBSTANCE MISUSE PARENT OR CHILD": "OTHER",
    "MENTAL HEALTH PARENT OR CHILD": "OTHER",
    "PHYSICAL AND LEARNING DISABILITIES ILLNESS PARENT OR CHILD": "OTHER",
    "SPECIAL CIRCUMSTANCES VULNERABILITIES": "OTHER",
    "CHILD WELL BEING AND DEVELOPMENT": "OTHER",
    "INFORMATION AND SUPPORT SERVICE": "OTHER",
}
EARLY_HELP_END_WORDS = code_list_words(EARLY_HELP_END) | {
    "OUTCOMES MET": "NEEDS_MET",
    "STEP UP": "STEP_UP",
    "NFA": "OTHER",
}
AGENCY_WORDS = code_list_words(PARTNER_AGENCY)

# Outcome JSON flags (SSD field guidance) to outcome codes: the first rule with a flag set wins, so a
# record with several outcomes takes the most intensive one.
CONTACT_RULES: OutcomeRules = (
    ("REFERRAL", ("NEW_REFERRAL_FLAG", "EXISTING_REFERRAL_FLAG", "CP_ENQUIRY_FLAG")),
    ("ADVICE", ("ADVICE_FLAG",)),
    ("NFA", ("NFA_FLAG",)),
)
REFERRAL_RULES: OutcomeRules = (
    ("S47", ("STRATEGY_DISCUSSION_FLAG", "CP_CONFERENCE_FLAG")),
    ("ASSESSMENT", ("SINGLE_ASSESSMENT_FLAG",)),
    (
        "OTHER",
        (
            "CLA_REQUEST_FLAG",
            "NON_AGENCY_ADOPTION_FLAG",
            "PRIVATE_FOSTERING_FLAG",
            "CP_TRANSFER_IN_FLAG",
            "CARE_LEAVER_FLAG",
            "OTHER_OUTCOMES_EXIST_FLAG",
        ),
    ),
    ("NFA", ("NFA_FLAG",)),
)
ASSESSMENT_RULES: OutcomeRules = (
    ("S47", ("STRATEGY_DISCUSSION_FLAG",)),
    ("CIN_PLAN", ("PROV_OF_SERVICES_FLAG", "PROV_OF_SB_CARE_FLAG")),  # services under s17
    (
        "OTHER",
        (
            "CLA_REQUEST_FLAG",
            "PRIVATE_FOSTERING_FLAG",
            "LEGAL_ACTION_FLAG",
            "SPECIALIST_ASSESSMENT_FLAG",
            "REFERRAL_TO_OTHER_AGENCY_FLAG",
            "OTHER_ACTIONS_FLAG",
            "OTHER_OUTCOMES_EXIST_FLAG",
        ),
    ),
    ("NFA", ("NFA_FLAG", "NFA_S47_END_FLAG")),
)
S47_RULES: OutcomeRules = (
    ("ICPC", ("CP_CONFERENCE_FLAG",)),
    ("LEGAL", ("LEGAL_ACTION_FLAG",)),
    ("SERVICES", ("PROV_OF_SERVICES_FLAG", "PROV_OF_SB_CARE_FLAG")),
    ("MONITOR", ("MONITOR_FLAG",)),
    ("CONTINUE_ASSESSMENT", ("NFA_CONTINUE_SINGLE_FLAG",)),
    ("OTHER", ("OTHER_OUTCOMES_EXIST_FLAG",)),
    ("NFA", ("NFA_FLAG",)),
)


# --- derivations (run after the renames, so template columns carry template names) ---------------


def _dated(frame: pd.DataFrame, table: sa.Table) -> pd.DataFrame:
    """A copy with the table's date columns cut from date-times to dates."""
    out = frame.copy()
    for column in schema.content_columns(table):
        name = column.info.get("template_name", column.name)
        if isinstance(column.type, sa.Date) and name in out:
            out[name] = date_part(out[name])
    return out


def _with_problems(frame: pd.DataFrame, problems: pd.Series) -> None:
    """Add row problems where the reader found none."""
    frame[ROW_PROBLEM] = frame[ROW_PROBLEM].where(frame[ROW_PROBLEM].notna(), problems)


def _yes(values: pd.Series) -> pd.Series:
    return as_mask(values.str.strip().str.upper().isin(list(TRUE_TEXTS)))


def _outcome(out: pd.DataFrame, rules: OutcomeRules, code_list: CodeList, field: str, nfa_column: str | None) -> None:
    """`outcome` from SSD outcome JSON; NFA where only the table's own NFA flag says so."""
    codes, problems = outcome_codes(out["outcome"], rules, code_list, field)
    if nfa_column is not None:
        codes = codes.mask(codes.isna() & problems.isna() & _yes(out[nfa_column]), "NFA")
    out["outcome"] = codes
    _with_problems(out, problems)


def _children(frame: pd.DataFrame) -> pd.DataFrame:
    out = _dated(frame, schema.children)
    sex = lookup(out["sex"], SEX_WORDS)
    out["sex"] = sex.where(sex.notna(), lookup(out["pers_gender"], GENDER_WORDS))
    out["ethnicity"] = lookup(out["ethnicity"], ETHNICITY_WORDS)
    return out


def _contacts(frame: pd.DataFrame) -> pd.DataFrame:
    out = _dated(frame, schema.contacts)
    _outcome(out, CONTACT_RULES, CONTACT_OUTCOME, "cont_contact_outcome_json", None)
    return out


def _early_help(frame: pd.DataFrame) -> pd.DataFrame:
    out = _dated(frame, schema.early_help_episodes)
    out["reason"] = lookup(out["reason"], EARLY_HELP_REASON_WORDS)
    out["end_reason"] = lookup(out["end_reason"], EARLY_HELP_END_WORDS)
    out["lead_agency"] = lookup(out["lead_agency"], AGENCY_WORDS, keep_unknown=False)
    return out


def _referrals(frame: pd.DataFrame) -> pd.DataFrame:
    out = _dated(frame, schema.referrals)
    _outcome(out, REFERRAL_RULES, REFERRAL_OUTCOME, "cine_referral_outcome_json", "nfa")
    return out


def _assessments(frame: pd.DataFrame) -> pd.DataFrame:
    out = _dated(frame, schema.assessments)
    _outcome(out, ASSESSMENT_RULES, ASSESSMENT_OUTCOME, "cina_assessment_outcome_json", "cina_assessment_outcome_nfa")
    return out


def _s47_enquiries(frame: pd.DataFrame) -> pd.DataFrame:
    out = _dated(frame, schema.s47_enquiries)
    conference = flag_value(out["outcome"], "CP_CONFERENCE_FLAG")
    out["icpc_not_required"] = lookup(conference, {"Y": "N", "N": "Y"})
    _outcome(out, S47_RULES, S47_OUTCOME, "s47e_s47_outcome_json", "s47e_s47_nfa")
    return out


def _icpcs(frame: pd.DataFrame) -> pd.DataFrame:
    """cp_plan_made from the outcome flag, else the outcome JSON's CP_FLAG, else a CP plan id given."""
    out = _dated(frame, schema.icpcs)
    made = out["cp_plan_made"].str.strip().mask(as_mask(out["cp_plan_made"].str.strip() == ""))
    made = made.where(made.notna(), flag_value(out["icpc_icpc_outcome_json"], "CP_FLAG"))
    has_plan = as_mask(out["icpc_cp_plan_id"].str.strip().str.len() > 0)
    out["cp_plan_made"] = made.mask(made.isna() & has_plan, "Y")
    return out


def _category(value: str) -> str:
    key = words(value)
    return "MUL" if key.startswith("MULTIPLE") else CATEGORY_WORDS.get(key, value)


def _cp_plans(frame: pd.DataFrame) -> pd.DataFrame:
    out = _dated(frame, schema.cp_plans)
    for name in ("initial_category", "latest_category"):
        out[name] = pd.Series(per_distinct(out[name], _category), index=out.index, dtype=TEXT)
    return out


FACTORS_UNREADABLE = "cinf_assessment_factors_json is not a JSON list or object of factor codes"


def _assessment_factors(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per factor code, each keeping the SSD row's number (the row loads or is rejected whole);
    an empty list keeps one row with no factor, which validation reports as empty."""
    present = as_mask(frame["factor_code"].str.strip().str.len() > 0)
    found = per_distinct(frame["factor_code"], factor_codes)
    ids, codes, numbers, problems = [], [], [], []
    for assessment, codes_found, is_present, number, problem in zip(
        python_values(frame["assessment_id"]),
        found,
        present.tolist(),
        frame[ROW_NUMBER].tolist(),
        frame[ROW_PROBLEM].tolist(),
        strict=True,
    ):
        if is_present and codes_found is None:
            problem = problem or FACTORS_UNREADABLE
        for code in codes_found or [None]:
            ids.append(assessment)
            codes.append(code)
            numbers.append(number)
            problems.append(problem)
    return pd.DataFrame(
        {
            "assessment_id": pd.Series(ids, dtype=TEXT),
            "factor_code": pd.Series(codes, dtype=TEXT),
            ROW_NUMBER: numbers,
            ROW_PROBLEM: pd.Series(problems, dtype=object),
        }
    )


# --- the SSD tables read -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SsdTable:
    """One SSD table and the layout it is read as; rows are numbered in the order of `order_by` (the
    columns of it the table has)."""

    name: str
    order_by: tuple[str, ...]
    format: TableFormat


def _table(
    name: str,
    table: sa.Table,
    order_by: tuple[str, ...],
    renames: dict[str, str],
    derive: Callable[[pd.DataFrame], pd.DataFrame],
    extra: tuple[str, ...] = (),
    note: str = "",
    required: tuple[str, ...] | None = None,
) -> SsdTable:
    """An SSD table; its required columns are by default those renamed to a required template column."""
    required_templates = {c.info.get("template_name", c.name) for c in schema.content_columns(table) if not c.nullable}
    if required is None:
        required = tuple(column for column, template in renames.items() if template in required_templates)
    layout = TableFormat(
        name=name,
        table=table,
        description=f"SSD {name} table",
        columns=(*renames, *extra),
        required=required,
        renames=renames,
        derive=derive,
        note=note,
    )
    return SsdTable(name, order_by, layout)


PERSON = _table(
    "ssd_person",
    schema.children,
    ("pers_person_id",),
    {
        "pers_person_id": "child_id",
        "pers_dob": "date_of_birth",
        "pers_sex": "sex",
        "pers_ethnicity": "ethnicity",
        "disa_disability_code": "has_disability",  # from ssd_disability: any code but NONE
        "addr_address_postcode": "home_postcode",  # from the latest ssd_address
    },
    _children,
    extra=("pers_gender",),
    note="home small area from each child's latest ssd_address postcode (an open address first, then the "
    "latest start); disability from ssd_disability (any code but NONE); children with only an expected "
    "date of birth have no birth month",
)
TABLES = (
    PERSON,
    _table(
        "ssd_contacts",
        schema.contacts,
        ("cont_contact_id",),
        {
            "cont_contact_id": "contact_id",
            "cont_person_id": "child_id",
            "cont_contact_date": "contact_date",
            "cont_contact_source_code": "source_code",
            "cont_contact_outcome_json": "outcome",
        },
        _contacts,
    ),
    _table(
        "ssd_early_help_episodes",
        schema.early_help_episodes,
        ("earl_episode_id",),
        {
            "earl_episode_id": "episode_id",
            "earl_person_id": "child_id",
            "earl_episode_start_date": "start_date",
            "earl_episode_end_date": "end_date",
            "earl_episode_reason": "reason",
            "earl_episode_end_reason": "end_reason",
            "earl_episode_organisation": "lead_agency",
        },
        _early_help,
        note="SSD reasons that do not say whose need it is (parent or child) load as OTHER; the organisation is "
        "kept only where it names a partner agency",
    ),
    _table(
        "ssd_cin_episodes",
        schema.referrals,
        ("cine_referral_id",),
        {
            "cine_referral_id": "referral_id",
            "cine_person_id": "child_id",
            "cine_referral_date": "referral_date",
            "cine_referral_source_code": "source_code",
            "cine_referral_outcome_json": "outcome",
            "cine_referral_nfa": "nfa",
            "cine_cin_primary_need_code": "primary_need_code",
            "cine_close_date": "closure_date",
            "cine_close_reason": "closure_reason",
        },
        _referrals,
    ),
    _table(
        "ssd_cin_assessments",
        schema.assessments,
        ("cina_assessment_id",),
        {
            "cina_assessment_id": "assessment_id",
            "cina_person_id": "child_id",
            "cina_referral_id": "referral_id",
            "cina_assessment_start_date": "start_date",
            "cina_assessment_auth_date": "authorised_date",
            "cina_assessment_child_seen": "child_seen",
            "cina_assessment_outcome_json": "outcome",
        },
        _assessments,
        extra=("cina_assessment_outcome_nfa",),
    ),
    _table(
        "ssd_assessment_factors",
        schema.assessment_factors,
        ("cinf_table_id", "cinf_assessment_id"),
        {"cinf_assessment_id": "assessment_id", "cinf_assessment_factors_json": "factor_code"},
        _assessment_factors,
    ),
    _table(
        "ssd_s47_enquiry",
        schema.s47_enquiries,
        ("s47e_s47_enquiry_id",),
        {
            "s47e_s47_enquiry_id": "s47_id",
            "s47e_person_id": "child_id",
            "s47e_referral_id": "referral_id",
            "s47e_s47_start_date": "start_date",
            "s47e_s47_end_date": "end_date",
            "s47e_s47_outcome_json": "outcome",
        },
        _s47_enquiries,
        extra=("s47e_s47_nfa",),
    ),
    _table(
        "ssd_initial_cp_conference",
        schema.icpcs,
        ("icpc_icpc_id",),
        {
            "icpc_icpc_id": "icpc_id",
            "icpc_person_id": "child_id",
            "icpc_s47_enquiry_id": "s47_id",
            "icpc_icpc_date": "icpc_date",
            "icpc_icpc_outcome_cp_flag": "cp_plan_made",
        },
        _icpcs,
        extra=("icpc_icpc_outcome_json", "icpc_cp_plan_id"),
        required=("icpc_icpc_id", "icpc_person_id", "icpc_icpc_date"),  # cp_plan_made has fallbacks
    ),
    _table(
        "ssd_cp_plans",
        schema.cp_plans,
        ("cppl_cp_plan_id",),
        {
            "cppl_cp_plan_id": "cp_plan_id",
            "cppl_person_id": "child_id",
            "cppl_icpc_id": "icpc_id",
            "cppl_cp_plan_start_date": "start_date",
            "cppl_cp_plan_end_date": "end_date",
            "cppl_cp_plan_initial_category": "initial_category",
            "cppl_cp_plan_latest_category": "latest_category",
        },
        _cp_plans,
    ),
)
# read into the children part rather than as parts of their own
JOINED_TABLES = ("ssd_address", "ssd_disability")
ZERO, ONE = sa.literal_column("0"), sa.literal_column("1")  # written into the SQL: no parameter types to guess
ADDRESS_COLUMNS = ("addr_person_id", "addr_address_postcode", "addr_address_start_date", "addr_address_end_date")
DISABILITY_COLUMNS = ("disa_person_id", "disa_disability_code")


# --- reading the database ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """A table as the database spells it: its name and its columns (lower-case name to spelling)."""

    name: str
    columns: dict[str, str]

    def column(self, name: str) -> sa.ColumnClause:
        return sa.column(self.columns[name])

    def has(self, *names: str) -> bool:
        return all(name in self.columns for name in names)


def _order(found: _Found, spec: SsdTable) -> list[str]:
    return [name for name in spec.order_by if found.has(name)]


def _simple_query(found: _Found, spec: SsdTable) -> tuple[sa.Select, list[str]]:
    names = [name for name in spec.format.columns if found.has(name)]
    order = _order(found, spec)
    table = sa.table(found.name, *(found.column(name) for name in dict.fromkeys([*names, *order])))
    query = sa.select(*(table.c[found.columns[n]].label(n) for n in names))
    return query.order_by(*(table.c[found.columns[n]] for n in order)), names


def _person_query(found: dict[str, _Found]) -> tuple[sa.Select, list[str]]:
    """ssd_person with each child's latest address (an open one first, then the latest start) and
    whether any disability other than NONE is recorded, numbered in the order of pers_person_id."""
    person = found["ssd_person"]
    names = [name for name in PERSON.format.columns if person.has(name)]
    table = sa.table(person.name, *(person.column(name) for name in names))
    person_id = table.c[person.columns["pers_person_id"]]
    columns = [table.c[person.columns[n]].label(n) for n in names]
    joined: sa.FromClause = table
    address = found.get("ssd_address")
    if address is not None and address.has("addr_person_id", "addr_address_postcode"):
        latest = _latest_address(address)
        joined = joined.outerjoin(latest, sa.and_(latest.c.person == person_id, latest.c.rank == 1))
        columns.append(latest.c.postcode.label("addr_address_postcode"))
        names.append("addr_address_postcode")
    disability = found.get("ssd_disability")
    if disability is not None and disability.has(*DISABILITY_COLUMNS):
        flags = _disability_flags(disability)
        joined = joined.outerjoin(flags, flags.c.person == person_id)
        columns.append(flags.c.disabled.label("disa_disability_code"))
        names.append("disa_disability_code")
    return sa.select(*columns).select_from(joined).order_by(person_id), names


def _latest_address(address: _Found) -> sa.Subquery:
    table = sa.table(address.name, *(address.column(n) for n in ADDRESS_COLUMNS if address.has(n)))
    column = {n: table.c[address.columns[n]] for n in ADDRESS_COLUMNS if address.has(n)}
    order: list[sa.ColumnElement] = []
    if "addr_address_end_date" in column:
        order.append(sa.case((column["addr_address_end_date"].is_(None), ZERO), else_=ONE))
    if "addr_address_start_date" in column:
        start = column["addr_address_start_date"]
        order += [sa.case((start.is_(None), ONE), else_=ZERO), start.desc()]
    order.append(column["addr_address_postcode"])  # a tie-break, so the choice is the same every time
    rank = sa.func.row_number().over(partition_by=column["addr_person_id"], order_by=order)
    return sa.select(
        column["addr_person_id"].label("person"), column["addr_address_postcode"].label("postcode"), rank.label("rank")
    ).subquery("latest_address")


def _disability_flags(disability: _Found) -> sa.Subquery:
    """Per person 1 when a code other than NONE is recorded, 0 when only NONE, absent when none."""
    table = sa.table(disability.name, *(disability.column(n) for n in DISABILITY_COLUMNS))
    code = sa.func.upper(sa.func.trim(table.c[disability.columns["disa_disability_code"]]))
    flag = sa.case(
        (code.is_(None), sa.null()),
        (code == "", sa.null()),
        (code == "NONE", ZERO),
        else_=ONE,
    )
    person = table.c[disability.columns["disa_person_id"]]
    query = sa.select(person.label("person"), sa.func.max(flag).label("disabled")).group_by(person)
    return query.subquery("disability")


def _chunks(url: str, query: sa.Select, names: list[str], layout: TableFormat) -> Iterator[pd.DataFrame]:
    """The rows as the layout's columns; a column the table lacks is empty."""
    for frame in read_chunks(url, query, names):
        for name in layout.columns:
            if name not in frame:
                frame[name] = pd.Series(None, index=frame.index, dtype=TEXT)
        yield frame


def _inspect(url: str) -> tuple[dict[str, _Found], dict[str, int], list[str]]:
    """The SSD tables read (with their columns), their row counts and the ssd_* tables not read."""
    engine = open_engine(url)
    try:
        tables = table_names(engine, url)
        ssd = sorted(name for name in tables if name.startswith("ssd_"))
        if "ssd_person" not in tables:
            if not ssd:
                raise UnusableDatabase(url, "holds no ssd_* tables, so it is not a Standard Safeguarding Dataset")
            raise UnusableDatabase(url, f"holds no ssd_person table (it has {', '.join(ssd)}); the SSD needs it")
        wanted = [spec.name for spec in TABLES if spec.name in tables] + [n for n in JOINED_TABLES if n in tables]
        with engine.connect() as connection:
            found = {name: _Found(tables[name], column_names(connection, tables[name])) for name in wanted}
            counts = {spec.name: count_rows(connection, tables[spec.name]) for spec in TABLES if spec.name in found}
    except sa.exc.SQLAlchemyError as error:
        raise database_problem(url, error) from None
    finally:
        engine.dispose()
    return found, counts, [name for name in ssd if name not in found]


def ssd_parts(url: str) -> list[Part]:
    """One part per SSD table read; UnusableDatabase when the database cannot be read as an SSD."""
    shown = describe_url(url)
    found, counts, unread = _inspect(url)
    parts = []
    for spec in TABLES:
        if spec.name not in found:
            continue
        table = found[spec.name]
        missing = spec.format.missing(list(table.columns))
        if missing:
            raise UnusableDatabase(url, f"{spec.name} lacks columns the SSD defines: {', '.join(missing)}")
        query, names = _person_query(found) if spec is PERSON else _simple_query(table, spec)
        label = f"{shown} [{spec.name} ordered by {', '.join(_order(table, spec))}]"
        parts.append(
            Part(
                label,
                # the pipeline tells a database from a file by the '://' in str(path), which Path would fold
                shown,
                spec.format,
                lambda query=query, names=names, layout=spec.format: _chunks(url, query, names, layout),
                counts[spec.name],
                None,
                list(table.columns),
            )
        )
    parts[0].unused_sheets = unread
    return parts


def claims(target: str) -> bool:
    """Any database URL (a file path is never one)."""
    return "://" in target and not Path(target).exists()


SSD = Bundle(
    name="ssd",
    description="Standard Safeguarding Dataset (Data to Insight) ssd_* tables in the local authority's database, "
    "given as a SQLAlchemy URL; rows numbered in the order of each table's key",
    claims=claims,
    parts=ssd_parts,
    formats=tuple(spec.format for spec in TABLES),
)

FORMATS: list[TableFormat] = []
BUNDLES = [SSD]
