"""Thresholds: whether referring agencies and the front door see the same level of need, and whether
children move on from contact to a child protection plan as they should (and whether plans last)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard.metrics.catalogue import metric
from dashboard.metrics.comparison import compared_by
from dashboard.metrics.disclosure import disclosure_note, render
from dashboard.metrics.presentation import disclosed_counts
from dashboard.metrics.thresholds import ALL_AGENCIES, disclosed_agreement
from dashboard.shell.charts import heatmap, path_chart
from dashboard.shell.guard import NothingToShow, page_guard
from dashboard.shell.page import draw_sections, page_header
from dashboard.shell.results import agreement_result, metric_results
from dashboard.shell.sections import FUNNEL_METHOD, SPC_METHOD, funnel_section, spc_section, tile
from dashboard.shell.store_facts import StoreFacts, data_version, store_facts
from dashboard.shell.tables import shown_table
from dashboard.shell.view import View
from dashboard.store_access import current_store_url
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.config import suppression_threshold

TITLE = "Thresholds: do agencies share one understanding?"
QUESTION = (
    "Do referrers and the front door see the same level of need, and do children move on to child protection "
    "as they should?"
)
NOTHING = "Nothing matches this view: widen the period, or choose another locality or agency."
LEVEL_NAMES = {code: f"{code} {label.split(':')[0]}" for code, label in ALL_CODE_LISTS["need_level"].codes.items()}
# each step of the path: the metric whose numerator (or denominator) counts it
PATH = (
    ("Contacts", "contacts", "contacts", "numerator"),
    ("Referrals", "referrals", "referrals", "numerator"),
    ("Assessments", "assessments", "assessments", "numerator"),
    ("Section 47 enquiries", "s47 enquiries", "s47_rate_per_10k", "numerator"),
    ("Initial conferences (ICPC)", "ICPCs", "icpc_to_cp_plan_rate", "denominator"),
    ("Child protection plans", "plans", "cp_plan_rate_per_10k", "numerator"),
)
TILES = (
    "s47_rate_per_10k",
    "s47_to_icpc_rate",
    "icpc_within_15wd_rate",
    "icpc_to_cp_plan_rate",
    "cp_plan_rate_per_10k",
)
PLANS = {
    "repeat_cp_plan_rate": "How many plans are for a child who has had a plan before?",
    "cp_plans_2yrs_plus": "How many plans that ended had lasted two years or more?",
}
BY_AGENCY = ("over_threshold_rate", "under_threshold_rate", "threshold_agreement_rate")
FRONT = ("contacts", "referrals")  # what says whether the view holds anything
MONTHLY = tuple(m for m in dict.fromkeys([*(step[2] for step in PATH), *TILES, *PLANS]) if m not in FRONT)


def matrix_for(shown: pd.DataFrame, agency: str) -> pd.DataFrame:
    """One grid of the suppressed agreement table (`disclosed_agreement`) with level names and cell words."""
    grid = shown[shown["agency"] == agency].copy()
    grid["cell"] = render(grid)["referrals"].to_numpy()
    grid["referrer"] = grid["referrer_level"].map(LEVEL_NAMES)
    grid["decided"] = grid["decision_level"].map(LEVEL_NAMES)
    return grid


def path_steps(series: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The counts along the path over the period (from the page's monthly series), suppressed (each a count
    in its own right)."""
    rows = []
    for step, words, metric_id, column in PATH:
        frame = series[metric_id]
        all_referrers = "agency" in frame.attrs.get("filters_not_applied", [])
        rows.append(
            {
                "step": step + (" (all referrers)" if all_referrers else ""),
                "words": words,
                "count": int(frame[column].sum()),
            }
        )
    steps = disclosed_counts(pd.DataFrame(rows), "count")
    steps["shown"] = render(steps, {"count": "{:,.0f}"})["count"].to_numpy()
    return steps


def _path_words(steps: pd.DataFrame) -> str:
    """'44 assessments per 100 referrals; ...' for neighbouring steps both shown and filtered alike (a step
    that counts every referrer is not divided by one that counts the agencies chosen)."""
    parts = []
    for before, after in zip(steps.itertuples(), steps.iloc[1:].itertuples(), strict=False):
        alike = ("all referrers" in before.step) == ("all referrers" in after.step)
        if alike and pd.notna(before.count) and pd.notna(after.count) and before.count > 0:
            parts.append(f"{100 * after.count / before.count:.0f} {after.words} per 100 {before.words}")
    return "; ".join(parts)


def main() -> None:
    with page_guard("Thresholds"):
        view = page_header(TITLE, QUESTION)
        url = current_store_url()
        version = data_version(url)
        facts = store_facts(url, version)
        front = metric_results(url, version, FRONT, view.filters, grain="month")
        if not any(int(front[metric_id]["numerator"].sum()) for metric_id in FRONT):
            raise NothingToShow(NOTHING)
        draw_sections(
            "thresholds",
            [
                partial(_agreement, url, version, view, facts),
                partial(_agencies, url, version, view, facts),
                partial(_path, url, version, view, front),
            ],
        )


