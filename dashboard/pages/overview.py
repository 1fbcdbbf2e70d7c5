"""Board overview: the headline measures with England alongside, whether each is changing (SPC), and
what changed recently, most important first, each leading to the page that explains it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.metrics.catalogue import metric
from dashboard.metrics.frames import without_attrs
from dashboard.metrics.signals import HEADLINE_METRICS, recent_signals
from dashboard.metrics.spc import ASSURANCE_LABELS, VARIATION_LABELS, xmr_many
from dashboard.shell.charts import value_text
from dashboard.shell.guard import NothingToShow, page_guard
from dashboard.shell.page import page_header
from dashboard.shell.results import overview_results
from dashboard.shell.sections import tile_figures, total_text
from dashboard.shell.store_facts import data_version, store_facts
from dashboard.store_access import current_store_url
from data_connectors.config import suppression_threshold

VARIATION_ICONS = {
    "common_cause": ":material/horizontal_rule:",
    "improvement_high": ":material/trending_up:",
    "improvement_low": ":material/trending_down:",
    "concern_high": ":material/trending_up:",
    "concern_low": ":material/trending_down:",
    "neutral_high": ":material/trending_up:",
    "neutral_low": ":material/trending_down:",
}
PAGE_FOR_METRIC = {
    "threshold": "pages/thresholds.py",
    "icpc": "pages/thresholds.py",
    "cp_plan": "pages/thresholds.py",
    "s47": "pages/thresholds.py",
    "neglect": "pages/neglect.py",
    "assessment_factor": "pages/factors.py",
}


def page_for(metric_id: str) -> str:
    for fragment, page in PAGE_FOR_METRIC.items():
        if fragment in metric_id:
            return page
    return "pages/front_door.py"


def _tile(column, metric_id: str, figures: tuple, reading: dict, threshold: int, england) -> None:
    """A headline measure: its value over the period and its months as every page's tiles show them
    (`sections.tile_figures`), England's from the store, and the SPC `reading` of the months."""
    chosen = metric(metric_id)
    months, total = figures
    variation = reading["variation"].get(metric_id)
    assurance = reading["assurance"].get(metric_id)
    with column.container(border=True):
        st.metric(
            chosen.label,
            total_text(total, chosen, threshold),
            delta=f"England {value_text(england.value, chosen)} ({england.year_ending_march - 1}-"
            f"{england.year_ending_march % 100:02d})"
            if england
            else "England: not published",
            delta_color="off",
            delta_arrow="off",
            chart_data=without_attrs(months)["value"].dropna().tolist() or None,  # no small counts hinted
            chart_type="line",
            help=chosen.description,
        )
        if variation:
            st.caption(f"{VARIATION_ICONS[variation]} {VARIATION_LABELS[variation]}")
        if assurance:
            st.caption(f":material/flag: {ASSURANCE_LABELS[assurance]}")


def spc_readings(months: dict[str, pd.DataFrame]) -> dict:
    """The SPC reading of every headline series' months as a tile shows them, worked out together
    (`xmr_many`, each as `charted` would chart it): {"variation": {metric id: ...}, "assurance": {...}}."""
    return xmr_many(
        {metric_id: without_attrs(frame)["value"] for metric_id, frame in months.items()},
        polarity={metric_id: metric(metric_id).polarity for metric_id in months},
        target={metric_id: metric(metric_id).target for metric_id in months},
    ).attrs


def main() -> None:
    with page_guard("Board overview"):
        view = page_header(
            "Board overview", "Are children getting the right help at the right time, and what has changed?"
        )
        url = current_store_url()
        version = data_version(url)
        threshold = suppression_threshold()
        results = overview_results(url, version, view.filters)
        series = results.series
        events = sum(int(frame["numerator"].sum()) for frame in series.values())
        cases = sum(float(frame["denominator"].sum()) for m, frame in series.items() if metric(m).kind == "ratio")
        if events == 0 and cases == 0:
            raise NothingToShow("Nothing matches this view: widen the period, or choose another locality or agency.")
        st.caption(
            "Each tile: the value over the period shown, England's published value for comparison, and whether "
            "the monthly series shows a real change (Making Data Count rules) or only the usual ups and downs."
        )
        figures = {metric_id: tile_figures(series[metric_id]) for metric_id in HEADLINE_METRICS}
        reading = spc_readings({metric_id: months for metric_id, (months, _) in figures.items()})
        for start in range(0, len(HEADLINE_METRICS), 4):
            columns = st.columns(4)
            for column, metric_id in zip(columns, HEADLINE_METRICS[start : start + 4], strict=False):
                _tile(column, metric_id, figures[metric_id], reading, threshold, results.england[metric_id])
        st.subheader("What changed")
        whole = view.place if view.filters.locality or view.filters.ward else "the partnership"
        localities = store_facts(url, version).localities
        signals = recent_signals(series, results.by_locality, view_localities=localities, whole=whole)
        if signals.empty:
            st.success("No special-cause signals in the last three months: the measures are varying as usual.")
        for signal in signals.itertuples(index=False):
            icon = ":material/warning:" if signal.point_type == "concern" else ":material/info:"
            st.markdown(f"{icon} **{signal.label}** in **{signal.place}**: {signal.summary}")
            target = page_for(signal.metric_id)
            if (Path(__file__).parent.parent / target).exists():
                st.page_link(target, label=f"Open {signal.label}", icon=":material/arrow_forward:")


main()
