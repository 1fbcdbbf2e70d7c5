"""What a map of the partnership needs: area values over a whole period, area boundaries, schools, and
police incidents counted into hexagons in the store.

Area values: a metric is computed by month and split by area (`compute`), then added up over the period
the view covers, as the board overview does for a tile: counts added; ratios as total over total (Wilson
interval); rates per 10,000 children per year, that is events over child-years (the average number of
children times the months covered over twelve), with the exact Poisson interval.

Incidents are never returned one by one: the store counts them into hexagons (about `width` metres
across, flat side to flat side) and returns only hexagons holding at least the suppression threshold, so
neither a screen nor a browser ever receives an incident's location or a small count. Coordinates are
projected to metres around a reference latitude (equirectangular: within 1% across a partnership).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.metrics.catalogue import METRICS, metric
from dashboard.metrics.compute import Filters, compute, filter_clauses, within_geography
from dashboard.metrics.definitions import Condition
from dashboard.metrics.intervals import poisson_count, rate_per_10k, wilson
from dashboard.metrics.materialise import readable
from data_connectors import schema
from data_connectors.codelists import ALL_CODE_LISTS

LEVELS = {"locality": "LOCALITY", "ward": "WARD", "area": "SMALL_AREA"}  # metric dimension -> boundary level
LEVEL_NAMES = {"locality": "Locality", "ward": "Ward", "area": "Small area"}
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON = 111_320.0  # at the equator; times cos(latitude)
SNAPPED_LOCATIONS = (
    "Some incidents come from police.uk, whose locations are snapped to anonymous map points (the centre of a "
    "nearby street or public place), never an address"
)
"""What every screen drawing or counting police.uk incidents must say (followed by what it means there)."""


# --- Area values -------------------------------------------------------------------------------------


def map_metric_ids(level: str) -> list[str]:
    """Metrics a choropleth can show at this level: rates per 10,000 and ratios that split by it (shares
    whose numerator alone splits, such as referrals by source, mean nothing per area)."""
    return [
        m.id
        for m in METRICS.values()
        if m.kind in ("rate_per_10k", "ratio") and level in m.dimensions and not m.numerator_only
    ]


def period_name(start: dt.date, end: dt.date) -> str:
    return (
        start.strftime("%b %Y")
        if (start.year, start.month) == (end.year, end.month)
        else (f"{start:%b %Y} to {end:%b %Y}")
    )


def over_period(frame: pd.DataFrame, split: str | None = None) -> pd.DataFrame:
    """A monthly `compute` result added up over all its months: one row (per value of `split`) with
    numerator, denominator (for rates, the average children), value, lower and upper. Ready for
    `presentation.disclosed` (it keeps `period_start`, the first month, for its grouping)."""
    chosen = metric(frame.attrs["metric"])
    months = int(frame["period_start"].nunique())
    keys = [split] if split else []
    grouped = frame.groupby(keys, sort=True) if keys else frame.assign(_all=0).groupby("_all")
    out = grouped.agg(numerator=("numerator", "sum"), denominator=("denominator", "mean"))
    if chosen.kind == "ratio":
        out["denominator"] = grouped["denominator"].sum()
    out = out.reset_index().drop(columns=["_all"], errors="ignore")
    numerator = out["numerator"].to_numpy(dtype=float)
    denominator = out["denominator"].to_numpy(dtype=float)
    if chosen.kind == "ratio":
        interval = wilson(numerator, denominator)
        scale = 100.0
    elif chosen.kind == "rate_per_10k":
        interval = rate_per_10k(numerator, np.nan_to_num(denominator) * months / 12)
        scale = 1.0
    else:
        interval = poisson_count(numerator)
        scale = 1.0
    out["value"] = scale * np.asarray(interval.estimate, dtype=float)
    out["lower"] = scale * np.asarray(interval.lower, dtype=float)
    out["upper"] = scale * np.asarray(interval.upper, dtype=float)
    out["numerator"] = out["numerator"].astype(np.int64)
    starts = sorted(frame["period_start"].unique())
    out.insert(0, "period_start", starts[0] if starts else pd.NaT)
    out.insert(1, "period", _span_label(starts))
    out.insert(0, "metric", chosen.id)
    out.attrs.update(frame.attrs)
    out.attrs["months"] = months
    return out


def _span_label(starts: list) -> str:
    if not starts:
        return ""
    return period_name(pd.Timestamp(starts[0]).date(), pd.Timestamp(starts[-1]).date())


def area_values(engine: Engine | sa.Connection, metric_id: str, filters: Filters, level: str) -> pd.DataFrame:
    """The metric for each area of the level over the whole period of the view (see the module notes)."""
    return over_period(compute(engine, metric_id, filters, by=level, grain="month"), level)


# --- Boundaries and schools ------------------------------------------------------------------------------


def _lookup(filters: Filters) -> sa.Select:
    """Small areas with their ward and locality, within the view's geography."""
    areas, wards, localities = schema.small_areas, schema.wards, schema.localities
    query = sa.select(
        areas.c.area_code,
        areas.c.area_name,
        wards.c.ward_code,
        wards.c.ward_name,
        localities.c.locality_code,
        localities.c.locality_name,
    ).select_from(
        areas.join(wards, wards.c.ward_code == areas.c.ward_code).join(
            localities, localities.c.locality_code == wards.c.locality_code
        )
    )
    query = within_geography(query, filters)
    return query


