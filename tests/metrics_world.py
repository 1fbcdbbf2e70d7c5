"""A small partnership whose every metric value is worked out by hand in tests/test_metrics_*.py.

Two localities (NORTH: ward W1, area A1; SOUTH: ward W2, area A2). Children 0-17 in 2024: A1 2,000
(1,000 aged 5 and 1,000 aged 12), A2 1,000 (500 and 500). Events sit in January to June 2024.
"""

from __future__ import annotations

from pathlib import Path

from tests.canonical_world import write_table

A1, A2 = "E01990001", "E01990002"
W1, W2 = "E05990001", "E05990002"

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
        {"area_code": A1, "year": "2024", "age": "5", "population": "1000"},
        {"area_code": A1, "year": "2024", "age": "12", "population": "1000"},
        {"area_code": A2, "year": "2024", "age": "5", "population": "500"},
        {"area_code": A2, "year": "2024", "age": "12", "population": "500"},
    ],
    "schools": [
        {"urn": "100001", "school_name": "North Primary", "phase": "PRIMARY", "area_code": A1},
    ],
    # C1, C2 in A1 (aged 12 and 5 in 2024); C3 in A2 (aged 5); C4 in A2 (aged 12)
    "children": [
        {"child_id": "C1", "date_of_birth": "2011-09-10", "sex": "1", "home_postcode": "", "home_area_code": A1},
        {"child_id": "C2", "date_of_birth": "2018-11-02", "sex": "2", "home_area_code": A1},
        {"child_id": "C3", "date_of_birth": "2019-01-15", "sex": "2", "home_area_code": A2},
        {"child_id": "C4", "date_of_birth": "2012-03-30", "sex": "1", "home_area_code": A2},
    ],
    "contacts": [
        {"contact_id": "K1", "child_id": "C1", "contact_date": "2024-01-04", "source_code": "6", "outcome": "REFERRAL"},
        {"contact_id": "K2", "child_id": "C2", "contact_date": "2024-01-18", "source_code": "2A", "outcome": "ADVICE"},
        {
            "contact_id": "K3",
            "child_id": "C3",
            "contact_date": "2024-02-08",
            "source_code": "2A",
            "outcome": "REFERRAL",
        },
        {"contact_id": "K4", "child_id": "C4", "contact_date": "2024-03-01", "source_code": "6", "outcome": "NFA"},
    ],
    # R1 Fri 5 Jan -> Mon 8 Jan: 1 working day. R2 re-refers C1 in June (within 12 months), decided in 2.
    # R3 Fri 3 May -> Tue 7 May (Mon 6 May bank holiday): 1 working day. R4 not yet decided.
    "referrals": [
        {
            "referral_id": "R1",
            "child_id": "C1",
            "referral_date": "2024-01-05",
            "source_code": "6",
            "referrer_need_level": "3",
            "decision_date": "2024-01-08",
            "decision_level": "3",
            "outcome": "ASSESSMENT",
            "nfa": "false",
        },
        {
            "referral_id": "R2",
            "child_id": "C1",
            "referral_date": "2024-06-03",
            "source_code": "2A",
            "school_urn": "100001",
            "referrer_need_level": "4",
            "decision_date": "2024-06-05",
            "decision_level": "2",
            "outcome": "NFA",
            "nfa": "true",
        },
        {
            "referral_id": "R3",
            "child_id": "C3",
            "referral_date": "2024-05-03",
            "source_code": "2A",
            "referrer_need_level": "2",
            "decision_date": "2024-05-07",
            "decision_level": "4",
            "outcome": "S47",
            "nfa": "false",
        },
        {"referral_id": "R4", "child_id": "C4", "referral_date": "2024-02-12", "source_code": "6"},
    ],
    # AS1 starts Mon 8 Jan, authorised Fri 8 Mar: 44 working days (17 in Jan, 21 in Feb, 6 in Mar).
    # AS2 starts Tue 7 May, authorised Wed 31 Jul: 60 working days (the 27 May bank holiday is off).
    "assessments": [
        {
            "assessment_id": "AS1",
            "child_id": "C1",
            "referral_id": "R1",
            "start_date": "2024-01-08",
            "authorised_date": "2024-03-08",
            "outcome": "CIN_PLAN",
        },
        {
            "assessment_id": "AS2",
            "child_id": "C3",
            "referral_id": "R3",
            "start_date": "2024-05-07",
            "authorised_date": "2024-07-31",
            "outcome": "NFA",
        },
    ],
    "assessment_factors": [
        {"assessment_id": "AS1", "factor_code": "4B"},
        {"assessment_id": "AS1", "factor_code": "15A"},
        {"assessment_id": "AS2", "factor_code": "16A"},
    ],
}


def write_metrics_world(folder: Path) -> Path:
    for table, rows in ROWS.items():
        write_table(folder, table, rows)
    return folder
