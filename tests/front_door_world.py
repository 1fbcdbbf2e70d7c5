"""A partnership big enough for the front door and thresholds pages to show figures (and small enough
that some are suppressed), every value worked out by hand in tests/test_page_front_door.py and
tests/test_page_thresholds.py.

The geography is tests/metrics_world.py's: NORTH (area A1, 2,000 children 0-17) and SOUTH (A2, 1,000).
Events sit in January to June 2024, each month's on the same Tuesday; the front door decides on the
Wednesday (1 working day) or, for the schools' referrals that end in no further action, on the Friday (3).

Referrals (41) by agency and locality, with the referrer's level -> the front door's level:
  Police (6)            North 12: 5 S47 and 4 ASSESSMENT (4 -> 4), 3 NFA (4 -> 2)
                        South  8: 3 S47 and 2 ASSESSMENT (4 -> 4), 3 NFA (4 -> 2)
  Schools (2A)          North  8: 5 ASSESSMENT (3 -> 4), 3 NFA (3 -> 2, 3 working days)
                        South  4: 1 ASSESSMENT (3 -> 4), 3 NFA (3 -> 2, 3 working days), each about a child
                                  Police South referred (NFA) three months before: 3 re-referrals
  Health visitor (3B)   North  5: 4 ASSESSMENT (4 -> 4; 2 with no decision date), 1 NFA (2 -> 2)
                        South  2: 1 ASSESSMENT (4 -> 4), 1 NFA (2 -> 2)
  GP (3A)               North  2: 1 ASSESSMENT (4 -> 4), 1 NFA (2 -> 2)
Every referral came from a contact (41, outcome REFERRAL), and 32 more contacts ended in advice: Police
North 6, South 4; Schools North 10, South 5; health visitor North 3; GP North 4 (73 contacts).
Each ASSESSMENT referral starts an assessment (18). Each S47 referral starts an enquiry (8: North 5,
South 3); 6 reach an ICPC (North 4, in 10 working days; South 2, one in 10 and one in 18); the
4 North ICPCs and the first South one make a plan (5 plans, one a second plan for the child).
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from tests.canonical_world import write_table
from tests.metrics_world import A1, A2
from tests.metrics_world import ROWS as METRICS_WORLD

TUESDAYS = [dt.date(2024, m, d) for m, d in ((1, 9), (2, 6), (3, 5), (4, 9), (5, 14), (6, 11))]
AREA = {"N": A1, "S": A2}

# (agency, locality, referrals, referrer's level, decision level, outcome, months (1-6) or None to cycle)
GROUPS = [
    ("6", "N", 5, "4", "4", "S47", [1, 2, 3, 4, 1]),
    ("6", "N", 4, "4", "4", "ASSESSMENT", None),
    ("6", "N", 3, "4", "2", "NFA", None),
    ("6", "S", 3, "4", "4", "S47", [2, 3, 4]),
    ("6", "S", 2, "4", "4", "ASSESSMENT", None),
    ("6", "S", 3, "4", "2", "NFA", [1, 2, 3]),
    ("2A", "N", 5, "3", "4", "ASSESSMENT", None),
    ("2A", "N", 3, "3", "2", "NFA", None),
    ("2A", "S", 1, "3", "4", "ASSESSMENT", None),
    ("2A", "S", 3, "3", "2", "NFA", [4, 5, 6]),
    ("3B", "N", 4, "4", "4", "ASSESSMENT", None),
    ("3B", "N", 1, "2", "2", "NFA", None),
    ("3B", "S", 1, "4", "4", "ASSESSMENT", None),
    ("3B", "S", 1, "2", "2", "NFA", None),
    ("3A", "N", 1, "4", "4", "ASSESSMENT", None),
    ("3A", "N", 1, "2", "2", "NFA", None),
]
ADVICE_CONTACTS = [("6", "N", 6), ("6", "S", 4), ("2A", "N", 10), ("2A", "S", 5), ("3B", "N", 3), ("3A", "N", 4)]


def rows() -> dict[str, list[dict[str, str]]]:
    tables: dict[str, list[dict[str, str]]] = {
        name: list(METRICS_WORLD[name]) for name in ("localities", "wards", "small_areas", "population", "schools")
    }
    for name in ("children", "contacts", "referrals", "assessments", "s47_enquiries", "icpcs", "cp_plans"):
        tables[name] = []
    cycle = itertools.cycle(range(1, 7))
    numbers = itertools.count(1)
    police_south_nfa: list[str] = []

    def child(locality: str) -> str:
        child_id = f"C{next(numbers):03d}"
        tables["children"].append(
            {"child_id": child_id, "date_of_birth": "2016-01-15", "sex": "1", "home_area_code": AREA[locality]}
        )
        return child_id

    s47_seen = {"N": 0, "S": 0}
    for agency, locality, count, level, decision, outcome, months in GROUPS:
        for position in range(count):
            month = months[position] if months else next(cycle)
            day = TUESDAYS[month - 1]
            if (agency, locality, outcome) == ("2A", "S", "NFA"):
                child_id = police_south_nfa[position]  # a re-referral three months on
            else:
                child_id = child(locality)
            if (agency, locality, outcome) == ("6", "S", "NFA"):
                police_south_nfa.append(child_id)
            number = len(tables["referrals"]) + 1
            undecided = agency == "3B" and locality == "N" and outcome == "ASSESSMENT" and position < 2
            decided = day + dt.timedelta(days=3 if (agency, outcome) == ("2A", "NFA") else 1)
            tables["contacts"].append(
                {
                    "contact_id": f"K{number:03d}",
                    "child_id": child_id,
                    "contact_date": day.isoformat(),
                    "source_code": agency,
                    "outcome": "REFERRAL",
                }
            )
            tables["referrals"].append(
                {
                    "referral_id": f"R{number:03d}",
                    "child_id": child_id,
                    "contact_id": f"K{number:03d}",
                    "referral_date": day.isoformat(),
                    "source_code": agency,
                    "referrer_need_level": level,
                    "decision_date": "" if undecided else decided.isoformat(),
                    "decision_level": decision,
                    "outcome": outcome,
                    "nfa": "true" if outcome == "NFA" else "false",
                }
            )
            start = day + dt.timedelta(days=1)
            if outcome == "ASSESSMENT":
                tables["assessments"].append(
                    {
                        "assessment_id": f"A{number:03d}",
                        "child_id": child_id,
                        "referral_id": f"R{number:03d}",
                        "start_date": start.isoformat(),
                    }
                )
            if outcome == "S47":
                s47_seen[locality] += 1
                _s47(tables, number, child_id, start, locality, s47_seen[locality])
    for agency, locality, count in ADVICE_CONTACTS:
        for _ in range(count):
            number = len(tables["contacts"]) + 1
            tables["contacts"].append(
                {
                    "contact_id": f"K{number:03d}",
                    "child_id": child(locality),
                    "contact_date": TUESDAYS[next(cycle) - 1].isoformat(),
                    "source_code": agency,
                    "outcome": "ADVICE",
                }
            )
    return tables


def _s47(tables: dict, number: int, child_id: str, start: dt.date, locality: str, nth: int) -> None:
    """North: the first 4 enquiries reach an ICPC in 10 working days and each makes a plan (the first
    child's second). South: the first in 10 working days making a plan, the second late (18 working days,
    over Easter) with none."""
    tables["s47_enquiries"].append(
        {"s47_id": f"S{number:03d}", "child_id": child_id, "referral_id": f"R{number:03d}", "start_date": str(start)}
    )
    reached = nth <= (4 if locality == "N" else 2)
    if not reached:
        return
    late = locality == "S" and nth == 2
    icpc_date = start + dt.timedelta(days=28 if late else 14)
    plan = locality == "N" or nth == 1
    tables["icpcs"].append(
        {
            "icpc_id": f"I{number:03d}",
            "child_id": child_id,
            "s47_id": f"S{number:03d}",
            "icpc_date": icpc_date.isoformat(),
            "cp_plan_made": "true" if plan else "false",
        }
    )
    if plan:
        tables["cp_plans"].append(
            {
                "cp_plan_id": f"P{number:03d}",
                "child_id": child_id,
                "icpc_id": f"I{number:03d}",
                "start_date": icpc_date.isoformat(),
                "initial_category": "NEG",
                "previous_plans": "1" if locality == "N" and nth == 1 else "0",
            }
        )


def write_front_door_world(folder: Path) -> Path:
    for table, table_rows in rows().items():
        write_table(folder, table, table_rows)
    return folder
