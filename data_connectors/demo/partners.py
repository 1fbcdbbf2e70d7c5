"""Health events (counted by small area and month) and school attendance (by school and term).

Both carry part of the neglect signal: children not brought to health appointments and persistent
absence from school both rise with the deprivation of the area.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_connectors.demo.calendar import month_starts, term_starts
from data_connectors.demo.context import Partnership
from data_connectors.demo.geography import Place
from data_connectors.demo.schools import Schools

AGE_BANDS = {"0-4": (0, 5), "5-9": (5, 10), "10-15": (10, 16), "16-17": (16, 18)}
# Events per child per year, by age band.
SELF_HARM = {"0-4": 0.0, "5-9": 0.00015, "10-15": 0.0032, "16-17": 0.0058}
NOT_BROUGHT = {"0-4": 0.055, "5-9": 0.03, "10-15": 0.02, "16-17": 0.015}
TERM_WEEKS = {"AUTUMN": 14, "SPRING": 12, "SUMMER": 13}
TERM_ABSENCE = {"AUTUMN": 0.92, "SPRING": 1.08, "SUMMER": 1.0}
ATTENDANCE_PHASES = ("PRIMARY", "SECONDARY", "ALL_THROUGH", "NOT_APPLICABLE")


def build_health_events(p: Partnership, place: Place) -> pd.DataFrame:
    """Monthly counts by small area and age band, Poisson around age-specific rates tilted by deprivation."""
    rng = p.rng("health")
    months = month_starts(p.start, p.end)
    year_index = np.clip(
        months.astype("datetime64[Y]").astype(int) + 1970 - place.years[0], 0, len(place.years) - 1
    )
    parts = []
    for band, (low, high) in AGE_BANDS.items():
        pop = place.population[:, :, low:high].sum(axis=2)[:, year_index]  # (areas, months)
        for event, rates, lift in (
            ("SELF_HARM_ATTENDANCE", SELF_HARM, 0.25),
            ("WAS_NOT_BROUGHT", NOT_BROUGHT, 0.55),
        ):
            if rates[band] == 0:
                continue
            tilt = np.exp(lift * place.deprivation_z)
            tilt = tilt / np.average(tilt, weights=pop.mean(axis=1))
            counts = rng.poisson(pop * rates[band] / 12 * tilt[:, None])
            a, m = np.nonzero(counts)
            parts.append(
                pd.DataFrame(
                    {
                        "area": a,
                        "month": months[m],
                        "event_type": event,
                        "age_band": band,
                        "event_count": counts[a, m],
                    }
                )
            )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["month", "area", "event_type", "age_band"], kind="stable").reset_index(
        drop=True
    )
    frame.insert(0, "area_code", place.area_codes[frame.pop("area").to_numpy()])
    return frame


def build_attendance(p: Partnership, place: Place, schools: Schools) -> pd.DataFrame:
    """Termly attendance: about 7% of sessions missed, persistent absence higher where deprived."""
    rng = p.rng("attendance")
    terms = term_starts(p.start, p.end)
    keep = np.flatnonzero(np.isin(schools.phase, ATTENDANCE_PHASES))
    z = place.deprivation_z[schools.area[keep]]
    phase = schools.phase[keep]
    school_effect = np.exp(rng.normal(0, 0.12, len(keep)))
    base = (
        0.053
        * np.exp(0.22 * z)
        * np.where(phase == "SECONDARY", 1.3, 1.0)
        * np.where(phase == "NOT_APPLICABLE", 1.6, 1.0)
        * school_effect
    )
    pupils0 = schools.frame["pupils"].to_numpy()[keep]
    rows = []
    for label, term, first in terms:
        year = int(label[:4])
        recovery = float(np.clip(1.25 - 0.06 * (year - 2021), 1.0, 1.25))  # absence falling since 2021/22
        pupils = np.maximum(10, np.round(pupils0 * np.exp(rng.normal(0, 0.02, len(keep))))).astype(int)
        per_pupil = TERM_WEEKS[term] * 10
        rate = np.clip(
            base * TERM_ABSENCE[term] * recovery * np.exp(rng.normal(0, 0.05, len(keep))), 0.01, 0.4
        )
        possible = pupils * per_pupil
        missed = rng.binomial(possible, rate)
        persistent_share = np.clip(2.6 * rate, 0, 0.9)
        rows.append(
            pd.DataFrame(
                {
                    "urn": schools.urn[keep],
                    "academic_year": label,
                    "term": term,
                    "pupils": pupils,
                    "sessions_possible": possible,
                    "sessions_missed": missed,
                    "persistent_absentees": rng.binomial(pupils, persistent_share),
                    "term_start": first,
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    return frame.sort_values(["term_start", "urn"], kind="stable").reset_index(drop=True)
