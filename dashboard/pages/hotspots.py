"""Hotspots near schools: which schools have unusually many police incidents of a kind around them, or
referrals with an assessment factor, in a window ending with the view's period, against their own history
and their surrounding area (`dashboard.metrics.hotspots`). A ranked flag list, each flagged school linked to
its drill-down, the method in plain words, and every figure through disclosure control.

Every school in the store is tested, whatever the place filter: the filter chooses which schools are listed,
so a school's flag does not change with the way a meeting looks at it (and a new locality reruns from cache).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.metrics.compute import Filters
from dashboard.metrics.hotspots import SNAPPED_CONSEQUENCE, SNAPPED_NOTE, disclosed, method_in_words
from dashboard.metrics.maps import INCIDENT_KINDS
from dashboard.metrics.near_schools import DEFAULT_RADIUS, RADII
from dashboard.metrics.radius import metres_text
from dashboard.shell.charts import p_value_text
from dashboard.shell.geo import geo_read, school_labels, school_link, snapped_note
from dashboard.shell.guard import NothingToShow, page_guard
from dashboard.shell.page import page_header
from dashboard.shell.results import CACHE_SECONDS, hotspots_result, tables_loaded
from dashboard.shell.store_facts import data_version
from dashboard.shell.tables import rendered, shown_table
from dashboard.shell.view import View
from dashboard.store_access import current_store_url
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.config import suppression_threshold

TITLE = "Hotspots near schools"
QUESTION = (
    "Which schools have unusually many incidents or referrals of a kind around them right now, against their "
    "own history and their surrounding area?"
)
WINDOWS = {30: "30 days", 61: "61 days (2 months)", 91: "91 days (3 months)", 182: "182 days (6 months)"}
WINDOWS |= {365: "365 days (a year)"}
DEFAULT_WINDOW = 91
DEFAULT_CHOICE = "incidents:cse_concern"  # exploitation near schools: the question the page was asked for first
MOST_LINKS = 20  # links below the flag list; the table holds the rest
NOT_FACTORS = ("21",)  # "no factors identified" is not something to count
CLUSTER_WORDS = {"emerging": "Emerging", "persistent": "Persistent", "above area": "Above area", "": ""}
FORMATS = {
    "expected": "{:.1f}",
    "ratio": "{:.1f}",
    "expected_history": "{:.1f}",
    "expected_area": "{:.1f}",
}


def choices() -> dict[str, str]:
    """What can be counted, as 'incidents:CATEGORY' or 'referrals:FACTOR', with the label people read (and
    the URL holds): the map's kinds of police incident (safeguarding flags first), then assessment factors."""
    incidents = {
        f"incidents:{key.removeprefix('category:')}": f"Police incidents: {kind.label}"
        for key, kind in INCIDENT_KINDS.items()
        if key != "all"
    }
    referrals = {
        f"referrals:{code}": f"Referrals with factor {code}: {label}"
        for code, label in ALL_CODE_LISTS["assessment_factor"].codes.items()
        if code not in NOT_FACTORS
    }
    return incidents | referrals


def counted_words(chosen: str) -> str:
    """What is counted, inside a sentence: 'police incidents (hate crime and hate incidents)'."""
    source, code = chosen.split(":", 1)
    if source == "incidents":
        kind = INCIDENT_KINDS.get(code) or INCIDENT_KINDS[f"category:{code}"]
        return f"police incidents ({kind.label.lower()})"
    return f"referrals with factor {code} ({ALL_CODE_LISTS['assessment_factor'].codes[code].lower()})"


