"""Neglect: where the signs of neglect concentrate (the neglect index by area, with every indicator it rests
on) and whether each sign is changing (SPC by month), so a board can see where to look first."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard.metrics.catalogue import metric
from dashboard.metrics.compute import filters_not_applied
from dashboard.metrics.disclosure import render
from dashboard.metrics.neglect import COMPONENTS, disclosed_index, left_out_reasons, method_in_words
from dashboard.metrics.spc import VARIATION_LABELS
from dashboard.shell.charts import ranked_bars, spc_chart
from dashboard.shell.guard import NothingToShow, page_guard
from dashboard.shell.page import draw_sections, page_header
from dashboard.shell.results import (
    area_names_result,
    metric_results,
    neglect_result,
    tables_loaded,
    with_spc,
)
from dashboard.shell.store_facts import data_version
from dashboard.shell.tables import shown_table
from dashboard.store_access import current_store_url
from data_connectors.config import suppression_threshold

TITLE = "Where does neglect concentrate?"
LEVELS = {"Locality": "locality", "Ward": "ward", "Small area": "area"}
SHORT_NAMES = {
    "neglect_at_assessment_rate_per_10k": "Neglect at assessment (per 10,000)",
    "cp_plans_neglect_rate_per_10k": "CP plans for neglect (per 10,000)",
    "early_help_neglect_rate_per_10k": "Early help for neglect (per 10,000)",
    "was_not_brought_rate_per_10k": "Not brought to health appointments (per 10,000)",
    "persistent_absence_rate": "Persistent absence (%)",
    "neglect_grade_concern_rate": "Neglect assessments graded 4-5 (%)",
}
QUESTIONS = {
    "neglect_at_assessment_rate_per_10k": "Is neglect identified at assessment changing?",
    "cp_plans_neglect_rate_per_10k": "Are child protection plans for neglect changing?",
    "early_help_neglect_rate_per_10k": "Is early help for neglect changing?",
    "was_not_brought_rate_per_10k": "Are children missing health appointments more or less often?",
    "persistent_absence_rate": "Is persistent absence from school changing?",
    "neglect_grade_concern_rate": "Are more or fewer neglect assessments graded 4 or 5?",
}
FILTER_WORDS = {"agency": "referring agency", "age_band": "age band", "school": "school"}
CHART_AREAS = 30
NOTHING = "Nothing matches this view: widen the period, or choose another locality."
SOURCES = tuple(sorted({metric(m).numerator.source for m in COMPONENTS}))


def main() -> None:
    with page_guard("Neglect"):
        view = page_header(
            TITLE,
            "Signs of neglect from every agency's records, area by area, and whether they are changing: where "
            "should the partnership look first?",
        )
        url = current_store_url()
        version = data_version(url)
        loaded = tables_loaded(url, version, SOURCES)
        if not loaded:
            raise NothingToShow(
                "No neglect data loaded yet: the index needs assessments, child protection plans, early help, "
                "health, school attendance or neglect assessment records."
            )
        draw_sections(
            "neglect", [partial(_by_area, url, version, view, loaded), partial(_trends, url, version, view, loaded)]
        )


def _by_area(url: str, version: int, view, loaded: set[str]) -> None:
    level_name = st.radio(
        "Compare areas by", list(LEVELS), index=1, horizontal=True, key="neglect_level", bind="query-params"
    )
    level = LEVELS.get(level_name or "Ward", "ward")
    table = neglect_result(url, version, view.filters, level)
    events = sum(float(table.get(f"{m}_numerator", pd.Series(dtype=float)).sum()) for m in COMPONENTS)
    if table.empty or events == 0:
        raise NothingToShow(NOTHING)
    with st.expander("How the neglect index is worked out"):
        method = method_in_words()
        st.markdown(method[:1].upper() + method[1:])
    _left_out(table, loaded)
    _not_applied(table, view.filters)
    _index_by_area(table, level, level_name or "Ward", url, version, view.caption())


def _left_out(table: pd.DataFrame, loaded: set[str]) -> None:
    reasons = left_out_reasons(table, loaded)
    if reasons:
        st.warning(
            "Left out of the index: " + "; ".join(reasons.values()) + ".",
            icon=":material/info:",
        )


def _not_applied(table: pd.DataFrame, filters) -> None:
    used = [m for m in COMPONENTS if f"{m}_z" in table.columns]
    missing: dict[str, list[str]] = {}
    for metric_id in used:
        for dimension in filters_not_applied(metric(metric_id), filters):
            missing.setdefault(FILTER_WORDS.get(dimension, dimension), []).append(SHORT_NAMES[metric_id])
    for words, names in missing.items():
        st.caption(f"The {words} filter does not apply to {', '.join(names)}: those records do not carry it.")


def _index_by_area(table: pd.DataFrame, level: str, level_name: str, url: str, version: int, caption: str) -> None:
    components = [m for m in COMPONENTS if f"{m}_z" in table.columns]
    st.subheader("Which areas show most signs of neglect?")
    if len(table) < 2:
        st.info(
            f"The index compares areas with each other, and this view holds only one {level_name.lower()}: "
            "compare by a finer level (ward or small area) or widen the view."
        )
        return
    if not components:
        st.info("No indicator differs between the areas in this view (see what is left out above): nothing to rank.")
        return
    shown = disclosed_index(table, level, suppression_threshold())
    names = area_names_result(url, version, level)
    total = int(shown["index"].notna().sum())
    st.caption(
        "Each bar is an area's neglect index: how far, on average, its indicators sit above (orange) or below "
        "(blue) the average area, in standard deviations. A high index says where to look first, not what is "
        "happening to any child."
    )
    charted = pd.concat([shown.dropna(subset=["index"]).nlargest(CHART_AREAS, "index"), shown[shown["index"].isna()]])
    hover = [
        f"{names.get(code, code)}: index {index:+.2f}, rank {rank:.0f} of {total}, from {count:.0f} indicators"
        if pd.notna(index)
        else ""
        for code, index, rank, count in zip(
            charted[level], charted["index"], charted["rank"], charted["components"], strict=True
        )
    ]
    figure = ranked_bars(
        charted,
        level,
        "index",
        "Which areas show most signs of neglect?",
        caption,
        names=names,
        hover=hover,
        value_title="neglect index (standard deviations from the average area)",
    )
    st.plotly_chart(figure, key="neglect-index-chart")
    if total > CHART_AREAS:
        st.caption(f"The chart shows the {CHART_AREAS} areas with the highest index; the table lists all {len(shown)}.")
    st.subheader("Every indicator, area by area")
    st.caption(
        "Each indicator's value over the period and its z-score (standard deviations above or below the average "
        "area). Ranked by the index, 1 = most signs of neglect. Where a count is too small to show, the value "
        "and z-score are hidden, and one more is hidden beside it so the index cannot give it back."
    )
    _table(shown, level, level_name, names, components)


def _table(shown: pd.DataFrame, level: str, level_name: str, names: dict, components: list[str]) -> None:
    formats = {f"{m}_value": "{:.1f}" for m in components}
    formats |= {f"{m}_z": "{:+.2f}" for m in components}
    formats |= {"index": "{:+.2f}", "rank": "{:.0f}"}
    visible = render(shown, formats)
    ordered = visible.assign(_rank=shown["rank"]).sort_values(["_rank", level], na_position="last")
    columns = {
        level_name: [names.get(code, code) for code in ordered[level]],
        "Code": ordered[level].to_list(),
        "Rank": ordered["rank"].to_list(),
        "Neglect index": ordered["index"].to_list(),
        "Indicators used": ordered["components"].astype(int).to_list(),
    }
    for metric_id in components:
        columns[SHORT_NAMES[metric_id]] = ordered[f"{metric_id}_value"].to_list()
        columns[f"{SHORT_NAMES[metric_id]}: z"] = ordered[f"{metric_id}_z"].to_list()
    shown_table(pd.DataFrame(columns), f"neglect-index-by-{level}", key="neglect-table")
    st.caption(shown.attrs["disclosure"]["note"])


def _trends(url: str, version: int, view, loaded: set[str]) -> None:
    with_data = tuple(m for m in COMPONENTS if metric(m).numerator.source in loaded)
    every_series = metric_results(url, version, with_data, view.filters, grain="month")
    if not any(every_series[m]["numerator"].sum() for m in with_data):
        raise NothingToShow(NOTHING)
    st.subheader("Are the signs of neglect changing?")
    st.caption(
        "Each chart follows one sign of neglect month by month for this view, with its average and process "
        "limits (Making Data Count): a point outside the limits, or a run of seven on one side of the average, "
        "is a real change worth asking about; anything else is the usual ups and downs. Rates here are per "
        "10,000 children in each month (the table's are per year). Attendance arrives by term, so it shows one "
        "point per term."
    )
    columns = st.columns(2)
    for position, metric_id in enumerate(COMPONENTS):
        chosen = metric(metric_id)
        with columns[position % 2]:
            if chosen.numerator.source not in loaded:
                st.info(f"No data loaded yet for {chosen.label.lower()}.")
                continue
            series = every_series[metric_id]
            if chosen.kind == "ratio":
                attrs = dict(series.attrs)
                series = series[series["denominator"] > 0].reset_index(drop=True)
                series.attrs.update(attrs)
            if series.empty or series["numerator"].sum() == 0:
                st.info(f"None in this view: {chosen.label.lower()}.")
                continue
            chart = with_spc(series)
            figure = spc_chart(chart, chosen, QUESTIONS[metric_id], view.caption())
            st.plotly_chart(figure, key=f"neglect-trend-{metric_id}")
            variation = chart.attrs.get("variation")
            if variation:
                st.caption(VARIATION_LABELS[variation])


main()
