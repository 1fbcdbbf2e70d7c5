"""Hotspots near schools: radius counts, exact tests and the flag list worked by hand; clusters planted in a
synthetic town recovered; the false-alarm rate on data with no cluster; the store (DuckDB and PostgreSQL) and
the command line on a small hand-placed world."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics.pairwise import haversine_distances

from dashboard.metrics.__main__ import main as metrics_main
from dashboard.metrics.disclosure import render
from dashboard.metrics.hotspots import (
    SNAPPED_NOTE,
    Window,
    analysis_windows,
    disclosed,
    find_hotspots,
    flag_schools,
    incident_hotspots,
    referral_hotspots,
)
from dashboard.metrics.radius import EARTH_RADIUS_M, radius_counts
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.canonical_world import write_table
from tests.stores import TEST_KEY

END = dt.date(2024, 6, 30)
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180  # 111,195 m along a meridian


def upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed term by term (independent of scipy)."""
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(max(k, 0), n + 1))


# --- Counting and windows ---------------------------------------------------------------------------


def test_radius_counts_by_hand() -> None:
    centre = np.array([[52.5, -1.5]])
    # North: 0.0044 deg of latitude = 489.3 m, 0.0045 deg = 500.4 m. East along the parallel, the great-circle
    # distance is 2 R asin(cos 52.5 deg x sin(dlon / 2)): 0.0070 deg -> 473.8 m, 0.0076 deg -> 514.5 m.
    points = np.array([[52.5044, -1.5], [52.5045, -1.5], [52.5, -1.493], [52.5, -1.4924], [52.4956, -1.5]])
    north = 0.0044 * METRES_PER_DEGREE
    assert north == pytest.approx(489.3, abs=0.1)
    east = 2 * EARTH_RADIUS_M * math.asin(math.cos(math.radians(52.5)) * math.sin(math.radians(0.0076) / 2))
    assert east == pytest.approx(514.5, abs=0.1)
    assert radius_counts(centre, points, 500).tolist() == [3]  # 489.3 m north, 473.8 m east, 489.3 m south
    assert radius_counts(centre, points, [480, 500, 520]).tolist() == [[1, 3, 5]]
    assert radius_counts(centre, points[:0], 500).tolist() == [0]


def test_counts_match_every_distance_worked_out_in_turn() -> None:
    # Rounded coordinates (as stored) repeat, which takes the weighted path; unrounded ones do not.
    rng = np.random.default_rng(3)
    rounded = np.column_stack([rng.uniform(52.40, 52.44, 3_000), rng.uniform(-1.55, -1.50, 3_000)]).round(3)
    exact = np.column_stack([rng.uniform(52.40, 52.44, 3_000), rng.uniform(-1.55, -1.50, 3_000)])
    centres = np.column_stack([rng.uniform(52.40, 52.44, 50), rng.uniform(-1.55, -1.50, 50)])
    assert len(np.unique(rounded, axis=0)) < len(rounded) and len(np.unique(exact, axis=0)) == len(exact)
    for points in (rounded, exact):
        metres = haversine_distances(np.radians(centres), np.radians(points)) * EARTH_RADIUS_M
        expected = np.column_stack([(metres <= r).sum(axis=1) for r in (300, 500, 2000)])
        assert (radius_counts(centres, points, [300, 500, 2000]) == expected).all()
        assert (radius_counts(centres, points, [300, 500, 2000], metric="chord") == expected).all()
        assert expected[:, 0].sum() > 0


