"""Front door and referral quality: whether contacts become referrals, decisions come within a working day,
referrals end in no further action or come back; and, agency by agency, who refers, how often their
referrals lead to an assessment, and whether they carry the information the front door needs."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard.metrics.catalogue import metric
from dashboard.metrics.comparison import compared_by
from dashboard.metrics.disclosure import disclosure_note, render
from dashboard.shell.charts import bars_with_intervals
from dashboard.shell.guard import NothingToShow, page_guard
from dashboard.shell.page import draw_sections, page_header
from dashboard.shell.results import metric_results
from dashboard.shell.sections import FUNNEL_METHOD, SPC_METHOD, funnel_section, spc_section
from dashboard.shell.store_facts import data_version, store_facts
from dashboard.shell.tables import shown_table
from dashboard.shell.view import View
from dashboard.store_access import current_store_url
from data_connectors.config import suppression_threshold

TITLE = "Front door and referral quality"
QUESTION = "Do the right children reach children's social care, decided quickly, with the information needed?"
NOTHING = "Nothing matches this view: widen the period, or choose another locality or agency."
OVER_TIME = {
    "contact_to_referral_rate": "How many contacts become referrals?",
    "decision_within_1wd_rate": "Are referrals decided within one working day?",
    "referral_nfa_rate": "How many referrals end with no further action?",
    "rereferral_rate_12m": "How many referrals are about a child referred in the last year?",
}
BY_AGENCY = ("referrals_by_source", "referral_conversion_by_source", "referral_information_quality")
TABLE_FORMATS = {"value": "{:.1f}", "lower": "{:.1f}", "upper": "{:.1f}"}


def agency_table(points: dict[str, pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """One row per agency with its figures from each comparison, as shown (hidden figures as "<5" or "c")."""
    columns = {
        "referrals_by_source": {
            "numerator": "Referrals",
            "value": "Share of all referrals (%)",
            "lower": "Share: 95% interval from",
            "upper": "Share: 95% interval to",
        },
        "referral_conversion_by_source": {
            "denominator": "Referrals with an outcome",
            "numerator": "Led to assessment or s47",
            "value": "Led to assessment or s47 (%)",
            "lower": "Assessment or s47: 95% interval from",
            "upper": "Assessment or s47: 95% interval to",
            "funnel_position": "Assessment or s47 against the partnership",
        },
        "referral_information_quality": {
            "numerator": "With complete information",
            "value": "With complete information (%)",
            "lower": "Complete information: 95% interval from",
            "upper": "Complete information: 95% interval to",
            "funnel_position": "Complete information against the partnership",
        },
    }
    parts = [
        render(points[metric_id], TABLE_FORMATS)[["agency", *wanted]].rename(columns=wanted)
        for metric_id, wanted in columns.items()
    ]
    table = parts[0]
    for part in parts[1:]:
        table = table.merge(part, on="agency", how="outer")
    table.insert(0, "Agency", table.pop("agency").map(lambda code: names.get(code, code)))
    return table.sort_values("Agency").reset_index(drop=True)


def main() -> None:
    with page_guard(TITLE):
        view = page_header(TITLE, QUESTION)
        url = current_store_url()
        version = data_version(url)
        series = metric_results(url, version, ("contacts", "referrals", *OVER_TIME), view.filters, grain="month")
        contacts, referrals = series["contacts"], series["referrals"]
        if int(contacts["numerator"].sum()) == 0 and int(referrals["numerator"].sum()) == 0:
            raise NothingToShow(NOTHING)
        draw_sections("front_door", [partial(_over_time, series, view), partial(_by_agency, url, version, view)])


def _over_time(series: dict[str, pd.DataFrame], view: View) -> None:
    st.subheader("Is the front door changing?")
    st.caption(
        "Four measures of the front door month by month, each with its value over the whole period and, where "
        "DfE publishes one, England's (the dotted line). " + SPC_METHOD
    )
    ids = list(OVER_TIME)
    for row in (ids[:2], ids[2:]):
        for column, metric_id in zip(st.columns(2), row, strict=True):
            with column:
                spc_section(series[metric_id], view, OVER_TIME[metric_id], key=f"spc-{metric_id}")


def _by_agency(url: str, version: int, view: View) -> None:
    points = compared_by(metric_results(url, version, BY_AGENCY, view.filters, by="agency"), "agency")
    names = store_facts(url, version).agencies
    chosen_only = (
        " Only the agencies chosen in the filter bar are compared, so the partnership line is their combined figure."
        if view.filters.agency
        else ""
    )

    st.subheader("Who refers?")
    st.caption(
        "Each agency's share of all referrals in the view, with its 95% interval: who sees children first, "
        "and whose referrals the front door spends its time on." + chosen_only
    )
    share = metric("referrals_by_source")
    st.plotly_chart(
        bars_with_intervals(
            points["referrals_by_source"],
            "agency",
            share,
            "Which agencies refer children to social care, and what share of referrals comes from each?",
            view.caption(),
            names=names,
        ),
        key="bars-referrals_by_source",
        width="stretch",
    )

    st.subheader("Do agencies' referrals lead to help, with the information needed?")
    st.caption(
        "Whether each agency's referrals led to an assessment or a section 47 enquiry (a sign that referrals "
        "match the threshold for social care), and whether they carried the referrer's view of need, the "
        "decision, its date, the outcome and the child's home area. " + FUNNEL_METHOD + chosen_only
    )
    funnel_section(
        points["referral_conversion_by_source"],
        metric("referral_conversion_by_source"),
        names,
        view,
        "Which agencies' referrals lead to an assessment or s47 enquiry more or less often than most?",
        "referrals with an outcome recorded",
        key="funnel-conversion",
    )
    funnel_section(
        points["referral_information_quality"],
        metric("referral_information_quality"),
        names,
        view,
        "Which agencies' referrals carry complete information more or less often than most?",
        "referrals",
        key="funnel-information",
    )

    st.subheader("Figures by agency")
    st.caption(
        "Every agency's figures over the period, to download. An agency with a figure too small to show is "
        "hidden in every column, so that one column cannot give away another. "
        + disclosure_note(suppression_threshold())
    )
    shown_table(agency_table(points, names), "front-door-by-agency", key="front-door-table")


main()
