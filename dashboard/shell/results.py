"""Metric results for pages: computed by the metrics library, cached by store, data version, metric and
filters (bounded in number and age), with SPC for series. A new load changes the data version, so every
cached result it could change is recomputed on the next view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.metrics.catalogue import metric
from dashboard.metrics.compute import Filters, compute, compute_many
from dashboard.metrics.england import NationalFigure, england_value
from dashboard.metrics.factors import FactorCounts, cooccurrence, factor_counts
from dashboard.metrics.frames import with_columns
from dashboard.metrics.localities import area_names
from dashboard.metrics.neglect import neglect_table
from dashboard.metrics.presentation import disclosed
from dashboard.metrics.signals import HEADLINE_METRICS
from dashboard.metrics.spc import xmr
from dashboard.metrics.store_overview import tables_with_rows
from dashboard.metrics.thresholds import agreement_matrix
from dashboard.store_access import engine_for

CACHE_ENTRIES = 2_000
CACHE_SECONDS = 6 * 3600


@st.cache_data(max_entries=CACHE_ENTRIES, ttl=CACHE_SECONDS, show_spinner=False)
def metric_result(
    url: str, version: int, metric_id: str, filters: Filters, by: str | None = None, grain: str = "month"
) -> pd.DataFrame:
    """The metric as `compute` returns it (not yet suppressed: pages suppress what they show)."""
    return compute(engine_for(url), metric_id, filters, by=by, grain=grain)


@st.cache_data(max_entries=CACHE_ENTRIES, ttl=CACHE_SECONDS, show_spinner=False)
def metric_results(
    url: str, version: int, metric_ids: tuple[str, ...], filters: Filters, by: str | None = None, grain: str = "month"
) -> dict[str, pd.DataFrame]:
    """Several metrics computed together (`compute_many`): one store connection (an embedded store is
    opened per connection, which costs more than a small query) and one query per event source. For pages
    that show a set of tiles or series together."""
    return compute_many(engine_for(url), metric_ids, filters, by=by, grain=grain)


@dataclass(frozen=True)
class OverviewResults:
    """What the board overview shows for a view: its headline series, the same by locality (for the
    signals) and England's figures."""

    series: dict[str, pd.DataFrame]
    by_locality: dict[str, pd.DataFrame]
    england: dict[str, NationalFigure | None]


def overview_results(url: str, version: int, filters: Filters) -> OverviewResults:
    """The board overview's reads, each from its cache: shared by the page and the warm-up at server start
    (`shell.warm`), so the first visitor's view is already worked out."""
    return OverviewResults(
        series=metric_results(url, version, HEADLINE_METRICS, filters, grain="month"),
        # a view of one locality is its own split: nothing to read by locality
        by_locality={}
        if len(filters.locality) == 1
        else metric_results(url, version, HEADLINE_METRICS, filters, by="locality", grain="month"),
        england={metric_id: england(url, version, metric_id) for metric_id in HEADLINE_METRICS},
    )


@st.cache_data(max_entries=CACHE_ENTRIES, ttl=CACHE_SECONDS, show_spinner=False)
def england(url: str, version: int, metric_id: str, year_ending_march: int | None = None) -> NationalFigure | None:
    """England's published value: from the store's DfE statistics when loaded, else the built-in table."""
    return england_value(metric_id, year_ending_march, engine_for(url))


@st.cache_data(max_entries=CACHE_ENTRIES, ttl=CACHE_SECONDS, show_spinner=False)
def agreement_result(url: str, version: int, filters: Filters) -> pd.DataFrame:
    """The threshold agreement matrix as `agreement_matrix` returns it (not yet suppressed)."""
    return agreement_matrix(engine_for(url), filters)


def with_spc(frame: pd.DataFrame, total_known: bool = False) -> pd.DataFrame:
    """A single series (no split), suppressed as `disclosed` does (`total_known` as there), with XmR columns
    added (`charted`)."""
    return charted(disclosed(frame, total_known=total_known))


def charted(shown: pd.DataFrame) -> pd.DataFrame:
    """A suppressed single series with XmR columns added: mean, limits, special cause and point type; the
    variation and assurance icons in `attrs`. The chart is drawn on what may be shown, hidden months as gaps:
    a mean or limits worked out with a hidden month would give it back, less the months shown."""
    shown = shown.reset_index(drop=True)
    chosen = metric(shown.attrs["metric"])
    chart = xmr(shown["value"], polarity=chosen.polarity, target=chosen.target)
    out = with_columns(shown, {column: chart[column].to_numpy() for column in chart.columns if column != "value"})
    out.attrs.update(chart.attrs)
    return out


@st.cache_data(max_entries=CACHE_ENTRIES, ttl=CACHE_SECONDS, show_spinner=False)
def neglect_result(url: str, version: int, filters: Filters, level: str) -> pd.DataFrame:
    """The neglect index with its components' counts, as `neglect_table` returns it (not yet suppressed)."""
    return neglect_table(engine_for(url), filters, level)


@st.cache_data(max_entries=64, ttl=CACHE_SECONDS, show_spinner=False)
def tables_loaded(url: str, version: int, names: tuple[str, ...]) -> set[str]:
    """Which of the named tables hold any rows (an empty one is "not loaded yet")."""
    return tables_with_rows(engine_for(url), set(names))


@st.cache_data(max_entries=CACHE_ENTRIES, ttl=CACHE_SECONDS, show_spinner=False)
def factor_counts_result(url: str, version: int, filters: Filters) -> FactorCounts:
    """The view's assessment factor counts, each factor and each pair, counted in the store."""
    return factor_counts(engine_for(url), filters)


@st.cache_data(max_entries=CACHE_ENTRIES, ttl=CACHE_SECONDS, show_spinner=False)
def cooccurrence_result(url: str, version: int, filters: Filters, completed_assessments: int) -> pd.DataFrame:
    """Every pair of factors for the view, as `factor_pairs` returns it (not yet suppressed)."""
    return cooccurrence(factor_counts_result(url, version, filters), completed_assessments)


@st.cache_data(max_entries=64, ttl=CACHE_SECONDS, show_spinner=False)
def area_names_result(url: str, version: int, level: str) -> dict[str, str]:
    """Names of the localities, wards or small areas."""
    return area_names(engine_for(url), level)


@st.cache_data(max_entries=200, ttl=CACHE_SECONDS, show_spinner="Counting around every school...")
def hotspots_result(
    url: str,
    version: int,
    category: str | None,
    factor: str | None,
    radius_m: float,
    window_days: int,
    end: dt.date | None,
    threshold: int,
) -> pd.DataFrame:
    """Every school's hotspot statistics as `find_hotspots` returns them (not yet suppressed). Of the view,
    only the end of its period changes the answer: the place filter chooses which schools are listed, not
    which are tested, so a new locality reruns from this cache."""
    from dashboard.metrics.hotspots import find_hotspots, smallest_flag  # scipy.stats: not for every first page

    return find_hotspots(
        engine_for(url),
        category=category,
        factor=factor,
        radius_m=radius_m,
        window_days=window_days,
        end=end,
        min_count=smallest_flag(threshold),
    )
