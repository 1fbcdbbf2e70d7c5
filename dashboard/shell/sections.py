"""Page sections several pages draw: a measure month by month with its SPC reading in words, a measure as
a tile, and agencies compared on a funnel plot. Every figure they show has been through disclosure control."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.metrics.catalogue import metric
from dashboard.metrics.comparison import SUPPRESSED, funnel_lines, period_total
from dashboard.metrics.definitions import Metric
from dashboard.metrics.england import england_value
from dashboard.metrics.presentation import disclosed
from dashboard.metrics.spc import ASSURANCE_LABELS, VARIATION_LABELS
from dashboard.shell.charts import funnel_chart, spc_chart, value_text
from dashboard.shell.results import charted
from dashboard.shell.view import View
from data_connectors.config import suppression_threshold

FILTER_NAMES = {"agency": "referring agency", "school": "school", "age_band": "age band", "ward": "ward"}
VARIATION_MEANING = {
    "common_cause": "The months go up and down within the usual range: no sign of real change, so a single "
    "month's rise or fall is not a reason to act on its own.",
    "improvement_high": "A real change for the better, not chance: worth finding out what caused it.",
    "improvement_low": "A real change for the better, not chance: worth finding out what caused it.",
    "concern_high": "A real change for the worse, not chance: worth asking why now.",
    "concern_low": "A real change for the worse, not chance: worth asking why now.",
    "neutral_high": "A real change, not chance; whether it is good or bad depends on why.",
    "neutral_low": "A real change, not chance; whether it is good or bad depends on why.",
}
SPC_METHOD = (
    "Each chart is a statistical process control (SPC) chart, as NHS England's Making Data Count draws them: "
    "the grey line is the average month, the dashed lines the range the months usually stay within (the "
    "process limits). A point in orange is a concern and in blue an improvement: outside the limits, seven "
    "months in a row on one side of the average, seven rising or falling, or two of three near a limit. "
    "Grey points are the usual ups and downs. Months with too few children to show are marked on the axis "
    "and left out of the average."
)
FUNNEL_METHOD = (
    "A funnel plot compares agencies of different sizes fairly: each dot is an agency, placed by how many "
    "referrals it made (across) and its figure (up). The green line is the partnership's figure; the dotted "
    "and dashed lines are the 95% and 99.8% limits, which narrow as agencies get bigger. A dot outside the "
    "limits (orange) differs from the partnership by more than chance would explain: a prompt to ask why, "
    "not a verdict. A small agency far from the line may just be small."
)


def england_text(metric_id: str, chosen: Metric) -> str:
    """'England 22.6% (2024-25)' or '' where England publishes no comparable figure."""
    england = england_value(metric_id)
    if england is None:
        return ""
    year = f"{england.year_ending_march - 1}-{england.year_ending_march % 100:02d}"
    return f"England {value_text(england.value, chosen)} ({year})"


def total_text(total: pd.DataFrame, chosen: Metric, threshold: int) -> str:
    """The value over the period as a tile shows it: '12.5%', '<5' when hidden, 'no data' when nothing
    could be counted."""
    row = total.iloc[0]
    if chosen.kind == "ratio" and not row["denominator_suppressed"] and not row["denominator"]:
        return "no data"
    if chosen.kind == "rate_per_10k" and not row["denominator"]:
        return "no data"
    if row["value_suppressed"]:
        return f"<{threshold}"
    return value_text(row["value"], chosen)


def _counts_text(total: pd.DataFrame, chosen: Metric) -> str:
    row = total.iloc[0]
    if chosen.kind != "ratio" or row["value_suppressed"] or not row["denominator"]:
        return ""
    return (
        f" ({int(row['numerator']):,} of {int(row['denominator']):,}; 95% interval "
        f"{value_text(row['lower'], chosen)} to {value_text(row['upper'], chosen)})"
    )


def not_filtered_text(frame: pd.DataFrame) -> str:
    """Which of the view's filters a measure cannot honour, in words ('' when it honours them all)."""
    missing = [FILTER_NAMES.get(name, name) for name in frame.attrs.get("filters_not_applied", [])]
    if not missing:
        return ""
    return f"This measure cannot be split by {' or '.join(missing)}: it counts every one."


