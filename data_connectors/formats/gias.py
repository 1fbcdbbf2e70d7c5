"""DfE Get Information About Schools (GIAS): the all-establishment download, `edubasealldataYYYYMMDD.csv`.

The file is Windows-1252 text with about 140 columns (see data-standards §5.2); a school takes ten of
them. Names become codes: PhaseOfEducation (name) a school_phase code, EstablishmentStatus (name)
whether the school is open ("Open" and "Open, but proposed to close" are open; "Closed" and "Proposed
to open" are not). The ONS local authority code is the column GIAS calls "GSSLACode (name)" (E06000050);
"LA (code)" is DfE's three-digit number (896) and is not kept. Easting and Northing (British National
Grid, OSGB36, EPSG:27700) become WGS84 latitude and longitude with pyproj; without the OSTN15 grid PROJ
uses the published Helmert transformation, good to a few metres. A school with no Easting or Northing
(or only one of the two) loads without a location; one whose Easting or Northing is not a number, or
cannot be converted, is rejected naming that column.

GIAS lists every establishment in England, open and closed. LSOA (code) must be one of the
partnership's small areas, so every school outside the partnership (or whose LSOA code is of another
edition than the partnership's LSOA 2021 areas) is rejected by the small-area reference check and listed
in the load report against "lsoa_code". That is intended: a national file loads the partnership's own
schools and accounts for every other row.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from data_connectors import schema
from data_connectors.formats.base import TableFormat
from data_connectors.readers import TEXT, as_mask, normalise_header

if TYPE_CHECKING:
    from pyproj import Transformer

# Every column of the download, in its order, as GIAS spells them (files from 2024-07-17 on no longer
# have "RSCRegion (name)"; "AccreditationExpiryDate" arrived in 2024).
GIAS_HEADER = (
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)",
    "CloseDate",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Boarders (code)",
    "Boarders (name)",
    "NurseryProvision (name)",
    "OfficialSixthForm (code)",
    "OfficialSixthForm (name)",
    "Gender (code)",
    "Gender (name)",
    "ReligiousCharacter (code)",
    "ReligiousCharacter (name)",
    "ReligiousEthos (name)",
    "Diocese (code)",
    "Diocese (name)",
    "AdmissionsPolicy (code)",
    "AdmissionsPolicy (name)",
    "SchoolCapacity",
    "SpecialClasses (code)",
    "SpecialClasses (name)",
    "CensusDate",
    "NumberOfPupils",
    "NumberOfBoys",
    "NumberOfGirls",
    "PercentageFSM",
    "TrustSchoolFlag (code)",
    "TrustSchoolFlag (name)",
    "Trusts (code)",
    "Trusts (name)",
    "SchoolSponsorFlag (name)",
    "SchoolSponsors (name)",
    "FederationFlag (name)",
    "Federations (code)",
    "Federations (name)",
    "UKPRN",
    "FEHEIdentifier",
    "FurtherEducationType (name)",
    "OfstedLastInsp",
    "OfstedSpecialMeasures (code)",
    "OfstedSpecialMeasures (name)",
    "LastChangedDate",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    "Postcode",
    "SchoolWebsite",
    "TelephoneNum",
    "HeadTitle (name)",
    "HeadFirstName",
    "HeadLastName",
    "HeadPreferredJobTitle",
    "BSOInspectorateName (name)",
    "InspectorateReport",
    "DateOfLastInspectionVisit",
    "NextInspectionVisit",
    "TeenMoth (name)",
    "TeenMothPlaces",
    "CCF (name)",
    "SENPRU (name)",
    "EBD (name)",
    "PlacesPRU",
    "FTProv (name)",
    "EdByOther (name)",
    "Section41Approved (name)",
    *(f"SEN{n} (name)" for n in range(1, 14)),
    "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll",
    "ResourcedProvisionCapacity",
    "SenUnitOnRoll",
    "SenUnitCapacity",
    "GOR (code)",
    "GOR (name)",
    "DistrictAdministrative (code)",
    "DistrictAdministrative (name)",
    "AdministrativeWard (code)",
    "AdministrativeWard (name)",
    "ParliamentaryConstituency (code)",
    "ParliamentaryConstituency (name)",
    "UrbanRural (code)",
    "UrbanRural (name)",
    "GSSLACode (name)",
    "Easting",
    "Northing",
    "MSOA (name)",
    "LSOA (name)",
    "InspectorateName (name)",
    "SENStat",
    "SENNoStat",
    "BoardingEstablishment (name)",
    "PropsName",
    "PreviousLA (code)",
    "PreviousLA (name)",
    "PreviousEstablishmentNumber",
    "OfstedRating (name)",
    "RSCRegion (name)",
    "Country (name)",
    "UPRN",
    "SiteName",
    "QABName (code)",
    "QABName (name)",
    "EstablishmentAccredited (code)",
    "EstablishmentAccredited (name)",
    "QABReport",
    "CHNumber",
    "MSOA (code)",
    "LSOA (code)",
    "FSM",
    "AccreditationExpiryDate",
)
COLUMNS = tuple(normalise_header(name) for name in GIAS_HEADER)

# GIAS names (compared ignoring case and punctuation: "All-through", "All through") -> school_phase codes.
PHASE_BY_NAME = {
    "nursery": "NURSERY",
    "primary": "PRIMARY",
    "middle deemed primary": "MIDDLE_DEEMED_PRIMARY",
    "secondary": "SECONDARY",
    "middle deemed secondary": "MIDDLE_DEEMED_SECONDARY",
    "16 plus": "16_PLUS",
    "all through": "ALL_THROUGH",
    "not applicable": "NOT_APPLICABLE",
}
OPEN_BY_STATUS = {
    "open": "Y",
    "open but proposed to close": "Y",
    "closed": "N",
    "proposed to open": "N",
}


@cache
def _to_wgs84() -> Transformer:
    """British National Grid easting/northing -> WGS84 longitude/latitude, made once (and only when a GIAS
    file is loaded: importing pyproj and building the transformer takes a noticeable fraction of a second)."""
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def _name_key(values: pd.Series) -> pd.Series:
    return values.str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()


def _lookup(values: pd.Series, table: dict[str, str]) -> pd.Series:
    """The code for each known name; an unknown name is kept as written so validation reports it."""
    codes = pd.Series(_name_key(values).map(table), index=values.index, dtype=TEXT)
    return codes.fillna(values)


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype(object), errors="coerce").astype("float64")


def _as_text(numbers: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(numbers, index=index).astype(str).astype(TEXT)


def _locations(easting_text: pd.Series, northing_text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude as text. Both missing (or one): empty. A value that is not a number, or a
    pair that cannot be converted, is handed on as written so validation rejects it under its column."""
    east_text, north_text = easting_text.str.strip(), northing_text.str.strip()
    east_given, north_given = as_mask(east_text != ""), as_mask(north_text != "")
    east, north = _numbers(east_text), _numbers(north_text)
    east_bad = east_given & ~np.isfinite(east)
    north_bad = north_given & ~np.isfinite(north)
    pair = east_given & north_given & ~east_bad & ~north_bad
    longitude = pd.Series(None, index=easting_text.index, dtype=TEXT)
    latitude = pd.Series(None, index=easting_text.index, dtype=TEXT)
    if pair.any():
        lon, lat = _to_wgs84().transform(east[pair].to_numpy(), north[pair].to_numpy())
        converted = np.isfinite(lon) & np.isfinite(lat)
        done = pair[pair].index[converted]
        longitude[done] = _as_text(lon[converted], done)
        latitude[done] = _as_text(lat[converted], done)
        failed = pair[pair].index[~converted]
        east_bad[failed] = north_bad[failed] = True
    longitude[east_bad] = east_text[east_bad]
    latitude[north_bad] = north_text[north_bad]
    return latitude, longitude


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Codes from GIAS names and WGS84 coordinates from the grid reference. (Runs after the renames:
    `phase` holds the phase name, `is_open` the status name, `longitude` the easting, `latitude` the
    northing, so a rejected value is reported under the GIAS column it came from.)"""
    out = frame.copy()
    out["phase"] = _lookup(frame["phase"], PHASE_BY_NAME)
    out["is_open"] = _lookup(frame["is_open"], OPEN_BY_STATUS)
    out["latitude"], out["longitude"] = _locations(frame["longitude"], frame["latitude"])
    return out


FORMATS = [
    TableFormat(
        name="gias",
        table=schema.schools,
        description="DfE Get Information About Schools, all establishments (edubasealldata CSV)",
        columns=COLUMNS,
        required=(
            "urn",
            "establishmentname",
            "phaseofeducation_name",
            "establishmentstatus_name",
            "easting",
            "northing",
            "lsoa_code",
        ),
        renames={
            "establishmentname": "school_name",
            "phaseofeducation_name": "phase",
            "typeofestablishment_name": "establishment_type",
            "la_code": "dfe_la_code",  # "LA (code)", DfE's number, would otherwise clash with the template's la_code
            "gsslacode_name": "la_code",
            "lsoa_code": "area_code",
            "easting": "longitude",
            "northing": "latitude",
            "numberofpupils": "pupils",
            "establishmentstatus_name": "is_open",
        },
        derive=_derive,
        note="GIAS lists every establishment in England: those outside the partnership's small areas are not "
        "loaded and are listed in the report under lsoa_code, as expected",
    )
]
