"""Police incidents shared with the partnership, with safeguarding flags and locations.

Background incidents follow population and deprivation (and the town centre); incidents involving a
child happen at the child's home. Two signals are planted on top: CSE concerns rising near one
secondary school in the last six months, and hate incidents concentrated near another school all along.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_connectors.demo.calendar import month_starts
from data_connectors.demo.children import Children, last_child_day
from data_connectors.demo.context import POLICE_INCIDENTS, Partnership, ids, pick, uniform_dates, yes_no
from data_connectors.demo.geography import Place
from data_connectors.demo.schools import Schools
from data_connectors.demo.signals import CSE_BACKGROUND_PER_MONTH, CSE_RADIUS_M, HATE_RADIUS_M, SignalPlan

CATEGORIES = {
    "ANTI_SOCIAL_BEHAVIOUR": 24.0,
    "VIOLENCE_SEXUAL_OFFENCES": 22.0,
    "CRIMINAL_DAMAGE_ARSON": 7.0,
    "PUBLIC_ORDER": 7.0,
    "SHOPLIFTING": 5.0,
    "OTHER_THEFT": 4.0,
    "BURGLARY": 3.0,
    "VEHICLE_CRIME": 3.0,
    "DRUGS": 2.5,
    "OTHER_CRIME": 1.5,
    "ROBBERY": 1.0,
    "POSSESSION_OF_WEAPONS": 1.0,
    "BICYCLE_THEFT": 1.0,
    "THEFT_FROM_THE_PERSON": 1.0,
}
CHILD_CATEGORIES = {
    "DOMESTIC_INCIDENT": 45.0,
    "CONCERN_FOR_WELFARE": 25.0,
    "MISSING_PERSON": 18.0,
    "VIOLENCE_SEXUAL_OFFENCES": 8.0,
    "ANTI_SOCIAL_BEHAVIOUR": 4.0,
}
CHILD_SHARE = 0.22  # incidents that involve a known child
SEASON = np.array([0.92, 0.88, 0.97, 1.0, 1.06, 1.08, 1.12, 1.1, 1.0, 1.0, 0.96, 0.91])
# Flag rates by category (share of incidents flagged); everything else gets the default.
HATE = {
    "PUBLIC_ORDER": 0.09,
    "VIOLENCE_SEXUAL_OFFENCES": 0.02,
    "CRIMINAL_DAMAGE_ARSON": 0.02,
    "ANTI_SOCIAL_BEHAVIOUR": 0.006,
}
CSE = {"MISSING_PERSON": 0.07, "CONCERN_FOR_WELFARE": 0.02, "VIOLENCE_SEXUAL_OFFENCES": 0.008}
CCE = {
    "MISSING_PERSON": 0.08,
    "DRUGS": 0.1,
    "POSSESSION_OF_WEAPONS": 0.08,
    "ROBBERY": 0.05,
    "CONCERN_FOR_WELFARE": 0.02,
}


def _rate(category: np.ndarray, rates: dict[str, float], default: float) -> np.ndarray:
    return pd.Series(category, dtype=object).map(rates).fillna(default).to_numpy(dtype=float)


def build_police(
    p: Partnership,
    place: Place,
    schools: Schools,
    children: Children,
    signals: SignalPlan,
    signal_children: np.ndarray,
) -> pd.DataFrame:
    """General incidents, incidents at known children's homes, and the two planted hotspots."""
    rng = p.rng("police")
    total = p.scaled(POLICE_INCIDENTS)
    n_child = int(total * CHILD_SHARE)
    n_general = total - n_child

    # General incidents: where people are, more in deprived areas and the town centre.
    months = month_starts(p.start, p.end)
    month_w = SEASON[months.astype("datetime64[M]").astype(int) % 12]
    month = rng.choice(len(months), n_general, p=month_w / month_w.sum())
    g_date = _in_month(rng, p, months[month])
    area_w = place.children_by_area() * np.exp(0.5 * place.deprivation_z)
    centre = place.localities["locality_code"].tolist().index(place.locality_deprivation_order[0])
    area_w = area_w * np.where(place.locality_of_area == centre, 1.4, 1.0)
    g_area = rng.choice(len(area_w), n_general, p=area_w / area_w.sum())
    g_cat = pick(rng, CATEGORIES, n_general)

    # Incidents involving a known child, at home, while the child is 0-17.
    n_kids = children.count
    dob = children.column("dob")
    weight = np.exp(0.4 * place.deprivation_z[children.column("area")])
    c_child = rng.choice(n_kids, n_child, p=weight / weight.sum())
    low = np.maximum(dob[c_child], p.start64)
    high = np.minimum(last_child_day(dob[c_child]), p.end64)
    c_date = uniform_dates(rng, low, np.maximum(low, high))
    c_area = children.column("area")[c_child]
    c_cat = pick(rng, CHILD_CATEGORIES, n_child)

    date = np.concatenate([g_date, c_date])
    area = np.concatenate([g_area, c_area])
    category = np.concatenate([g_cat, c_cat])
    child = np.concatenate([np.full(n_general, -1), c_child])
    points = place.points_in(rng, area)
    m = len(date)
    hate = rng.random(m) < _rate(category, HATE, 0.002)
    cse = rng.random(m) < _rate(category, CSE, 0.001)
    cce = rng.random(m) < _rate(category, CCE, 0.002)
    missing = category == "MISSING_PERSON"
    domestic = (category == "DOMESTIC_INCIDENT") | (
        (category == "VIOLENCE_SEXUAL_OFFENCES") & (rng.random(m) < 0.2)
    )
    present = (child >= 0) | (rng.random(m) < 0.03)
    # A missing child report is about the child, so it cannot be flagged without one.
    frame = pd.DataFrame(
        {
            "incident_date": date,
            "category": category,
            "hate_crime": hate,
            "cse_concern": cse,
            "cce_concern": cce,
            "missing_episode": missing,
            "domestic_abuse": domestic,
            "child_present": present,
            "child_pos": child,
            "latitude": points[:, 0],
            "longitude": points[:, 1],
            "area": area,
        }
    )
    frame = pd.concat(
        [
            frame,
            _cse_signal(rng, p, place, schools, signals, signal_children),
            _hate_signal(rng, p, place, schools, signals),
        ],
        ignore_index=True,
    )
    frame = frame.sort_values("incident_date", kind="stable").reset_index(drop=True)
    flags = ["hate_crime", "cse_concern", "cce_concern", "missing_episode", "domestic_abuse", "child_present"]
    out = pd.DataFrame(
        {
            "incident_id": ids(p.prefix, "PI-", np.arange(len(frame)) + 1, 6),
            "incident_date": frame["incident_date"].to_numpy(dtype="datetime64[D]"),
            "category": frame["category"].to_numpy(dtype=object),
        }
    )
    for flag in flags:
        out[flag] = yes_no(frame[flag].to_numpy(dtype=bool))
    out["child_pos"] = frame["child_pos"].to_numpy(dtype=np.int64)
    out["latitude"] = frame["latitude"].to_numpy().round(6)
    out["longitude"] = frame["longitude"].to_numpy().round(6)
    out["location_precision"] = "EXACT"
    out["area_code"] = place.area_codes[frame["area"].to_numpy(dtype=np.int64)]
    return out


