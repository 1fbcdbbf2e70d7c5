"""Data quality: for each source the store holds, how complete, valid and up to date it is, and the load
reports with every row that was not loaded and why, so data owners know what to fix and leaders know how far
to trust the other pages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.metrics.data_quality import (
    field_completeness,
    loads_with_rejections,
    rejected_rows,
    rejection_counts,
    source_quality,
)
from dashboard.shell.guard import NothingToShow, page_guard
from dashboard.shell.page import page_header
from dashboard.shell.store_facts import data_version
from dashboard.shell.tables import shown_table
from dashboard.store_access import current_store_url, engine_for

TITLE = "Data quality"
GROUP_NAMES = {
    "social_care": "Children's social care",
    "partners": "Partner agencies",
    "geography": "Geography",
    "practice": "Partnership practice",
}


@st.cache_data(max_entries=32, ttl=300, show_spinner=False)
def _quality(url: str, version: int, today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    engine = engine_for(url)
    return (
        source_quality(engine, today),
        field_completeness(engine),
        rejection_counts(engine),
        loads_with_rejections(engine),
    )


@st.cache_data(max_entries=32, ttl=300, show_spinner=False)
def _report(url: str, version: int, load_id: int, table_name: str, file_name: str) -> pd.DataFrame:
    return rejected_rows(engine_for(url), load_id, table_name, file_name)


def main() -> None:
    with page_guard("Data quality"):
        page_header(TITLE, "Is each source complete, valid and up to date enough to trust what the other pages show?")
        st.caption(
            "This page covers everything loaded into the store: the filter bar does not apply to it. Counts here "
            "are of records and file rows, not of children, so none is hidden."
        )
        url = current_store_url()
        version = data_version(url)
        sources, fields, counts, failed_loads = _quality(url, version, dt.date.today())
        if sources.empty:
            raise NothingToShow("Nothing has been loaded yet: see Data › What is loaded.")
        _headline(sources)
        _sources(sources)
        _fields(fields)
        _rejections(url, version, counts, failed_loads)


def _headline(sources: pd.DataFrame) -> None:
    read, rejected = int(sources["rows_read"].sum()), int(sources["rows_rejected"].sum())
    columns = st.columns(4)
    columns[0].metric("Sources loaded", f"{len(sources):,}")
    columns[1].metric("Rows read", f"{read:,}")
    columns[2].metric("Rows not loaded", f"{rejected:,}", help="Each is kept with its reason in the load report.")
    stale = sources["days_since_last_load"].max()
    columns[3].metric("Oldest last load", f"{stale:,.0f} days ago" if pd.notna(stale) else "never")


def _sources(sources: pd.DataFrame) -> None:
    st.subheader("Each source at a glance")
    st.caption(
        "Completeness: the share of key fields filled where they apply (an assessment's outcome once it is "
        "authorised). Rejected: rows the loader refused, as a share of rows read in all of the source's loads. "
        "Days since the latest event: how far the data reach towards today; a source that stops short of the "
        "others holds back every page that uses it."
    )
    table = pd.DataFrame(
        {
            "Group": sources["group"].map(GROUP_NAMES).fillna(sources["group"]),
            "Table": sources["table_name"],
            "Source": sources["source"],
            "Rows in store": sources["rows_in_store"],
            "Key fields filled (%)": [_or(value, "{:.1f}", "no optional fields") for value in sources["completeness"]],
            "Rows read": sources["rows_read"],
            "Rows rejected": sources["rows_rejected"],
            "Rejected (% of read)": sources["rejected_share"].round(1),
            "Latest event": [_or(value, "{}", "") for value in sources["latest_event"]],
            "Days since latest event": [
                _or(value, "{:.0f}", "no event dates") for value in sources["days_since_latest_event"]
            ],
            "Last loaded (UTC)": sources["last_loaded_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "Days since last load": sources["days_since_last_load"],
            "Last file": sources["last_file"],
            "Loads": sources["loads"],
        }
    )
    shown_table(table, "data-quality-by-source", key="dq-sources")


def _or(value, pattern: str, missing: str) -> str:
    """A value as text, or words saying why there is none (a table with no dates, no optional fields)."""
    return missing if value is None or pd.isna(value) else pattern.format(value)


def _fields(fields: pd.DataFrame) -> None:
    st.subheader("Which fields are missing?")
    st.caption(
        "Each key field's share filled, least complete first: a field most records leave blank weakens every "
        "measure built on it (a child's home area places them in a locality, for example)."
    )
    if fields.empty:
        st.info("No loaded table has optional key fields to check.")
        return
    ordered = fields.sort_values(["share", "table_name", "field"], na_position="last")
    table = pd.DataFrame(
        {
            "Table": ordered["table_name"],
            "Source": ordered["source"],
            "Field": ordered["field"],
            "Applies to": ordered["applies_to"],
            "Rows it applies to": ordered["rows"],
            "Filled": ordered["filled"],
            "Filled (%)": ordered["share"].round(1),
        }
    )
    shown_table(table, "data-quality-by-field", key="dq-fields")


def _rejections(url: str, version: int, counts: pd.DataFrame, failed_loads: pd.DataFrame) -> None:
    st.subheader("Rows not loaded, and why")
    if counts.empty:
        st.success("Every row read has been loaded: no load has rejected anything.")
        return
    st.caption(
        "Rows the loader refused, by table, field and reason, most first. Nothing is dropped silently: each row "
        "is in its load report below, with the value that failed (withheld for sensitive fields such as "
        "identifiers and postcodes). Fix them in the source system and load the extract again."
    )
    table = pd.DataFrame(
        {
            "Table": counts["table_name"],
            "Field": counts["field"],
            "Reason": counts["reason"],
            "Rows": counts["rows"],
            "Loads": counts["loads"],
            "Latest load": counts["latest_load"],
        }
    )
    shown_table(table, "rows-not-loaded", key="dq-rejections")
    st.markdown("**Load reports**")
    labels = {
        index: f"Load {row.load_id} · {row.table_name} · {row.file_name} · {row.rows_rejected:,} of "
        f"{row.rows_read:,} rows not loaded ({row.loaded_at:%d %b %Y})"
        for index, row in failed_loads.iterrows()
    }
    chosen = st.selectbox("Load report", list(labels), format_func=labels.get, key="dq-load")
    if chosen is None:
        return
    row = failed_loads.loc[chosen]
    report = _report(url, version, int(row["load_id"]), row["table_name"], row["file_name"])
    shown_table(
        report.rename(columns={"row_number": "Row in file", "field": "Field", "reason": "Reason", "value": "Value"}),
        f"load-{int(row['load_id'])}-{row['table_name']}-rejected-rows",
        key="dq-report",
    )
    st.caption("Row numbers count the header as row 1, as a spreadsheet shows them.")


main()
