"""The geography metrics behind the map and school pages, against hand-worked answers and brute force,
on DuckDB and PostgreSQL: radius counts (BallTree, haversine), hexagon counts made in the store,
whole-period values and similar schools."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from dashboard.metrics.comparison import period_total
from dashboard.metrics.compute import Filters, compute
from dashboard.metrics.maps import area_values, hexagon_geometry, incident_hexagons, over_period
from dashboard.metrics.near_schools import incidents_near_school
from dashboard.metrics.radius import EARTH_RADIUS_M, within_radius
from dashboard.metrics.school_profile import similar_schools, size_band
from dashboard.shell.geo import hexagon_width
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.geo_world import ALDER, CEDAR, ELM, geo_rows, write_geo_world
from tests.stores import TEST_KEY, new_store_url

ALL_DATA = Filters(start=dt.date(2024, 1, 3), end=dt.date(2024, 6, 20))


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The geography world on each kind of store: the hexagon arithmetic runs as SQL on both."""
    folder = tmp_path_factory.mktemp("geo-metrics")
    url = new_store_url(request.param, folder, request)
    run_load([write_geo_world(folder / "world")], url, key=TEST_KEY)
    return make_engine(url)


def test_within_radius_by_great_circle_distance() -> None:
    metres_per_degree = math.pi * EARTH_RADIUS_M / 180  # 111,195 m of latitude
    north = [0.004, 0.0044, 0.0046, 0.01]  # 444.8 m, 489.3 m, 511.5 m, 1,112 m north of the school
    points = np.array([[53.0 + d, -2.0] for d in north] + [[53.0, -2.0 + 0.0074]])  # 495.3 m east
    assert [round(d * metres_per_degree, 1) for d in north[:3]] == [444.8, 489.3, 511.5]
    assert within_radius(points, 53.0, -2.0, 500).tolist() == [0, 1, 4]
    assert within_radius(points, 53.0, -2.0, 1200).tolist() == [0, 1, 2, 3, 4]
    assert within_radius(np.empty((0, 2)), 53.0, -2.0, 500).tolist() == []


def test_incidents_near_a_school_month_by_month(engine) -> None:
    series = incidents_near_school(engine, ALDER, ALL_DATA)
    assert series["period"].tolist() == ["Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024", "May 2024", "Jun 2024"]
    assert series["numerator"].tolist() == [6, 5, 7, 2, 8, 12]
    assert series.attrs["snapped"] is False
    assert incidents_near_school(engine, ALDER, ALL_DATA, radius=1000)["numerator"].tolist()[2] == 10
    assert incidents_near_school(engine, ALDER, ALL_DATA, kind="hate_crime")["numerator"].tolist() == [0] * 5 + [6]
    near_cedar = incidents_near_school(engine, CEDAR, ALL_DATA, kind="hate_crime")
    assert near_cedar["numerator"].tolist() == [0, 2, 0, 0, 0, 0] and near_cedar.attrs["snapped"] is True
    assert incidents_near_school(engine, ELM, ALL_DATA)["numerator"].sum() == 0  # the burglaries are 201 m too far
    with pytest.raises(KeyError, match="unknown kind"):
        incidents_near_school(engine, ALDER, ALL_DATA, kind="nonsense")


def _nearest_hexagon(longitude: float, latitude: float, width: float, reference: float) -> tuple[int, int]:
    """Brute force: the hexagon centre nearest the point, among the centres of nearby rows and columns."""
    size, _, per_lon, per_lat = hexagon_geometry(width, reference)
    x, y = longitude * per_lon, latitude * per_lat
    row0 = round(y / (1.5 * size))
    best = None
    for row in range(row0 - 2, row0 + 3):
        col0 = round(x / width - 0.5 * (row % 2))
        for col in range(col0 - 2, col0 + 3):
            cx, cy = width * (col + 0.5 * (row % 2)), 1.5 * size * row
            distance = (x - cx) ** 2 + (y - cy) ** 2
            if best is None or distance < best[0]:
                best = (distance, (col, row))
    return best[1]


