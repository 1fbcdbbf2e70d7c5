"""Points within a distance of places on the ground: the one radius search behind the hotspot ranking
(every school at once, `dashboard.metrics.hotspots`) and the school drill-down (one school's incidents
month by month, `dashboard.metrics.near_schools`).

Distances are great-circle: scikit-learn's ``BallTree`` with the haversine metric on latitudes and longitudes
in radians. ``metric="chord"`` gives the same answers from a tree on 3-d unit vectors with the straight-line
(chord) distance 2 R sin(d / 2R), which builds faster. A point exactly at the radius counts as within it.

Stored locations are rounded (to about 100 m), so many points share a place: about half of a million
clustered incidents repeat one. The tree holds each place once with how many points stand there, which
builds several times faster than a tree with the repeats.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from sklearn.neighbors import BallTree

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG R1) in metres: turns metres into the angles the haversine metric works in."""

Metric = Literal["haversine", "chord"]


def metres_text(metres: float) -> str:
    """A distance as people read it: '500 m', '1 km', '2.5 km'."""
    return f"{metres:,.0f} m" if metres < 1000 else f"{metres / 1000:g} km"


def radians(places: pd.DataFrame | np.ndarray) -> np.ndarray:
    """(latitude, longitude) rows in radians, from a frame with those columns or an array in degrees."""
    if isinstance(places, pd.DataFrame):
        places = places[["latitude", "longitude"]].to_numpy(dtype="float64")
    return np.radians(np.asarray(places, dtype="float64").reshape(-1, 2))


class Places:
    """Points (latitude, longitude in radians) in a tree, each distinct place once, for radius searches."""

    def __init__(self, angles: np.ndarray, metric: Metric = "haversine") -> None:
        if metric not in ("haversine", "chord"):
            raise ValueError(f"unknown metric {metric!r}: haversine or chord")
        self.metric = metric
        # a (latitude, longitude) pair read as one complex number: np.unique then finds repeats in one sort
        self._pairs = np.ascontiguousarray(np.asarray(angles, dtype=np.float64).reshape(-1, 2)).view(np.complex128)
        self._pairs = self._pairs.ravel()
        self._unique, self.weights = np.unique(self._pairs, return_counts=True)
        self.repeats = len(self._unique) < len(self._pairs)
        places = self._unique.view(np.float64).reshape(-1, 2)
        self._tree = None
        if len(places):
            self._tree = BallTree(places, metric="haversine") if metric == "haversine" else BallTree(_vectors(places))

    def _search(self, centres: np.ndarray, radius_m: float, count_only: bool = False) -> np.ndarray:
        """The places within the radius of each centre (or how many), from one tree query."""
        if self.metric == "haversine":
            return self._tree.query_radius(centres, radius_m / EARTH_RADIUS_M, count_only=count_only)
        chord = 2 * np.sin(radius_m / EARTH_RADIUS_M / 2)
        return self._tree.query_radius(_vectors(centres), chord, count_only=count_only)

    def counts(self, centres: np.ndarray, radii_m: np.ndarray) -> np.ndarray:
        """How many points lie within each radius of each centre (centres in radians): centres x radii."""
        centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
        radii_m = np.atleast_1d(np.asarray(radii_m, dtype=float))
        counts = np.zeros((len(centres), len(radii_m)), dtype=np.int64)
        if not len(centres) or self._tree is None:
            return counts
        for column, radius in enumerate(radii_m):
            if not self.repeats:
                counts[:, column] = self._search(centres, radius, count_only=True)
                continue
            found = self._search(centres, radius)  # a place seen w times adds w: one weighted bincount
            sizes = np.fromiter((len(places) for places in found), dtype=np.int64, count=len(found))
            owner = np.repeat(np.arange(len(found)), sizes)
            counts[:, column] = np.bincount(owner, weights=self.weights[np.concatenate(found)], minlength=len(found))
        return counts

    def within(self, centres: np.ndarray, radius_m: float) -> list[np.ndarray]:
        """For each centre (in radians), the positions of the points within the radius, in order."""
        centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
        if self._tree is None:
            return [np.array([], dtype=np.int64) for _ in range(len(centres))]
        place_of_point = np.searchsorted(self._unique, self._pairs)
        return [np.flatnonzero(np.isin(place_of_point, found)) for found in self._search(centres, radius_m)]


def radius_counts(
    centres: pd.DataFrame | np.ndarray,
    points: pd.DataFrame | np.ndarray,
    radii_m: float | list[float],
    *,
    metric: Metric = "haversine",
) -> np.ndarray:
    """How many points lie within each radius (metres, edge included) of each centre.

    Centres and points are frames with ``latitude`` and ``longitude`` or arrays of (latitude, longitude) in
    degrees. One tree on the points serves every radius; the result has one column per radius (a 1-d array for
    one radius)."""
    several = isinstance(radii_m, list | tuple)
    counts = Places(radians(points), metric).counts(radians(centres), np.asarray(radii_m, dtype=float))
    return counts if several else counts[:, 0]


def within_radius(points: np.ndarray, latitude: float, longitude: float, radius_m: float) -> np.ndarray:
    """Positions (into ``points``, rows of [latitude, longitude] in degrees) of the points within ``radius_m``
    metres of the place."""
    return Places(radians(points)).within(radians(np.array([latitude, longitude])), radius_m)[0]


def _vectors(angles: np.ndarray) -> np.ndarray:
    """Unit vectors on the sphere for (latitude, longitude) rows in radians."""
    latitude, longitude = angles[:, 0], angles[:, 1]
    return np.column_stack(
        [np.cos(latitude) * np.cos(longitude), np.cos(latitude) * np.sin(longitude), np.sin(latitude)]
    )
