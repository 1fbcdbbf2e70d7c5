"""Facts about the store the filter bar needs (names of places and agencies, the span of the data) and
the store's data version, which every cached result is keyed by so that a new load shows at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
import streamlit as st

from dashboard.metrics.materialise import refresh_event_tables
from dashboard.store_access import engine_for
from data_connectors import schema
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.store import ensure_schema

EVENT_TABLES = ("contacts", "referrals", "assessments", "s47_enquiries", "cp_plans", "police_incidents")


@dataclass(frozen=True)
class StoreFacts:
    localities: dict[str, str] = field(default_factory=dict)  # code -> name
    wards: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, locality code)
    agencies: dict[str, str] = field(default_factory=dict)  # referral source code -> label
    earliest: dt.date | None = None
    latest: dt.date | None = None
    version: int = 0  # the latest load: a new load changes it


@st.cache_data(ttl=15, max_entries=8, show_spinner=False)
def data_version(url: str) -> int:
    """The latest load's number (checked every few seconds): part of every cache key."""
    with engine_for(url).connect() as connection:
        return int(connection.execute(sa.select(sa.func.max(schema.loads.c.load_id))).scalar() or 0)


@st.cache_resource(max_entries=4, show_spinner="Preparing the newly loaded data (once per load)...")
def prepared(url: str, version: int) -> bool:
    """Once per data version: add any table a newer release of the product defines (a store built by an
    older release lacks it, and pages would fail on it), then rebuild the flat event tables
    (metrics.materialise); results are right either way, this makes them fast."""
    with engine_for(url).begin() as connection:
        ensure_schema(connection)
    return refresh_event_tables(engine_for(url))


@st.cache_data(max_entries=8, show_spinner=False)
def store_facts(url: str, version: int) -> StoreFacts:
    """Names and span, read once per data version."""
    localities, wards, loads = schema.localities, schema.wards, schema.loads
    with engine_for(url).connect() as connection:
        names = dict(
            connection.execute(
                sa.select(localities.c.locality_code, localities.c.locality_name).order_by(localities.c.locality_name)
            ).all()
        )
        ward_rows = connection.execute(
            sa.select(wards.c.ward_code, wards.c.ward_name, wards.c.locality_code).order_by(wards.c.ward_name)
        ).all()
        span = connection.execute(
            sa.select(sa.func.min(loads.c.period_from), sa.func.max(loads.c.period_to)).where(
                loads.c.table_name.in_(EVENT_TABLES)
            )
        ).one()
    return StoreFacts(
        localities=names,
        wards={code: (name, locality) for code, name, locality in ward_rows},
        agencies=dict(ALL_CODE_LISTS["referral_source"].codes),
        earliest=span[0],
        latest=span[1],
        version=version,
    )
