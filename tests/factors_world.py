"""A small partnership for the assessment factors page, worked out by hand in tests/test_page_factors.py.

Forty assessments (AF01 to AF40), each of a different child, all authorised in June 2024; children of odd
numbers live in NORTH (area A1), even numbers in SOUTH (A2). Factors recorded:

* 15A self-harm at AF01-AF10 (10), 4B parental mental health at AF03-AF18 (16): both at AF03-AF10 (8);
* 3B domestic abuse (parent) at AF10-AF15 (6): with self-harm only at AF10 (1);
* 20 "other" at AF19-AF36 (18); 21 "no factors identified" at AF37-AF40 (4).

So self-harm is at 10 of 40 completed assessments (25%), and at 10 of the 36 that recorded a factor other
than 21 (England's basis). Self-harm with parental mental health: chance would put them together at
10 x 16 / 40 = 4 assessments; they are together at 8, a lift of 2. The 2x2 table is 8, 2, 8, 22, so the
odds ratio is 8 x 22 / (2 x 8) = 11.
"""

from __future__ import annotations

from pathlib import Path

from tests.canonical_world import write_table

A1, A2 = "E01990001", "E01990002"
W1, W2 = "E05990001", "E05990002"
N = 40


def _ids(first: int, last: int) -> list[str]:
    return [f"AF{number:02d}" for number in range(first, last + 1)]


FACTORS = {
    "15A": _ids(1, 10),
    "4B": _ids(3, 18),
    "3B": _ids(10, 15),
    "20": _ids(19, 36),
    "21": _ids(37, 40),
}

ROWS: dict[str, list[dict[str, str]]] = {
    "localities": [
        {"locality_code": "NORTH", "locality_name": "North", "la_code": "E06990001", "la_name": "Testshire"},
        {"locality_code": "SOUTH", "locality_name": "South", "la_code": "E06990001", "la_name": "Testshire"},
    ],
    "wards": [
        {"ward_code": W1, "ward_name": "Ward One", "locality_code": "NORTH"},
        {"ward_code": W2, "ward_name": "Ward Two", "locality_code": "SOUTH"},
    ],
    "small_areas": [
        {"area_code": A1, "area_name": "Area One", "ward_code": W1},
        {"area_code": A2, "area_name": "Area Two", "ward_code": W2},
    ],
    "population": [
        {"area_code": area, "year": "2024", "age": age, "population": "500"} for area in (A1, A2) for age in ("5", "12")
    ],
    "children": [
        {"child_id": f"CF{n:02d}", "date_of_birth": "2010-05-20", "sex": "2", "home_area_code": A1 if n % 2 else A2}
        for n in range(1, N + 1)
    ],
    "assessments": [
        {
            "assessment_id": f"AF{n:02d}",
            "child_id": f"CF{n:02d}",
            "start_date": "2024-05-01",
            "authorised_date": "2024-06-14",
            "outcome": "CIN_PLAN",
        }
        for n in range(1, N + 1)
    ],
    "assessment_factors": [
        {"assessment_id": assessment, "factor_code": code} for code, ids in FACTORS.items() for assessment in ids
    ],
}


def write_factors_world(folder: Path) -> Path:
    for table, rows in ROWS.items():
        write_table(folder, table, rows)
    return folder