def _in_month(rng: np.random.Generator, p: Partnership, month: np.ndarray) -> np.ndarray:
    """A random day in each given month, inside the period."""
    first = np.maximum(month, p.start64)
    last = np.minimum((month.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1, p.end64)
    return uniform_dates(rng, first, last)


def _cse_signal(
    rng: np.random.Generator,
    p: Partnership,
    place: Place,
    schools: Schools,
    signals: SignalPlan,
    signal_children: np.ndarray,
) -> pd.DataFrame:
    """Signal 1: CSE-flagged incidents within 500 m of the school: a low history, then a monthly rise."""
    k = signals.cse_school
    months = month_starts(p.start, p.end)
    history = months[months < signals.cse_months[0]]
    month = np.concatenate(
        [
            np.repeat(history, rng.poisson(CSE_BACKGROUND_PER_MONTH, len(history))),
            np.repeat(signals.cse_months, signals.cse_incidents),
        ]
    )
    n = len(month)
    points, area = place.points_near(rng, schools.lat[k], schools.lon[k], CSE_RADIUS_M * 0.95, n)
    category = pick(rng, {"CONCERN_FOR_WELFARE": 45, "MISSING_PERSON": 30, "VIOLENCE_SEXUAL_OFFENCES": 25}, n)
    linked = rng.random(n) < 0.5
    child = np.where(
        linked & (len(signal_children) > 0),
        signal_children[rng.integers(0, max(1, len(signal_children)), n)] if len(signal_children) else -1,
        -1,
    )
    return pd.DataFrame(
        {
            "incident_date": _in_month(rng, p, month),
            "category": category,
            "hate_crime": False,
            "cse_concern": True,
            "cce_concern": rng.random(n) < 0.15,
            "missing_episode": category == "MISSING_PERSON",
            "domestic_abuse": False,
            "child_present": True,
            "child_pos": child,
            "latitude": points[:, 0],
            "longitude": points[:, 1],
            "area": area,
        }
    )


def _hate_signal(
    rng: np.random.Generator, p: Partnership, place: Place, schools: Schools, signals: SignalPlan
) -> pd.DataFrame:
    """Signal 2: hate incidents within 400 m of another school, steadily through the period."""
    k = signals.hate_school
    months = month_starts(p.start, p.end)
    counts = rng.poisson(signals.hate_per_month, len(months))
    month = np.repeat(months, counts)
    n = len(month)
    points, area = place.points_near(rng, schools.lat[k], schools.lon[k], HATE_RADIUS_M * 0.95, n)
    category = pick(rng, {"PUBLIC_ORDER": 60, "VIOLENCE_SEXUAL_OFFENCES": 25, "CRIMINAL_DAMAGE_ARSON": 15}, n)
    return pd.DataFrame(
        {
            "incident_date": _in_month(rng, p, month),
            "category": category,
            "hate_crime": True,
            "cse_concern": False,
            "cce_concern": False,
            "missing_episode": False,
            "domestic_abuse": False,
            "child_present": rng.random(n) < 0.3,
            "child_pos": -1,
            "latitude": points[:, 0],
            "longitude": points[:, 1],
            "area": area,
        }
    )
