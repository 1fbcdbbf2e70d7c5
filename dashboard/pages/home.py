"""Home: what the store holds, and on first start the demo partnership built through the real pipeline."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from dashboard.metrics.materialise import refresh_event_tables
from dashboard.metrics.store_overview import load_history, table_overview
from dashboard.shell.navigation import ensure_framed
from dashboard.store_access import current_store_url, demo_build_lock, engine_for
from data_connectors import config
from data_connectors.demo_store import build_demo_store
from data_connectors.store import StoreError, describe_url, store_exists

GROUP_TITLES = {
    "geography": "Geography",
    "social_care": "Children's social care",
    "partners": "Partner agencies",
    "practice": "Partnership practice",
    "benchmarks": "Benchmarks (published statistics)",
}


@st.cache_data(ttl=60, max_entries=20, show_spinner=False)
def _overview(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    engine = engine_for(url)
    return table_overview(engine), load_history(engine)


def _build_demo(url: str) -> None:
    st.info("This is the first start: building the fictional demo partnership so there is something to see.")
    bar = st.progress(0.0, text="Preparing")
    with demo_build_lock():
        if not store_exists(engine_for(url)):
            build_demo_store(url, progress=lambda fraction, label: bar.progress(fraction, text=label))
            bar.progress(1.0, text="Preparing the dashboard's tables")
            refresh_event_tables(engine_for(url))
    bar.empty()
    _overview.clear()
    st.rerun()


def main() -> None:
    ensure_framed()
    url = current_store_url()
    st.title("Line of Sight")
    st.caption("Strategic line of sight for the safeguarding partnership: what the store holds today.")
    try:
        exists = store_exists(engine_for(url))
    except (StoreError, sa.exc.ArgumentError, ImportError):  # unreachable, or a URL that names no driver
        st.error(
            f"The store at {describe_url(url)} cannot be opened. Check LOS_STORE_URL or .streamlit/secrets.toml, "
            "and that the database is reachable."
        )
        return
    if not exists:
        if url == config.default_store_url():
            _build_demo(url)
            return
        st.warning(
            f"The store at {describe_url(url)} holds no data yet. Load extracts with "
            "`python -m data_connectors load PATH` (see the README)."
        )
        return
    try:
        tables, history = _overview(url)
    except sa.exc.SQLAlchemyError:
        st.error(f"The store at {describe_url(url)} could not be read. Try again, or check it is reachable.")
        return
    _headline(tables, history)
    for group, title in GROUP_TITLES.items():
        st.subheader(title)
        shown = tables[tables["group"] == group].drop(columns="group")
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_config={
                "table_name": "table",
                "rows": st.column_config.NumberColumn("rows", format="localized"),
                "period_from": st.column_config.DateColumn("from"),
                "period_to": st.column_config.DateColumn("to"),
                "description": st.column_config.TextColumn("what it holds", width="large"),
            },
        )
    st.subheader("Load history")
    st.dataframe(
        history[
            [
                "load_id",
                "loaded_at",
                "table_name",
                "file_name",
                "source",
                "rows_read",
                "rows_loaded",
                "rows_rejected",
                "period_from",
                "period_to",
            ]
        ],
        hide_index=True,
        width="stretch",
    )


def _headline(tables: pd.DataFrame, history: pd.DataFrame) -> None:
    with_period = tables.dropna(subset=["period_from"])
    first, last = with_period["period_from"].min(), with_period["period_to"].max()
    latest = history.iloc[0] if not history.empty else None
    columns = st.columns([1, 1, 2, 1.5])  # the period needs room on a meeting-room screen
    columns[0].metric("Tables with data", f"{int((tables['rows'] > 0).sum())} of {len(tables)}")
    columns[1].metric("Rows", f"{int(tables['rows'].sum()):,}")
    columns[2].metric("Period covered", f"{first:%b %Y} to {last:%b %Y}" if pd.notna(first) else "none yet")
    if latest is None:
        columns[3].metric("Last load", "never")
    else:
        columns[3].metric(f"Last load ({latest['loaded_at']:%H:%M} UTC)", f"{latest['loaded_at']:%d %b %Y}")
    rejected = int(history["rows_rejected"].sum()) if not history.empty else 0
    if rejected:
        st.caption(
            f"{rejected:,} rows in recent loads were not loaded; each is kept with its reason in the load report."
        )


main()