def area_lookup(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Every small area in the view with its ward and locality (codes and names)."""
    with engine.connect() as connection:
        rows = connection.execute(_lookup(filters)).all()
    columns = ["area_code", "area_name", "ward_code", "ward_name", "locality_code", "locality_name"]
    return pd.DataFrame(rows, columns=columns)


def area_boundaries(engine: Engine, level: str, filters: Filters) -> pd.DataFrame:
    """Boundaries of the level's areas in the view: code, name, polygons (a list of polygons, each a list
    of rings of [longitude, latitude]), centroid, and the parent ward and locality where there is one.
    Areas the lookup tables do not know are left out (a national boundary file loads whole)."""
    lookup = area_lookup(engine, filters)
    code_column = f"{level}_code"
    parents = {
        "area": ["area_code", "area_name", "ward_code", "ward_name", "locality_code", "locality_name"],
        "ward": ["ward_code", "ward_name", "locality_code", "locality_name"],
        "locality": ["locality_code", "locality_name"],
    }[level]
    known = lookup[parents].drop_duplicates(code_column).rename(columns={code_column: "code", f"{level}_name": "name"})
    if known.empty:
        return known.assign(polygons=[], centroid_latitude=[], centroid_longitude=[])
    table = schema.boundaries
    query = sa.select(table.c.area_code, table.c.geometry, table.c.centroid_latitude, table.c.centroid_longitude).where(
        table.c.level == LEVELS[level], table.c.area_code.in_(known["code"].tolist())
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    shapes = pd.DataFrame(rows, columns=["code", "geometry", "centroid_latitude", "centroid_longitude"])
    shapes["polygons"] = [polygons_of(text) for text in shapes["geometry"]]
    out = known.merge(shapes.drop(columns="geometry"), on="code", how="inner")
    missing = out["centroid_latitude"].isna()
    if missing.any():
        centres = [_mean_point(p) for p in out.loc[missing, "polygons"]]
        out.loc[missing, "centroid_latitude"] = [c[1] for c in centres]
        out.loc[missing, "centroid_longitude"] = [c[0] for c in centres]
    return out.sort_values("name").reset_index(drop=True)


def polygons_of(geometry: str) -> list[list[list[list[float]]]]:
    """A GeoJSON Polygon or MultiPolygon as a list of polygons (rings of [lon, lat], 6 decimals)."""
    shape = json.loads(geometry)
    polygons = [shape["coordinates"]] if shape["type"] == "Polygon" else list(shape.get("coordinates", []))
    return [[[[round(x, 6), round(y, 6)] for x, y, *_ in ring] for ring in polygon] for polygon in polygons]


def _mean_point(polygons: list) -> tuple[float, float]:
    points = np.array([point for polygon in polygons for point in polygon[0]], dtype=float)
    return float(points[:, 0].mean()), float(points[:, 1].mean())


def schools_in_view(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Open schools standing in the view's areas: urn, name, phase (and its label), pupils, position,
    area, ward, locality and the area's IMD decile (latest edition)."""
    schools, deprivation = schema.schools, schema.deprivation
    lookup = _lookup(filters).subquery("lookup")
    latest = sa.select(sa.func.max(deprivation.c.iod_year)).scalar_subquery()
    query = (
        sa.select(
            schools.c.urn,
            schools.c.school_name,
            schools.c.phase,
            schools.c.pupils,
            schools.c.latitude,
            schools.c.longitude,
            lookup.c.area_code,
            lookup.c.ward_code,
            lookup.c.locality_code,
            lookup.c.locality_name,
            deprivation.c.imd_decile,
        )
        .select_from(
            schools.join(lookup, lookup.c.area_code == schools.c.area_code).outerjoin(
                deprivation,
                sa.and_(deprivation.c.area_code == schools.c.area_code, deprivation.c.iod_year == latest),
            )
        )
        .where(sa.or_(schools.c.is_open.is_(None), schools.c.is_open.is_(True)))
        .order_by(schools.c.school_name, schools.c.urn)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    columns = [
        "urn",
        "name",
        "phase",
        "pupils",
        "latitude",
        "longitude",
        "area_code",
        "ward_code",
        "locality_code",
        "locality_name",
        "imd_decile",
    ]
    out = pd.DataFrame(rows, columns=columns)
    phases = ALL_CODE_LISTS["school_phase"].codes
    out["phase_name"] = [phases.get(p, p) for p in out["phase"]]
    return out


# --- Police incidents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentKind:
    """Which police incidents a layer or a count takes: all, one flag, or one category."""

    key: str
    label: str
    condition: Condition | None = None
    sensitive: bool = False


FLAGS = (
    IncidentKind("hate_crime", "Hate crime and hate incidents", Condition("hate_crime", "is true"), True),
    IncidentKind("cse_concern", "Child sexual exploitation concern", Condition("cse_concern", "is true"), True),
    IncidentKind("cce_concern", "Child criminal exploitation concern", Condition("cce_concern", "is true"), True),
    IncidentKind("missing_episode", "Missing episodes", Condition("missing_episode", "is true"), True),
    IncidentKind("domestic_abuse", "Domestic abuse", Condition("domestic_abuse", "is true"), True),
)
SENSITIVE_CATEGORIES = ("VIOLENCE_SEXUAL_OFFENCES", "MISSING_PERSON", "DOMESTIC_INCIDENT", "CONCERN_FOR_WELFARE")
INCIDENT_KINDS: dict[str, IncidentKind] = {
    "all": IncidentKind("all", "All police incidents", None, False),
    **{kind.key: kind for kind in FLAGS},
    **{
        f"category:{code}": IncidentKind(
            f"category:{code}", label, Condition("category", "=", code), code in SENSITIVE_CATEGORIES
        )
        for code, label in ALL_CODE_LISTS["police_category"].codes.items()
    },
}


def incident_kind(key: str) -> IncidentKind:
    if key not in INCIDENT_KINDS:
        raise KeyError(f"unknown kind of incident {key!r}; known: {', '.join(INCIDENT_KINDS)}")
    return INCIDENT_KINDS[key]


def incident_clauses(selectable: sa.FromClause, filters: Filters, kind: str) -> list:
    chosen = incident_kind(kind)
    where = filter_clauses(selectable, filters, "police_incidents")
    if chosen.condition is not None:
        where.append(chosen.condition.clause(selectable))
    return where


def incident_overview(engine: Engine, filters: Filters, kind: str = "all") -> dict[str, bool]:
    """What the incidents in the view are like, without counting them: whether there are any with a
    location, and whether any are police.uk snap points or placed at their area's centre."""
    with engine.connect() as connection:
        incidents = readable(connection, "police_incidents")
        where = [*incident_clauses(incidents, filters, kind), incidents.c.latitude.is_not(None)]
        rows = connection.execute(sa.select(incidents.c.location_precision).where(*where).distinct()).scalars()
        precisions = set(rows)
    return {
        "any": bool(precisions),
        "snapped": "SNAPPED" in precisions,
        "area_centres": "AREA" in precisions,
    }


def hexagon_geometry(width: float, reference_latitude: float) -> tuple[float, float, float, float]:
    """(centre-to-corner size in metres, row height, metres per degree of longitude and of latitude)."""
    size = width / math.sqrt(3)
    return size, 3 * size, METRES_PER_DEGREE_LON * math.cos(math.radians(reference_latitude)), METRES_PER_DEGREE_LAT


def incident_hexagons(
    engine: Engine,
    filters: Filters,
    kind: str = "all",
    width: float = 500.0,
    reference_latitude: float = 53.0,
    threshold: int = 5,
) -> pd.DataFrame:
    """Incidents of a kind in the view counted into pointy-topped hexagons `width` metres across, in the
    store; hexagons holding fewer than `threshold` are never returned. One row per hexagon: column and
    row number, count, centre and corners (longitude, latitude)."""
    size, row_height, per_lon, per_lat = hexagon_geometry(width, reference_latitude)
    with engine.connect() as connection:
        incidents = readable(connection, "police_incidents")
        where = [
            *incident_clauses(incidents, filters, kind),
            incidents.c.latitude.is_not(None),
            incidents.c.longitude.is_not(None),
        ]
        # Hexagon centres are the union of two rectangular lattices, A at (w i, 3s k) and B offset by half a
        # cell each way; a point belongs to the nearer of its nearest A and B centres.
        metres = (
            sa.select((incidents.c.longitude * per_lon).label("x"), (incidents.c.latitude * per_lat).label("y"))
            .where(*where)
            .subquery("metres")
        )
        x, y = metres.c.x, metres.c.y
        ia, ka = sa.func.round(x / width), sa.func.round(y / row_height)
        ib, kb = sa.func.floor(x / width), sa.func.floor(y / row_height)
        lattice = sa.select(
            ia.label("ia"), ka.label("ka"), ib.label("ib"), kb.label("kb"), x.label("x"), y.label("y")
        ).subquery("lattice")
        c = lattice.c
        distance_a = (c.x - c.ia * width) * (c.x - c.ia * width) + (c.y - c.ka * row_height) * (c.y - c.ka * row_height)
        bx, by = (c.ib + 0.5) * width, (c.kb + 0.5) * row_height
        distance_b = (c.x - bx) * (c.x - bx) + (c.y - by) * (c.y - by)
        nearer_a = distance_a <= distance_b
        column = sa.cast(sa.case((nearer_a, c.ia), else_=c.ib), sa.Integer).label("col")
        row = sa.cast(sa.case((nearer_a, 2 * c.ka), else_=2 * c.kb + 1), sa.Integer).label("row")
        counted = sa.select(column, row, sa.func.count().label("incidents")).group_by(column, row)
        counted = counted.having(sa.func.count() >= threshold).order_by(column, row)
        rows = connection.execute(counted).all()
    frame = pd.DataFrame(rows, columns=["col", "row", "incidents"]).astype(np.int64)
    centre_x = width * (frame["col"] + 0.5 * (frame["row"] % 2))
    centre_y = 1.5 * size * frame["row"]
    frame["longitude"] = centre_x / per_lon
    frame["latitude"] = centre_y / per_lat
    angles = np.radians(30 + 60 * np.arange(6))
    frame["polygon"] = [
        [[round((cx + size * math.cos(a)) / per_lon, 6), round((cy + size * math.sin(a)) / per_lat, 6)] for a in angles]
        for cx, cy in zip(centre_x, centre_y, strict=True)
    ]
    frame.attrs.update({"kind": kind, "width": width, "threshold": threshold})
    return frame
