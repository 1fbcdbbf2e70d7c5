"""The demo generator: source files in the layouts their connectors read, determinism, integrity, valid
codes, national anchors and the planted signals (local tier, generated once for the module).

Tables are checked as the connectors hand them to validation: every written file is planned for loading
and read through the format detected for it (the GIAS grid reference becomes latitude and longitude, the
ONS wide rows become one row per age, police.uk months become dates), so what is checked is what loads."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.demo import MANIFEST_NAME, partnerships_for, write_demo
from data_connectors.demo.area_files import IOD_FILE, LOOKUP_FILE, population_file
from data_connectors.demo.cin_files import CENSUS_FORMATS, CENSUS_ONLY_TABLES
from data_connectors.demo.geography import build_place
from data_connectors.demo.gias_file import grid_reference
from data_connectors.demo.names import partnership_names
from data_connectors.demo.output import GEOJSON_TABLES, Appender, file_name
from data_connectors.demo.police_uk_files import STREET_TYPES, force_name
from data_connectors.demo.sources import NATIONAL_FORMATS
from data_connectors.formats.gias import GIAS_HEADER
from data_connectors.formats.ons_population import HEADER as POPULATION_HEADER
from data_connectors.formats.police_uk import HEADER as POLICE_UK_HEADER
from data_connectors.pipeline import plan_load
from data_connectors.readers import ROW_NUMBER, ROW_PROBLEM

POSTCODE = re.compile(r"^QQ[0-9][0-9]? [0-9][A-Z]{2}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
METRES_PER_DEGREE = 111_195.0
PLANNED_DATES = {"actions.due_date", "priorities.end_date"}  # may lie after the extract
CSV_TABLES = [table for table in schema.data_tables() if table.name not in GEOJSON_TABLES]
GIAS_FILE = "edubasealldata20261031.csv"
STREET_FILE = "police-uk/2024-05/2024-05-{force}-street.csv"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[tuple[str, float]]]:
    out = tmp_path_factory.mktemp("demo-local")
    steps: list[tuple[str, float]] = []
    manifest = write_demo(out, progress=lambda label, done: steps.append((label, done)))
    return out, manifest, steps


@pytest.fixture(scope="module")
def folder(demo: tuple[Path, dict, list]) -> Path:
    return demo[0]


@pytest.fixture(scope="module")
def manifest(demo: tuple[Path, dict, list]) -> dict:
    return demo[1]


def _features(folder: Path) -> list[dict]:
    collection = json.loads((folder / file_name("boundaries")).read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection  # RFC 7946: WGS84
    return collection["features"]


@pytest.fixture(scope="module")
def loaded_view(folder: Path) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Every table as its connector hands it to validation (template columns, text, "" for missing), read
    from the files through the formats the load detects for them; and one row per part read (file, format,
    table, rows read as the load report counts them)."""
    frames: dict[str, list[pd.DataFrame]] = defaultdict(list)
    parts = []
    for item in plan_load([folder]):
        rows = 0
        for chunk in item.part.chunks():
            rows += chunk[ROW_NUMBER].nunique()
            frame = item.format.to_template(chunk, item.part.shared)
            assert frame[ROW_PROBLEM].isna().all(), item.label
            frames[item.table.name].append(frame.drop(columns=[ROW_NUMBER, ROW_PROBLEM]))
        parts.append((Path(item.path).relative_to(folder).as_posix(), item.format.name, item.table.name, rows))
    tables = {name: _as_stored(schema.table_by_name(name), chunks) for name, chunks in frames.items()}
    return tables, pd.DataFrame(parts, columns=["file", "format", "table", "rows"])


def _as_stored(table, chunks: list[pd.DataFrame]) -> pd.DataFrame:
    """A table's rows as the store will hold them: the rows of a merged table that several sources give
    (census returns and the templates) become one, each column the value the sources give; the sources must
    never disagree. The census writes booleans as true and false, the templates as Y and N."""
    frame = pd.concat(chunks, ignore_index=True).astype("string")
    if schema.is_merged(table):
        frame = frame.mask(frame == "")  # a template's empty cell, a census's missing element
        for column in schema.content_columns(table):
            if isinstance(column.type, sa.Boolean):
                frame[column.name] = frame[column.name].replace({"true": "Y", "false": "N"})
        keys = [c.info.get("template_name", c.name) for c in table.primary_key.columns]
        for name in frame.columns.difference(keys):
            given = frame.dropna(subset=[name])
            disagree = given.groupby(keys)[name].nunique() > 1
            assert not disagree.any(), f"{table.name}.{name}: sources disagree for {disagree.sum()} rows"
        frame = frame.groupby(keys, sort=False, as_index=False).first()[schema.template_columns(table)]
    return frame.fillna("").astype(object)


@pytest.fixture(scope="module")
def t(loaded_view: tuple[dict[str, pd.DataFrame], pd.DataFrame], folder: Path) -> dict[str, pd.DataFrame]:
    """Every table as a loader sees it; boundaries as their features' properties, with the geometry parsed."""
    tables = {
        table.name: loaded_view[0].get(table.name, pd.DataFrame(columns=schema.template_columns(table)))
        for table in CSV_TABLES
    }
    features = _features(folder)
    tables["boundaries"] = pd.DataFrame(
        [{**feature["properties"], "geometry": feature["geometry"]} for feature in features]
    )
    return tables