def in_view(rows: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """The rows (numeric, or as shown) of the schools in the view, in rank order and ranked again among
    themselves, with the names and phases people read."""
    labels = school_labels(schools)
    phases = dict(zip(schools["urn"], schools["phase_name"], strict=True))
    kept = rows[rows["urn"].isin(list(labels))].reset_index(drop=True)
    return kept.assign(
        rank=range(1, len(kept) + 1),
        name=kept["urn"].map(labels),
        phase_name=kept["urn"].map(phases),
        cluster=kept["kind"].map(CLUSTER_WORDS),
    )


def shown(rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Rows as a table shows them: small counts hidden with what rests on them, and the adjusted p-value in
    words."""
    protected = disclosed(rows, threshold)
    protected["p_text"] = [
        p_value_text(value, hidden)
        for value, hidden in zip(protected["p_adjusted"], protected["p_adjusted_suppressed"], strict=True)
    ]
    return protected


@st.cache_data(max_entries=200, ttl=CACHE_SECONDS, show_spinner=False)
def shown_ranking(
    url: str,
    version: int,
    category: str | None,
    factor: str | None,
    radius_m: float,
    window_days: int,
    end: dt.date | None,
    threshold: int,
) -> pd.DataFrame:
    """Every school's row as the tables show it, once per ranking: disclosure control goes school by school
    (circles overlap, so rows never add up to a total), so a view's rows are these rows, and a new place
    filter only picks them out."""
    rows = hotspots_result(url, version, category, factor, radius_m, window_days, end, threshold)
    rows.attrs = {}  # the result's facts stay with it; pandas would copy them at every step
    return rendered(shown(rows, threshold), FORMATS)


def column_labels(result: pd.DataFrame, incidents: bool, every_school: bool) -> dict[str, str]:
    previous = len(result.attrs["previous_windows"])
    noun = "Incidents" if incidents else "Referrals"
    labels = {
        "rank": "Rank",
        "name": "School",
        "phase_name": "Phase",
        "count": f"{noun} now",
        "count_before": f"In the {previous} windows before",
        "expected": "Expected now",
        "ratio": "Ratio (now / expected)",
        "compared_with": "Compared with",
        "p_text": "Adjusted p",
        "cluster": "Cluster",
    }
    if every_school:
        labels |= {"expected_history": "Expected from its history", "expected_area": "Expected from its area"}
    if not previous:  # no history: nothing was counted before, and nothing expected from it
        labels = {key: label for key, label in labels.items() if key not in ("count_before", "expected_history")}
    return labels


def window_caption(result: pd.DataFrame, view: View, chosen: str, tested: int, listed: int) -> None:
    facts = result.attrs
    previous = facts["previous_windows"]
    before = (
        f"Compared with the {len(previous)} windows of the same length before it (from "
        f"{previous[-1].split(' to ')[0]}) and with the surrounding area."
        if previous
        else "Compared with the surrounding area only: the data do not cover a whole window before it."
    )
    st.caption(
        f"Counting {counted_words(chosen)} in the window **{facts['window']}**, which ends with the view's period. "
        f"{before} Every school in the store is tested ({tested:,}) and the adjustment for testing many schools "
        f"is over all of them; the place filter chooses which are listed ({listed:,})."
        + (" The agency and age filters do not apply here." if view.filters.agency or view.filters.age_band else "")
    )


def flag_list(
    listed: pd.DataFrame, flagged: pd.DataFrame, result: pd.DataFrame, view: View, chosen: str, incidents: bool
) -> None:
    """The flagged schools of the view (`flagged`, as shown), ranked, each linked to its drill-down."""
    elsewhere = int(result["flagged"].sum()) - int(listed["flagged"].sum())
    st.subheader(f"Flagged schools ({len(flagged)})")
    if flagged.empty:
        st.info(
            f"No school in this view stands out: none has an adjusted p-value below {result.attrs['alpha']:g} with "
            f"at least {result.attrs['min_count']} {counted_words(chosen)} in the window. Every school's counts "
            "are in the list below."
        )
    else:
        st.caption(
            "**Emerging**: well above the school's own history, so something has changed recently. "
            "**Persistent**: above its surrounding area now and before, so a long-standing concentration. "
            "**Above area**: above its area now, with no history to compare with."
        )
        labels = column_labels(result, incidents, False)
        shown_table(flagged, "hotspots_flagged", "hotspots_flagged", FORMATS, labels)
        st.markdown("**Open a flagged school's drill-down**")
        for row in flagged.head(MOST_LINKS).itertuples(index=False):
            school_link(view, row.name, f"{row.rank}. {row.name} ({row.cluster.lower()})")
        if len(flagged) > MOST_LINKS:
            st.caption(f"The other {len(flagged) - MOST_LINKS} flagged schools are in the table above.")
    if elsewhere:
        noun = "school outside this view is" if elsewhere == 1 else "schools outside this view are"
        st.caption(f"{elsewhere} more {noun} flagged: widen the place filter to see them.")


def main() -> None:
    with page_guard("Hotspots near schools"):
        view = page_header(TITLE, QUESTION)
        url = current_store_url()
        version = data_version(url)
        threshold = suppression_threshold()
        options = choices()
        left, middle, right = st.columns([3, 1.5, 1.5])
        chosen = left.selectbox(
            "What to count",
            list(options),
            index=list(options).index(DEFAULT_CHOICE),
            format_func=options.get,
            key="hotspot_what",
            bind="query-params",
        )
        source, code = chosen.split(":", 1)
        incidents = source == "incidents"
        radius = middle.select_slider(
            "Within",
            RADII,
            value=int(DEFAULT_RADIUS),
            format_func=metres_text,
            key="hotspot_radius",
            bind="query-params",
            disabled=not incidents,
            help="Incidents within this distance of each school count. A referral counts for the school that "
            "made it, so no distance applies to referrals.",
        )
        days = right.select_slider(
            "Window",
            list(WINDOWS),
            value=DEFAULT_WINDOW,
            format_func=WINDOWS.get,
            key="hotspot_window",
            bind="query-params",
        )
        geography = Filters(locality=view.filters.locality, ward=view.filters.ward)
        schools = geo_read(url, version, "schools_in_view", geography)
        if schools.empty:
            raise NothingToShow(
                "No schools are loaded for this view: load the schools list (GIAS), or widen the place."
            )
        table = "police_incidents" if incidents else "referrals"
        if not tables_loaded(url, version, (table,)):
            raise NothingToShow(
                f"No {'police incidents' if incidents else 'referrals'} are loaded yet, so there is nothing to count "
                "near schools: see Data › What is loaded."
            )
        controls = (code if incidents else None, None if incidents else code, float(radius), int(days))
        result = hotspots_result(url, version, *controls, view.filters.end, threshold)
        listed = in_view(result, schools)  # numeric: only for what the page decides, never shown
        every = in_view(shown_ranking(url, version, *controls, view.filters.end, threshold), schools)
        flagged = every[every["flagged"]]
        window_caption(result, view, chosen, int(result["p_adjusted"].notna().sum()), len(listed))
        if result.attrs.get("snapped"):
            snapped_note(SNAPPED_CONSEQUENCE)
        for note in result.attrs["notes"]:
            if note != SNAPPED_NOTE:
                st.caption(note)
        if result.attrs.get("left_out_schools"):
            st.caption(f"Schools without a position in the store are left out: {result.attrs['left_out_schools']}.")

        if not (listed["count"].sum() or listed["count_before"].sum()):
            st.info(
                f"No {counted_words(chosen)} were counted near any school in this view, in the window or the windows "
                "before it: there is nothing to compare. Try a longer window, a wider distance or another kind."
            )
        else:
            flag_list(listed, flagged, result, view, chosen, incidents)
            with st.expander(f"Every school in this view, ranked ({len(listed):,})"):
                labels = column_labels(result, incidents, True)
                shown_table(every, "hotspots_all_schools", "hotspots_all", FORMATS, labels)
        with st.expander("How the hotspots are found"):
            st.markdown(method_in_words(result))


main()
