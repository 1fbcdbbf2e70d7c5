"""Boundaries from a GeoJSON FeatureCollection: small areas, wards and localities for maps.

Reads ONS Open Geography boundary downloads and the project's own files alike. Each feature is one row
of `boundaries`; its row number in the load report is the feature's position in the collection
(1 = the first feature), and a feature's own problems are reported as "feature N (code): ...".

Which geography a feature is, and its code and name, are told from its properties (names compared
ignoring case): the project's own `level`, `area_code`, `area_name`; else ONS `LSOAyyCD`/`LSOAyyNM`
(small area), `WDyyCD`/`WDyyNM` (ward), the partnership's `locality` (or `locality_code`) and
`locality_name`, or `LADyyCD`/`LADyyNM` (a local authority district, kept as a locality under its code,
as the area lookup does when a partnership has no localities of its own), in that order, any year (the
latest when a feature carries several). Other properties are not used.

Coordinates are WGS84 (RFC 7946) or British National Grid (EPSG:27700), told from the collection's `crs`
member or, without one, from their size (eastings and northings run to hundreds of thousands). Geometry is
repaired, simplified and given its centroid as `data_connectors.geometry` says.

The file as a whole must be JSON and a FeatureCollection, or nothing is loaded (one plain line says why).
A feature that is not a Feature, has no code, whose geometry is not a polygon, has no area, or lies
outside England is rejected with the reason; the other features load.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from data_connectors import schema
from data_connectors.formats.base import Bundle, Part, TableFormat
from data_connectors.readers import ROW_NUMBER, ROW_PROBLEM, SNIFF_BYTES, TEXT, UnusableFile, file_sha256

CHUNK_FEATURES = 2_000
BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
CRS_NAMES = ((re.compile(r"27700"), BNG), (re.compile(r"4326|CRS84|4258", re.IGNORECASE), WGS84))
COLUMNS = ("level", "area_code", "area_name", "geometry", "centroid_latitude", "centroid_longitude")
# (code property, level): the name property is the code's with NM for CD (or locality_name for locality)
ONS_CODES = (
    (re.compile(r"lsoa(\d{2})cd"), "SMALL_AREA"),
    (re.compile(r"wd(\d{2})cd"), "WARD"),
    (re.compile(r"locality(?:_code)?()"), "LOCALITY"),
    (re.compile(r"lad(\d{2})cd"), "LOCALITY"),
)
CODE_PREFIX_LEVEL = {"E01": "SMALL_AREA", "W01": "SMALL_AREA", "E05": "WARD", "W05": "WARD"}
LOOKED_FOR = "area_code, LSOAyyCD, WDyyCD, locality or LADyyCD"


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def identify(properties: dict[str, object]) -> tuple[str | None, str | None, str | None, str | None]:
    """(level, code, name, problem) from a feature's properties (keys already normalised)."""
    if "area_code" in properties:
        code = _text(properties["area_code"])
        level = _text(properties.get("level"))
        level = _key(level).upper() if level else CODE_PREFIX_LEVEL.get((code or "")[:3])
        if code is None:
            return level, None, None, "its area_code property is empty"
        if level is None:
            return None, code, None, "has area_code but no level property (small_area, ward or locality)"
        return level, code, _text(properties.get("area_name")), None
    for pattern, level in ONS_CODES:
        found = sorted((m.group(1), m.group(0)) for k in properties if (m := pattern.fullmatch(k)))
        if found:
            code_property = found[-1][1]
            name_property = (
                "locality_name"
                if level == "LOCALITY" and code_property.startswith("locality")
                else (code_property[:-2] + "nm")
            )
            code = _text(properties[code_property])
            if code is None:
                return level, None, None, f"its {code_property.upper()} property is empty"
            return level, code, _text(properties.get(name_property)), None
    return None, None, None, f"has no area code property (looked for {LOOKED_FOR})"


def _first_position(geometry: object) -> list | None:
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    while isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    if isinstance(coordinates, list) and all(isinstance(v, (int, float)) for v in coordinates[:2]):
        return coordinates if len(coordinates) >= 2 else None
    return None


def coordinate_system(path: Path, collection: dict, features: list) -> str:
    """BNG or WGS84: from the `crs` member when there is one, else from the size of the coordinates (most
    features decide; a feature in the other system then falls outside England and is rejected)."""
    member = collection.get("crs")
    if member is not None:
        name = json.dumps(member)
        for pattern, crs in CRS_NAMES:
            if pattern.search(name):
                return crs
        raise UnusableFile(
            path, f"has coordinates in {name[:120]}; give WGS84 (EPSG:4326) or British National Grid (EPSG:27700)"
        )
    projected = geographic = 0
    for feature in features:
        position = _first_position(feature.get("geometry") if isinstance(feature, dict) else None)
        if position is not None:
            if abs(position[0]) > 180 or abs(position[1]) > 90:
                projected += 1
            else:
                geographic += 1
    return BNG if projected > geographic else WGS84