@pytest.mark.parametrize("width", [250.0, 500.0, 2000.0])
def test_hexagons_counted_in_the_store_match_brute_force(engine, width: float) -> None:
    found = incident_hexagons(engine, Filters(), "all", width, 53.0, threshold=1)
    expected: dict[tuple[int, int], int] = {}
    for row in geo_rows()["police_incidents"]:
        key = _nearest_hexagon(float(row["longitude"]), float(row["latitude"]), width, 53.0)
        expected[key] = expected.get(key, 0) + 1
    assert dict(zip(zip(found["col"], found["row"], strict=True), found["incidents"], strict=True)) == expected
    assert found["incidents"].sum() == 50
    # every hexagon is a regular hexagon `width` metres across its flat sides
    size, _, per_lon, per_lat = hexagon_geometry(width, 53.0)
    corners = np.array(found["polygon"].iloc[0]) * [per_lon, per_lat]
    assert np.linalg.norm(corners[0] - corners[3]) == pytest.approx(2 * size, rel=1e-3)  # corners to 6 decimals
    assert np.linalg.norm(corners[0] - corners[2]) == pytest.approx(width, rel=1e-3)


def test_hexagons_below_the_threshold_never_leave_the_store(engine) -> None:
    assert sorted(incident_hexagons(engine, ALL_DATA, "all", 500.0, 53.0, threshold=5)["incidents"]) == [5, 39]
    # below 5: the two police.uk hate crimes near Cedar; the incident 468 m east of Alder with the three
    # burglaries 669 m east, which share a hexagon
    assert sorted(incident_hexagons(engine, ALL_DATA, "all", 500.0, 53.0, threshold=1)["incidents"]) == [2, 4, 5, 39]
    assert incident_hexagons(engine, ALL_DATA, "cse_concern", 500.0, 53.0).empty


def test_a_whole_period_value_is_the_board_overview_tiles_value(engine) -> None:
    for metric_id, referrals in (("referral_rate_per_10k", 31), ("referral_nfa_rate", 13)):
        monthly = compute(engine, metric_id, ALL_DATA)
        whole = over_period(monthly)
        tile = period_total(monthly).iloc[0]
        assert whole["value"].iloc[0] == pytest.approx(tile["value"])
        assert whole["numerator"].iloc[0] == tile["numerator"] == referrals
        assert whole["period"].iloc[0] == "Jan 2024 to Jun 2024"
    by_area = area_values(engine, "referral_rate_per_10k", ALL_DATA, "area").set_index("area")
    assert by_area["numerator"].tolist() == [12, 3, 8, 6, 2]
    assert by_area["value"].tolist() == pytest.approx([240.0, 60.0, 160.0, 120.0, 40.0])


def test_similar_schools_widen_step_by_step() -> None:
    schools = pd.DataFrame(
        {
            "urn": ["1", "2", "3", "4", "5"],
            "name": ["A", "B", "C", "D", "E"],
            "phase": ["PRIMARY"] * 5,
            "phase_name": ["Primary"] * 5,
            "pupils": [300, 310, 900, 320, 330],
            "imd_decile": [2, 3, 2, 5, 9],
        }
    )
    assert similar_schools(schools, "1", minimum=1)[0]["urn"].tolist() == ["1", "2"]
    peers, text = similar_schools(schools, "1", minimum=2)
    assert peers["urn"].tolist() == ["1", "2", "3"] and "any size" in text  # decile within two finds only B
    peers, text = similar_schools(schools, "1", minimum=4)
    assert peers["urn"].tolist() == ["1", "2", "3", "4", "5"] and text.endswith("(too few closer).")
    assert [size_band(p) for p in (None, 199, 200, 1499, 1500)] == [
        "size not known",
        "under 200 pupils",
        "200-399",
        "800-1,499",
        "1,500 pupils or more",
    ]


def test_hexagons_grow_with_the_area_shown() -> None:
    def square(kilometres: float) -> pd.DataFrame:
        east = kilometres * 1000 / (111_320 * math.cos(math.radians(53)))
        ring = [[0.0, 53.0], [east, 53.0], [east, 53.1], [0.0, 53.1], [0.0, 53.0]]
        return pd.DataFrame({"polygons": [[[ring]]], "centroid_latitude": [53.05]})

    assert hexagon_width(500, square(8)) == 500  # a locality: 16 hexagons across
    assert hexagon_width(250, square(20)) == 500  # 80 of 250 m would be too many
    assert hexagon_width(500, square(70)) == 2000  # a region: 35 across
    assert hexagon_width(1000, square(1000)) == 5000  # the largest there is
