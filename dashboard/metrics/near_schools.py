"""Police incidents near one school, month by month: the series the school drill-down draws with SPC.

An incident is near the school when it lies within `radius` metres of it on the ground (great-circle
distance, `dashboard.metrics.radius`). The store returns only the incidents inside a box around the school
and the view's period, so this stays fast whatever the size of the store.

This is the one-school time series. Ranking every school against its expectation (hotspots) is
`dashboard.metrics.hotspots`; both count with the same radius search.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.metrics.compute import Filters
from dashboard.metrics.definitions import Measure, Metric
from dashboard.metrics.intervals import poisson_count
from dashboard.metrics.maps import METRES_PER_DEGREE_LAT, METRES_PER_DEGREE_LON, incident_clauses, incident_kind
from dashboard.metrics.materialise import readable
from dashboard.metrics.periods import period_label, period_start, period_starts
from dashboard.metrics.radius import within_radius
from data_connectors import schema

DEFAULT_RADIUS = 500.0
RADII = (250, 500, 1000)
"""The distances people choose between on the school pages, in metres (locations are rounded to about
100 m, so a smaller radius would mean little)."""

INCIDENTS_NEAR_SCHOOL = Metric(
    "incidents_near_school",
    "Police incidents near the school",
    "Police incidents within the chosen distance of the school, by month.",
    "count",
    Measure("police_incidents"),
    polarity="lower_is_better",
)
"""How the series reads on a chart (a count where fewer is better); not in the catalogue, since it needs a
school and a radius."""


def school_position(engine: Engine, urn: str) -> tuple[float, float] | None:
    """(latitude, longitude) of the school, or None when the store has no position for it."""
    schools = schema.schools
    with engine.connect() as connection:
        row = connection.execute(sa.select(schools.c.latitude, schools.c.longitude).where(schools.c.urn == urn)).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return float(row[0]), float(row[1])


def incidents_near_school(
    engine: Engine,
    urn: str,
    filters: Filters | None = None,
    radius: float = DEFAULT_RADIUS,
    kind: str = "all",
) -> pd.DataFrame:
    """Incidents of a kind within `radius` metres of the school, one row per month of the view's period
    (months with none read 0): period_start, period, numerator, value (the count) and its exact Poisson
    95% interval. Only the period of `filters` applies: incidents near a school count wherever the
    boundary of a locality or ward runs. Empty when the school has no position. `attrs["snapped"]` says
    whether any incident counted is a police.uk snap point (its position is approximate)."""
    incident_kind(kind)  # an unknown kind fails here, with the known ones named
    filters = Filters(start=(filters or Filters()).start, end=(filters or Filters()).end)
    place = school_position(engine, urn)
    dates: list[dt.date] = []
    snapped = False
    if place is not None:
        latitude, longitude = place
        margin_lat = 1.01 * radius / METRES_PER_DEGREE_LAT
        margin_lon = 1.01 * radius / (METRES_PER_DEGREE_LON * math.cos(math.radians(latitude)))
        with engine.connect() as connection:
            incidents = readable(connection, "police_incidents")
            columns = (
                incidents.c.latitude,
                incidents.c.longitude,
                incidents.c.event_date,
                incidents.c.location_precision,
            )
            query = sa.select(*columns).where(
                *incident_clauses(incidents, filters, kind),
                incidents.c.latitude.between(latitude - margin_lat, latitude + margin_lat),
                incidents.c.longitude.between(longitude - margin_lon, longitude + margin_lon),
            )
            rows = connection.execute(query).all()
        if rows:
            points = np.array([[row[0], row[1]] for row in rows], dtype=float)
            near = within_radius(points, latitude, longitude, radius)
            dates = [_day(rows[i][2]) for i in near]
            snapped = any(rows[i][3] == "SNAPPED" for i in near)
    frame = _monthly(dates, filters, urn, radius, kind)
    frame.attrs["snapped"] = snapped
    return frame


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _monthly(dates: list[dt.date], filters: Filters, urn: str, radius: float, kind: str) -> pd.DataFrame:
    counts: dict[dt.date, int] = {}
    for day in dates:
        month = period_start(day, "month")
        counts[month] = counts.get(month, 0) + 1
    start = filters.start or (min(counts) if counts else None)
    end = filters.end or (max(counts) if counts else None)
    starts = period_starts((start, end), "month")
    numerator = np.array([counts.get(month, 0) for month in starts], dtype=np.int64)
    interval = poisson_count(numerator)
    frame = pd.DataFrame(
        {
            "period_start": starts,
            "period": [period_label(month, "month") for month in starts],
            "numerator": numerator,
            "denominator": np.nan,
            "value": numerator.astype(float),
            "lower": np.asarray(interval.lower, dtype=float),
            "upper": np.asarray(interval.upper, dtype=float),
        }
    )
    frame.attrs.update({"metric": INCIDENTS_NEAR_SCHOOL.id, "urn": urn, "radius": radius, "kind": kind})
    return frame
