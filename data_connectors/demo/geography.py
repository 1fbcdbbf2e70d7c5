"""The fictional place: localities, wards, small areas, their boundaries, population, deprivation, postcodes.

Small areas are the cells of a jittered grid, so their polygons tile without gaps or overlaps, and a
region's partnerships sit side by side on straight shared edges. Deprivation is set by locality first
(one or two clearly most deprived) and then varied by ward and area, the way real IMD maps look.
All codes use ranges ONS never issues (E0699..., E0599..., E0199...) and the postcode area "QQ".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy.special import ndtr

from data_connectors.demo.context import Partnership
from data_connectors.demo.names import partnership_names
from data_connectors.geometry import geojson_text

NX, NY = 14, 14  # small-area grid (196 areas)
CELL_LAT, CELL_LON = 0.0072, 0.012  # about 800 m by 800 m at latitude 53
CENTRE = (53.2, -2.4)
REGION_COLUMNS, REGION_ROWS = 5, 4
WARD_COLUMNS, WARD_ROWS = 6, 5
# Localities as blocks of the 6 x 5 ward lattice (bottom row first); C is the town centre.
LOCALITY_MAP = ("DDDEEE", "DDCCEE", "DACCBE", "AACCBB", "AAABBB")
LOCALITY_IMD = {"A": 20.0, "B": 13.0, "C": 44.0, "D": 34.0, "E": 9.5}  # typical IMD score by locality
NATIONAL_IMD_MEDIAN, NATIONAL_IMD_SIGMA = 17.0, 0.75  # log-normal stand-in for the national distribution
NATIONAL_IDACI_MEDIAN = 0.11
SMALL_AREAS_IN_ENGLAND = 33_755  # IoD 2025 (LSOA 2021)
CHILDREN_PER_AREA = 300
INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
METRES_PER_DEGREE_LAT = 110_540.0


@dataclass
class Place:
    """Everything later modules need to know about the geography, as arrays indexed by small area."""

    la_name: str
    localities: pd.DataFrame
    wards: pd.DataFrame
    areas: pd.DataFrame  # the small_areas template
    locality_of_area: np.ndarray  # 0..4
    ward_of_area: np.ndarray
    cell_of_area: np.ndarray  # grid cell (row * NX + column) of each small area
    corners: np.ndarray  # (areas, 4, 2) SW, SE, NE, NW as (lat, lon)
    centroid: np.ndarray  # (areas, 2)
    imd_score: np.ndarray
    deprivation_z: np.ndarray  # log IMD score on the national scale (0 = national median)
    years: np.ndarray
    population: np.ndarray  # (areas, years, 18)
    postcodes: np.ndarray
    postcode_area: np.ndarray
    deprivation: pd.DataFrame
    locality_deprivation_order: list[str]  # locality codes, most deprived first
    boundaries: pd.DataFrame  # level, area_code, area_name, geometry (GeoJSON text): small areas, wards, localities

    @property
    def area_codes(self) -> np.ndarray:
        return self.areas["area_code"].to_numpy(dtype=object)

    def children_by_area(self) -> np.ndarray:
        """Children aged 0-17 per small area, averaged over the years."""
        return self.population.sum(axis=2).mean(axis=1)

    def points_in(self, rng: np.random.Generator, area: np.ndarray, margin: float = 0.08) -> np.ndarray:
        """A random point inside each given small area, as (lat, lon) rows."""
        u = rng.uniform(margin, 1 - margin, size=len(area))[:, None]
        v = rng.uniform(margin, 1 - margin, size=len(area))[:, None]
        c = self.corners[area]
        return (1 - u) * (1 - v) * c[:, 0] + u * (1 - v) * c[:, 1] + u * v * c[:, 2] + (1 - u) * v * c[:, 3]

    def points_near(
        self, rng: np.random.Generator, lat: float, lon: float, radius_m: float, count: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """`count` random points within `radius_m` of a spot, with the small area each falls in."""
        near = np.flatnonzero(distance_m(self.centroid[:, 0], self.centroid[:, 1], lat, lon) < radius_m + 900)
        points: list[np.ndarray] = []
        areas: list[np.ndarray] = []
        found = 0
        while found < count:
            area = near[rng.integers(0, len(near), size=8 * count + 16)]
            pts = self.points_in(rng, area)
            inside = distance_m(pts[:, 0], pts[:, 1], lat, lon) <= radius_m
            points.append(pts[inside])
            areas.append(area[inside])
            found += int(inside.sum())
        return np.concatenate(points)[:count], np.concatenate(areas)[:count]


def distance_m(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    """Distance in metres on a local flat approximation (good to well under 1% over a few km)."""
    dy = (np.asarray(lat) - lat0) * METRES_PER_DEGREE_LAT
    dx = (np.asarray(lon) - lon0) * METRES_PER_DEGREE_LAT * np.cos(np.radians(lat0)) * 1.0071
    return np.hypot(dx, dy)


def national_rank(score: np.ndarray, median: float) -> np.ndarray:
    """Rank among England's small areas (1 = most deprived) from a score, via the national spread."""
    share_more_deprived = 1 - ndtr((np.log(score) - np.log(median)) / NATIONAL_IMD_SIGMA)
    return np.clip(
        1 + np.floor(share_more_deprived * (SMALL_AREAS_IN_ENGLAND - 1)), 1, SMALL_AREAS_IN_ENGLAND
    )


