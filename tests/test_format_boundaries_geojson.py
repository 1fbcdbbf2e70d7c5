"""GeoJSON boundaries load as rows of `boundaries`: level and code from ONS or the project's own properties,
British National Grid converted to WGS84, geometry repaired and simplified, centroids worked out, and every
feature either loaded or reported against its feature number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.pipeline import run_load
from tests.store_snapshot import snapshot, table_frame

BNG_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
# Ordnance Survey OSTN15 test point BLAC (Blackpool): its easting/northing and published ETRS89 position.
BLACKPOOL_EN = (331534.552, 431920.792)
BLACKPOOL_LAT_LON = (53.7791102569444, -3.04045490694444)


def square(x: float, y: float, half: float) -> dict:
    """A square Polygon centred on (x, y), anticlockwise."""
    ring = [[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def feature(properties: dict, geometry: object) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write(folder: Path, name: str, features: list, **members: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps({"type": "FeatureCollection", **members, "features": features}), encoding="utf-8")
    return path


def lsoa(code: str, name: str, geometry: dict) -> dict:
    """An ONS LSOA 2021 boundary feature, with the other properties ONS downloads carry."""
    return feature(
        {"FID": 1, "LSOA21CD": code, "LSOA21NM": name, "LSOA21NMW": "", "BNG_E": 0, "GlobalID": "x"}, geometry
    )


# Three small areas side by side (WGS84, 0.02 degrees square) in two wards (BNG), in one district.
SMALL_AREAS = [
    lsoa("E01990001", "Testshire 001A", square(-2.10, 53.10, 0.01)),
    lsoa("E01990002", "Testshire 001B", square(-2.08, 53.10, 0.01)),
    lsoa("E01990003", "Testshire 002A", square(-2.06, 53.10, 0.01)),
]


def test_ons_small_areas_in_wgs84_load_with_their_centroids(store_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "geo", "LSOA_2021_EW_BGC.geojson", SMALL_AREAS)

    result = run_load([path], store_url)

    outcome = result.files[0]
    assert (outcome.table, outcome.format) == ("boundaries", "boundaries_geojson")
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (3, 3, 0)
    frame = table_frame(store_url, schema.boundaries).set_index("area_code").sort_index()
    assert list(frame.index) == ["E01990001", "E01990002", "E01990003"]
    assert set(frame["level"]) == {"SMALL_AREA"}
    assert list(frame["area_name"]) == ["Testshire 001A", "Testshire 001B", "Testshire 002A"]
    first = frame.loc["E01990001"]
    # the square's centre; the centroid is taken on the National Grid, which bends a 2 km square by far less
    # than the 6 decimal places kept
    assert (first["centroid_latitude"], first["centroid_longitude"]) == (53.1, -2.1)
    shape = shapely.from_geojson(first["geometry"])
    assert shape.geom_type == "Polygon" and shape.is_valid and shape.exterior.is_ccw
    assert shape.bounds == (-2.11, 53.09, -2.09, 53.11)
    assert json.loads(first["geometry"]) == {
        "type": "Polygon",
        "coordinates": [[[-2.11, 53.11], [-2.11, 53.09], [-2.09, 53.09], [-2.09, 53.11], [-2.11, 53.11]]],
    }


def test_wards_on_the_national_grid_are_converted_to_wgs84(store_url: str, tmp_path: Path) -> None:
    east, north = BLACKPOOL_EN
    wards = [
        feature({"WD24CD": "E05990001", "WD24NM": "North Ward", "LAD24CD": "E06990001"}, square(east, north, 500)),
        feature({"WD24CD": "E05990002", "WD24NM": "South Ward"}, square(east, north - 1000, 500)),
    ]
    path = write(tmp_path / "geo", "wards.geojson", wards, crs=BNG_CRS)

    result = run_load([path], store_url)

    assert (result.files[0].rows_read, result.files[0].rows_loaded) == (2, 2)
    frame = table_frame(store_url, schema.boundaries).set_index("area_code")
    assert set(frame["level"]) == {"WARD"}  # the ward code wins over the district code it also carries
    north_ward = frame.loc["E05990001"]
    assert north_ward["area_name"] == "North Ward"
    # the square's centre is BLAC itself: its WGS84 position by pyproj (the published Helmert transformation),
    # which is within about 2 m of Ordnance Survey's own ETRS89 figure for BLAC
    expected_lon, expected_lat = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(east, north)
    assert north_ward["centroid_latitude"] == pytest.approx(expected_lat, abs=1e-6)
    assert north_ward["centroid_longitude"] == pytest.approx(expected_lon, abs=1e-6)
    assert (round(expected_lat, 4), round(expected_lon, 4)) == (53.7791, -3.0405)
    assert north_ward["centroid_latitude"] == pytest.approx(BLACKPOOL_LAT_LON[0], abs=5e-5)
    assert north_ward["centroid_longitude"] == pytest.approx(BLACKPOOL_LAT_LON[1], abs=5e-5)
    shape = shapely.from_geojson(north_ward["geometry"])
    west, south, far_east, far_north = shape.bounds
    assert -3.05 < west < far_east < -3.03 and 53.77 < south < far_north < 53.79  # degrees, not metres
    assert shape.is_valid and len(shape.exterior.coords) == 5


def test_grid_coordinates_are_recognised_without_a_crs_member(store_url: str, tmp_path: Path) -> None:
    district = feature({"LAD24CD": "E06990001", "LAD24NM": "Testshire"}, square(*BLACKPOOL_EN, 2000))
    path = write(tmp_path / "geo", "lad.geojson", [district])

    run_load([path], store_url)

    row = table_frame(store_url, schema.boundaries).iloc[0]
    assert (row["level"], row["area_code"], row["area_name"]) == ("LOCALITY", "E06990001", "Testshire")
    assert row["centroid_latitude"] == pytest.approx(53.7791, abs=1e-4)


def test_the_projects_own_properties_and_a_json_file_named_directly(store_url: str, tmp_path: Path) -> None:
    features = [
        feature({"level": "locality", "area_code": "NORTH", "area_name": "North"}, square(-2.08, 53.10, 0.03)),
        feature({"level": "Small area", "area_code": "E01990001"}, square(-2.10, 53.10, 0.01)),
        feature({"area_code": "E05990001", "area_name": "Ward One"}, square(-2.09, 53.10, 0.02)),  # E05: a ward
    ]
    path = write(tmp_path / "geo", "partnership-boundaries.json", features)

    result = run_load([path], store_url)

    assert (result.files[0].rows_loaded, result.files[0].rows_rejected) == (3, 0)
    frame = table_frame(store_url, schema.boundaries)
    rows = sorted(zip(frame["level"], frame["area_code"], frame["area_name"].fillna(""), strict=True))
    assert rows == [("LOCALITY", "NORTH", "North"), ("SMALL_AREA", "E01990001", ""), ("WARD", "E05990001", "Ward One")]


def test_boundaries_are_simplified_to_ten_metres_and_repaired(store_url: str, tmp_path: Path) -> None:
    east, north = BLACKPOOL_EN
    # a 500 m square with a point 3 m off its south edge (dropped) and one 30 m off its north edge (kept)
    ring = [
        [east, north],
        [east + 250, north - 3],
        [east + 500, north],
        [east + 500, north + 500],
        [east + 250, north + 530],
        [east, north + 500],
        [east, north],
    ]
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[-2.1, 53.1], [-2.08, 53.12], [-2.08, 53.1], [-2.1, 53.12], [-2.1, 53.1]]],
    }
    features = [
        feature({"WD24CD": "E05990001", "WD24NM": "Bent"}, {"type": "Polygon", "coordinates": [ring]}),
        feature({"WD24CD": "E05990002", "WD24NM": "Crossed"}, bow_tie),
    ]
    # one file on the grid (its crs named the short way), one in degrees
    path = write(
        tmp_path / "geo", "bent.geojson", features[:1], crs={"type": "name", "properties": {"name": "EPSG:27700"}}
    )
    crossed = write(tmp_path / "geo", "crossed.geojson", features[1:])

    result = run_load([path, crossed], store_url)

    assert sum(f.rows_rejected for f in result.files) == 0
    frame = table_frame(store_url, schema.boundaries).set_index("area_code")
    bent = shapely.from_geojson(frame.loc["E05990001", "geometry"])
    assert len(bent.exterior.coords) == 6  # four corners, the northern point, the closing point
    tie = shapely.from_geojson(frame.loc["E05990002", "geometry"])
    assert tie.geom_type == "MultiPolygon" and tie.is_valid and len(tie.geoms) == 2
    assert tie.area == pytest.approx(0.0002)  # two triangles, each a quarter of the 0.02-degree square
    assert (frame.loc["E05990002", "centroid_latitude"], frame.loc["E05990002", "centroid_longitude"]) == (
        pytest.approx(53.11, abs=1e-4),
        pytest.approx(-2.09, abs=1e-4),
    )


def test_broken_features_are_rejected_with_their_feature_number(store_url: str, tmp_path: Path) -> None:
    features = [
        SMALL_AREAS[0],
        feature({"NAME": "No code here"}, square(-2.1, 53.1, 0.01)),
        lsoa("E01990003", "A point", {"type": "Point", "coordinates": [-2.1, 53.1]}),
        lsoa(
            "E01990004",
            "A line",
            {"type": "Polygon", "coordinates": [[[-2.1, 53.1], [-2.09, 53.11], [-2.08, 53.12], [-2.1, 53.1]]]},
        ),
        lsoa("E01990005", "Swapped", square(53.1, -2.1, 0.01)),
        "not a feature",
        lsoa("E01990001", "Testshire 001A again", square(-2.1, 53.1, 0.01)),
        feature({"level": "county", "area_code": "E10000001"}, square(-2.1, 53.1, 0.01)),
        lsoa("E01990008", "Short ring", {"type": "Polygon", "coordinates": [[[-2.1, 53.1], [-2.09, 53.1]]]}),
        lsoa("", "Empty code", square(-2.1, 53.1, 0.01)),
    ]
    path = write(tmp_path / "geo", "broken.geojson", features)

    result = run_load([path], store_url)

    outcome = result.files[0]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (10, 1, 9)
    lines = result.rejections[["file", "__row_number", "field", "reason"]].values.tolist()
    assert [line[0] for line in lines] == [str(path)] * 9
    by_row = {row: (field, reason) for _, row, field, reason in lines}
    assert by_row[2] == (
        "(row)",
        "feature 2: has no area code property (looked for area_code, LSOAyyCD, WDyyCD, locality or LADyyCD)",
    )
    assert by_row[3] == ("(row)", "feature 3 (E01990003): the geometry is a Point, not a Polygon or MultiPolygon")
    assert by_row[4] == (
        "(row)",
        "feature 4 (E01990004): the geometry has no area (its rings collapse to lines or points)",
    )
    assert by_row[5][1].startswith("feature 5 (E01990005): the geometry lies outside England (longitude 53.0900")
    assert by_row[5][1].endswith(
        "are the coordinates WGS84 longitude, latitude or British National Grid easting, northing?"
    )
    assert by_row[6] == ("(row)", "feature 6: is not a GeoJSON Feature")
    assert by_row[7] == ("level+area_code", "duplicate key: the same level, area_code as row 1")
    assert by_row[8] == ("level", "is not a code in the boundary_level list")
    assert by_row[9][1].startswith("feature 9 (E01990008): the geometry has coordinates that do not make a Polygon")
    assert by_row[10] == ("(row)", "feature 10: its LSOA21CD property is empty")
    assert list(table_frame(store_url, schema.boundaries)["area_code"]) == ["E01990001"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("LSOA21CD,LSOA21NM\nE01990001,x\n", "is not JSON (Expecting value at line 1, column 1)"),
        (
            '{"type": "Feature", "properties": {}, "geometry": null}',
            "is not a GeoJSON FeatureCollection (its type is Feature)",
        ),
        (
            '{"type": "Topology", "objects": {}}',
            "is not a GeoJSON FeatureCollection (its type is Topology); convert TopoJSON to GeoJSON first",
        ),
        ('{"type": "FeatureCollection", "features": {}}', "is a FeatureCollection without a list of features"),
        ('{"type": "FeatureCollection", "features": [', "is not JSON (Expecting value at line 1, column 44)"),
        (
            '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}, '
            '"features": []}',
            'has coordinates in {"type": "name", "properties": {"name": "EPSG:3857"}}; give WGS84 (EPSG:4326) or '
            "British National Grid (EPSG:27700)",
        ),
        ("", "is empty"),
    ],
)
def test_a_file_that_is_not_a_feature_collection_stops_the_load(
    store_url: str, tmp_path: Path, capsys, content: str, problem: str
) -> None:
    good = write(tmp_path / "geo", "good.geojson", SMALL_AREAS)
    run_load([good], store_url)
    before = snapshot(store_url)
    path = tmp_path / "geo" / "broken.geojson"
    path.write_text(content, encoding="utf-8")

    assert main(["load", str(tmp_path / "geo"), "--store", store_url]) == 2

    assert capsys.readouterr().err.strip() == f"{path}: {problem}"
    assert snapshot(store_url) == before


def test_a_folder_scan_picks_up_geojson_and_a_reload_changes_nothing(store_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "geo"
    write(folder, "small_areas.geojson", SMALL_AREAS)
    (folder / "notes.json").write_text('{"about": "not picked up by a folder scan"}', encoding="utf-8")

    first = run_load([folder], store_url)
    before = snapshot(store_url)
    second = run_load([folder], store_url)

    assert [f.table for f in first.files] == ["boundaries"]
    assert second.files[0].unchanged_since_load == first.load_id
    assert snapshot(store_url) == before


def test_the_formats_command_lists_the_geojson_bundle(capsys) -> None:
    assert main(["formats"]) == 0
    out = capsys.readouterr().out
    assert "boundaries_geojson: GeoJSON boundaries" in out
    assert "    boundaries_geojson -> boundaries: " in out