@pytest.fixture(scope="module")
def parts(loaded_view: tuple[dict[str, pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    return loaded_view[1]


def _raw_header(path: Path, encoding: str = "utf-8") -> list[str]:
    with path.open(encoding=encoding, newline="") as handle:
        return next(csv.reader(handle))


def _force(seed: int = 7) -> str:
    return force_name(partnerships_for("local", seed, date(2026, 10, 31))[0]).lower()


@pytest.fixture(scope="module")
def signals(manifest: dict) -> dict[str, dict]:
    return {name: detail["where"][0] for name, detail in manifest["planted_signals"].items()}


@pytest.fixture(scope="module")
def child_locality(t: dict[str, pd.DataFrame]) -> pd.Series:
    """Each child's locality, from the home postcode (via the lookup) or the home area given directly."""
    children = t["children"]
    lookup = t["postcode_areas"].set_index("postcode")["area_code"]
    area = children["home_area_code"].where(children["home_area_code"] != "", children["home_postcode"].map(lookup))
    ward = area.map(t["small_areas"].set_index("area_code")["ward_code"])
    locality = ward.map(t["wards"].set_index("ward_code")["locality_code"])
    return pd.Series(locality.to_numpy(), index=children["child_id"])


@pytest.fixture(scope="module")
def factors(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per completed assessment, one boolean column per factor code."""
    done = t["assessments"].loc[t["assessments"]["authorised_date"] != "", ["assessment_id", "child_id"]]
    wide = pd.crosstab(t["assessment_factors"]["assessment_id"], t["assessment_factors"]["factor_code"]) > 0
    return done.set_index("assessment_id").join(wide, how="left").fillna(False)


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.where(values != ""), format="%Y-%m-%d")


def _referrals(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Referrals with a re-referral flag: a previous referral of the same child within 365 days."""
    ref = t["referrals"].copy()
    ref["date"] = _dates(ref["referral_date"])
    ref = ref.sort_values(["child_id", "date"])
    gap = (ref["date"] - ref.groupby("child_id")["date"].shift()).dt.days
    ref["rereferral"] = gap <= 365
    return ref


def _distance_m(lat: pd.Series, lon: pd.Series, lat0: float, lon0: float) -> np.ndarray:
    """Haversine distance in metres."""
    p1, p2 = np.radians(lat.astype(float)), np.radians(lat0)
    dlat, dlon = p2 - p1, np.radians(lon0 - lon.astype(float))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * 6_371_000 * np.arcsin(np.sqrt(a))


def _rings(boundaries: pd.DataFrame, level: str = "SMALL_AREA") -> dict[str, np.ndarray]:
    """Exterior ring of each boundary of a level, as (lon, lat) rows (small areas and wards are single polygons)."""
    chosen = boundaries[boundaries["level"] == level]
    return {
        code: np.array(geometry["coordinates"][0])
        for code, geometry in zip(chosen["area_code"], chosen["geometry"], strict=True)
    }


def _inside(lon: np.ndarray, lat: np.ndarray, rings: np.ndarray) -> np.ndarray:
    """Ray casting, vectorised: point k against polygon ring k (rings: points x vertices x 2, closed)."""
    x1, y1 = rings[:, :-1, 0], rings[:, :-1, 1]
    x2, y2 = rings[:, 1:, 0], rings[:, 1:, 1]
    px, py = lon[:, None], lat[:, None]
    crosses = ((y1 > py) != (y2 > py)) & (px < (x2 - x1) * (py - y1) / np.where(y2 == y1, 1e-12, y2 - y1) + x1)
    return crosses.sum(axis=1) % 2 == 1


# --- Files, manifest, determinism ------------------------------------------------------------------


def test_each_table_is_written_in_the_layout_its_connector_reads(folder: Path, parts: pd.DataFrame) -> None:
    formats = parts.groupby("table")["format"].agg(set).to_dict()
    expected = {table.name: {NATIONAL_FORMATS.get(table.name, table.name)} for table in schema.data_tables()}
    for name, census_format in CENSUS_FORMATS.items():  # the census returns, and the templates for the rest
        expected[name] = {census_format} | (set() if name in CENSUS_ONLY_TABLES else {name})
    expected["boundaries"] = {"boundaries_geojson"}
    expected["police_incidents"] = {"police_incidents", "police_uk_street"}
    assert formats == expected
    own = parts[parts["format"] == parts["table"]]
    for file, table in zip(own["file"], own["table"], strict=True):
        assert file == f"{table}.csv"
        assert _raw_header(folder / file) == schema.template_columns(schema.table_by_name(table)), table
    national = parts[parts["format"] != parts["table"]].groupby("format")["file"].agg(sorted).to_dict()
    assert national["cin_details"] == national["cin_child"] == ["cin_census.xml"]
    assert national["gias"] == [GIAS_FILE]
    assert national["area_lookup_small_areas"] == [LOOKUP_FILE]
    assert national["iod2025_file7"] == [IOD_FILE]
    assert national["ons_lsoa_population"] == [population_file(year) for year in range(2021, 2027)]
    months = pd.period_range("2021-11", "2026-10", freq="M").astype(str)
    assert national["police_uk_street"] == [f"police-uk/{m}/{m}-{_force()}-street.csv" for m in months]


def test_national_files_have_their_publishers_headers_and_encodings(folder: Path) -> None:
    from data_connectors.formats.deprivation_iod import EDITIONS, INDEX_HEADER

    gias = (folder / GIAS_FILE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gias.decode("utf-8")  # Windows-1252, as GIAS writes it: the typographic apostrophe is byte 0x92
    assert re.search(rb"St [A-Za-z]+\x92s (C of E|Catholic) Primary School", gias)
    assert _raw_header(folder / GIAS_FILE, "cp1252") == list(GIAS_HEADER)
    assert (folder / LOOKUP_FILE).read_bytes().startswith(b"\xef\xbb\xbfLSOA21CD,LSOA21NM,WD24CD,WD24NM,LAD24CD")
    assert _raw_header(folder / LOOKUP_FILE, "utf-8-sig") == [
        "LSOA21CD",
        "LSOA21NM",
        "WD24CD",
        "WD24NM",
        "LAD24CD",
        "LAD24NM",
        "locality",
        "locality_name",
    ]
    assert _raw_header(folder / population_file(2024)) == list(POPULATION_HEADER)
    edition = EDITIONS[2025]
    assert _raw_header(folder / IOD_FILE) == [
        *edition["areas"],
        *edition["districts"],
        *INDEX_HEADER,
        *edition["denominators"],
    ]
    street = folder / STREET_FILE.format(force=_force())
    assert _raw_header(street) == list(POLICE_UK_HEADER) and len(POLICE_UK_HEADER) == 12


def test_national_files_agree_with_each_other(folder: Path, t: dict[str, pd.DataFrame], signals: dict) -> None:
    """GIAS grid references convert to the positions the signals were planted around; IoD's mid-2022
    denominators are the ONS mid-2022 file's; ONS totals include adults; GIAS wards are the lookup's."""
    gias = pd.read_csv(folder / GIAS_FILE, encoding="cp1252", dtype=str, keep_default_na=False).set_index("URN")
    schools = t["schools"].set_index("urn")
    easting, northing = grid_reference(schools["latitude"].astype(float), schools["longitude"].astype(float))
    assert (easting == gias.loc[schools.index, "Easting"].astype(int).to_numpy()).all()
    assert (northing == gias.loc[schools.index, "Northing"].astype(int).to_numpy()).all()
    for name in ("cse_near_school", "hate_crime_near_school"):
        school = schools.loc[signals[name]["school_urn"]]
        assert abs(float(school["latitude"]) - signals[name]["latitude"]) < 1e-6
        assert abs(float(school["longitude"]) - signals[name]["longitude"]) < 1e-6
    lookup = pd.read_csv(folder / LOOKUP_FILE, encoding="utf-8-sig", dtype=str).set_index("LSOA21CD")
    assert (gias["AdministrativeWard (code)"].to_numpy() == lookup.loc[gias["LSOA (code)"], "WD24CD"].to_numpy()).all()
    iod = pd.read_csv(folder / IOD_FILE, dtype=str).set_index("LSOA code (2021)")
    ons = pd.read_csv(folder / population_file(2022), dtype=str).set_index("LSOA 2021 Code")
    children = sum(ons[f"{sex}{age}"].astype(int) for sex in "FM" for age in range(16))
    assert (iod.loc[ons.index, "Dependent Children aged 0-15: mid 2022"].astype(int) == children).all()
    assert (iod.loc[ons.index, "Total population: mid 2022"].astype(int) == ons["Total"].astype(int)).all()
    assert 1_000 < ons["Total"].astype(int).median() < 2_500  # a real small area's size, adults included


def test_manifest_describes_the_demo(
    folder: Path, manifest: dict, demo: tuple, t: dict[str, pd.DataFrame], parts: pd.DataFrame
) -> None:
    on_disk = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest["synthetic"] is True
    assert (manifest["tier"], manifest["seed"]) == ("local", 7)
    assert (manifest["period_from"], manifest["period_to"]) == ("2021-11-01", "2026-10-31")
    assert len(manifest["partnerships"]) == 1
    assert set(manifest["planted_signals"]) == {
        "cse_near_school",
        "hate_crime_near_school",
        "self_harm_parental_mental_health",
        "neglect_and_deprivation",
        "gp_referrals_nfa",
        "rereferral_step_change",
    }
    assert manifest["planted_signals"]["gp_referrals_nfa"]["where"][0]["source_code"] == "3A"
    assert manifest["rows"] == {name: len(frame) for name, frame in t.items()}  # what the store will hold
    read = parts.groupby(["format", "table"], sort=False).agg(files=("file", "nunique"), rows=("rows", "sum"))
    assert {(s["format"], s["table"]): (s["files"], s["rows"]) for s in manifest["sources"]} == {
        key: (int(row.files), int(row.rows)) for key, row in read.iterrows()
    }
    assert manifest["rows"]["boundaries"] == len(_features(folder)) == 196 + 30 + 5
    fractions = [done for _, done in demo[2]]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 5


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(folder: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    other = tmp_path / "other"
    write_demo(again, seed=7)
    write_demo(other, seed=8)
    street = STREET_FILE.format(force=_force())
    for name in (
        "referrals.csv",
        "cin_census.xml",
        "police_incidents.csv",
        "boundaries.geojson",
        "children.csv",
        LOOKUP_FILE,
        GIAS_FILE,
        IOD_FILE,
        population_file(2024),
        street,
        MANIFEST_NAME,
    ):
        assert (again / name).read_bytes() == (folder / name).read_bytes(), name
    for name, other_name in (
        ("referrals.csv", "referrals.csv"),
        ("police_incidents.csv", "police_incidents.csv"),
        ("children.csv", "children.csv"),
        (GIAS_FILE, GIAS_FILE),
        (population_file(2024), population_file(2024)),
        (street, STREET_FILE.format(force=_force(8))),
    ):
        assert (other / other_name).read_bytes() != (folder / name).read_bytes(), name


# --- Integrity and validity ------------------------------------------------------------------------


def test_keys_are_unique_and_required_columns_filled(t: dict[str, pd.DataFrame]) -> None:
    for table in schema.data_tables():
        frame = t[table.name]
        if table.name in GEOJSON_TABLES:  # the connector fills the rest (centroids) on the way in
            assert not frame.duplicated(["level", "area_code"]).any() and frame["area_name"].ne("").all()
            continue
        keys = [c.info.get("template_name", c.name) for c in table.primary_key.columns]
        assert not frame.duplicated(keys).any(), table.name
        for column in schema.content_columns(table):
            if not column.nullable:
                name = column.info.get("template_name", column.name)
                assert (frame[name] != "").all(), f"{table.name}.{name}"


def test_every_reference_resolves(t: dict[str, pd.DataFrame]) -> None:
    for table in schema.data_tables():
        for column, target in schema.referenced_columns(table).items():
            target_table, target_column = target.split(".")
            values = set(t[table.name][column]) - {""}
            missing = values - set(t[target_table][target_column])
            assert not missing, f"{table.name}.{column}: {sorted(missing)[:5]}"
    # Template-only postcodes resolve through the lookup.
    postcodes = set(t["children"]["home_postcode"]) - {""}
    assert postcodes <= set(t["postcode_areas"]["postcode"])


def test_every_code_is_in_its_code_list(t: dict[str, pd.DataFrame]) -> None:
    checked = 0
    for table in schema.data_tables():
        for column in schema.content_columns(table):
            if "codelist" in column.info:
                values = set(t[table.name][column.name]) - {""}
                unknown = values - set(ALL_CODE_LISTS[column.info["codelist"]].codes)
                assert not unknown, f"{table.name}.{column.name}: {sorted(unknown)}"
                checked += 1
    assert checked > 30


def test_values_have_the_template_formats_and_ranges(t: dict[str, pd.DataFrame], manifest: dict) -> None:

    end = pd.Timestamp(manifest["period_to"])
    for table in CSV_TABLES:
        frame = t[table.name]
        for column in schema.content_columns(table):
            name = column.info.get("template_name", column.name)
            values = frame.loc[frame[name] != "", name]
            where = f"{table.name}.{name}"
            if isinstance(column.type, sa.Boolean):
                assert values.isin(["Y", "N"]).all(), where
            elif isinstance(column.type, sa.Date):
                assert values.str.match(ISO_DATE).all(), where
                parsed = pd.to_datetime(values, format="%Y-%m-%d")
                assert (parsed > pd.Timestamp("1990-01-01")).all(), where
                if where not in PLANNED_DATES:
                    assert (parsed <= end).all(), where
            elif isinstance(column.type, (sa.Integer, sa.Float)):
                numbers = pd.to_numeric(values)
                if isinstance(column.type, sa.Integer):
                    assert (numbers == numbers.round()).all(), where
                if "minimum" in column.info:
                    assert (numbers >= column.info["minimum"]).all(), where
                if "maximum" in column.info:
                    assert (numbers <= column.info["maximum"]).all(), where
            elif getattr(column.type, "length", None):
                assert (values.str.len() <= column.type.length).all(), where
    period = t["referrals"]["referral_date"]
    assert period.min() >= manifest["period_from"] and period.max() <= manifest["period_to"]


def test_nothing_real_codes_postcodes_and_urns(t: dict[str, pd.DataFrame]) -> None:
    assert t["localities"]["la_code"].str.fullmatch(r"E0699\d{4}").all()
    assert t["wards"]["ward_code"].str.fullmatch(r"E0599\d{4}").all()
    assert t["small_areas"]["area_code"].str.fullmatch(r"E0199\d{4}").all()
    assert t["postcode_areas"]["postcode"].str.match(POSTCODE).all()
    assert t["schools"]["urn"].str.fullmatch(r"99\d{4}").all()
    assert t["children"]["child_id"].str.fullmatch(r"C\d{7}").all()
    police = t["police_incidents"]
    shared = police["location_precision"] == "EXACT"
    assert police.loc[shared, "incident_id"].str.fullmatch(r"PI-\d{6}").all()
    # police.uk rows: a Crime ID (64 hex characters, reduced to 40 by the connector) or, for anti-social
    # behaviour, which police.uk gives none, the connector's stand-in
    public = police[~shared]
    assert (public["location_precision"] == "SNAPPED").all() and len(public) > 10_000
    asb = public["category"] == "ANTI_SOCIAL_BEHAVIOUR"
    assert public.loc[~asb, "incident_id"].str.fullmatch(r"[0-9a-f]{40}").all()
    assert public.loc[asb, "incident_id"].str.fullmatch(r"police\.uk:[0-9a-f]{24}").all()


def test_geography_hangs_together(t: dict[str, pd.DataFrame]) -> None:
    assert len(t["localities"]) == 5
    assert 25 <= len(t["wards"]) <= 35 and 180 <= len(t["small_areas"]) <= 220
    assert t["wards"]["ward_code"].isin(t["small_areas"]["ward_code"]).all()  # no empty ward
    rings = _rings(t["boundaries"])
    assert set(rings) == set(t["small_areas"]["area_code"])
    for ring in rings.values():
        assert (ring[0] == ring[-1]).all() and len(ring) >= 5
        x, y = ring[:, 0], ring[:, 1]
        assert (x[:-1] * y[1:] - x[1:] * y[:-1]).sum() > 0  # anticlockwise exterior ring
        assert 52 < y.mean() < 54.5 and -3.5 < x.mean() < -1.0
    population = t["population"].assign(population=lambda f: f["population"].astype(int))
    per_year = population.groupby("year")["population"].sum()
    assert set(per_year.index.astype(int)) >= {2022, 2023, 2024, 2025, 2026}
    assert per_year.between(50_000, 70_000).all()
    assert len(population) == len(t["small_areas"]) * len(per_year) * 18
    deprivation = t["deprivation"]
    assert (deprivation["iod_year"] == "2025").all()
    assert deprivation["imd_rank"].astype(int).between(1, 33_755).all()
    assert deprivation["idaci_score"].astype(float).between(0, 1).all()
    assert t["postcode_areas"].groupby("area_code").size().min() >= 3
    phases = t["schools"]["phase"].value_counts()
    assert 90 <= len(t["schools"]) <= 110 and phases["PRIMARY"] > 60 and 15 <= phases["SECONDARY"] <= 25


def test_boundaries_cover_every_area_and_dissolve_upwards(t: dict[str, pd.DataFrame]) -> None:
    import shapely

    boundaries = t["boundaries"]
    shapes = {
        (level, code): shapely.geometry.shape(geometry)
        for level, code, geometry in boundaries[["level", "area_code", "geometry"]].itertuples(index=False)
    }
    for level, table, column in (
        ("SMALL_AREA", "small_areas", "area_code"),
        ("WARD", "wards", "ward_code"),
        ("LOCALITY", "localities", "locality_code"),
    ):
        assert set(boundaries.loc[boundaries["level"] == level, "area_code"]) == set(t[table][column]), level
    assert all(shape.is_valid for shape in shapes.values())
    small_areas = list(t["small_areas"].itertuples(index=False))
    for ward in t["wards"]["ward_code"]:
        cells = shapely.union_all([shapes["SMALL_AREA", a.area_code] for a in small_areas if a.ward_code == ward])
        assert shapes["WARD", ward].symmetric_difference(cells).area < 1e-10, ward  # equal, to rounding
    whole = shapely.union_all([shapes["SMALL_AREA", a.area_code] for a in small_areas])
    localities = shapely.union_all([shapes["LOCALITY", code] for code in t["localities"]["locality_code"]])
    assert whole.symmetric_difference(localities).area < 1e-9
    assert abs(sum(shapes["LOCALITY", code].area for code in t["localities"]["locality_code"]) - whole.area) < 1e-9


def test_points_fall_inside_their_small_area(t: dict[str, pd.DataFrame]) -> None:
    rings = _rings(t["boundaries"])
    width = max(len(r) for r in rings.values())
    for name, lat, lon in (
        ("police_incidents", "latitude", "longitude"),
        ("schools", "latitude", "longitude"),
    ):
        frame = t[name]
        stacked = np.array(
            [np.vstack([rings[a], np.repeat(rings[a][-1:], width - len(rings[a]), axis=0)]) for a in frame["area_code"]]
        )
        inside = _inside(frame[lon].astype(float).to_numpy(), frame[lat].astype(float).to_numpy(), stacked)
        assert inside.mean() > 0.999, name


def test_events_happen_while_the_child_is_a_child(t: dict[str, pd.DataFrame]) -> None:
    born = _dates(t["children"].set_index("child_id")["date_of_birth"])
    for name, column in (("contacts", "contact_date"), ("referrals", "referral_date")):
        frame = t[name]
        when = _dates(frame[column])
        birth_month = born.reindex(frame["child_id"]).dt.to_period("M").dt.to_timestamp().to_numpy()
        age = (when.to_numpy() - birth_month) / np.timedelta64(1, "D") / 365.25
        assert (age >= -1 / 365).all() and (age < 18).all(), name


def test_volumes_are_those_of_a_local_partnership(t: dict[str, pd.DataFrame]) -> None:
    sizes = {name: len(frame) for name, frame in t.items()}
    assert 85_000 <= sizes["contacts"] <= 115_000
    assert 17_000 <= sizes["referrals"] <= 23_000
    assert 30_000 <= sizes["children"] <= 45_000
    assert 45_000 <= sizes["police_incidents"] <= 56_000
    assert 22_000 <= sizes["early_help_episodes"] <= 38_000
    assert 1_500 <= sizes["neglect_assessments"] <= 8_000
    assert 0.85 <= sizes["assessments"] / sizes["referrals"] <= 0.93
    assert 0.30 <= sizes["s47_enquiries"] / sizes["referrals"] <= 0.42
    assert 0.25 <= sizes["icpcs"] / sizes["s47_enquiries"] <= 0.37
    assert 0.80 <= sizes["cp_plans"] / sizes["icpcs"] <= 0.92
    assert 2.2 <= sizes["assessment_factors"] / (t["assessments"]["authorised_date"] != "").sum() <= 2.9
    for name in (
        "audits",
        "audit_findings",
        "actions",
        "training_events",
        "training_evaluations",
        "escalations",
        "section11_returns",
        "priorities",
        "learning_reviews",
        "voice_of_child",
        "health_events",
        "school_attendance",
    ):
        assert sizes[name] > 0, name
    actions = t["actions"]
    overdue = (actions["status"] == "OPEN") & (actions["due_date"] < "2026-10-31")
    assert overdue.sum() >= 3
    assert (actions["reaudit_id"] != "").any()


# --- National anchors ------------------------------------------------------------------------------


def test_referral_rates_match_the_national_anchors(t: dict[str, pd.DataFrame]) -> None:
    ref = _referrals(t)
    decided = ref[ref["nfa"] != ""]
    assert 0.20 <= ref["rereferral"].mean() <= 0.25  # 22.6% in England, 2025
    assert 0.055 <= (decided["nfa"] == "Y").mean() <= 0.075  # 6.5%
    share = ref["source_code"].value_counts(normalize=True)
    assert 0.25 <= share["6"] <= 0.31  # police 28%
    assert 0.18 <= share["2A"] <= 0.24  # schools 21%
    assert 0.12 <= share[["3A", "3B", "3C", "3D", "3E", "3F"]].sum() <= 0.18  # health 15%
    assert (ref.loc[ref["source_code"] == "2A", "school_urn"] != "").all()
    assert (ref.loc[ref["source_code"] != "2A", "school_urn"] == "").all()
    agree = (decided["decision_level"] == decided["referrer_need_level"]).mean()
    assert 0.62 <= agree <= 0.78
    assert (decided.loc[decided["nfa"] == "Y", "outcome"] == "NFA").all()
    assert (decided.loc[decided["nfa"] == "N", "outcome"] != "NFA").all()
    quick = np.busday_count(
        decided["referral_date"].to_numpy(dtype="datetime64[D]"),
        decided["decision_date"].to_numpy(dtype="datetime64[D]"),
    )
    assert 0.78 <= (quick <= 1).mean() <= 0.92
    contacts = t["contacts"]
    assert 0.17 <= (contacts["outcome"] == "REFERRAL").mean() <= 0.23
    linked = ref.merge(contacts, on="contact_id", suffixes=("", "_contact"))
    assert len(linked) == len(ref)
    assert (linked["child_id"] == linked["child_id_contact"]).all()
    assert (linked["source_code"] == linked["source_code_contact"]).all()
    lag = (linked["date"] - _dates(linked["contact_date"])).dt.days
    assert lag.isin([0, 1]).all()
    closed = ref[ref["closure_date"] != ""]
    assert (closed["closure_reason"] != "").all()
    assert (closed.loc[closed["nfa"] == "Y", "closure_reason"] == "RC8").all()


def test_assessment_and_protection_rates_match_the_national_anchors(
    t: dict[str, pd.DataFrame], factors: pd.DataFrame
) -> None:
    assessments = t["assessments"].merge(t["referrals"][["referral_id", "referral_date"]], on="referral_id")
    done = assessments[assessments["authorised_date"] != ""]
    days = np.busday_count(
        done["referral_date"].to_numpy(dtype="datetime64[D]"),
        done["authorised_date"].to_numpy(dtype="datetime64[D]"),
    )
    assert 0.78 <= (days <= 45).mean() <= 0.92  # 85.7%
    share = factors.drop(columns="child_id").mean()
    for code, national in {
        "4B": 0.335,
        "3B": 0.317,
        "17A": 0.19,
        "4A": 0.176,
        "16A": 0.176,
        "15A": 0.05,
    }.items():
        assert abs(share[code] - national) <= max(0.03, national * 0.25), code
    s47 = t["s47_enquiries"].set_index("s47_id")
    icpc = t["icpcs"].assign(start=lambda f: f["s47_id"].map(s47["start_date"]))
    wd = np.busday_count(
        icpc["start"].to_numpy(dtype="datetime64[D]"), icpc["icpc_date"].to_numpy(dtype="datetime64[D]")
    )
    assert 0.72 <= (wd <= 15).mean() <= 0.9  # 81%
    plans = t["cp_plans"]
    category = plans["initial_category"].value_counts(normalize=True)
    assert 0.42 <= category["NEG"] <= 0.58 and 0.28 <= category["EMO"] <= 0.42
    assert 0.18 <= (plans["previous_plans"].astype(int) > 0).mean() <= 0.31  # 24.5% repeat plans
    open_plans = plans[plans["end_date"] == ""]
    assert len(open_plans) > 0
    assert (_dates(open_plans["start_date"]) < pd.Timestamp("2024-10-31")).any()  # some open over two years
    early_help = t["early_help_episodes"]
    ended = early_help[early_help["end_reason"] != ""]
    assert 0.07 <= (ended["end_reason"] == "STEP_UP").mean() <= 0.14


# --- Planted signals -------------------------------------------------------------------------------


def test_signal_gp_referrals_end_in_nfa_far_more_often(t: dict[str, pd.DataFrame], signals: dict) -> None:
    source = signals["gp_referrals_nfa"]["source_code"]
    decided = t["referrals"][t["referrals"]["nfa"] != ""]
    gp = decided[decided["source_code"] == source]
    others = decided[decided["source_code"] != source]
    gp_rate, other_rate = (gp["nfa"] == "Y").mean(), (others["nfa"] == "Y").mean()
    assert 0.22 <= gp_rate <= 0.38 and other_rate <= 0.08 and gp_rate > 3.5 * other_rate
    gp_nfa = gp[gp["nfa"] == "Y"]
    mismatch = (gp_nfa["referrer_need_level"] == "4") & gp_nfa["decision_level"].isin(["1", "2"])
    assert mismatch.mean() > 0.5


def test_signal_rereferrals_step_up_at_the_change_month(t: dict[str, pd.DataFrame], signals: dict) -> None:
    change = pd.Timestamp(signals["rereferral_step_change"]["change_date"])
    ref = _referrals(t)
    before = ref.loc[ref["date"] < change, "rereferral"].mean()
    after = ref.loc[ref["date"] >= change, "rereferral"].mean()
    assert 0.15 <= before <= 0.21 and 0.24 <= after <= 0.30 and after - before >= 0.06
    # A step, not a drift: the six months either side of the change differ as much as the halves do.
    near_before = ref.loc[(ref["date"] < change) & (ref["date"] >= change - pd.DateOffset(months=6)), "rereferral"]
    near_after = ref.loc[(ref["date"] >= change) & (ref["date"] < change + pd.DateOffset(months=6)), "rereferral"]
    assert near_after.mean() - near_before.mean() >= 0.04


def test_signal_self_harm_goes_with_parental_mental_health(factors: pd.DataFrame) -> None:
    with_4b = factors.loc[factors["4B"], "15A"].mean()
    without = factors.loc[~factors["4B"], "15A"].mean()
    assert 2.0 < with_4b / without < 5.0


def test_signal_neglect_rises_with_deprivation(
    t: dict[str, pd.DataFrame], factors: pd.DataFrame, signals: dict, child_locality: pd.Series
) -> None:
    neglect = signals["neglect_and_deprivation"]
    most, least = neglect["most_deprived_locality"], neglect["least_deprived_locality"]
    imd = t["deprivation"].set_index("area_code")["imd_score"].astype(float)
    area_locality = t["small_areas"]["ward_code"].map(t["wards"].set_index("ward_code")["locality_code"])
    by_locality = imd.groupby(area_locality.to_numpy()).mean()
    assert by_locality.idxmax() == most and by_locality.idxmin() == least
    assert (
        by_locality[neglect["second_most_deprived_locality"]]
        > by_locality.drop(most).drop(neglect["second_most_deprived_locality"]).max()
    )

    def rate(frame: pd.DataFrame, flag: pd.Series) -> pd.Series:
        return flag.groupby(frame["child_id"].map(child_locality).to_numpy()).mean()

    f16 = rate(factors, factors["16A"])
    assert f16[most] > 1.8 * f16[least]
    plans = t["cp_plans"]
    neg = rate(plans, plans["initial_category"] == "NEG")
    assert neg[most] > 1.5 * neg[least]
    early = t["early_help_episodes"]
    eh = rate(early, early["reason"] == "NEGLECT")
    assert eh[most] > 1.8 * eh[least]
    grades = t["neglect_assessments"]
    grade = grades["overall_grade"].astype(int).groupby(grades["child_id"].map(child_locality).to_numpy()).mean()
    assert grade[most] > grade[least] + 0.3

    area_to_locality = pd.Series(area_locality.to_numpy(), index=t["small_areas"]["area_code"])
    health = t["health_events"]
    not_brought = health[health["event_type"] == "WAS_NOT_BROUGHT"]
    events = not_brought["event_count"].astype(int).groupby(not_brought["area_code"].map(area_to_locality)).sum()
    population = t["population"]
    children = population["population"].astype(int).groupby(population["area_code"].map(area_to_locality)).sum()
    per_child = events / children
    assert per_child[most] > 1.5 * per_child[least]

    attendance = t["school_attendance"]
    school_locality = t["schools"].set_index("urn")["area_code"].map(area_to_locality)
    group = attendance["urn"].map(school_locality)
    persistent = (
        attendance["persistent_absentees"].astype(int).groupby(group).sum()
        / attendance["pupils"].astype(int).groupby(group).sum()
    )
    assert persistent[most] > persistent[least] + 0.03
    overall = attendance["sessions_missed"].astype(int).sum() / attendance["sessions_possible"].astype(int).sum()
    assert 0.06 <= overall <= 0.085
    assert 0.16 <= attendance["persistent_absentees"].astype(int).sum() / attendance["pupils"].astype(int).sum() <= 0.23


def test_signal_cse_rising_around_one_school(t: dict[str, pd.DataFrame], signals: dict, factors: pd.DataFrame) -> None:
    cse = signals["cse_near_school"]
    rising = pd.Timestamp(cse["rising_from"])
    months_before = (rising.year - 2021) * 12 + rising.month - 11
    police = t["police_incidents"]
    near = _distance_m(police["latitude"], police["longitude"], cse["latitude"], cse["longitude"]) <= cse["radius_m"]
    flagged = police[near & (police["cse_concern"] == "Y")]
    when = _dates(flagged["incident_date"])
    recent, earlier = (when >= rising).sum() / 6, (when < rising).sum() / months_before
    assert recent >= 3 and recent > 8 * (earlier + 0.05)
    monthly = when[when >= rising].dt.to_period("M").value_counts().sort_index()
    assert monthly.iloc[-3:].sum() > monthly.iloc[:3].sum()  # rising within the six months

    ref = _referrals(t)
    school = ref[ref["school_urn"] == cse["school_urn"]]
    assert (school["source_code"] == "2A").all()
    recent_refs = (school["date"] >= rising).sum() / 6
    earlier_refs = (school["date"] < rising).sum() / months_before
    assert recent_refs > 2 * earlier_refs
    assessed = factors.join(t["assessments"].set_index("assessment_id")["referral_id"])
    assessed = assessed.merge(school[["referral_id", "date"]], on="referral_id")
    late, early = assessed[assessed["date"] >= rising], assessed[assessed["date"] < rising]
    assert len(late) >= 5 and late["11A"].mean() > 0.3 and early["11A"].mean() < 0.15


def test_signal_hate_crime_concentrated_near_another_school(t: dict[str, pd.DataFrame], signals: dict) -> None:
    hate = signals["hate_crime_near_school"]
    assert hate["school_urn"] != signals["cse_near_school"]["school_urn"]
    police = t["police_incidents"]
    flagged = police[police["hate_crime"] == "Y"]
    distance = _distance_m(flagged["latitude"], flagged["longitude"], hate["latitude"], hate["longitude"])
    radius_km = hate["radius_m"] / 1000
    near_density = (distance <= hate["radius_m"]).sum() / (np.pi * radius_km**2)
    area_km2 = 0.0
    for ring in _rings(t["boundaries"]).values():
        x = ring[:, 0] * METRES_PER_DEGREE * np.cos(np.radians(ring[:, 1].mean())) / 1000
        y = ring[:, 1] * METRES_PER_DEGREE / 1000
        area_km2 += abs((x[:-1] * y[1:] - x[1:] * y[:-1]).sum()) / 2
    background = len(flagged) / area_km2
    assert 100 < area_km2 < 200
    assert near_density > 4 * background
    years = _dates(flagged.loc[distance <= hate["radius_m"], "incident_date"]).dt.year.value_counts()
    assert all(years.get(year, 0) >= 2 for year in range(2022, 2026))  # persistent, not a spike


# --- Police: the partnership's template and police.uk, no incident in both -------------------------------


def test_police_incidents_are_split_between_the_template_and_police_uk_without_overlap(
    t: dict[str, pd.DataFrame], manifest: dict
) -> None:
    police = t["police_incidents"]
    shared = police[police["location_precision"] == "EXACT"]
    public = police[police["location_precision"] == "SNAPPED"]
    assert len(shared) + len(public) == len(police)
    split = manifest["police_split"]
    assert (split["template"], split["police_uk"]) == (len(shared), len(public))
    flags = ["hate_crime", "cse_concern", "cce_concern", "missing_episode", "domestic_abuse", "child_present"]
    assert (public[flags] == "").all().all() and (public["child_id"] == "").all()  # police.uk has no flags
    assert public["category"].isin(list(STREET_TYPES)).all()
    assert (shared[flags] == "N").all(axis=1).sum() > 0 and (shared[flags] != "").all().all()
    # Incidents were numbered PI-000001 ... PI-n before the split, and a police.uk Crime ID is made from the
    # incident's number (then cut to its first 40 characters by the connector): every number is in exactly one
    # source (anti-social behaviour has no Crime ID on police.uk, so those are counted, not matched).
    n = len(police)
    numbers = shared["incident_id"].str[3:].astype(int)
    assert numbers.is_unique and numbers.between(1, n).all()

    def key(number: int) -> str:
        crime_id = hashlib.sha256(f"line-of-sight demo|7|PI-{number:06d}".encode()).hexdigest()
        return crime_id[:40]

    number_of = {key(k): k for k in range(1, n + 1)}
    asb = public["category"] == "ANTI_SOCIAL_BEHAVIOUR"
    moved = public.loc[~asb, "incident_id"].map(number_of)
    assert moved.notna().all() and moved.is_unique
    assert set(moved.astype(int)).isdisjoint(set(numbers))
    assert len(numbers) + len(moved) + asb.sum() == n
    # half of the unflagged street crime that names no child went to police.uk
    unflagged = shared[
        (shared[flags] == "N").all(axis=1) & (shared["child_id"] == "") & shared["category"].isin(list(STREET_TYPES))
    ]
    assert 0.47 < len(public) / (len(public) + len(unflagged)) < 0.53


def test_national_files_of_several_partnerships_have_one_header() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "national" / "lookup.csv"
        files = Appender()
        files.write(path, pd.DataFrame({"A": ["1"], "B": ["x"]}), encoding="utf-8-sig", newline="\r\n")
        files.write(path, pd.DataFrame({"A": ["2", "3"], "B": ["y", "z"]}), encoding="utf-8-sig", newline="\r\n")
        assert path.read_bytes() == b"\xef\xbb\xbfA,B\r\n1,x\r\n2,y\r\n3,z\r\n"
        assert files.rows == {path: 3}
    region = partnerships_for("region", 7, date(2026, 10, 31))
    forces = [force_name(p) for p in region]
    assert len(set(forces)) == 2 and all(forces.count(f) == 10 for f in set(forces))  # a force per half
    names = {name for p in region for name in partnership_names(7, p.index)}
    assert not set(forces) & names  # a force is not named after any authority, locality or ward


# --- Region tier layout (geography only, so it stays fast) -------------------------------------------


def test_region_partnerships_tile_without_overlap_and_codes_stay_unique() -> None:
    partnerships = partnerships_for("region", 7, date(2026, 10, 31))
    assert len(partnerships) == 20
    assert len({p.prefix for p in partnerships}) == 20 and len({p.grid_position for p in partnerships}) == 20
    assert 0.95 < np.mean([p.scale for p in partnerships]) < 1.05
    boxes, codes, postcodes = [], [], []
    for p in partnerships:
        place = build_place(p)
        corners = place.corners.reshape(-1, 2)
        boxes.append((corners[:, 0].min(), corners[:, 0].max(), corners[:, 1].min(), corners[:, 1].max()))
        codes.extend(place.area_codes)
        postcodes.extend(place.postcodes)
    assert len(set(codes)) == len(codes) and len(set(postcodes)) == len(postcodes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap_lat = min(a[1], b[1]) - max(a[0], b[0])
            overlap_lon = min(a[3], b[3]) - max(a[2], b[2])
            assert overlap_lat <= 1e-9 or overlap_lon <= 1e-9


def test_the_regional_tier_keeps_social_care_in_the_templates(tmp_path: Path) -> None:
    """Without the census (the regional tier), every social care table is a template holding all its rows and
    every column, the census's included."""
    from data_connectors.demo import CENSUS_TIERS, build_partnership
    from data_connectors.demo.sources import write_own_extracts

    assert "local" in CENSUS_TIERS and "region" not in CENSUS_TIERS
    local = partnerships_for("local", 7, date(2026, 10, 31))[0]
    tables = build_partnership(local).tables
    written = write_own_extracts(tmp_path, tables, local.start, local.end, census=False)
    assert not (tmp_path / "cin_census.xml").exists()
    by_table = {source.table: source for source in written}
    for name in CENSUS_FORMATS:
        assert by_table[name].format == name and by_table[name].rows == len(tables[name]), name
    children = pd.read_csv(tmp_path / "children.csv", dtype=str)
    assert children["date_of_birth"].notna().all() and children["sex"].notna().all()
    referrals = pd.read_csv(tmp_path / "referrals.csv", dtype=str)
    assert referrals["nfa"].notna().sum() == tables["referrals"]["nfa"].notna().sum() > 0
