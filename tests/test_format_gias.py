"""GIAS "edubasealldata" files load as schools: names become codes, the grid reference becomes WGS84, and
every row is accounted for (schools outside the partnership are reported, not lost)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.formats import detect_format
from data_connectors.pipeline import run_load
from data_connectors.readers import open_tabular
from tests.canonical_world import write_world
from tests.store_snapshot import snapshot, table_frame

# The header line of a current download (edubasealldata, July 2024 on: no "RSCRegion (name)"), as GIAS writes it.
REAL_HEADER_LINE = (
    "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (code),"
    "TypeOfEstablishment (name),EstablishmentTypeGroup (code),EstablishmentTypeGroup (name),"
    "EstablishmentStatus (code),EstablishmentStatus (name),ReasonEstablishmentOpened (code),"
    "ReasonEstablishmentOpened (name),OpenDate,ReasonEstablishmentClosed (code),ReasonEstablishmentClosed (name),"
    "CloseDate,PhaseOfEducation (code),PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,Boarders (code),"
    "Boarders (name),NurseryProvision (name),OfficialSixthForm (code),OfficialSixthForm (name),Gender (code),"
    "Gender (name),ReligiousCharacter (code),ReligiousCharacter (name),ReligiousEthos (name),Diocese (code),"
    "Diocese (name),AdmissionsPolicy (code),AdmissionsPolicy (name),SchoolCapacity,SpecialClasses (code),"
    "SpecialClasses (name),CensusDate,NumberOfPupils,NumberOfBoys,NumberOfGirls,PercentageFSM,"
    "TrustSchoolFlag (code),TrustSchoolFlag (name),Trusts (code),Trusts (name),SchoolSponsorFlag (name),"
    "SchoolSponsors (name),FederationFlag (name),Federations (code),Federations (name),UKPRN,FEHEIdentifier,"
    "FurtherEducationType (name),OfstedLastInsp,OfstedSpecialMeasures (code),OfstedSpecialMeasures (name),"
    "LastChangedDate,Street,Locality,Address3,Town,County (name),Postcode,SchoolWebsite,TelephoneNum,"
    "HeadTitle (name),HeadFirstName,HeadLastName,HeadPreferredJobTitle,BSOInspectorateName (name),"
    "InspectorateReport,DateOfLastInspectionVisit,NextInspectionVisit,TeenMoth (name),TeenMothPlaces,CCF (name),"
    "SENPRU (name),EBD (name),PlacesPRU,FTProv (name),EdByOther (name),Section41Approved (name),SEN1 (name),"
    "SEN2 (name),SEN3 (name),SEN4 (name),SEN5 (name),SEN6 (name),SEN7 (name),SEN8 (name),SEN9 (name),"
    "SEN10 (name),SEN11 (name),SEN12 (name),SEN13 (name),TypeOfResourcedProvision (name),"
    "ResourcedProvisionOnRoll,ResourcedProvisionCapacity,SenUnitOnRoll,SenUnitCapacity,GOR (code),GOR (name),"
    "DistrictAdministrative (code),DistrictAdministrative (name),AdministrativeWard (code),"
    "AdministrativeWard (name),ParliamentaryConstituency (code),ParliamentaryConstituency (name),"
    "UrbanRural (code),UrbanRural (name),GSSLACode (name),Easting,Northing,MSOA (name),LSOA (name),"
    "InspectorateName (name),SENStat,SENNoStat,BoardingEstablishment (name),PropsName,PreviousLA (code),"
    "PreviousLA (name),PreviousEstablishmentNumber,OfstedRating (name),Country (name),UPRN,SiteName,"
    "QABName (code),QABName (name),EstablishmentAccredited (code),EstablishmentAccredited (name),QABReport,"
    "CHNumber,MSOA (code),LSOA (code),FSM,AccreditationExpiryDate"
)
REAL_HEADER = next(csv.reader([REAL_HEADER_LINE]))

# A small file in the real layout: the columns a school needs, in GIAS's order, among a few others.
HEADER = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "OpenDate",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "NumberOfPupils",
    "Postcode",
    "GSSLACode (name)",
    "Easting",
    "Northing",
    "LSOA (name)",
    "LSOA (code)",
]
STATUS_CODES = {"Open": "1", "Closed": "2", "Open, but proposed to close": "3"}
HOME = "E01990001"  # the canonical world's one small area
ELSEWHERE = "E01000001"

# Easting/Northing of two Ordnance Survey OSTN15 test points, BLAC (Blackpool) and COLC (Colchester), with
# their published ETRS89 latitude and longitude (ETRS89 and WGS84 agree to about a metre, far inside 4
# decimal places): OS "OSTN15_TestInput/Output", as quoted in several public test suites.
BLACKPOOL = ("331534.552", "431920.792", 53.7791102569444, -3.04045490694444)
COLCHESTER = ("599445.578", "225722.824", 51.8943663752778, 0.897243275)

# URN, EstablishmentName, TypeOfEstablishment, EstablishmentStatus, PhaseOfEducation, NumberOfPupils,
# Easting, Northing, LSOA (code)
SCHOOLS = [
    ("990101", "École Sainte-Zoë – Primary", "Community school", "Open", "Primary", "210", *BLACKPOOL[:2], HOME),
    # no grid reference: loads without a location
    (
        "990102",
        "Testshire Academy",
        "Academy converter",
        "Open, but proposed to close",
        "All-through",
        "",
        "",
        "",
        HOME,
    ),
    ("990103", "Old Mill Nursery", "Local authority nursery school", "Closed", "Nursery", "40", *COLCHESTER[:2], HOME),
    # outside the partnership's small areas: reported, not lost
    ("990104", "Elsewhere High School", "Academy converter", "Open", "Secondary", "900", "400000", "300000", ELSEWHERE),
    ("990105", "Sixth Form Centre", "Sixth form centres", "Open", "Sixth form", "300", "", "", HOME),
    (
        "990106",
        "Guesswork Middle School",
        "Foundation school",
        "Open",
        "Middle deemed primary",
        "about 300",
        "",
        "",
        HOME,
    ),
]


def _row(urn: str, name: str, kind: str, status: str, phase: str, pupils: str, east: str, north: str, lsoa: str):
    """One record in HEADER's order, with the columns a school does not need filled as GIAS would."""
    values = {
        "URN": urn,
        "LA (code)": "990",
        "LA (name)": "Testshire",
        "EstablishmentNumber": urn[-4:],
        "EstablishmentName": name,
        "TypeOfEstablishment (name)": kind,
        "EstablishmentStatus (code)": STATUS_CODES.get(status, "9"),
        "EstablishmentStatus (name)": status,
        "OpenDate": "01-09-2012",
        "PhaseOfEducation (name)": phase,
        "StatutoryLowAge": "4",
        "StatutoryHighAge": "11",
        "NumberOfPupils": pupils,
        "Postcode": "QQ1 1AA",
        "GSSLACode (name)": "E06990001",
        "Easting": east,
        "Northing": north,
        "LSOA (name)": "Testshire 001A",
        "LSOA (code)": lsoa,
    }
    return [values[name] for name in HEADER]