def read_collection(path: Path) -> tuple[dict, list]:
    """The parsed FeatureCollection and its features; UnusableFile saying why not."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnusableFile(path, f"cannot be read ({error.strerror or error})") from None
    if not data.strip():
        raise UnusableFile(path, "is empty")
    try:
        collection = json.loads(data)
    except UnicodeDecodeError:
        raise UnusableFile(path, "is not UTF-8 text, so not GeoJSON") from None
    except json.JSONDecodeError as error:
        raise UnusableFile(path, f"is not JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    kind = collection.get("type") if isinstance(collection, dict) else type(collection).__name__
    if kind != "FeatureCollection":
        hint = "; convert TopoJSON to GeoJSON first" if kind == "Topology" else ""
        raise UnusableFile(path, f"is not a GeoJSON FeatureCollection (its type is {kind}){hint}")
    features = collection.get("features")
    if not isinstance(features, list):
        raise UnusableFile(path, "is a FeatureCollection without a list of features")
    return collection, features


def _row(number: int, feature: object, crs: str) -> dict[str, object]:
    from data_connectors.geometry import GeometryProblem, prepare

    row: dict[str, object] = dict.fromkeys(COLUMNS)
    row[ROW_NUMBER] = number
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        row[ROW_PROBLEM] = f"feature {number}: is not a GeoJSON Feature"
        return row
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        properties = {}
    level, code, name, problem = identify({_key(str(k)): v for k, v in properties.items()})
    row.update(level=level, area_code=code, area_name=name)
    where = f"feature {number}" + (f" ({code})" if code else "")
    if problem is not None:
        row[ROW_PROBLEM] = f"{where}: {problem}"
        return row
    try:
        boundary = prepare(feature.get("geometry"), crs)
    except GeometryProblem as reason:
        row[ROW_PROBLEM] = f"{where}: the geometry {reason}"
        return row
    row.update(
        geometry=boundary.geojson,
        centroid_latitude=repr(boundary.latitude),
        centroid_longitude=repr(boundary.longitude),
    )
    return row


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([r[name] for r in rows], dtype=TEXT) for name in COLUMNS})
    frame[ROW_NUMBER] = [r[ROW_NUMBER] for r in rows]
    frame[ROW_PROBLEM] = pd.Series([r.get(ROW_PROBLEM) for r in rows], dtype=object)
    return frame


def _chunks(path: Path) -> Iterator[pd.DataFrame]:
    collection, features = read_collection(path)
    crs = coordinate_system(path, collection, features)
    del collection
    for start in range(0, max(len(features), 1), CHUNK_FEATURES):
        piece = features[start : start + CHUNK_FEATURES]
        yield _frame([_row(start + offset, feature, crs) for offset, feature in enumerate(piece, start=1)])


def claims(target: str) -> bool:
    """A .geojson file, or a .json file whose first bytes mention a FeatureCollection."""
    if "://" in target:
        return False
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix == ".geojson":
        return True
    if suffix != ".json" or not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            return b"FeatureCollection" in handle.read(SNIFF_BYTES)
    except OSError:
        return False


def parts(target: str) -> list[Part]:
    """One part: the collection's features as rows of `boundaries`. The file is parsed here (so a file
    that is not a FeatureCollection stops the load before the store is touched) and again when loaded."""
    path = Path(target)
    if not path.exists():
        raise UnusableFile(path, "does not exist")
    collection, features = read_collection(path)
    coordinate_system(path, collection, features)
    count = len(features)
    del collection, features
    return [Part(str(path), path, BOUNDARIES, lambda: _chunks(path), max(count, 1), file_sha256(path))]


BOUNDARIES = TableFormat(
    name="boundaries_geojson",
    table=schema.boundaries,
    description="GeoJSON FeatureCollection of boundaries (ONS Open Geography or the project's own), WGS84 or "
    "British National Grid; each feature one row, its row number the feature's position (1 = first)",
    columns=(
        "area_code",
        "area_name",
        "level",
        "lsoayycd",
        "lsoayynm",
        "wdyycd",
        "wdyynm",
        "locality",
        "locality_name",
        "ladyycd",
        "ladyynm",
        "geometry",
    ),
    required=("geometry",),
    note="boundaries are simplified to 10 m for maps; row numbers in the report are feature numbers "
    "(1 = the first feature in the file)",
)

FORMATS: list[TableFormat] = []
BUNDLES = [
    Bundle(
        name="boundaries_geojson",
        description="GeoJSON boundaries (.geojson, or .json named directly): small areas, wards, localities",
        claims=claims,
        parts=parts,
        suffixes=(".geojson",),
        formats=(BOUNDARIES,),
    )
]