def test_windows_in_days_and_in_months() -> None:
    days = analysis_windows(END, 30, 2)
    assert days == [
        Window(dt.date(2024, 6, 1), dt.date(2024, 6, 30)),
        Window(dt.date(2024, 5, 2), dt.date(2024, 5, 31)),
        Window(dt.date(2024, 4, 2), dt.date(2024, 5, 1)),
    ]
    months = analysis_windows(END, 91, 2, monthly=True)  # 91 days = 3 months
    assert months == [
        Window(dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        Window(dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        Window(dt.date(2023, 10, 1), dt.date(2023, 12, 31)),
    ]
    assert analysis_windows(dt.date(2024, 3, 1), 10, 1, monthly=True)[1] == Window(
        dt.date(2024, 2, 1), dt.date(2024, 2, 29)
    )
    with pytest.raises(ValueError):
        analysis_windows(END, 0)


# --- The statistics, by hand --------------------------------------------------------------------------


def test_flag_schools_by_hand() -> None:
    share = 1 / 16  # a 500 m circle in a 2,000 m ring
    frame = flag_schools(
        now=[5, 4, 0, 8],
        before=[[0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [8, 8, 8, 8]],
        other_now=[0, 0, 30, 16],
        other_before=[0, 0, 100, 64],
        share=np.full(4, share),
    )
    # A: 5 now, none in the 4 windows before. Given 5 events in 5 equal windows, each falls in the current one
    # with chance 1/5: p = (1/5)^5. Against the area it is 5 of 5 in the ring now (p = (1/16)^5), but 0 before,
    # so not "persistent" (p 1). One p-value per school: 2 x the smaller, for the two reasons tried.
    a = frame.loc[0]
    assert a["p_emerging"] == pytest.approx(0.2**5)
    assert a["p_area_now"] == pytest.approx(share**5)
    assert a["p_area_before"] == 1.0
    assert a["p_value"] == pytest.approx(2 * 0.2**5)  # 0.00064
    assert (a["expected_history"], a["expected"], a["compared_with"]) == (0.0, 0.0, "own history")
    assert np.isnan(a["ratio"])  # nothing expected: no ratio
    # B: 4 now, none before: p = 2 x (1/5)^4 = 0.0032.
    assert frame.loc[1, "p_value"] == pytest.approx(2 * 0.2**4)
    # C: nothing now: every test gives 1.
    assert frame.loc[2, ["p_emerging", "p_area_now", "p_value"]].tolist() == [1.0, 1.0, 1.0]
    assert frame.loc[2, "p_area_before"] == pytest.approx(upper_tail(1, 101, share))  # 1 of 101 before
    # D: 8 now and 8 in every window before (32), with 16 now and 64 before in the rest of the ring.
    d = frame.loc[3]
    assert d["p_emerging"] == pytest.approx(upper_tail(8, 40, 0.2))  # 0.59: not rising
    assert d["p_area_now"] == pytest.approx(upper_tail(8, 24, share))
    assert d["p_area_before"] == pytest.approx(upper_tail(32, 96, share))
    assert d["p_value"] == pytest.approx(2 * max(upper_tail(8, 24, share), upper_tail(32, 96, share)))
    assert d["expected_area"] == pytest.approx(16 * (1 / 16) / (15 / 16))  # the ring's rate on the circle: 1.067
    assert d["compared_with"] == "surrounding area" and d["ratio"] == pytest.approx(8 / (16 / 15))

    # Benjamini-Hochberg by hand over the 4 p-values: sorted p(1) <= ... <= p(4); adjusted p(i) is the smallest
    # of p(j) x 4 / j over j >= i (capped at 1).
    p = frame["p_value"].to_numpy()
    order = np.argsort(p)
    adjusted = np.minimum.accumulate((p[order] * 4 / np.arange(1, 5))[::-1])[::-1].clip(max=1)
    assert frame["p_adjusted"].to_numpy()[order] == pytest.approx(adjusted)
    # A and D flag; B's adjusted p is below 0.05 too, but 4 events are too few to call a cluster.
    assert frame.loc[1, "p_adjusted"] < 0.05
    assert frame["flagged"].tolist() == [True, False, False, True]
    assert frame["kind"].tolist() == ["emerging", "", "", "persistent"]


def test_no_history_and_nothing_to_compare_with() -> None:
    frame = flag_schools(
        now=[6, 6], before=np.zeros((2, 0)), other_now=[0, 3], other_before=[0, 0], share=[np.nan, 0.1]
    )
    # No previous window: only the area now is tried (1 reason, so no factor 2); the flag is "above area".
    assert np.isnan(frame.loc[1, "p_emerging"]) and np.isnan(frame.loc[1, "p_area_before"])
    assert frame.loc[1, "p_value"] == pytest.approx(upper_tail(6, 9, 0.1))
    assert frame.loc[1, "kind"] == "above area"
    # Nothing at all to compare with: no p-value, and left out of the adjustment (which is over 1 school).
    assert np.isnan(frame.loc[0, "p_value"]) and np.isnan(frame.loc[0, "p_adjusted"])
    assert frame.loc[1, "p_adjusted"] == pytest.approx(frame.loc[1, "p_value"])


def test_no_schools_or_no_incidents() -> None:
    schools = pd.DataFrame({"urn": ["1", "2"], "latitude": [52.5, None], "longitude": [-1.5, None]})
    no_incidents = pd.DataFrame({"incident_date": [], "latitude": [], "longitude": []})
    quiet = incident_hotspots(schools, no_incidents, radius_m=500, window_days=30, end=END)
    assert quiet["urn"].tolist() == ["1"] and quiet.attrs["left_out_schools"] == 1  # no place, no count
    assert quiet.loc[0, ["count", "p_value", "flagged"]].tolist() == [0, 1.0, False]
    empty = incident_hotspots(schools.iloc[1:], no_incidents, radius_m=500, window_days=30, end=END)
    assert empty.empty and "p_adjusted" in empty.columns
    with pytest.raises(ValueError, match="below the ring"):
        incident_hotspots(schools, no_incidents, radius_m=500, ring_m=400, window_days=30, end=END)


def test_conditional_test_agrees_with_the_poisson_test_when_the_area_is_large() -> None:
    # With 200,000 events in the ring outside a circle of 1/10,000 of its area, the expectation 20.002 is known
    # almost exactly, and the exact conditional test is the Poisson test poisson.sf(count - 1, expected).
    frame = flag_schools(now=[30], before=np.zeros((1, 0)), other_now=[200_000], other_before=[0], share=[1e-4])
    expected = 200_000 * 1e-4 / (1 - 1e-4)
    assert frame.loc[0, "expected_area"] == pytest.approx(expected)
    assert frame.loc[0, "p_area_now"] == pytest.approx(stats.poisson.sf(29, expected), rel=2e-3)


# --- Synthetic town: planted clusters and the false-alarm rate ------------------------------------------

# A 0.2 x 0.3 degree box around Coventry (about 22 x 20 km). Schools stand at least 3 km inside its edges,
# so every 2 km ring lies wholly within the incidents' area (a ring reaching past the data would lower the
# area's rate and raise false "persistent" flags).
BOX = (52.30, 52.50, -1.65, -1.35)
N_SCHOOLS = 30
RADIUS, WINDOW, BASELINE = 500.0, 91, 4
PER_CIRCLE_PER_WINDOW = 6.0  # the same rate everywhere: about 6 incidents within 500 m of any point per window


def synthetic_world(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Schools and incidents with no cluster: incidents uniform in space and in time over 5 windows."""
    rng = np.random.default_rng(seed)
    south, north, west, east = BOX
    places: list[tuple[float, float]] = []
    while len(places) < N_SCHOOLS:  # at least 1.2 km apart, so a planted cluster is near one school only
        lat, lon = rng.uniform(south + 0.03, north - 0.03), rng.uniform(west + 0.05, east - 0.05)
        if all(math.dist((lat, lon * 0.61), (a, b * 0.61)) * METRES_PER_DEGREE > 1200 for a, b in places):
            places.append((lat, lon))
    schools = pd.DataFrame(places, columns=["latitude", "longitude"])
    schools.insert(0, "urn", [f"9{i:05d}" for i in range(N_SCHOOLS)])
    km2 = (
        (north - south)
        * METRES_PER_DEGREE
        / 1000
        * (east - west)
        * METRES_PER_DEGREE
        / 1000
        * math.cos(math.radians(52.4))
    )
    circle_km2 = math.pi * (RADIUS / 1000) ** 2
    size = rng.poisson(PER_CIRCLE_PER_WINDOW / circle_km2 * km2 * (BASELINE + 1))
    incidents = pd.DataFrame(
        {
            "incident_date": pd.Timestamp(END) - pd.to_timedelta(rng.integers(0, WINDOW * (BASELINE + 1), size), "D"),
            "latitude": rng.uniform(south, north, size).round(3),
            "longitude": rng.uniform(west, east, size).round(3),
        }
    )
    return schools, incidents


def plant(rng: np.random.Generator, school: pd.Series, count: int, first_day: int, last_day: int) -> pd.DataFrame:
    """``count`` extra incidents within 400 m of a school, dated ``first_day`` to ``last_day`` days before END."""
    distance = 400 * np.sqrt(rng.uniform(0, 1, count))
    bearing = rng.uniform(0, 2 * np.pi, count)
    north = distance * np.cos(bearing) / METRES_PER_DEGREE
    east = distance * np.sin(bearing) / (METRES_PER_DEGREE * np.cos(np.radians(school["latitude"])))
    return pd.DataFrame(
        {
            "incident_date": pd.Timestamp(END) - pd.to_timedelta(rng.integers(first_day, last_day + 1, count), "D"),
            "latitude": school["latitude"] + north,
            "longitude": school["longitude"] + east,
        }
    )


def hotspots_of(schools: pd.DataFrame, incidents: pd.DataFrame) -> pd.DataFrame:
    return incident_hotspots(schools, incidents, radius_m=RADIUS, window_days=WINDOW, end=END)


@pytest.mark.parametrize("seed", range(5))
def test_planted_emerging_clusters_are_found_and_ranked_first(seed: int) -> None:
    schools, incidents = synthetic_world(seed)
    rng = np.random.default_rng(1000 + seed)
    chosen = schools.iloc[[2, 11, 23]]
    extra = [plant(rng, school, 20, 0, WINDOW - 1) for _, school in chosen.iterrows()]  # 20 more this window
    result = hotspots_of(schools, pd.concat([incidents, *extra], ignore_index=True))
    top = result.head(3)
    assert set(top["urn"]) == set(chosen["urn"])
    assert top["flagged"].all() and (top["kind"] == "emerging").all()
    assert (top["compared_with"] == "own history").all()
    assert (top["count"] >= 20).all() and (top["ratio"] > 2).all()


@pytest.mark.parametrize("seed", range(3))
def test_planted_persistent_clusters_are_called_persistent(seed: int) -> None:
    schools, incidents = synthetic_world(100 + seed)
    rng = np.random.default_rng(2000 + seed)
    chosen = schools.iloc[[5, 17]]
    extra = [
        plant(rng, school, 15, WINDOW * k, WINDOW * (k + 1) - 1)  # 15 more in every window, now and before
        for _, school in chosen.iterrows()
        for k in range(BASELINE + 1)
    ]
    result = hotspots_of(schools, pd.concat([incidents, *extra], ignore_index=True))
    top = result.head(2)
    assert set(top["urn"]) == set(chosen["urn"])
    assert top["flagged"].all() and (top["kind"] == "persistent").all()
    assert (top["compared_with"] == "surrounding area").all()
    assert (top["p_emerging"] > 0.01).all()  # not rising against their own history


def test_no_cluster_false_alarms_stay_within_the_nominal_rate() -> None:
    # Benjamini-Hochberg at q = 0.05 keeps the false discovery rate, E[false flags / flags] (0 when nothing is
    # flagged), at or below 0.05. With no cluster anywhere every flag is false, so that rate is the chance of
    # raising any flag at all. Over 200 independent worlds, the number of worlds with a flag is then at most
    # Binomial(200, 0.05) (mean 10); a correct method exceeds its 99.9th percentile once in a thousand runs.
    seeds = 200
    any_flag, p_values = 0, []
    for seed in range(seeds):
        result = hotspots_of(*synthetic_world(seed))
        any_flag += bool(result["flagged"].any())
        p_values.append(result["p_value"].to_numpy())
    assert any_flag <= stats.binom.ppf(0.999, seeds, 0.05)  # 21
    # Each school's p-value is itself valid: P(p <= 0.05) <= 0.05 under no cluster. Over 6,000 schools (30 a
    # world, counts partly shared between near neighbours) allow 4 binomial standard errors above 5%.
    share = (np.concatenate(p_values) <= 0.05).mean()
    assert share <= 0.05 + 4 * math.sqrt(0.05 * 0.95 / (seeds * N_SCHOOLS))


def test_area_precision_incidents_are_left_out_and_snapped_ones_noted() -> None:
    schools = pd.DataFrame({"urn": ["1"], "latitude": [52.5], "longitude": [-1.5]})
    incidents = pd.DataFrame(
        {
            "incident_date": [dt.date(2024, 6, 1), dt.date(2024, 6, 1), dt.date(2024, 5, 1)],
            "latitude": [52.5, 52.5, 52.5],
            "longitude": [-1.5, -1.5, -1.5],
            "location_precision": ["AREA", "SNAPPED", "EXACT"],
        }
    )
    result = incident_hotspots(schools, incidents, radius_m=500, window_days=30, end=END, baseline_windows=1)
    assert result.loc[0, "count"] == 1 and result.loc[0, "count_before"] == 1  # June (snapped), May (exact)
    assert result.attrs["window"] == "01 Jun 2024 to 30 Jun 2024"  # whole months with police.uk data
    assert SNAPPED_NOTE in result.attrs["notes"]
    assert "1 incident without a usable location (area only, or none) left out." in result.attrs["notes"]


# --- Referrals ------------------------------------------------------------------------------------------

REFERRAL_SCHOOLS = pd.DataFrame(
    {
        "urn": ["S1", "S2", "S3", "S4"],
        "phase": ["SECONDARY", "SECONDARY", "PRIMARY", "SECONDARY"],
        "pupils": [1000, 500, 300, None],
        "latitude": [52.50, 52.52, 52.50, 52.50],
        "longitude": [-1.50, -1.50, -1.45, -1.49],
    }
)


def test_referrals_compared_with_schools_of_the_same_phase_by_hand() -> None:
    referrals = pd.DataFrame(
        {
            "school_urn": ["S1"] * 6 + ["S2", "S4", "S4", "S3", "OTHER"],
            "referral_date": ["2024-06-03"] * 6
            + ["2024-06-04", "2024-06-05", "2024-06-06", "2024-06-07", "2024-06-08"],
        }
    )
    result = referral_hotspots(REFERRAL_SCHOOLS, referrals, window_days=30, end=END).set_index("urn")
    # S1: 6 of the 7 referrals from secondary schools with pupil numbers (S1 1,000 pupils, S2 500; S4 has no
    # pupil number, so is no comparison). Expected from S2's rate: 1 x 1000 / 500 = 2. Given 7, each is S1's
    # with chance 1000 / 1500 = 2/3: p = P(Bin(7, 2/3) >= 6) = 576 / 2187 = 0.263. No history: 4 windows of 0.
    s1 = result.loc["S1"]
    assert s1["count"] == 6 and s1["count_area"] == 1
    assert s1["expected_area"] == pytest.approx(2.0)
    assert s1["p_area_now"] == pytest.approx(576 / 2187)
    assert s1["p_emerging"] == pytest.approx(0.2**6)
    assert s1["flagged"] and s1["kind"] == "emerging"
    # S3 is the only primary school, and S4 has no pupils: no area comparison for either.
    assert np.isnan(result.loc["S3", "p_area_now"]) and np.isnan(result.loc["S4", "p_area_now"])
    assert result.attrs["notes"] == ["1 referral from schools not in the list left out."]
    # Within a 1 km ring S1 has no other secondary school with pupils (S2 is 2.2 km away; S4 has none).
    ringed = referral_hotspots(REFERRAL_SCHOOLS, referrals, window_days=30, end=END, ring_m=1000).set_index("urn")
    assert np.isnan(ringed.loc["S1", "p_area_now"])
    assert ringed.loc["S1", "count_area"] == 0
    # Across phases, S3's 300 pupils join the comparison: 6 of 8 with chance 1000 / 1800.
    mixed = referral_hotspots(REFERRAL_SCHOOLS, referrals, window_days=30, end=END, same_phase=False)
    s1 = mixed.set_index("urn").loc["S1"]
    assert s1["p_area_now"] == pytest.approx(upper_tail(6, 8, 1000 / 1800))


def test_disclosed_hides_small_counts_and_what_rests_on_them() -> None:
    frame = flag_schools(
        now=[6, 2], before=[[1, 0, 0, 0], [10, 10, 10, 10]], other_now=[40, 0], other_before=[1, 0], share=[0.1, np.nan]
    )
    shown = render(disclosed(frame), {"expected": "{:.2f}"})
    # School 1: 6 now against 1 before: the expectation 0.25 would give away the 1, so it is hidden.
    assert shown.loc[0, "count"] == "6" and shown.loc[0, "count_before"] == "<5"
    assert shown.loc[0, "compared_with"] == "own history"
    assert shown.loc[0, "expected"] == "c" and shown.loc[0, "ratio"] == "c"
    assert shown.loc[0, "p_adjusted"] != "c"
    # School 2 (no area to compare with): 2 now is hidden, and its p-values and ratio with it; its expectation
    # rests on the 40 before, so stays.
    assert shown.loc[1, "count"] == "<5" and shown.loc[1, "p_adjusted"] == "c" and shown.loc[1, "ratio"] == "c"
    assert shown.loc[1, "expected"] == "10.00"


# --- The store and the command line ---------------------------------------------------------------------

S1, S2, S3 = "100001", "100002", "100003"


def _incident(number: int, date: str, category: str, lat: float, lon: float, **flags: str) -> dict[str, str]:
    return {
        "incident_id": f"PI{number:03d}",
        "incident_date": date,
        "category": category,
        "latitude": f"{lat:.3f}",
        "longitude": f"{lon:.3f}",
        "location_precision": flags.pop("precision", "EXACT"),
        **flags,
    }


def write_hotspot_world(folder: Path) -> Path:
    """Three schools and incidents and referrals placed by hand (distances in the comments)."""
    schools = [
        {"urn": S1, "school_name": "North High", "phase": "SECONDARY", "latitude": "52.5", "longitude": "-1.5"},
        {"urn": S2, "school_name": "Hill High", "phase": "SECONDARY", "latitude": "52.52", "longitude": "-1.5"},
        {"urn": S3, "school_name": "East Primary", "phase": "PRIMARY", "latitude": "52.5", "longitude": "-1.45"},
    ]
    for school, pupils in zip(schools, ["1000", "500", "300"], strict=True):
        school["pupils"] = pupils
    asb = "ANTI_SOCIAL_BEHAVIOUR"
    incidents = [
        # 6 in June 130 m from North High (111 m north, 68 m west); 2.1 km from Hill High
        *[_incident(i, f"2024-06-{day:02d}", asb, 52.501, -1.501) for i, day in enumerate([3, 5, 10, 14, 20, 28])],
        _incident(6, "2024-05-15", asb, 52.500, -1.503),  # 203 m west of North High, in May
        # 1,001 m north of North High (its ring, not its circle) and 1,223 m south of Hill High (the same)
        _incident(7, "2024-06-12", asb, 52.509, -1.500),
        _incident(8, "2024-06-18", asb, 52.509, -1.500),
        _incident(9, "2024-06-11", "VIOLENCE_SEXUAL_OFFENCES", 52.500, -1.500),  # another category
        _incident(10, "2024-06-11", asb, 52.500, -1.500, precision="AREA"),  # an area centroid: left out
        _incident(11, "2024-06-07", "PUBLIC_ORDER", 52.520, -1.499, hate_crime="Y"),  # 68 m from Hill High
        _incident(12, "2024-06-09", "PUBLIC_ORDER", 52.520, -1.499, hate_crime="Y"),
        _incident(13, "2024-01-15", "BURGLARY", 52.600, -1.600),  # the first date in the data
        _incident(14, "2024-06-01", "DRUGS", 52.500, -1.500, precision="SNAPPED"),  # police.uk
    ]
    children = [{"child_id": f"C{i}", "date_of_birth": "2010-05-01", "sex": "1"} for i in range(1, 6)]
    referral = {"source_code": "2A"}
    referrals = [
        {"referral_id": "R1", "child_id": "C1", "referral_date": "2024-06-03", "school_urn": S1, **referral},
        {"referral_id": "R2", "child_id": "C2", "referral_date": "2024-06-10", "school_urn": S1, **referral},
        {"referral_id": "R3", "child_id": "C3", "referral_date": "2024-06-20", "school_urn": S1, **referral},
        {"referral_id": "R4", "child_id": "C4", "referral_date": "2024-04-20", "school_urn": S1, **referral},
        {"referral_id": "R5", "child_id": "C5", "referral_date": "2024-06-12", "school_urn": S2, **referral},
        {"referral_id": "R6", "child_id": "C1", "referral_date": "2024-01-10", "source_code": "6"},
        {"referral_id": "R7", "child_id": "C2", "referral_date": "2024-06-15", "school_urn": S2, **referral},
    ]
    # R3 had two assessments, both recording 11A: still one referral. R5: 24A. R7: no assessment.
    links = [("AS1", "R1", "C1"), ("AS2", "R2", "C2"), ("AS3", "R3", "C3"), ("AS4", "R3", "C3"), ("AS5", "R4", "C4")]
    links.append(("AS6", "R5", "C5"))
    assessments = [
        {"assessment_id": a, "child_id": c, "referral_id": r, "start_date": "2024-06-25"} for a, r, c in links
    ]
    factors = [{"assessment_id": a, "factor_code": "11A"} for a in ["AS1", "AS2", "AS3", "AS4", "AS5"]]
    factors += [{"assessment_id": "AS2", "factor_code": "13A"}, {"assessment_id": "AS6", "factor_code": "24A"}]
    for table, rows in [
        ("schools", schools),
        ("police_incidents", incidents),
        ("children", children),
        ("referrals", referrals),
        ("assessments", assessments),
        ("assessment_factors", factors),
    ]:
        write_table(folder, table, rows)
    return folder


@pytest.fixture
def hotspot_store(store_url: str, tmp_path: Path) -> str:
    result = run_load([write_hotspot_world(tmp_path / "world")], store_url, key=TEST_KEY)
    assert result.rejections.empty, result.rejections.to_dict("records")
    return store_url


def test_incident_hotspots_from_the_store_by_hand(hotspot_store: str) -> None:
    engine = make_engine(hotspot_store)
    try:
        result = find_hotspots(engine, category="ANTI_SOCIAL_BEHAVIOUR", radius_m=500, window_days=30, end=END)
        hate = find_hotspots(engine, category="hate_crime", radius_m=500, window_days=30, end=END)
    finally:
        engine.dispose()
    assert result["urn"].tolist()[0] == S1
    row = result.set_index("urn").loc[S1]
    # Windows of 30 days: June 1-30 now; May 2-31, Apr 2-May 1, Mar 3-Apr 1, Feb 2-Mar 2 before (all after the
    # data's first day, 15 Jan). Circle: the 6 in June (the area-only one left out); before: the May one.
    assert result.attrs["window"] == "01 Jun 2024 to 30 Jun 2024" and len(result.attrs["previous_windows"]) == 4
    assert (row["count"], row["count_before"], row["baseline_windows"]) == (6, 1, 4)
    assert row["expected_history"] == 0.25 and row["ratio"] == 24.0
    # Ring of 2 km (4 x 500 m): the 2 at 1,001 m now, none before. Expected from the ring: 2 x (1/16) / (15/16).
    assert (row["count_area"], row["count_area_before"]) == (2, 0)
    assert row["expected_area"] == pytest.approx(2 / 15)
    # Emerging: P(Bin(7, 1/5) >= 6) = (7 x 4 + 1) / 5^7 = 29 / 78125. Area now: P(Bin(8, 1/16) >= 6)
    # = (28 x 225 + 8 x 15 + 1) / 16^8; before: 1 of 1 in the circle, p = 1/16; persistent takes the larger.
    assert row["p_emerging"] == pytest.approx(29 / 78125)
    assert row["p_area_now"] == pytest.approx(6421 / 16**8)
    assert row["p_area_before"] == pytest.approx(1 / 16)
    assert row["p_value"] == pytest.approx(58 / 78125)
    assert row["p_adjusted"] == pytest.approx(3 * 58 / 78125)  # the other two schools have p = 1
    assert row["flagged"] and row["kind"] == "emerging"
    hill = result.set_index("urn").loc[S2]
    assert (hill["count"], hill["count_area"], hill["p_value"], hill["flagged"]) == (0, 2, 1.0, False)
    # no police.uk data among anti-social behaviour incidents, so no note about snapped locations
    assert result.attrs["notes"] == ["1 incident without a usable location (area only, or none) left out."]
    assert hate.set_index("urn").loc[S2, "count"] == 2 and not hate["flagged"].any()


def test_referral_hotspots_from_the_store_by_hand(hotspot_store: str) -> None:
    engine = make_engine(hotspot_store)
    try:
        result = find_hotspots(engine, factor="11A", window_days=30, end=END).set_index("urn")
        cce = find_hotspots(engine, factor="24a", window_days=30, end=END).set_index("urn")
    finally:
        engine.dispose()
    # North High: R1, R2, R3 in June (R3 once, though two assessments record 11A), R4 in April (before).
    north = result.loc[S1]
    assert (north["count"], north["count_before"], north["count_area"]) == (3, 1, 0)
    assert north["p_emerging"] == pytest.approx(17 / 625)  # P(Bin(4, 1/5) >= 3)
    assert north["p_area_now"] == pytest.approx(8 / 27)  # all 3 of 3 with chance 1000 / 1500
    assert north["p_area_before"] == pytest.approx(2 / 3)
    assert north["p_adjusted"] == pytest.approx(3 * 2 * 17 / 625)  # 0.163
    assert not north["flagged"]
    assert np.isnan(result.loc[S3, "p_area_now"])  # the only primary school
    assert cce.loc[S2, "count"] == 1 and cce["count"].sum() == 1


def _cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = metrics_main(["hotspots", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_ranks_schools_and_suppresses_small_counts(hotspot_store: str, capsys) -> None:
    common = ["--window", "30", "--end", "2024-06-30", "--store", hotspot_store]
    code, out, err = _cli(capsys, "--category", "ANTI_SOCIAL_BEHAVIOUR", "--radius", "500", "--format", "csv", *common)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert list(table.columns) == [
        "rank",
        "urn",
        "school",
        "phase",
        "count",
        "expected",
        "ratio",
        "compared with",
        "adjusted p",
        "flag",
    ]
    first = table.iloc[0].to_dict()
    # 6 near North High; its expectation (0.25) and ratio rest on the 1 incident before, so are hidden.
    assert first == {
        "rank": "1",
        "urn": S1,
        "school": "North High",
        "phase": "SECONDARY",
        "count": "6",
        "expected": "c",
        "ratio": "c",
        "compared with": "own history",
        "adjusted p": f"{3 * 58 / 78125:.3g}",
        "flag": "emerging",
    }
    assert SNAPPED_NOTE not in err and "<5" in err  # the disclosure note goes to stderr with csv

    code, out, _ = _cli(capsys, "--category", "hate_crime", "--radius", "500", *common)
    assert code == 0
    assert "0 of 3 schools tested flagged" in out
    line = next(line for line in out.splitlines() if "Hill High" in line)
    assert line.split()[5] == "<5"  # rank, urn, Hill, High, phase, count

    code, out, _ = _cli(capsys, "--category", "DRUGS", "--radius", "500", *common)
    assert code == 0 and f"Note: {SNAPPED_NOTE}" in out  # police.uk data: locations snapped, windows months

    code, out, _ = _cli(capsys, "--category", "referrals", "--factor", "11A", "--format", "json", *common)
    records = {record["urn"]: record for record in json.loads(out)}
    assert records[S1]["count"] is None and "count: small count" in records[S1]["suppression_reason"]
    assert records[S2]["count"] == 0


def test_cli_explains_mistakes(hotspot_store: str, capsys) -> None:
    common = ["--window", "30", "--store", hotspot_store]
    assert (
        _cli(capsys, "--category", "ANTI_SOCIAL_BEHAVIOUR", *common)[2]
        == "error: --radius METRES is needed for incidents\n"
    )
    assert _cli(capsys, "--category", "DRUGS", "--factor", "11A", *common)[2].startswith("error: give an incident")
    assert (
        "unknown incident category 'BURGLING'" in _cli(capsys, "--category", "BURGLING", "--radius", "500", *common)[2]
    )
    assert "unknown assessment factor '99Z'" in _cli(capsys, "--factor", "99Z", *common)[2]
