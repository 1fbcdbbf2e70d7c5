"""The one filter bar every page shares: locality (and ward), period, referring agency and age band.

It lives in the entrypoint's sidebar, so it stays the same while people move between pages, and every
widget is bound to the URL: a copied link reopens exactly the same view. The URL holds the names people
read ("?locality=North&period=Financial+year+2024-25"), which Streamlit matches back to the options.
Pages read the result with `current_view()` and say what they are filtered to with `View.caption()`.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass

import streamlit as st

from dashboard.metrics.compute import Filters
from dashboard.metrics.periods import next_period, period_label, period_start
from dashboard.shell.store_facts import StoreFacts

PRESET_LAST_12 = "Last 12 months"
PRESET_LAST_24 = "Last 24 months"
PRESET_ALL = "All data"
PRESET_CUSTOM = "Choose dates"
AGE_BANDS = ("0-4", "5-9", "10-15", "16-17")
VIEW_KEY = "los_view"


@dataclass(frozen=True)
class View:
    """The filters chosen, with the names people recognise for describing them."""

    filters: Filters
    locality_names: tuple[str, ...]
    ward_names: tuple[str, ...]
    agency_names: tuple[str, ...]
    period_name: str

    @property
    def place(self) -> str:
        """Where the view looks: the wards chosen, else the localities, else 'Whole partnership'."""
        return ", ".join(self.ward_names or self.locality_names) or "Whole partnership"

    def caption(self) -> str:
        """What a chart is filtered to, in one line: 'North · Apr 2024 to Mar 2025 · all agencies · all ages'."""
        place = self.place
        agencies = ", ".join(self.agency_names) or "all referrers"
        ages = ", ".join(f"aged {band}" for band in self.filters.age_band) or "all ages"
        return f"{place} · {self.period_name} · {agencies} · {ages}"


def periods_available(latest: dt.date | None, earliest: dt.date | None) -> dict[str, tuple[dt.date, dt.date]]:
    """Presets ending at the last complete month of data (not today: extracts arrive late), then each
    financial year the data touches, newest first."""
    if latest is None or earliest is None:
        return {}
    end_month = period_start(latest, "month")
    last_complete = end_month - dt.timedelta(days=1) if latest < _month_end(latest) else latest
    first_of_last = period_start(last_complete, "month")
    presets = {
        PRESET_LAST_12: (_months_back(first_of_last, 11), last_complete),
        PRESET_LAST_24: (_months_back(first_of_last, 23), last_complete),
    }
    year = period_start(latest, "year")
    while year >= period_start(earliest, "year"):
        ends = next_period(year, "year") - dt.timedelta(days=1)
        presets[f"Financial year {period_label(year, 'year')}"] = (year, ends)
        year = dt.date(year.year - 1, 4, 1)
    presets[PRESET_ALL] = (earliest, latest)
    return presets


def default_filters(facts: StoreFacts) -> Filters:
    """The view a link without filters opens (the filter bar untouched): the whole partnership, every
    referrer and age, over the first period the bar offers."""
    presets = periods_available(facts.latest, facts.earliest)
    if presets:
        start, end = next(iter(presets.values()))
    else:
        start, end = _dates_when_no_preset(facts)
    return Filters(start=start, end=end)


def _dates_when_no_preset(facts: StoreFacts) -> tuple[dt.date, dt.date]:
    return facts.earliest or dt.date.today() - dt.timedelta(days=365), facts.latest or dt.date.today()


def _month_end(day: dt.date) -> dt.date:
    return next_period(period_start(day, "month"), "month") - dt.timedelta(days=1)


def _months_back(first: dt.date, months: int) -> dt.date:
    total = first.year * 12 + first.month - 1 - months
    return dt.date(total // 12, total % 12 + 1, 1)


def filter_bar(facts: StoreFacts) -> View:
    """Draw the filter bar in the sidebar and return the view it selects (also kept for the pages)."""
    with st.sidebar:
        st.markdown("**View**")
        localities = st.multiselect(
            "Locality",
            options=list(facts.localities),
            format_func=lambda code: facts.localities.get(code, code),
            key="locality",
            bind="query-params",
            placeholder="Whole partnership",
        )
        ward_options = [code for code, (_, locality) in facts.wards.items() if not localities or locality in localities]
        wards = st.multiselect(
            "Ward",
            options=ward_options,
            format_func=lambda code: facts.wards.get(code, (code, ""))[0],
            key="ward",
            bind="query-params",
            placeholder="All wards",
        )
        presets = periods_available(facts.latest, facts.earliest)
        names = [*presets, PRESET_CUSTOM] if presets else [PRESET_CUSTOM]
        preset = st.selectbox("Period", names, key="period", bind="query-params")
        if preset == PRESET_CUSTOM or not presets:
            default = _dates_when_no_preset(facts)
            chosen = st.date_input("From and to", value=default, key="dates", bind="query-params")
            start, end = chosen if isinstance(chosen, tuple) and len(chosen) == 2 else default
            period_name = f"{start:%-d %b %Y} to {end:%-d %b %Y}"
        else:
            start, end = presets[preset]
            period_name = f"{preset[0].lower()}{preset[1:]} ({start:%b %Y} to {end:%b %Y})"
            if preset.startswith("Financial"):
                period_name = preset
        agencies = st.multiselect(
            "Referring agency",
            options=list(facts.agencies),
            format_func=lambda code: facts.agencies.get(code, code),
            key="agency",
            bind="query-params",
            placeholder="All referrers",
        )
        ages = st.multiselect("Age band", AGE_BANDS, key="age", bind="query-params", placeholder="All ages")
        _copy_link()
    view = View(
        Filters(
            locality=tuple(localities),
            ward=tuple(wards),
            agency=tuple(agencies),
            age_band=tuple(ages),
            start=start,
            end=end,
        ),
        tuple(facts.localities.get(code, code) for code in localities),
        tuple(facts.wards.get(code, (code, ""))[0] for code in wards),
        tuple(facts.agencies.get(code, code) for code in agencies),
        period_name,
    )
    st.session_state[VIEW_KEY] = view
    return view


def _copy_link() -> None:
    """The address of exactly this view, with a copy button: paste it into a meeting invite."""
    base = (st.context.url or "").split("?")[0]
    query = urllib.parse.urlencode({key: st.query_params.get_all(key) for key in st.query_params}, doseq=True)
    with st.popover("Copy link to this view", icon=":material/link:", width="stretch"):
        st.caption("Anyone who can open the dashboard sees this same view from this link.")
        st.code(f"{base}?{query}" if query else base, language=None, wrap_lines=True)


def current_view() -> View:
    """The view the filter bar chose on this run (pages are always run inside the entrypoint)."""
    return st.session_state[VIEW_KEY]
