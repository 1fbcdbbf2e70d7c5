"""A small partnership with a map: square boundaries, schools with positions and police incidents with
locations, built so every figure the map and school pages show can be worked out by hand.

Five small areas side by side, each 0.02 degrees of longitude by 0.01 of latitude (about 1.3 km by
1.1 km), from west to east:

    Area One | Area Two | Area Three | Area Four | Area Five      (small areas A1..A5)
    ----- Ward One ----- | Ward Two  | ----- Ward Three ----      (W1, W2 in North; W3 in South)
    ------------- North -------------| -------- South --------

Each area has 1,000 children (all aged 10) in 2024. Events run from 3 Jan to 20 Jun 2024, so "All data"
is six months and a rate per 10,000 children a year is referrals / (children x 6/12) x 10,000.

Referrals by home area: A1 12 (9 from Alder Primary), A2 3, A3 8 (6 Birch, 2 Gorse), A4 6 (2 Cedar), A5 2.
  Referral rate a year: A1 240.0, A3 160.0, A4 120.0; A2 and A5 fewer than 5 (suppressed).
  Wards: W1 15 -> 150.0, W2 8 -> 160.0, W3 8 -> 80.0. Localities: North 23 -> 153.3, South 8 -> 80.0.
Alder Primary's 9 referrals: assessment 5, section 47 2, no further action 2. Its five assessments all
  found child sexual exploitation (11A); two found gangs (13A), one parental mental health (4B).
Schools (primary unless said): Alder 300 pupils in A1 (IMD decile 2), Birch 320 in A3 (2), Cedar 280 in
  A4 (3), Gorse 350 in A3 (2): similar to one another. Elm 900 in A2 (3, larger), Fir 250 in A5 (8, less
  deprived), Damson High (secondary) 1,100 in A5.
Police incidents: 40 within 500 m of Alder Primary (Jan 6, Feb 5, Mar 7, Apr 2, May 8, Jun 12), 39 of
  them at one point 130 m away and one 468 m east; the 6 in June are hate crimes. Three burglaries 669 m
  east (outside 500 m). In the south, police.uk snap points: 2 hate crimes near Cedar (Feb) and 5 anti-social
  behaviour incidents in A5 (May).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.canonical_world import write_table

AREAS = {  # code -> (name, ward, west longitude, IMD decile)
    "E01990001": ("Area One", "E05990001", -2.20, 2),
    "E01990002": ("Area Two", "E05990001", -2.18, 3),
    "E01990003": ("Area Three", "E05990002", -2.16, 2),
    "E01990004": ("Area Four", "E05990003", -2.14, 3),
    "E01990005": ("Area Five", "E05990003", -2.12, 8),
}
A1, A2, A3, A4, A5 = AREAS
WARDS = {  # code -> (name, locality, west, east)
    "E05990001": ("Ward One", "NORTH", -2.20, -2.16),
    "E05990002": ("Ward Two", "NORTH", -2.16, -2.14),
    "E05990003": ("Ward Three", "SOUTH", -2.14, -2.10),
}
W1, W2, W3 = WARDS
LOCALITIES = {"NORTH": ("North", -2.20, -2.14), "SOUTH": ("South", -2.14, -2.10)}
SOUTH_EDGE, NORTH_EDGE = 53.10, 53.11
SCHOOLS = {  # urn -> (name, phase, pupils, area, longitude)
    "100001": ("Alder Primary", "PRIMARY", 300, A1, -2.19),
    "100002": ("Birch Primary", "PRIMARY", 320, A3, -2.15),
    "100003": ("Cedar Primary", "PRIMARY", 280, A4, -2.13),
    "100004": ("Damson High", "SECONDARY", 1100, A5, -2.11),
    "100005": ("Elm Primary", "PRIMARY", 900, A2, -2.17),
    "100006": ("Fir Primary", "PRIMARY", 250, A5, -2.115),
    "100007": ("Gorse Primary", "PRIMARY", 350, A3, -2.145),
}
ALDER, BIRCH, CEDAR, DAMSON, ELM, FIR, GORSE = SCHOOLS
SCHOOL_LATITUDE = 53.105


def _square(west: float, east: float) -> str:
    ring = [[west, SOUTH_EDGE], [east, SOUTH_EDGE], [east, NORTH_EDGE], [west, NORTH_EDGE], [west, SOUTH_EDGE]]
    return json.dumps({"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]})


def _boundary(level: str, code: str, name: str, west: float, east: float) -> dict[str, str]:
    return {
        "level": level,
        "area_code": code,
        "area_name": name,
        "geometry": _square(west, east),
        "centroid_latitude": str((SOUTH_EDGE + NORTH_EDGE) / 2),
        "centroid_longitude": str(round((west + east) / 2, 6)),
    }


# (area, school or "", source, outcome) for every referral, in date order within each area
REFERRALS: list[tuple[str, str, str, str]] = [
    *[(A1, ALDER, "2A", "ASSESSMENT")] * 5,
    *[(A1, ALDER, "2A", "S47")] * 2,
    *[(A1, ALDER, "2A", "NFA")] * 2,
    *[(A1, "", "6", "NFA")] * 3,
    *[(A2, "", "3A", "ADVICE")] * 3,
    *[(A3, BIRCH, "2A", "ASSESSMENT")] * 3,
    *[(A3, BIRCH, "2A", "NFA")] * 3,
    *[(A3, GORSE, "2A", "NFA")] * 2,
    *[(A4, CEDAR, "2A", "ASSESSMENT")] * 2,
    *[(A4, "", "6", "ASSESSMENT")] * 3,
    *[(A4, "", "6", "NFA")],
    *[(A5, "", "6", "NFA")] * 2,
]
ALDER_FACTORS = [["11A", "13A", "4B"], ["11A", "13A"], ["11A"], ["11A"], ["11A"]]
CLUSTER = ("53.106", "-2.189")  # 130 m north-east of Alder Primary
NEAR_EDGE = ("53.105", "-2.183")  # 468 m east of Alder Primary
OUTSIDE = ("53.105", "-2.18")  # 669 m east of Alder Primary
ALDER_MONTHLY = {1: 6, 2: 5, 3: 7, 4: 2, 5: 8, 6: 12}


def _date(index: int) -> str:
    """Referral dates spread over January to June 2024 (the 3rd to the 20th)."""
    return f"2024-{index % 6 + 1:02d}-{3 + (index * 7) % 18:02d}"


def _incident(number: int, day: str, place: tuple[str, str], area: str, **fields: str) -> dict[str, str]:
    row = {
        "incident_id": f"PI{number:04d}",
        "incident_date": day,
        "category": "ANTI_SOCIAL_BEHAVIOUR",
        "hate_crime": "N",
        "cse_concern": "N",
        "cce_concern": "N",
        "missing_episode": "N",
        "domestic_abuse": "N",
        "child_present": "N",
        "latitude": place[0],
        "longitude": place[1],
        "location_precision": "EXACT",
        "area_code": area,
    }
    row.update(fields)
    return row


def geo_rows() -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {
        "localities": [
            {"locality_code": code, "locality_name": name, "la_code": "E06990001", "la_name": "Testshire"}
            for code, (name, _, _) in LOCALITIES.items()
        ],
        "wards": [
            {"ward_code": code, "ward_name": name, "locality_code": locality}
            for code, (name, locality, _, _) in WARDS.items()
        ],
        "small_areas": [
            {
                "area_code": code,
                "area_name": name,
                "ward_code": ward,
                "centroid_latitude": "53.105",
                "centroid_longitude": str(round(west + 0.01, 6)),
            }
            for code, (name, ward, west, _) in AREAS.items()
        ],
        "boundaries": [
            *[_boundary("SMALL_AREA", code, name, west, west + 0.02) for code, (name, _, west, _) in AREAS.items()],
            *[_boundary("WARD", code, name, west, east) for code, (name, _, west, east) in WARDS.items()],
            *[_boundary("LOCALITY", code, name, west, east) for code, (name, west, east) in LOCALITIES.items()],
        ],
        "population": [{"area_code": code, "year": "2024", "age": "10", "population": "1000"} for code in AREAS],
        "deprivation": [
            {"area_code": code, "iod_year": "2025", "imd_score": str(40 - 4 * decile), "imd_decile": str(decile)}
            for code, (_, _, _, decile) in AREAS.items()
        ],
        "schools": [
            {
                "urn": urn,
                "school_name": name,
                "phase": phase,
                "area_code": area,
                "latitude": str(SCHOOL_LATITUDE),
                "longitude": str(longitude),
                "pupils": str(pupils),
                "is_open": "Y",
            }
            for urn, (name, phase, pupils, area, longitude) in SCHOOLS.items()
        ],
        "children": [],
        "referrals": [],
        "assessments": [],
        "assessment_factors": [],
        "police_incidents": [],
    }
    alder_assessments = 0
    for number, (area, school, source, outcome) in enumerate(REFERRALS, start=1):
        child, referral = f"C{number:03d}", f"R{number:03d}"
        day = _date(number)
        rows["children"].append({"child_id": child, "date_of_birth": "2014-01-15", "sex": "1", "home_area_code": area})
        rows["referrals"].append(
            {
                "referral_id": referral,
                "child_id": child,
                "referral_date": day,
                "source_code": source,
                "school_urn": school,
                "decision_date": day,
                "outcome": outcome,
                "nfa": "true" if outcome == "NFA" else "false",
            }
        )
        if school == ALDER and outcome == "ASSESSMENT":
            assessment = f"AS{number:03d}"
            rows["assessments"].append(
                {
                    "assessment_id": assessment,
                    "child_id": child,
                    "referral_id": referral,
                    "start_date": day,
                    "authorised_date": day,
                    "outcome": "CIN_PLAN",
                }
            )
            for factor in ALDER_FACTORS[alder_assessments]:
                rows["assessment_factors"].append({"assessment_id": assessment, "factor_code": factor})
            alder_assessments += 1
    incidents = rows["police_incidents"]
    for month, count in ALDER_MONTHLY.items():
        for k in range(count):
            place = NEAR_EDGE if (month, k) == (3, 0) else CLUSTER
            extra = {"hate_crime": "Y", "category": "PUBLIC_ORDER"} if month == 6 and k < 6 else {}
            incidents.append(_incident(len(incidents) + 1, f"2024-{month:02d}-10", place, A1, **extra))
    for _ in range(3):
        incidents.append(_incident(len(incidents) + 1, "2024-03-12", OUTSIDE, A2, category="BURGLARY"))
    snapped = {"location_precision": "SNAPPED"}
    for _ in range(2):
        incidents.append(
            _incident(len(incidents) + 1, "2024-02-01", ("53.105", "-2.13"), A4, hate_crime="Y", **snapped)
        )
    for _ in range(5):
        incidents.append(_incident(len(incidents) + 1, "2024-05-01", ("53.104", "-2.111"), A5, **snapped))
    incidents[-1]["incident_date"] = "2024-06-20"  # the last event of all
    return rows


def write_geo_world(folder: Path) -> Path:
    for table, rows in copy.deepcopy(geo_rows()).items():
        write_table(folder, table, rows)
    return folder