def decile(rank: np.ndarray) -> np.ndarray:
    """Decile 1 = the most deprived tenth of England's small areas."""
    return np.minimum(10, 1 + ((rank - 1) * 10) // SMALL_AREAS_IN_ENGLAND).astype(int)


def build_place(p: Partnership) -> Place:
    """Lay out the partnership's geography and its population and deprivation."""
    rng = p.rng("geography")
    names = partnership_names(p.seed, p.index)
    la_name = names[0]
    lat0, lon0 = _origin(p)

    corners, rings = _grid(rng, lat0, lon0)
    centroid = _centroids(rings)
    ward_cell = _wards(rng)
    area_ward = ward_cell.ravel()  # cells in row-major order (row = j, column = i)
    ward_lattice_locality = np.array([[ord(ch) - ord("A") for ch in row] for row in LOCALITY_MAP])
    ward_locality = ward_lattice_locality.ravel()  # ward index = row * WARD_COLUMNS + column
    locality_letters = "ABCDE"
    base_imd = np.array([LOCALITY_IMD[ch] for ch in locality_letters])
    if p.region:  # each partnership has its own pattern of deprivation, not always the same corner
        base_imd = base_imd[rng.permutation(5)]

    n_areas = NX * NY
    ward_offset = (p.index - 1) * WARD_COLUMNS * WARD_ROWS
    area_offset = (p.index - 1) * n_areas
    localities = pd.DataFrame(
        {
            "locality_code": [f"{p.prefix}LOC{k + 1}" for k in range(5)],
            "locality_name": names[1:6],
            "la_code": p.la_code,
            "la_name": la_name,
        }
    )
    n_wards = WARD_COLUMNS * WARD_ROWS
    wards = pd.DataFrame(
        {
            "ward_code": [f"E0599{ward_offset + w + 1:04d}" for w in range(n_wards)],
            "ward_name": names[6 : 6 + n_wards],
            "locality_code": localities["locality_code"].to_numpy()[ward_locality],
        }
    )
    area_locality = ward_locality[area_ward]
    # Areas are numbered ward by ward, like ONS names (authority name, then a number and a letter).
    order = np.lexsort((np.arange(n_areas), area_ward))
    corners, rings, centroid, area_ward, area_locality = (
        corners[order],
        [rings[i] for i in order],
        centroid[order],
        area_ward[order],
        area_locality[order],
    )
    letter_in_ward = np.zeros(n_areas, dtype=int)
    for w in range(n_wards):
        members = np.flatnonzero(area_ward == w)
        letter_in_ward[members] = np.arange(len(members))
    area_codes = np.array([f"E0199{area_offset + a + 1:04d}" for a in range(n_areas)], dtype=object)
    areas = pd.DataFrame(
        {
            "area_code": area_codes,
            "area_name": [
                f"{la_name} {w + 1:03d}{chr(65 + k)}" for w, k in zip(area_ward, letter_in_ward, strict=True)
            ],
            "ward_code": wards["ward_code"].to_numpy()[area_ward],
            "centroid_latitude": centroid[:, 0].round(6),
            "centroid_longitude": centroid[:, 1].round(6),
        }
    )
    boundaries = _boundaries(rings, areas, wards, localities)

    ward_effect = rng.normal(0, 0.22, n_wards)
    imd = base_imd[area_locality] * np.exp(
        ward_effect[area_ward] + rng.normal(0, 0.22, n_areas) + p.deprivation_shift
    )
    imd = np.clip(imd, 1.2, 88.0).round(1)
    deprivation = _deprivation_table(rng, area_codes, imd)
    dep_z = (np.log(imd) - np.log(NATIONAL_IMD_MEDIAN)) / NATIONAL_IMD_SIGMA

    years = np.arange(p.start.year, p.end.year + 1)
    population = _population(rng, p, dep_z, years)
    postcodes, postcode_area = _postcodes(rng, p, area_ward, area_locality, ward_locality)
    locality_mean = pd.Series(imd).groupby(area_locality).mean()
    most_deprived_first = [
        localities["locality_code"][k] for k in locality_mean.sort_values(ascending=False).index
    ]
    return Place(
        la_name,
        localities,
        wards,
        areas,
        area_locality,
        area_ward,
        order,
        corners,
        centroid,
        imd,
        dep_z,
        years,
        population,
        postcodes,
        postcode_area,
        deprivation,
        most_deprived_first,
        boundaries,
    )


def _origin(p: Partnership) -> tuple[float, float]:
    """South-west corner of this partnership's tile (the region is 5 tiles by 4 around the centre)."""
    height, width = NY * CELL_LAT, NX * CELL_LON
    if not p.region:
        return CENTRE[0] - height / 2, CENTRE[1] - width / 2
    column, row = p.grid_position
    return (
        CENTRE[0] - REGION_ROWS * height / 2 + row * height,
        CENTRE[1] - REGION_COLUMNS * width / 2 + column * width,
    )


def _grid(rng: np.random.Generator, lat0: float, lon0: float) -> tuple[np.ndarray, list[np.ndarray]]:
    """Jittered grid cells: corner points for sampling, and 8-point rings (corners and edge midpoints)."""
    j, i = np.meshgrid(np.arange(NY + 1), np.arange(NX + 1), indexing="ij")
    interior = (j > 0) & (j < NY) & (i > 0) & (i < NX)
    lat = lat0 + (j + np.where(interior, rng.uniform(-0.22, 0.22, j.shape), 0)) * CELL_LAT
    lon = lon0 + (i + np.where(interior, rng.uniform(-0.22, 0.22, i.shape), 0)) * CELL_LON
    # Midpoints of horizontal edges (between columns i and i+1 on vertex row j) bend north or south.
    h_lat = (lat[:, :-1] + lat[:, 1:]) / 2 + np.where(
        (np.arange(NY + 1)[:, None] > 0) & (np.arange(NY + 1)[:, None] < NY),
        rng.uniform(-0.06, 0.06, (NY + 1, NX)),
        0,
    ) * CELL_LAT
    h_lon = (lon[:, :-1] + lon[:, 1:]) / 2
    v_lat = (lat[:-1, :] + lat[1:, :]) / 2
    v_lon = (lon[:-1, :] + lon[1:, :]) / 2 + np.where(
        (np.arange(NX + 1)[None, :] > 0) & (np.arange(NX + 1)[None, :] < NX),
        rng.uniform(-0.06, 0.06, (NY, NX + 1)),
        0,
    ) * CELL_LON
    corners = np.empty((NY * NX, 4, 2))
    rings: list[np.ndarray] = []
    for row in range(NY):
        for col in range(NX):
            sw, se = (lat[row, col], lon[row, col]), (lat[row, col + 1], lon[row, col + 1])
            ne, nw = (lat[row + 1, col + 1], lon[row + 1, col + 1]), (lat[row + 1, col], lon[row + 1, col])
            corners[row * NX + col] = (sw, se, ne, nw)
            ring = [
                sw,
                (h_lat[row, col], h_lon[row, col]),
                se,
                (v_lat[row, col + 1], v_lon[row, col + 1]),
                ne,
                (h_lat[row + 1, col], h_lon[row + 1, col]),
                nw,
                (v_lat[row, col], v_lon[row, col]),
            ]
            rings.append(np.array(ring))
    return corners, rings


def _centroids(rings: list[np.ndarray]) -> np.ndarray:
    """Polygon centroids (shoelace formula on lon/lat, fine at this scale)."""
    pts = np.stack(rings)  # (areas, 8, 2) lat, lon
    y, x = pts[:, :, 0], pts[:, :, 1]
    x1, y1 = np.roll(x, -1, axis=1), np.roll(y, -1, axis=1)
    cross = x * y1 - x1 * y
    area = cross.sum(axis=1) / 2
    cx = ((x + x1) * cross).sum(axis=1) / (6 * area)
    cy = ((y + y1) * cross).sum(axis=1) / (6 * area)
    return np.column_stack([cy, cx])


def _boundaries(
    rings: list[np.ndarray], areas: pd.DataFrame, wards: pd.DataFrame, localities: pd.DataFrame
) -> pd.DataFrame:
    """Small-area polygons (8-point rings, anticlockwise, closed), and wards and localities dissolved from
    them (neighbouring cells share their vertices exactly, so the unions are clean)."""
    cells = [shapely.Polygon(ring[:, ::-1]) for ring in rings]  # (lat, lon) -> (lon, lat)
    ward_of_area = areas["ward_code"].to_numpy()
    ward_shapes = [
        shapely.union_all([cells[i] for i in np.flatnonzero(ward_of_area == code)]) for code in wards["ward_code"]
    ]
    locality_of_ward = wards["locality_code"].to_numpy()
    locality_shapes = [
        shapely.union_all([ward_shapes[i] for i in np.flatnonzero(locality_of_ward == code)])
        for code in localities["locality_code"]
    ]
    levels = [
        ("SMALL_AREA", areas["area_code"], areas["area_name"], cells),
        ("WARD", wards["ward_code"], wards["ward_name"], ward_shapes),
        ("LOCALITY", localities["locality_code"], localities["locality_name"], locality_shapes),
    ]
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "level": level,
                    "area_code": codes.to_numpy(),
                    "area_name": names.to_numpy(),
                    "geometry": [geojson_text(shape) for shape in shapes],
                }
            )
            for level, codes, names, shapes in levels
        ],
        ignore_index=True,
    )


