"""A tiny, hand-written partnership: one valid row for every canonical table.

Tests write it as canonical template files, load it, and then break it one field at a time. Every
value here is fictional (QQ postcodes, E0199 area codes, 99 URNs) and was chosen by hand so the
expected results can be worked out by hand.
"""

from __future__ import annotations

import csv
from pathlib import Path

from data_connectors import schema

POLYGON = '{"type":"Polygon","coordinates":[[[-2.11,53.09],[-2.09,53.09],[-2.09,53.11],[-2.11,53.11],[-2.11,53.09]]]}'

WORLD: dict[str, dict[str, str]] = {
    "localities": {"locality_code": "NORTH", "locality_name": "North", "la_code": "E06990001", "la_name": "Testshire"},
    "wards": {"ward_code": "E05990001", "ward_name": "Ward One", "locality_code": "NORTH"},
    "small_areas": {
        "area_code": "E01990001",
        "area_name": "Area One",
        "ward_code": "E05990001",
        "centroid_latitude": "53.1",
        "centroid_longitude": "-2.1",
    },
    "boundaries": {
        "level": "SMALL_AREA",
        "area_code": "E01990001",
        "area_name": "Area One",
        "geometry": POLYGON,
        "centroid_latitude": "53.1",
        "centroid_longitude": "-2.1",
    },
    "postcode_areas": {"postcode": "QQ1 1AA", "area_code": "E01990001"},
    "population": {"area_code": "E01990001", "year": "2024", "age": "5", "population": "120"},
    "deprivation": {
        "area_code": "E01990001",
        "iod_year": "2025",
        "imd_score": "35.2",
        "imd_rank": "4000",
        "imd_decile": "2",
        "idaci_score": "0.31",
        "idaci_rank": "3500",
        "idaci_decile": "2",
    },
    "schools": {
        "urn": "990001",
        "school_name": "Testshire High School",
        "phase": "SECONDARY",
        "establishment_type": "Academy converter",
        "la_code": "E06990001",
        "area_code": "E01990001",
        "latitude": "53.1",
        "longitude": "-2.1",
        "pupils": "900",
        "is_open": "Y",
    },
    "children": {
        "child_id": "C0001",
        "date_of_birth": "2015-03-17",
        "sex": "1",
        "ethnicity": "WBRI",
        "has_disability": "N",
        "home_postcode": "QQ1 1AA",
        "home_area_code": "",
    },
    "contacts": {
        "contact_id": "K0001",
        "child_id": "C0001",
        "contact_date": "2024-01-05",
        "source_code": "2A",
        "referrer_need_level": "3",
        "school_urn": "990001",
        "outcome": "REFERRAL",
    },
    "referrals": {
        "referral_id": "R0001",
        "child_id": "C0001",
        "contact_id": "K0001",
        "referral_date": "2024-01-06",
        "source_code": "2A",
        "referrer_need_level": "3",
        "school_urn": "990001",
        "decision_date": "2024-01-08",
        "decision_level": "3",
        "outcome": "ASSESSMENT",
        "nfa": "N",
        "primary_need_code": "N1",
        "closure_date": "2024-03-01",
        "closure_reason": "RC7",
    },
    "assessments": {
        "assessment_id": "A0001",
        "child_id": "C0001",
        "referral_id": "R0001",
        "start_date": "2024-01-08",
        "authorised_date": "2024-02-20",
        "child_seen": "Y",
        "outcome": "CIN_PLAN",
    },
    "assessment_factors": {"assessment_id": "A0001", "factor_code": "4B"},
    "s47_enquiries": {
        "s47_id": "S0001",
        "child_id": "C0001",
        "referral_id": "R0001",
        "start_date": "2024-01-09",
        "end_date": "2024-01-20",
        "outcome": "ICPC",
        "icpc_not_required": "N",
    },
    "icpcs": {
        "icpc_id": "I0001",
        "child_id": "C0001",
        "s47_id": "S0001",
        "icpc_date": "2024-01-25",
        "cp_plan_made": "Y",
    },
    "cp_plans": {
        "cp_plan_id": "P0001",
        "child_id": "C0001",
        "icpc_id": "I0001",
        "start_date": "2024-01-25",
        "end_date": "2024-09-01",
        "initial_category": "NEG",
        "latest_category": "NEG",
        "previous_plans": "0",
    },
    "early_help_episodes": {
        "episode_id": "E0001",
        "child_id": "C0001",
        "start_date": "2023-06-01",
        "end_date": "2023-12-01",
        "reason": "NEGLECT",
        "end_reason": "STEP_UP",
        "lead_agency": "LA_EARLY_HELP",
    },
    "neglect_assessments": {
        "neglect_assessment_id": "N0001",
        "child_id": "C0001",
        "assessment_date": "2024-01-15",
        "tool": "GCP2",
        "physical_care_grade": "3",
        "safety_grade": "2",
        "emotional_care_grade": "3",
        "developmental_care_grade": "2",
        "overall_grade": "3",
    },
    "police_incidents": {
        "incident_id": "PI0001",
        "incident_date": "2024-02-01",
        "category": "VIOLENCE_SEXUAL_OFFENCES",
        "hate_crime": "N",
        "cse_concern": "Y",
        "cce_concern": "N",
        "missing_episode": "N",
        "domestic_abuse": "N",
        "child_present": "Y",
        "child_id": "C0001",
        "latitude": "53.100412",
        "longitude": "-2.100377",
        "location_precision": "EXACT",
        "area_code": "E01990001",
    },
    "health_events": {
        "area_code": "E01990001",
        "month": "2024-01",
        "event_type": "SELF_HARM_ATTENDANCE",
        "age_band": "10-15",
        "event_count": "3",
    },
    "school_attendance": {
        "urn": "990001",
        "academic_year": "2023/24",
        "term": "AUTUMN",
        "pupils": "900",
        "sessions_possible": "150000",
        "sessions_missed": "10500",
        "persistent_absentees": "160",
        "term_start": "2023-09-04",
    },
    "audits": {
        "audit_id": "AU1",
        "title": "Neglect audit",
        "theme": "neglect",
        "start_date": "2024-01-10",
        "completed_date": "2024-03-01",
        "cases_reviewed": "8",
        "lead_agency": "PARTNERSHIP",
    },
    "audit_findings": {
        "finding_id": "F1",
        "audit_id": "AU1",
        "agency": "POLICE",
        "grade": "GOOD",
        "finding": "The child's voice was recorded well.",
    },
    "actions": {
        "action_id": "AC1",
        "origin": "AUDIT",
        "origin_ref": "AU1",
        "description": "Refresh neglect training",
        "owner_agency": "PARTNERSHIP",
        "due_date": "2024-06-30",
        "status": "OPEN",
        "completed_date": "",
        "reaudit_id": "AU1",
    },
    "training_events": {
        "event_id": "T1",
        "title": "Neglect toolkit",
        "topic": "neglect",
        "event_date": "2024-02-01",
        "delivery": "IN_PERSON",
        "places": "30",
        "attendees": "28",
    },
    "training_evaluations": {
        "evaluation_id": "TE1",
        "event_id": "T1",
        "agency": "SCHOOLS",
        "confidence_before": "2",
        "confidence_after": "4",
        "follow_up_date": "2024-05-01",
        "practice_changed": "Y",
    },
    "escalations": {
        "escalation_id": "ES1",
        "raised_date": "2024-02-10",
        "raising_agency": "SCHOOLS",
        "receiving_agency": "LA_CSC",
        "stage": "2",
        "subject": "threshold decision",
        "resolved_date": "2024-02-20",
        "outcome": "decision revised",
    },
    "section11_returns": {
        "return_id": "S11-1",
        "agency": "POLICE",
        "return_year": "2024/25",
        "standard": "3",
        "rating": "PARTIALLY_MET",
        "evidence_summary": "Training records incomplete",
    },
    "priorities": {
        "priority_id": "PR1",
        "title": "Neglect",
        "description": "Earlier help for neglect",
        "lead_agency": "PARTNERSHIP",
        "start_date": "2024-04-01",
        "end_date": "2027-03-31",
        "status": "ON_TRACK",
    },
    "learning_reviews": {
        "review_id": "LR1",
        "review_type": "RAPID_REVIEW",
        "notification_date": "2024-01-12",
        "rapid_review_date": "2024-01-26",
        "published_date": "",
        "themes": "neglect; information sharing",
        "recommendations": "4",
    },
    "voice_of_child": {
        "feedback_id": "V1",
        "feedback_date": "2024-03-01",
        "agency": "LA_CSC",
        "age_band": "10-15",
        "theme": "being listened to",
        "sentiment": "POSITIVE",
    },
    "published_statistics": {
        "publication": "c1_referrals",
        "time_period": "2025",
        "time_identifier": "Reporting year",
        "geographic_level": "Local authority",
        "area_code": "E06990001",
        "area_name": "Testshire",
        "old_la_code": "990",
        "breakdown": "Total",
        "indicator": "referral_count",
        "value": "1234",
        "marker": "",
    },
    "statistical_neighbours": {
        "model": "2025",
        "la_code": "990",
        "rank": "1",
        "neighbour_la_code": "991",
        "la_name": "Testshire",
        "closeness": "Very close",
    },
}

RAW_IDENTIFIERS = ["C0001", "K0001", "R0001", "A0001", "S0001", "I0001", "P0001", "E0001", "N0001", "PI0001"]
RAW_SENSITIVE_VALUES = RAW_IDENTIFIERS + ["2015-03-17", "QQ1 1AA", "53.100412", "-2.100377"]


def write_table(folder: Path, table: str, rows: list[dict[str, str]], name: str | None = None) -> Path:
    """Write rows as the canonical template of `table` (columns in template order)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{table}.csv")
    columns = schema.template_columns(schema.table_by_name(table))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_world(folder: Path) -> Path:
    """Every table's one valid row, as a folder of template files."""
    for table, row in WORLD.items():
        write_table(folder, table, [row])
    return folder
