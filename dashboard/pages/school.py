"""School drill-down: what happened to the referrals a school made and the needs found when they were
assessed, police incidents near the school month by month (with SPC), and the school's referral rate
beside similar schools. The school is in the URL, so a link (from the map, or pasted into an email)
opens it directly."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.metrics.catalogue import metric
from dashboard.metrics.compute import Filters
from dashboard.metrics.definitions import Measure, Metric
from dashboard.metrics.disclosure import suppress
from dashboard.metrics.intervals import wilson
from dashboard.metrics.maps import INCIDENT_KINDS
from dashboard.metrics.near_schools import DEFAULT_RADIUS, INCIDENTS_NEAR_SCHOOL, RADII
from dashboard.metrics.presentation import disclosed
from dashboard.metrics.radius import metres_text
from dashboard.metrics.school_profile import REFERRALS_PER_100, similar_schools, size_band
from dashboard.metrics.spc import VARIATION_LABELS, xmr
from dashboard.shell.charts import bars_with_intervals, spc_chart
from dashboard.shell.geo import geo_read, school_labels, snapped_note, view_query
from dashboard.shell.guard import page_guard
from dashboard.shell.page import page_header
from dashboard.shell.store_facts import data_version
from dashboard.shell.tables import shown_table
from dashboard.shell.view import View
from dashboard.store_access import current_store_url
from data_connectors.config import suppression_threshold

TITLE = "School drill-down"
OUTCOME_SHARE = Metric(
    "school_referral_outcome_share",
    "Share of the school's referrals",
    "Each outcome's share of the referrals the school made.",
    "ratio",
    Measure("referrals"),
    Measure("referrals"),
)


def _school_heading(school: pd.Series, view: View) -> None:
    pupils = "pupils not known" if pd.isna(school["pupils"]) else f"{int(school['pupils']):,} pupils"
    decile = "" if pd.isna(school["imd_decile"]) else f", in a small area of IMD decile {int(school['imd_decile'])}"
    st.markdown(f"**{school['name']}** · {school['phase_name']} · {pupils}{decile} · {school['locality_name']}")
    st.caption(
        "Figures here take the period and age band of the view. The locality, ward and referring-agency filters "
        "do not apply: the school is the view (its pupils live across localities, and its referrals are the "
        "school's own)."
    )
    st.page_link("pages/demand_map.py", label="Back to the map", icon=":material/map:", query_params=view_query(view))


def referrals_section(url: str, version: int, urn: str, filters: Filters, threshold: int, caption: str) -> None:
    st.subheader("Referrals from this school")
    st.caption(
        "What the front door decided about the referrals this school made, and the needs found at the "
        "assessments that followed. A high share of no further action can mean the school refers children "
        "who need early help instead; factors such as child sexual exploitation (CSE), criminal exploitation "
        "(CCE) or gangs show the risks the school is seeing."
    )
    outcomes = geo_read(url, version, "referral_outcomes", urn, filters)
    total = int(outcomes["referrals"].sum())
    if total == 0:
        st.info("This school made no referrals in this period.")
        return
    if total < threshold:
        st.info(
            f"This school made fewer than {threshold} referrals in this period: they are not broken down, to "
            "protect the children concerned."
        )
        return
    share = wilson(outcomes["referrals"], total)
    table = outcomes.assign(total=total, value=100 * share.estimate, lower=100 * share.lower, upper=100 * share.upper)
    table = suppress(
        table,
        ["referrals"],
        derived_columns={"value": "referrals", "lower": "referrals", "upper": "referrals"},
        threshold=threshold,
        group_by=[],  # the outcomes add up to the school's referrals, shown above them
    )
    left, right = st.columns([1, 2])
    left.metric("Referrals from this school", f"{total:,}")
    figure = bars_with_intervals(
        table[table["referrals"].ne(0) | table["referrals_suppressed"]],  # outcomes that happened
        "outcome_label",
        OUTCOME_SHARE,
        "What happened to the school's referrals?",
        caption,
    )
    right.plotly_chart(figure, key="school_outcomes")
    shown_table(
        table,
        "school_referral_outcomes",
        "school_outcomes_table",
        formats={"value": "{:.1f}", "lower": "{:.1f}", "upper": "{:.1f}"},
        labels={
            "outcome_label": "Outcome",
            "referrals": "Referrals",
            "value": "Share (%)",
            "lower": "95% interval from",
            "upper": "95% interval to",
        },
    )
    factors = disclosed(geo_read(url, version, "factors_found", urn, filters), threshold)
    assessed = factors["denominator"].max() if not factors.empty else 0
    if factors.empty or not assessed:
        st.info("No assessments following this school's referrals were completed in this period.")
        return
    if factors["denominator_suppressed"].all():
        st.info(
            f"Fewer than {threshold} assessments following this school's referrals were completed in this "
            "period: the factors found are not shown, to protect the children concerned."
        )
        return
    st.plotly_chart(
        bars_with_intervals(
            factors,
            "factor_label",
            metric("assessment_factor_prevalence"),
            "Which needs were found when the school's referrals were assessed?",
            f"{caption} · share of {int(assessed):,} completed assessments",
        ),
        key="school_factors",
    )
    shown_table(
        factors,
        "school_assessment_factors",
        "school_factors_table",
        formats={"value": "{:.1f}", "lower": "{:.1f}", "upper": "{:.1f}"},
        labels={
            "factor": "Code",
            "factor_label": "Factor",
            "numerator": "Assessments with the factor",
            "denominator": "Assessments",
            "value": "Share (%)",
            "lower": "95% interval from",
            "upper": "95% interval to",
        },
    )


def incidents_section(
    url: str, version: int, school: pd.Series, filters: Filters, threshold: int, caption: str
) -> None:
    st.subheader("Police incidents near this school")
    st.caption(
        "Police incidents within the chosen distance of the school each month. The chart is an SPC chart "
        "(Making Data Count): the grey lines show the range the monthly count usually varies within; a point "
        "outside them, or a run of seven months above or below the average, is a real change worth acting on "
        "(for example a message to parents, or training for staff). Months with fewer than "
        f"{threshold} incidents are hidden and left out of the average and the limits."
    )
    left, right = st.columns(2)
    kind = left.selectbox(
        "Incidents",
        list(INCIDENT_KINDS),
        format_func=lambda k: INCIDENT_KINDS[k].label,
        key="school_incidents",
        bind="query-params",
    )
    radius = right.select_slider(
        "Within", RADII, value=int(DEFAULT_RADIUS), format_func=metres_text, key="school_radius", bind="query-params"
    )
    if pd.isna(school["latitude"]) or pd.isna(school["longitude"]):
        st.info("The store has no position for this school, so incidents near it cannot be counted.")
        return
    period_only = Filters(start=filters.start, end=filters.end)
    overview = geo_read(url, version, "incident_overview", period_only, kind)
    if not overview["any"]:
        st.info("No police incidents of this kind with a location are loaded for this period.")
        return
    series = geo_read(url, version, "incidents_near_school", school["urn"], filters, float(radius), kind)
    shown = suppress(
        series,
        ["numerator"],
        derived_columns={"value": "numerator", "lower": "numerator", "upper": "numerator"},
        threshold=threshold,
    )
    chart = xmr(shown["value"].reset_index(drop=True), polarity=INCIDENTS_NEAR_SCHOOL.polarity)
    frame = shown.reset_index(drop=True).join(chart.drop(columns="value"))
    st.plotly_chart(
        spc_chart(
            frame,
            INCIDENTS_NEAR_SCHOOL,
            f"{INCIDENT_KINDS[kind].label} within {metres_text(radius)} of {school['name']}: is anything changing?",
            caption,
        ),
        key="school_spc",
    )
    variation = chart.attrs.get("variation")
    if variation:
        st.caption(f"Latest month: {VARIATION_LABELS[variation]}.")
    for note in chart.attrs.get("notes") or []:
        st.caption(note)
    if series.attrs.get("snapped"):
        snapped_note("counts near a school are approximate.")


def peers_section(
    url: str, version: int, urn: str, filters: Filters, threshold: int, caption: str, labels: dict[str, str]
) -> None:
    st.subheader("Compared with similar schools")
    everyone = geo_read(url, version, "schools_in_view", Filters())
    peers, description = similar_schools(everyone, urn)
    st.caption(
        f"{description} Referrals each school made per 100 pupils on roll a year, with the 95% interval: "
        "where two schools' intervals do not overlap, the difference is unlikely to be chance. A school far "
        "above its peers may be seeing more, or referring more readily; far below, it may be missing signs."
    )
    rates = geo_read(url, version, "referral_rates", peers, filters)
    rates = suppress(
        rates,
        ["numerator"],
        derived_columns={"value": "numerator", "lower": "numerator", "upper": "numerator"},
        threshold=threshold,
    )
    names = {**school_labels(everyone), urn: f"{labels.get(urn, urn)} (this school)"}
    st.plotly_chart(
        bars_with_intervals(
            rates,
            "urn",
            REFERRALS_PER_100,
            "Does this school refer more or less than similar schools?",
            caption,
            names=names,
            highlight=urn,
        ),
        key="school_peers",
    )
    shown_table(
        rates.assign(name=[names.get(u, u) for u in rates["urn"]], band=[size_band(p) for p in rates["pupils"]]),
        "similar_schools_referral_rates",
        "school_peers_table",
        formats={"value": "{:.2f}", "lower": "{:.2f}", "upper": "{:.2f}"},
        labels={
            "name": "School",
            "pupils": "Pupils",
            "numerator": "Referrals",
            "value": "Per 100 pupils a year",
            "lower": "95% interval from",
            "upper": "95% interval to",
        },
    )


def main() -> None:
    with page_guard("School drill-down"):
        view = page_header(TITLE, "What is happening around this school, and how does it compare with similar schools?")
        url = current_store_url()
        version = data_version(url)
        threshold = suppression_threshold()
        filters = view.filters
        schools = geo_read(url, version, "schools_in_view", Filters(locality=filters.locality, ward=filters.ward))
        if schools.empty:
            st.info("No schools are loaded for this view: load the schools list (GIAS), or widen the locality.")
            return
        labels = school_labels(schools)
        urn = st.selectbox(
            "School",
            schools["urn"].tolist(),
            index=None,
            format_func=labels.get,
            key="school",
            bind="query-params",
            placeholder="Choose a school (or click one on the map)",
        )
        if urn is None:
            st.info("Choose a school above, or click a school on the demand map.")
            return
        school = schools[schools["urn"] == urn].iloc[0]
        _school_heading(school, view)
        caption = f"{school['name']} · {view.period_name}"
        referrals_section(url, version, urn, filters, threshold, caption)
        incidents_section(url, version, school, filters, threshold, caption)
        peers_section(url, version, urn, filters, threshold, caption, labels)


main()
