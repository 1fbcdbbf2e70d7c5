"""A small partnership for the Neglect page, every value worked out by hand in tests/test_page_neglect.py.

Two localities: NORTH (ward W1, area A1) and SOUTH (wards W2 and W3, areas A2 and A3). 1,000 children live in
each area (500 aged 5 and 500 aged 12, mid-2024). Every event falls in the financial year 2024-25, so over
that year each area holds 1,000 child-years and one event is 10 per 10,000 children per year.

| indicator (2024-25)                 | A1 / W1 | A2 / W2 | A3 / W3 |
|-------------------------------------|---------|---------|---------|
| assessments identifying neglect     | 0       | 1       | 2       |
| CP plans for neglect                | 2       | 0       | 1       |
| not brought to health appointments  | 3       | 3       | 3       |  (the same everywhere: left out)
| persistent absence (school in area) | 10/100  | 20/100  | no school |
Early help episodes and neglect assessments are not loaded (left out as "no data loaded yet").
"""

from __future__ import annotations

from pathlib import Path

from tests.canonical_world import write_table

A1, A2, A3 = "E01990001", "E01990002", "E01990003"
W1, W2, W3 = "E05990001", "E05990002", "E05990003"


def _child(child_id: str, area: str) -> dict[str, str]:
    return {"child_id": child_id, "date_of_birth": "2016-03-10", "sex": "1", "home_area_code": area}


def _plan(plan_id: str, child_id: str, start: str) -> dict[str, str]:
    return {"cp_plan_id": plan_id, "child_id": child_id, "start_date": start, "initial_category": "NEG"}


def _assessment(assessment_id: str, child_id: str, start: str, authorised: str) -> dict[str, str]:
    return {
        "assessment_id": assessment_id,
        "child_id": child_id,
        "start_date": start,
        "authorised_date": authorised,
        "outcome": "CIN_PLAN",
    }


def _attendance(urn: str, pupils: str, absentees: str) -> dict[str, str]:
    return {
        "urn": urn,
        "academic_year": "2024/25",
        "term": "AUTUMN",
        "pupils": pupils,
        "sessions_possible": "30000",
        "sessions_missed": "1500",
        "persistent_absentees": absentees,
        "term_start": "2024-09-02",
    }


ROWS: dict[str, list[dict[str, str]]] = {
    "localities": [
        {"locality_code": "NORTH", "locality_name": "North", "la_code": "E06990001", "la_name": "Testshire"},
        {"locality_code": "SOUTH", "locality_name": "South", "la_code": "E06990001", "la_name": "Testshire"},
    ],
    "wards": [
        {"ward_code": W1, "ward_name": "Ward One", "locality_code": "NORTH"},
        {"ward_code": W2, "ward_name": "Ward Two", "locality_code": "SOUTH"},
        {"ward_code": W3, "ward_name": "Ward Three", "locality_code": "SOUTH"},
    ],
    "small_areas": [
        {"area_code": A1, "area_name": "Area One", "ward_code": W1},
        {"area_code": A2, "area_name": "Area Two", "ward_code": W2},
        {"area_code": A3, "area_name": "Area Three", "ward_code": W3},
    ],
    "population": [
        {"area_code": area, "year": "2024", "age": age, "population": "500"}
        for area in (A1, A2, A3)
        for age in ("5", "12")
    ],
    "schools": [
        {"urn": "100001", "school_name": "North Primary", "phase": "PRIMARY", "area_code": A1},
        {"urn": "100002", "school_name": "South Primary", "phase": "PRIMARY", "area_code": A2},
    ],
    "children": [
        _child("C1", A1),
        _child("C2", A1),
        _child("C3", A2),
        _child("C4", A3),
        _child("C5", A3),
        _child("C6", A3),
    ],
    "assessments": [
        _assessment("AS3", "C3", "2024-05-01", "2024-06-10"),
        _assessment("AS4", "C4", "2024-08-01", "2024-09-10"),
        _assessment("AS5", "C5", "2024-10-01", "2024-11-12"),
    ],
    "assessment_factors": [
        {"assessment_id": "AS3", "factor_code": "16A"},
        {"assessment_id": "AS4", "factor_code": "16A"},
        {"assessment_id": "AS5", "factor_code": "16A"},
    ],
    "cp_plans": [
        _plan("P1", "C1", "2024-07-01"),
        _plan("P2", "C2", "2024-09-16"),
        _plan("P3", "C6", "2024-11-20"),
    ],
    "health_events": [
        {"area_code": area, "month": "2024-06", "event_type": "WAS_NOT_BROUGHT", "age_band": "5-9", "event_count": "3"}
        for area in (A1, A2, A3)
    ],
    "school_attendance": [_attendance("100001", "100", "10"), _attendance("100002", "100", "20")],
}


def write_neglect_world(folder: Path) -> Path:
    for table, rows in ROWS.items():
        write_table(folder, table, rows)
    return folder