def _wards(rng: np.random.Generator) -> np.ndarray:
    """Assign grid cells to the nearest of 30 jittered ward seeds (6 x 5), so wards are contiguous."""
    sx, sy = NX / WARD_COLUMNS, NY / WARD_ROWS
    seed_col = (
        np.arange(WARD_COLUMNS)[None, :] + 0.5 + rng.uniform(-0.2, 0.2, (WARD_ROWS, WARD_COLUMNS))
    ) * sx
    seed_row = (np.arange(WARD_ROWS)[:, None] + 0.5 + rng.uniform(-0.2, 0.2, (WARD_ROWS, WARD_COLUMNS))) * sy
    seeds = np.column_stack([seed_row.ravel(), seed_col.ravel()])
    rows, cols = np.meshgrid(np.arange(NY) + 0.5, np.arange(NX) + 0.5, indexing="ij")
    cells = np.column_stack([rows.ravel(), cols.ravel()])
    dist = ((cells[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
    ward = dist.argmin(axis=1)
    for w in range(len(seeds)):  # a seed squeezed out by its neighbours takes the cell it sits in
        if not (ward == w).any():
            ward[int(seeds[w, 0]) * NX + int(seeds[w, 1])] = w
    return ward.reshape(NY, NX)


def _deprivation_table(rng: np.random.Generator, area_codes: np.ndarray, imd: np.ndarray) -> pd.DataFrame:
    """IoD 2025 style scores, national ranks and deciles; IDACI follows IMD with its own noise."""
    imd_rank = national_rank(imd, NATIONAL_IMD_MEDIAN)
    idaci = (
        NATIONAL_IDACI_MEDIAN * (imd / NATIONAL_IMD_MEDIAN) ** 0.95 * np.exp(rng.normal(0, 0.15, len(imd)))
    )
    idaci = np.clip(idaci, 0.004, 0.85).round(3)
    idaci_rank = national_rank(idaci, NATIONAL_IDACI_MEDIAN)
    return pd.DataFrame(
        {
            "area_code": area_codes,
            "iod_year": 2025,
            "imd_score": imd,
            "imd_rank": imd_rank.astype(int),
            "imd_decile": decile(imd_rank),
            "idaci_score": idaci,
            "idaci_rank": idaci_rank.astype(int),
            "idaci_decile": decile(idaci_rank),
        }
    )


def _population(rng: np.random.Generator, p: Partnership, dep_z: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Children by area, mid-year and single year of age: younger cohorts shrink slowly, as births fall."""
    n = len(dep_z)
    base = CHILDREN_PER_AREA * p.scale * np.exp(rng.normal(0, 0.22, n)) * (1 + 0.08 * np.clip(dep_z, -2, 2))
    ages = np.arange(18)
    growth = -0.015 + 0.023 * ages / 17
    trend = (1 + growth[None, :]) ** (years[:, None] - years.mean())  # (years, ages)
    noise = np.exp(rng.normal(0, 0.06, (n, len(years), 18)))
    return np.round(base[:, None, None] / 18 * trend[None, :, :] * noise).astype(int)


def _postcodes(
    rng: np.random.Generator,
    p: Partnership,
    area_ward: np.ndarray,
    area_locality: np.ndarray,
    ward_locality: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """QQ postcodes: one outward code per locality, a sector per ward, several units per small area."""
    per_area = 4 + rng.poisson(3, len(area_ward))
    codes: list[str] = []
    owners: list[int] = []
    for w in range(len(ward_locality)):
        locality = ward_locality[w]
        outward = f"QQ{((p.index - 1) * 5 + locality + 1) % 100}"
        sector = int((ward_locality[:w] == locality).sum())  # ward number within its locality (0-9)
        members = np.flatnonzero(area_ward == w)
        total = int(per_area[members].sum())
        units = rng.choice(len(INWARD_LETTERS) ** 2, size=total, replace=False)
        letters = INWARD_LETTERS[units // len(INWARD_LETTERS)].astype(object) + INWARD_LETTERS[
            units % len(INWARD_LETTERS)
        ].astype(object)
        codes.extend(f"{outward} {sector}{pair}" for pair in letters)
        owners.extend(np.repeat(members, per_area[members]).tolist())
    return np.array(codes, dtype=object), np.array(owners, dtype=np.int64)


def geography_tables(place: Place, p: Partnership) -> dict[str, pd.DataFrame]:
    """The geography tables: six templates, and the boundaries (written as GeoJSON)."""
    n_areas = len(place.areas)
    years = place.years
    population = pd.DataFrame(
        {
            "area_code": np.repeat(place.area_codes, len(years) * 18),
            "year": np.tile(np.repeat(years, 18), n_areas),
            "age": np.tile(np.arange(18), n_areas * len(years)),
            "population": place.population.ravel(),
        }
    )
    postcode_areas = pd.DataFrame(
        {"postcode": place.postcodes, "area_code": place.area_codes[place.postcode_area]}
    )
    return {
        "localities": place.localities,
        "wards": place.wards,
        "small_areas": place.areas,
        "boundaries": place.boundaries,
        "population": population,
        "deprivation": place.deprivation,
        "postcode_areas": postcode_areas.sort_values("postcode", kind="stable").reset_index(drop=True),
    }