ROWS = [_row(*school) for school in SCHOOLS]


def _write(folder: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    """The file as GIAS publishes it: Windows-1252 text."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "edubasealldata20240717.csv"
    with path.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_gias_file_loads_as_schools_with_wgs84_locations(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    path = _write(tmp_path / "gias", ROWS)
    assert open_tabular(path).encoding == "cp1252"

    result = run_load([path], store_url)

    outcome = result.files[0]
    assert outcome.format == "gias"
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (6, 3, 3)
    assert outcome.rows_read == outcome.rows_loaded + outcome.rows_rejected
    frame = table_frame(store_url, schema.schools).set_index("urn")
    assert set(frame.index) == {"990001", "990101", "990102", "990103"}  # the world's school and three of ours

    primary = frame.loc["990101"]
    assert primary["school_name"] == "École Sainte-Zoë – Primary"
    assert (primary["phase"], primary["establishment_type"]) == ("PRIMARY", "Community school")
    assert (primary["la_code"], primary["area_code"]) == ("E06990001", "E01990001")
    assert (primary["pupils"], primary["is_open"]) == (210, True)
    # within half a unit of the 4th decimal place of the published position (about 5 m)
    assert primary["latitude"] == pytest.approx(BLACKPOOL[2], abs=5e-5)
    assert primary["longitude"] == pytest.approx(BLACKPOOL[3], abs=5e-5)
    assert (round(primary["latitude"], 4), round(primary["longitude"], 4)) == (53.7791, -3.0405)

    nursery = frame.loc["990103"]
    assert (nursery["phase"], nursery["is_open"]) == ("NURSERY", False)
    assert (round(nursery["latitude"], 4), round(nursery["longitude"], 4)) == (51.8944, 0.8972)
    assert nursery["latitude"] == pytest.approx(COLCHESTER[2], abs=5e-5)
    assert nursery["longitude"] == pytest.approx(COLCHESTER[3], abs=5e-5)

    academy = frame.loc["990102"]
    assert (academy["phase"], academy["is_open"]) == ("ALL_THROUGH", True)
    assert pd.isna(academy["latitude"]) and pd.isna(academy["longitude"]) and pd.isna(academy["pupils"])


def test_rejections_name_the_gias_columns(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    result = run_load([_write(tmp_path / "gias", ROWS)], store_url)
    lines = result.rejections[["__row_number", "field", "reason", "value"]].values.tolist()
    assert lines == [
        [5, "lsoa_code", "refers to a small_areas area_code that is not in the store or this load", "E01000001"],
        [6, "phaseofeducation_name", "is not a code in the school_phase list", "Sixth form"],
        [7, "numberofpupils", "is not a whole number", "about 300"],
    ]


def test_a_grid_reference_that_is_not_a_number_is_rejected_under_its_column(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    rows = [
        _row("990201", "Typo School", "Community school", "Open", "Primary", "100", "33I534", "431920", HOME),
        _row("990202", "Half Located School", "Community school", "Open", "Primary", "100", "331534", "", HOME),
    ]
    result = run_load([_write(tmp_path / "gias", rows)], store_url)
    assert (result.files[0].rows_read, result.files[0].rows_loaded, result.files[0].rows_rejected) == (2, 1, 1)
    assert result.rejections[["__row_number", "field", "value"]].values.tolist() == [[2, "easting", "33I534"]]
    half = table_frame(store_url, schema.schools).set_index("urn").loc["990202"]
    assert pd.isna(half["latitude"]) and pd.isna(half["longitude"])  # half a grid reference places nothing


def test_a_whole_real_header_is_recognised(tmp_path: Path) -> None:
    path = _write(tmp_path / "gias", [], header=REAL_HEADER)
    tabular = open_tabular(path)
    assert len(tabular.header) == 139
    chosen = detect_format(tabular)
    assert chosen.name == "gias"
    assert [name for name in tabular.header if name not in chosen.columns] == []


def test_a_file_missing_a_required_gias_column_is_refused(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    before = snapshot(store_url)
    header = [name for name in REAL_HEADER if name != "Northing"]
    path = _write(tmp_path / "gias", [], header=header)

    assert main(["load", str(path), "--store", store_url]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"{path}: is not a recognised format; the closest is gias (missing columns: northing)"
    )

    small = _write(tmp_path / "small", [], header=[name for name in HEADER if name != "Northing"])
    assert main(["load", str(small), "--store", store_url, "--kind", "gias"]) == 2
    assert capsys.readouterr().err.strip() == f"{small}: is missing columns that gias needs: northing"
    assert snapshot(store_url) == before
