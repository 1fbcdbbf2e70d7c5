"""Computing a metric: filters and grouping run in the store as SQL with bound parameters; the months
come back small, and periods, zeros, rates and intervals are finished here.

Events are counted by month in the store, then added up to quarters or financial years: every metric is
a count of events, so the sums are exact. Periods with no events come back as 0, never as a missing row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.metrics.catalogue import metric
from dashboard.metrics.definitions import Measure, Metric
from dashboard.metrics.intervals import poisson_count, rate_per_10k, wilson
from dashboard.metrics.materialise import VERSION_KEY, readable
from dashboard.metrics.materialise import event_tables_current as tables_current
from dashboard.metrics.periods import period_label, period_start, period_starts
from dashboard.metrics.sources import AGE_BANDS, DIMENSION_COLUMNS, SOURCE_DIMENSIONS
from data_connectors import schema

GEOGRAPHY_DIMENSIONS = ("locality", "ward", "area")
QUERY_THREADS = 3
_READERS = ThreadPoolExecutor(max_workers=QUERY_THREADS, thread_name_prefix="store-read")


@dataclass(frozen=True)
class Filters:
    """What a view is filtered to: the same filters every page and the command line use."""

    locality: tuple[str, ...] = ()  # locality codes
    ward: tuple[str, ...] = ()  # ward codes
    area: tuple[str, ...] = ()  # small area codes
    agency: tuple[str, ...] = ()  # referral source codes
    age_band: tuple[str, ...] = ()
    school: tuple[str, ...] = ()  # school URNs
    start: dt.date | None = None
    end: dt.date | None = None

    def by_dimension(self) -> dict[str, tuple[str, ...]]:
        chosen = {
            "locality": self.locality,
            "ward": self.ward,
            "area": self.area,
            "agency": self.agency,
            "age_band": self.age_band,
            "school": self.school,
        }
        return {name: values for name, values in chosen.items() if values}


def compute(
    engine: Engine | sa.Connection,
    metric_or_id: Metric | str,
    filters: Filters | None = None,
    by: str | None = None,
    grain: str = "month",
) -> pd.DataFrame:
    """One metric as a tidy frame: a row per period (and per value of `by`) with numerator, denominator,
    value, lower and upper (95% interval). Ratios are percentages; rates are per 10,000 children 0-17."""
    chosen = metric(metric_or_id) if isinstance(metric_or_id, str) else metric_or_id
    return compute_many(engine, [chosen], filters, by=by, grain=grain)[chosen.id]


def compute_many(
    engine: Engine | sa.Connection,
    metrics: Sequence[Metric | str],
    filters: Filters | None = None,
    *,
    by: str | None = None,
    grain: str = "month",
) -> dict[str, pd.DataFrame]:
    """Several metrics, split and grouped alike, each as `compute` gives it, keyed by id. A page's metrics
    cost one query per event source (each metric's counts are conditional aggregates of it), with the
    population and the list of areas read once, and those queries run side by side (`_read_all`): far
    fewer round trips than one metric at a time, and the same results."""
    chosen = [_checked(metric(m) if isinstance(m, str) else m, by, grain) for m in metrics]
    filters = filters or Filters()
    wanted: dict[tuple[str, str | None], list[Measure]] = {}
    for measure, split in _measures(chosen, by):
        group = wanted.setdefault((measure.source, split), [])
        if measure not in group:
            group.append(measure)
    reads: dict[object, Callable[[sa.Connection], object]] = {
        (source_name, split): functools.partial(
            _counts, source_name=source_name, measures=measures, filters=filters, by=split
        )
        for (source_name, split), measures in wanted.items()
    }
    if any(m.kind == "rate_per_10k" for m in chosen):
        reads["population"] = functools.partial(
            _population, filters=filters, by=by if by in GEOGRAPHY_DIMENSIONS else None
        )
    if by in GEOGRAPHY_DIMENSIONS:
        reads["codes"] = functools.partial(_geography_codes, filters=filters, by=by)
    answers = _read_all(engine, reads)
    counts = {
        (measure, split): rows
        for (source_name, split), measures in wanted.items()
        for measure, rows in zip(measures, answers[(source_name, split)], strict=True)
    }
    population = answers.get("population", pd.DataFrame())
    codes = answers.get("codes", [])
    return {m.id: _frame(m, filters, by, grain, counts, population, codes) for m in chosen}


def _read_all(engine: Engine | sa.Connection, reads: dict[object, Callable[[sa.Connection], object]]) -> dict:
    """Run independent reads of the store, at the same time where they can be: given an engine, each on a
    connection of its own in a few threads (the store does its work outside Python's lock, so a page's
    queries overlap), with the event tables' freshness checked once for all; given a connection, in turn."""
    if isinstance(engine, sa.Connection) or len(reads) < 2:
        with connection_for(engine) as connection:
            return {key: read(connection) for key, read in reads.items()}
    with engine.connect() as connection:
        current = tables_current(connection)

    def on_own_connection(read: Callable[[sa.Connection], object]) -> object:
        with engine.connect() as own:
            own.info[VERSION_KEY] = current
            return read(own)

    futures = {key: _READERS.submit(on_own_connection, read) for key, read in reads.items()}
    return {key: future.result() for key, future in futures.items()}


def _checked(chosen: Metric, by: str | None, grain: str) -> Metric:
    if by is not None and by not in chosen.dimensions and by not in chosen.numerator_only:
        raise ValueError(f"{chosen.id} cannot be split by {by}; it can by {', '.join(chosen.dimensions)}")
    if grain not in chosen.grains:
        raise ValueError(f"{chosen.id} is not available by {grain}")
    return chosen


def _denominator_split(chosen: Metric, by: str | None) -> str | None:
    """A split the denominator takes too, or None where it splits the numerator only (share by source)."""
    return by if by not in chosen.numerator_only else None


def _measures(chosen: list[Metric], by: str | None) -> Iterator[tuple[Measure, str | None]]:
    """Every count the metrics need, with the split it is counted by."""
    for each in chosen:
        yield each.numerator, by
        if each.denominator is not None:
            yield each.denominator, _denominator_split(each, by)


def _frame(
    chosen: Metric,
    filters: Filters,
    by: str | None,
    grain: str,
    counts: dict[tuple[Measure, str | None], list[tuple]],
    population: pd.DataFrame,
    codes: list[str],
) -> pd.DataFrame:
    """One metric's result from the counts: every period (and value of `by`), zeros where none, with its
    value and interval."""
    numerator = counts[(chosen.numerator, by)]
    denominator = None
    if chosen.denominator is not None:
        denominator = counts[(chosen.denominator, _denominator_split(chosen, by))]
    values = _dimension_values(filters, by, numerator, denominator, codes)
    starts = period_starts(_range(filters, numerator, denominator), grain)
    keys = [(start, value) for start in starts for value in values]
    labels = {start: period_label(start, grain) for start in starts}
    # the columns are built first and framed once: a frame grown column by column costs more than the query
    columns: dict[str, object] = {
        "metric": chosen.id,
        "period_start": [k[0] for k in keys],
        "period": [labels[k[0]] for k in keys],
    }
    if by is not None:
        columns[by] = [k[1] for k in keys]
    numerators = _by_period(numerator, grain)
    counted = np.array([numerators.get(k, 0) for k in keys], dtype=np.int64)
    columns["numerator"] = counted
    if chosen.kind == "ratio":
        denominators = _by_period(denominator or [], grain)
        unsplit = by is None or by in chosen.numerator_only
        divisor = np.array([denominators.get((k[0], None) if unsplit else k, 0) for k in keys], dtype=np.int64)
        share = wilson(counted, divisor)
        interval = (divisor, 100 * share.estimate, 100 * share.lower, 100 * share.upper)
    elif chosen.kind == "rate_per_10k":
        divisor = _population_for(keys, population, by)
        rate = rate_per_10k(counted, divisor)
        interval = (divisor, rate.estimate, rate.lower, rate.upper)
    else:
        count = poisson_count(counted)
        interval = (np.full(len(keys), np.nan), counted.astype(float), count.lower, count.upper)
    columns["denominator"], columns["value"], columns["lower"], columns["upper"] = interval
    frame = pd.DataFrame(columns)
    frame.attrs["metric"] = chosen.id
    frame.attrs["filters_not_applied"] = filters_not_applied(chosen, filters)
    return frame


@contextlib.contextmanager
def connection_for(engine: Engine | sa.Connection) -> Iterator[sa.Connection]:
    """The connection given, or a new one from the engine for the duration."""
    if isinstance(engine, sa.Connection):
        yield engine
    else:
        with engine.connect() as connection:
            yield connection


def filter_clauses(selectable: sa.FromClause, filters: Filters, source_name: str) -> list:
    """The view's filters as bound clauses on an event source (dimensions it does not hold are ignored)."""
    clauses = []
    if filters.start is not None:
        clauses.append(selectable.c.event_date >= filters.start)
    if filters.end is not None:
        clauses.append(selectable.c.event_date <= filters.end)
    clauses.append(selectable.c.event_date.is_not(None))
    held = SOURCE_DIMENSIONS[source_name]
    for dimension, values in filters.by_dimension().items():
        if dimension in held:
            clauses.append(selectable.c[DIMENSION_COLUMNS[dimension]].in_(list(values)))
    return clauses


def filters_not_applied(chosen: Metric, filters: Filters) -> list[str]:
    """Filters a metric cannot honour (police incidents know no referring agency): pages say so."""
    held = set(SOURCE_DIMENSIONS[chosen.numerator.source])
    return [dimension for dimension in filters.by_dimension() if dimension not in held]


def _counts(
    connection: sa.Connection, *, source_name: str, measures: list[Measure], filters: Filters, by: str | None
) -> list[list[tuple]]:
    """Events per month (and per value of `by`) for each measure on one source, counted in one query:
    (month, value or None, count) rows per measure. Each measure is a pair of conditional aggregates, its
    count and how many rows met its conditions; a group none met is left out, as a query of its own would."""
    selectable = readable(connection, source_name)
    month = sa.func.date_trunc("month", selectable.c.event_date).label("month")
    keys = [month]
    if by is not None:
        keys.append(selectable.c[DIMENSION_COLUMNS[by]].label("dimension"))
    aggregates, conditions = [], []
    for measure in measures:
        if measure.distinct:
            amount = sa.func.count(sa.distinct(selectable.c[measure.distinct]))
        else:
            amount = sa.func.sum(selectable.c[measure.total or "weight"])
        met = sa.func.count()
        if measure.where:
            condition = sa.and_(*(condition.clause(selectable) for condition in measure.where))
            conditions.append(condition)
            if len(measures) > 1:  # a lone measure's conditions are the query's own (below): FILTER costs more
                amount, met = amount.filter(condition), met.filter(condition)
        aggregates += [amount if measure.distinct else sa.func.coalesce(amount, 0), met]
    where = filter_clauses(selectable, filters, source_name)
    if len(conditions) == len(measures):  # every measure is conditional: rows none of them counts are not read
        where.append(sa.or_(*conditions))
    query = sa.select(*keys, *aggregates).where(*where).group_by(*keys)
    rows = connection.execute(query).all()
    width = len(keys)
    return [
        [
            (_day(row[0]), row[1] if by is not None else None, int(row[width + 2 * n]))
            for row in rows
            if row[width + 2 * n + 1]
        ]
        for n in range(len(measures))
    ]


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _by_period(counts: list[tuple], grain: str) -> dict[tuple, int]:
    """Monthly counts added up into the grain's periods, keyed by (period start, value)."""
    totals: dict[tuple, int] = {}
    for month, value, count in counts:
        key = (period_start(month, grain), value)
        totals[key] = totals.get(key, 0) + count
    return totals


def _range(filters: Filters, *counts: list[tuple] | None) -> tuple[dt.date | None, dt.date | None]:
    months = [row[0] for part in counts if part for row in part]
    start = filters.start or (min(months) if months else None)
    end = filters.end or (max(months) if months else None)
    return start, end


def _dimension_values(
    filters: Filters, by: str | None, numerator: list[tuple], denominator: list[tuple] | None, codes: list[str]
) -> list:
    """Every value a split should show, so a locality with no events reads 0 rather than vanishing
    (`codes`: the view's areas at the split's level, for a split by geography)."""
    if by is None:
        return [None]
    seen = {row[1] for row in numerator if row[1] is not None}
    seen |= {row[1] for row in denominator or [] if row[1] is not None}
    seen |= set(codes)
    if by == "age_band":
        seen |= {band for band, _ in AGE_BANDS if not filters.age_band or band in filters.age_band}
    allowed = filters.by_dimension().get(by)
    return sorted(value for value in seen if not allowed or value in allowed)


def _geography_codes(connection: sa.Connection, *, filters: Filters, by: str) -> list[str]:
    areas, wards = schema.small_areas, schema.wards
    column = {"locality": wards.c.locality_code, "ward": wards.c.ward_code, "area": areas.c.area_code}[by]
    query = sa.select(column).distinct().select_from(areas.join(wards, wards.c.ward_code == areas.c.ward_code))
    query = within_geography(query, filters)
    return list(connection.execute(query).scalars())


def within_geography(query: sa.Select, filters: Filters) -> sa.Select:
    """A query over small areas joined to wards, narrowed to the view's localities, wards and areas."""
    areas, wards = schema.small_areas, schema.wards
    if filters.locality:
        query = query.where(wards.c.locality_code.in_(list(filters.locality)))
    if filters.ward:
        query = query.where(wards.c.ward_code.in_(list(filters.ward)))
    if filters.area:
        query = query.where(areas.c.area_code.in_(list(filters.area)))
    return query


def _population(connection: sa.Connection, *, filters: Filters, by: str | None) -> pd.DataFrame:
    """Children 0-17 by mid-year (and geography when split), within the filtered geography and ages."""
    population, areas, wards = schema.population, schema.small_areas, schema.wards
    columns = [population.c.year]
    if by is not None:
        columns.append({"locality": wards.c.locality_code, "ward": wards.c.ward_code, "area": areas.c.area_code}[by])
    query = sa.select(*columns, sa.func.sum(population.c.population)).select_from(
        population.join(areas, areas.c.area_code == population.c.area_code).join(
            wards, wards.c.ward_code == areas.c.ward_code
        )
    )
    query = within_geography(query, filters)
    if filters.age_band:
        ages = [age for band in filters.age_band for age in _ages(band)]
        query = query.where(population.c.age.in_(ages))
    rows = connection.execute(query.group_by(*columns)).all()
    names = ["year"] + (["dimension"] if by is not None else []) + ["population"]
    return pd.DataFrame(rows, columns=names)


def _ages(band: str) -> range:
    lower = 0
    for name, upper in AGE_BANDS:
        if name == band:
            return range(lower // 12, upper // 12)
        lower = upper
    raise ValueError(f"unknown age band {band!r}")


def _population_for(keys: list[tuple], population: pd.DataFrame, by: str | None) -> np.ndarray:
    """Children for each (period start, value of `by`): from the mid-year estimate of the year the period
    starts in, or the nearest year published (estimates come out a year or more after the period)."""
    if population.empty:
        return np.zeros(len(keys))
    years = np.array(sorted(population["year"].unique()))
    wanted = np.array([start.year for start, _ in keys])
    nearest = years[np.abs(years[None, :] - wanted[:, None]).argmin(axis=1)].tolist()
    if by is None or "dimension" not in population:
        table = dict(zip(population["year"].tolist(), population["population"].tolist(), strict=True))
        return np.array([table.get(year, 0) for year in nearest], dtype=float)
    split = {(row.year, row.dimension): row.population for row in population.itertuples(index=False)}
    return np.array([split.get((year, value), 0) for year, (_, value) in zip(nearest, keys, strict=True)], dtype=float)