def _agreement(url: str, version: int, view: View, facts: StoreFacts) -> None:
    st.subheader("Do referrers and the front door see the same level of need?")
    st.caption(
        "Each referral counted by the level of need the referrer saw (down) and the level the front door "
        "decided (across), on the partnership's four levels. The diagonal is agreement. Left of it, the "
        "referrer saw more need than the front door found (referrals that may not have needed social care); "
        "right of it, less (risk the referrer did not recognise). An agency far off the diagonal is where "
        "threshold training, or a joint audit of its referrals, will help most. "
        + disclosure_note(suppression_threshold())
    )
    shown = disclosed_agreement(agreement_result(url, version, view.filters))
    agencies = sorted(
        (a for a in shown["agency"].unique() if a != ALL_AGENCIES), key=lambda a: facts.agencies.get(a, a)
    )
    chosen = st.selectbox(
        "Referring agency for the grid",
        [ALL_AGENCIES, *agencies],
        format_func=lambda code: "All agencies" if code == ALL_AGENCIES else facts.agencies.get(code, code),
        key="grid_agency",
        bind="query-params",
    )
    who = "all agencies" if chosen == ALL_AGENCIES else facts.agencies.get(chosen, chosen)
    grid = matrix_for(shown, chosen)
    if grid.empty or not agencies:
        st.info("No referral in this view records both the referrer's level of need and the decision.")
        return
    st.plotly_chart(
        heatmap(
            grid,
            "decided",
            "referrer",
            "referrals",
            f"Where do {who} and the front door disagree about the level of need?",
            view.caption(),
            "front door's decision",
            "referrer's view",
            text="cell",
        ),
        key="agreement-grid",
        width="stretch",
    )


def _agencies(url: str, version: int, view: View, facts: StoreFacts) -> None:
    st.subheader("Which agencies refer above or below the threshold?")
    st.caption(
        "For each agency, the share of its referrals where the referrer saw more need than the front door "
        "decided, and the share where it saw less. " + FUNNEL_METHOD
    )
    points = compared_by(metric_results(url, version, BY_AGENCY, view.filters, by="agency"), "agency")
    for metric_id, question in (
        ("over_threshold_rate", "Which agencies see more need than the front door, more often than most?"),
        ("under_threshold_rate", "Which agencies see less need than the front door, more often than most?"),
    ):
        funnel_section(
            points[metric_id],
            metric(metric_id),
            facts.agencies,
            view,
            question,
            "referrals with both levels recorded",
            key=f"funnel-{metric_id}",
        )
    table = pd.DataFrame({"Agency": [facts.agencies.get(a, a) for a in points["over_threshold_rate"]["agency"]]})
    for metric_id in BY_AGENCY:
        rendered = render(points[metric_id], {"value": "{:.1f}"})
        if metric_id == "over_threshold_rate":
            table["Referrals with both levels"] = rendered["denominator"].to_numpy()
        table[f"{metric(metric_id).label} (%)"] = rendered["value"].to_numpy()
    with st.expander("Figures by agency"):
        shown_table(
            table.sort_values("Agency").reset_index(drop=True), "threshold-agreement-by-agency", key="threshold-table"
        )


def _path(url: str, version: int, view: View, front: dict[str, pd.DataFrame]) -> None:
    series = front | metric_results(url, version, MONTHLY, view.filters, grain="month")
    steps = path_steps(series)
    st.subheader("From contact to child protection plan")
    st.caption(
        "How many contacts, referrals, assessments, section 47 enquiries, initial conferences and plans the "
        "view holds over the period. Each step counts what started in the period, not the same children "
        "followed through, so read the steps as the shape of the work."
    )
    st.plotly_chart(
        path_chart(steps, "How much work reaches each step, from contact to plan?", view.caption()),
        key="path",
        width="stretch",
    )
    words = _path_words(steps)
    if words:
        st.caption(f"Over the period: {words}.")
    if view.filters.agency and steps["step"].str.contains("all referrers").any():
        st.caption(
            "Conferences and plans do not record who made the referral, so they count every referrer even "
            "when an agency is chosen."
        )
    st.caption(
        "Each tile: the value over the period, England's where DfE publishes it, the months as a small line, "
        "and whether they show a real change."
    )
    for start in range(0, len(TILES), 3):
        for column, metric_id in zip(st.columns(3), TILES[start : start + 3], strict=False):
            tile(column, series[metric_id])

    st.subheader("Do plans last, and do they work?")
    st.caption(
        "Children who need a second plan, and plans that drift past two years, are signs that help did not "
        "change enough. " + SPC_METHOD
    )
    for column, (metric_id, question) in zip(st.columns(2), PLANS.items(), strict=True):
        with column:
            spc_section(series[metric_id], view, question, key=f"spc-{metric_id}")


main()