def tile_figures(series: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a tile may show of the view's monthly series (as `metric_results` gives it): its months,
    suppressed (they add up to the period's value shown beside them, so they are protected against it too),
    and the value over the period, suppressed."""
    return disclosed(series, total_known=True), period_total(series)


def monthly(series: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`tile_figures`, the months with SPC (`charted`)."""
    months, total = tile_figures(series)
    return charted(months), total


def spc_section(series: pd.DataFrame, view: View, question: str, key: str) -> None:
    """A measure month by month as an SPC chart with England alongside, then what it says in words."""
    metric_id = series.attrs["metric"]
    chosen = metric(metric_id)
    threshold = suppression_threshold()
    chart, total = monthly(series)
    if not has_data(chart, chosen):
        st.info(f"{chosen.label}: nothing in this view to measure yet. {chosen.description}")
        return
    england = england_value(metric_id)
    reference = None if england is None else (england.value, england_text(metric_id, chosen))
    figure = spc_chart(chart, chosen, question, view.caption(), reference=reference)
    st.plotly_chart(figure, key=key, width="stretch")
    shown = total_text(total, chosen, threshold)
    words = [f"**{chosen.label}** over the period: **{shown}**{_counts_text(total, chosen)}."]
    if england is not None:
        words.append(f"{england_text(metric_id, chosen)}.")
    st.markdown(" ".join(words))
    st.caption(reading_text(chart))
    extra = not_filtered_text(chart)
    if extra:
        st.caption(extra)


def has_data(series: pd.DataFrame, chosen: Metric) -> bool:
    """Whether a series holds anything to measure (a ratio needs cases to divide by; hidden ones count)."""
    if chosen.kind != "ratio":
        return True
    return bool(series["denominator_suppressed"].any() or series["denominator"].fillna(0).sum() > 0)


def reading_text(chart: pd.DataFrame) -> str:
    """The SPC chart's variation and assurance in plain words."""
    variation = chart.attrs.get("variation")
    shown = int(chart["value"].notna().sum())
    if shown == 0:
        return "No single month has enough children to show safely: the value over the period is above."
    if variation is None:
        return (
            f"Only {shown} month{'s' if shown != 1 else ''} with a figure shown: too few to tell real change "
            "from the usual ups and downs."
        )
    text = f"{VARIATION_LABELS[variation]}. {VARIATION_MEANING[variation]}"
    assurance = chart.attrs.get("assurance")
    if assurance:
        text += f" {ASSURANCE_LABELS[assurance]}."
    if shown < 12:
        text += f" The limits rest on {shown} months; read them as provisional until there are 12 or more."
    return text


def tile(column, series: pd.DataFrame) -> None:
    """A measure as a tile (its monthly series from `metric_results`): its value over the period, England,
    the months as a small line, and the SPC reading in a few words."""
    metric_id = series.attrs["metric"]
    chosen = metric(metric_id)
    chart, total = monthly(series)
    with column.container(border=True):
        st.metric(
            chosen.label,
            total_text(total, chosen, suppression_threshold()),
            delta=england_text(metric_id, chosen) or "England: not published",
            delta_color="off",
            delta_arrow="off",  # England's figure is a comparison, not a change
            chart_data=chart["value"].dropna().tolist() or None,
            chart_type="line",
            help=chosen.description,
        )
        variation = chart.attrs.get("variation")
        st.caption(VARIATION_LABELS[variation] if variation else "Too few months to judge change")
        assurance = chart.attrs.get("assurance")
        if assurance:
            st.caption(f":material/flag: {ASSURANCE_LABELS[assurance]}")
        extra = not_filtered_text(chart)
        if extra:
            st.caption(extra)


def funnel_section(
    points: pd.DataFrame, chosen: Metric, names: dict[str, str], view: View, question: str, x_title: str, key: str
) -> None:
    """Agencies on a funnel plot (points from `compared_by`), with the agencies not drawn and why."""
    named = points.assign(name=points["agency"].map(lambda code: names.get(code, code)))
    visible = named[named["value"].notna()]
    if visible.empty:
        st.info(f"No agency has enough referrals in this view to show {chosen.label.lower()} safely.")
    else:
        limits = funnel_lines(named)
        st.plotly_chart(
            funnel_chart(visible, "name", "denominator", limits, chosen, question, view.caption(), x_title),
            key=key,
            width="stretch",
        )
        outside = visible[visible["funnel_position"].str.contains("above|below")]
        if outside.empty:
            st.caption("Every agency shown sits within the limits: differences between them could be chance.")
        else:
            st.caption(
                "Outside the limits: "
                + "; ".join(f"{n} ({p})" for n, p in zip(outside["name"], outside["funnel_position"], strict=True))
                + ". Start there: ask the agency's safeguarding lead what lies behind the figure, or audit a "
                "sample of its referrals together."
            )
    hidden = named.loc[named["funnel_position"] == SUPPRESSED, "name"].tolist()
    if hidden:
        st.caption(
            f"Not drawn, to protect the children concerned (too few to show, or hidden so totals cannot reveal "
            f"them): {', '.join(hidden)}."
        )
