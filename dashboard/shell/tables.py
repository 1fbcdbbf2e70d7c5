"""Tables on a page, each downloadable as CSV and Excel, always with suppression applied (what is hidden
on screen is hidden in the file too)."""

from __future__ import annotations

import functools
import io

import pandas as pd
import streamlit as st

from dashboard.metrics.disclosure import disclosure_note, render

NOTE = "disclosure_note"


def rendered(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> pd.DataFrame:
    """A suppressed result as `shown_table` shows it, with its footnote kept: for a cached function to do ahead
    of time where a large table would otherwise be rendered again on every rerun."""
    visible = render(frame, formats)
    visible.attrs[NOTE] = frame.attrs["disclosure"].get("note") or disclosure_note()
    return visible


def shown_table(
    frame: pd.DataFrame,
    name: str,
    key: str,
    formats: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """A suppressed result as people see it ("<5", "c"), with CSV and Excel downloads of exactly that;
    `labels` picks and names the columns readers see, in its order (after suppression is rendered). The
    frame may be `rendered` already."""
    if "disclosure" in frame.attrs:
        frame = rendered(frame, formats)
    note = frame.attrs.get(NOTE, "")
    visible = frame[[c for c in frame.columns if not c.endswith("_suppressed") and c != "period_start"]]
    if labels:
        visible = visible[[c for c in labels if c in visible.columns]].rename(columns=labels)
    st.dataframe(visible, hide_index=True, width="stretch")
    if note:
        st.caption(note)
    left, right = st.columns(2)
    left.download_button(
        "Download CSV",
        visible.to_csv(index=False).encode("utf-8"),
        f"{name}.csv",
        "text/csv",
        key=f"{key}-csv",
        icon=":material/download:",
        width="stretch",
    )
    right.download_button(
        "Download Excel",
        functools.partial(_excel, visible, name),  # written on click: a workbook costs far more than the table
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}-xlsx",
        icon=":material/download:",
        width="stretch",
    )


def _excel(frame: pd.DataFrame, name: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=name[:31] or "data", index=False)
    return buffer.getvalue()
