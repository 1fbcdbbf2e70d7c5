"""Boundary geometry made fit for a dashboard map: valid, simplified, in WGS84, with its centroid.

Measuring happens on British National Grid (EPSG:27700) so that tolerances are in metres and centroids
are true areal centres: a WGS84 boundary is projected there and back (pyproj's published Helmert
transformation both ways, so the round trip is exact to well under a millimetre). Steps, for one
boundary: read the GeoJSON geometry with shapely and refuse what is not a polygon; repair it in the
coordinates it was drawn in (`make_valid`, "structure" method: a self-crossing ring becomes the polygons
it encloses, parts collapsed onto lines are dropped, and nothing with an area left is refused); check it
lies within England's extent; on the grid, take the centroid of the repaired shape and simplify it to
SIMPLIFY_METRES keeping it valid (Douglas-Peucker with topology preserved, boundary by boundary, so
neighbours' shared edges may differ by up to that much); back to WGS84, snapped to a 1e-6 degree grid
(about 0.1 m) in a way that keeps polygons valid, exterior rings anticlockwise as RFC 7946 asks.

shapely and pyproj are imported here only, so the formats registry stays quick to import.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

SIMPLIFY_METRES = 10.0
COORDINATE_GRID = 1e-6  # degrees: about 0.1 m
BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
# A generous box around England (the Isles of Scilly to Lowestoft, the Lizard to the Scottish border):
# anything outside it is in the wrong coordinate system, has latitude and longitude swapped, or is not English.
ENGLAND_LONGITUDE = (-6.5, 1.8)
ENGLAND_LATITUDE = (49.8, 55.9)
POLYGON_TYPES = ("Polygon", "MultiPolygon")
# A ring whose area is this small against its perimeter squared has collapsed onto a line: what is left
# is rounding noise in the coordinates (a circle scores 0.08; a strip 1 m wide and 100 km long, 1e-5)
COLLAPSED = 1e-12


class GeometryProblem(ValueError):
    """Why a geometry cannot be a boundary, said as the rest of a sentence ("the geometry ...")."""


@dataclass(frozen=True)
class Boundary:
    geojson: str  # GeoJSON geometry text, WGS84 longitude/latitude
    latitude: float  # of the centroid
    longitude: float


@cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _reproject(geometry: shapely.Geometry, source: str, target: str) -> shapely.Geometry:
    transformer = _transformer(source, target)

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, move)


def _read(geometry: object) -> shapely.Geometry:
    if not isinstance(geometry, dict):
        raise GeometryProblem("is missing" if geometry is None else "is not a GeoJSON geometry object")
    kind = geometry.get("type")
    if kind not in POLYGON_TYPES:
        raise GeometryProblem(f"is a {kind or 'geometry without a type'}, not a Polygon or MultiPolygon")
    try:
        read = shape(geometry)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, shapely.errors.ShapelyError) as error:
        raise GeometryProblem(f"has coordinates that do not make a {kind} ({error})") from None
    if read.is_empty:
        raise GeometryProblem("is empty")
    if not np.isfinite(shapely.get_coordinates(read)).all():
        raise GeometryProblem("has coordinates that are not numbers")
    return read


def _check_in_england(wgs84: shapely.Geometry) -> None:
    west, south, east, north = shapely.bounds(wgs84)
    inside = (
        ENGLAND_LONGITUDE[0] <= west <= east <= ENGLAND_LONGITUDE[1]
        and ENGLAND_LATITUDE[0] <= south <= north <= ENGLAND_LATITUDE[1]
    )
    if not inside:
        raise GeometryProblem(
            f"lies outside England (longitude {west:.4f} to {east:.4f}, latitude {south:.4f} to {north:.4f}; "
            f"England is within longitude {ENGLAND_LONGITUDE[0]} to {ENGLAND_LONGITUDE[1]} and latitude "
            f"{ENGLAND_LATITUDE[0]} to {ENGLAND_LATITUDE[1]}): are the coordinates WGS84 longitude, latitude "
            "or British National Grid easting, northing?"
        )


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The areal part of a repaired geometry (make_valid may return a collection)."""
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type in POLYGON_TYPES and not part.is_empty]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _repair(geometry: shapely.Geometry) -> shapely.Geometry:
    """A valid polygon or multipolygon; GeometryProblem when nothing with an area is left."""
    valid = geometry if geometry.is_valid else shapely.make_valid(geometry, method="structure", keep_collapsed=False)
    valid = _polygonal(valid)
    if valid.is_empty or valid.area <= COLLAPSED * valid.length**2:
        raise GeometryProblem("has no area (its rings collapse to lines or points)")
    return valid


def prepare(geometry: object, crs: str) -> Boundary:
    """A GeoJSON geometry (a parsed object, in `crs`: BNG or WGS84) as a dashboard boundary; raises
    GeometryProblem saying why it cannot be one."""
    read = _read(geometry)
    # repaired where it was drawn: a ring that is straight in degrees would bend into a sliver on the grid
    repaired = _repair(read)
    wgs84 = repaired if crs == WGS84 else _reproject(repaired, crs, WGS84)
    if not np.isfinite(shapely.get_coordinates(wgs84)).all():
        raise GeometryProblem(f"has coordinates that cannot be converted from {crs} to WGS84")
    _check_in_england(wgs84)
    valid = _repair(repaired if crs == BNG else _reproject(repaired, crs, BNG))
    centre = _reproject(valid.centroid, BNG, WGS84)
    simple = shapely.simplify(valid, SIMPLIFY_METRES, preserve_topology=True)
    out = shapely.set_precision(_reproject(simple, BNG, WGS84), COORDINATE_GRID)
    out = shapely.orient_polygons(_polygonal(out), exterior_cw=False)
    if out.is_empty or not out.is_valid:
        raise GeometryProblem(f"is too small to draw (it vanishes on a {COORDINATE_GRID:g} degree grid)")
    return Boundary(shapely.to_geojson(out), round(centre.y, 6), round(centre.x, 6))


def geojson_text(geometry: shapely.Geometry, decimals: int = 6) -> str:
    """A Polygon or MultiPolygon as compact GeoJSON, exterior rings anticlockwise, fixed decimals (so the
    same shape always gives the same bytes)."""
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)

    def ring(line: shapely.LinearRing) -> str:
        return "[" + ",".join(f"[{x:.{decimals}f},{y:.{decimals}f}]" for x, y in line.coords) + "]"

    def polygon(shape_: shapely.Polygon) -> str:
        return "[" + ",".join(ring(r) for r in (shape_.exterior, *shape_.interiors)) + "]"

    if oriented.geom_type == "Polygon":
        return '{"type":"Polygon","coordinates":' + polygon(oriented) + "}"
    if oriented.geom_type == "MultiPolygon":
        return '{"type":"MultiPolygon","coordinates":[' + ",".join(polygon(p) for p in oriented.geoms) + "]}"
    raise ValueError(f"not a polygon: {oriented.geom_type}")
