"""Writing a small Standard Safeguarding Dataset into a database for tests.

Tables and columns as `data-to-insight/ssd-data-model` defines them (data/objects/ssd_*.yml), including
columns the connector does not read, with the SSD's types: ids as varchar, dates as datetime, JSON as text.
Every value is fictional (QQ postcodes, made-up ids and an NHS-number-shaped string that is not one).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

SSD_COLUMNS: dict[str, tuple[str, ...]] = {
    "ssd_person": (
        "pers_person_id",
        "pers_sex",
        "pers_gender",
        "pers_ethnicity",
        "pers_dob",
        "pers_common_child_id",
        "pers_legacy_id",
        "pers_upn_unknown",
        "pers_send_flag",
        "pers_expected_dob",
        "pers_death_date",
        "pers_is_mother",
        "pers_nationality",
    ),
    "ssd_address": (
        "addr_table_id",
        "addr_address_json",
        "addr_person_id",
        "addr_address_type",
        "addr_address_start_date",
        "addr_address_end_date",
        "addr_address_postcode",
    ),
    "ssd_disability": ("disa_person_id", "disa_table_id", "disa_disability_code"),
    "ssd_contacts": (
        "cont_contact_id",
        "cont_person_id",
        "cont_contact_date",
        "cont_contact_source_code",
        "cont_contact_source_desc",
        "cont_contact_outcome_json",
    ),
    "ssd_early_help_episodes": (
        "earl_episode_id",
        "earl_person_id",
        "earl_episode_start_date",
        "earl_episode_end_date",
        "earl_episode_reason",
        "earl_episode_end_reason",
        "earl_episode_organisation",
        "earl_episode_worker_id",
    ),
    "ssd_cin_episodes": (
        "cine_referral_id",
        "cine_person_id",
        "cine_referral_date",
        "cine_cin_primary_need_code",
        "cine_referral_source_code",
        "cine_referral_source_desc",
        "cine_referral_outcome_json",
        "cine_referral_nfa",
        "cine_close_reason",
        "cine_close_date",
        "cine_referral_team",
        "cine_referral_worker_id",
    ),
    "ssd_cin_assessments": (
        "cina_assessment_id",
        "cina_person_id",
        "cina_referral_id",
        "cina_assessment_start_date",
        "cina_assessment_child_seen",
        "cina_assessment_auth_date",
        "cina_assessment_outcome_json",
        "cina_assessment_outcome_nfa",
        "cina_assessment_team",
        "cina_assessment_worker_id",
    ),
    "ssd_assessment_factors": ("cinf_table_id", "cinf_assessment_id", "cinf_assessment_factors_json"),
    "ssd_s47_enquiry": (
        "s47e_s47_enquiry_id",
        "s47e_referral_id",
        "s47e_person_id",
        "s47e_s47_start_date",
        "s47e_s47_end_date",
        "s47e_s47_nfa",
        "s47e_s47_outcome_json",
        "s47e_s47_completed_by_worker_id",
        "s47e_s47_completed_by_team",
    ),
    "ssd_initial_cp_conference": (
        "icpc_icpc_id",
        "icpc_icpc_meeting_id",
        "icpc_s47_enquiry_id",
        "icpc_person_id",
        "icpc_cp_plan_id",
        "icpc_referral_id",
        "icpc_icpc_transfer_in",
        "icpc_icpc_target_date",
        "icpc_icpc_date",
        "icpc_icpc_outcome_cp_flag",
        "icpc_icpc_outcome_json",
        "icpc_icpc_team",
        "icpc_icpc_worker_id",
    ),
    "ssd_cp_plans": (
        "cppl_cp_plan_id",
        "cppl_referral_id",
        "cppl_icpc_id",
        "cppl_person_id",
        "cppl_cp_plan_start_date",
        "cppl_cp_plan_end_date",
        "cppl_cp_plan_ola",
        "cppl_cp_plan_initial_category",
        "cppl_cp_plan_latest_category",
    ),
    "ssd_cin_plans": (
        "cinp_cin_plan_id",
        "cinp_referral_id",
        "cinp_person_id",
        "cinp_cin_plan_start_date",
        "cinp_cin_plan_end_date",
        "cinp_cin_plan_team",
        "cinp_cin_plan_worker_id",
    ),
}
DATE_COLUMNS = {"pers_dob", "pers_expected_dob", "pers_death_date"}


def _type(column: str, text_dates: set[str]) -> sa.types.TypeEngine:
    if column in text_dates:
        return sa.String(30)
    if column.endswith("_date") or column in DATE_COLUMNS:
        return sa.DateTime()
    if column.endswith("_json"):
        return sa.Text()
    return sa.String(48)


def _value(column: sa.Column, value: object) -> object:
    if isinstance(column.type, sa.DateTime) and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def write_ssd(
    url: str,
    rows: dict[str, list[dict[str, object]]],
    *,
    text_dates: set[str] = frozenset(),
    drop_columns: dict[str, set[str]] | None = None,
) -> str:
    """Create the SSD tables named in `rows` (columns as the SSD defines, minus `drop_columns`; dates in
    `text_dates` as varchar, as some deployments hold them) and insert the rows. Returns `url`."""
    metadata = sa.MetaData()
    tables = {}
    for name in rows:
        dropped = (drop_columns or {}).get(name, set())
        columns = [sa.Column(c, _type(c, text_dates)) for c in SSD_COLUMNS[name] if c not in dropped]
        tables[name] = sa.Table(name, metadata, *columns)
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            metadata.create_all(connection)
            for name, table_rows in rows.items():
                if table_rows:
                    table = tables[name]
                    records = [{c.name: _value(c, row.get(c.name)) for c in table.columns} for row in table_rows]
                    connection.execute(sa.insert(table), records)
    finally:
        engine.dispose()
    return url
