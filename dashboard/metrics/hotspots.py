"""Hotspots near schools: which schools have unusually many incidents or referrals of a kind right now?

What is counted (for every school, over a window of days ending on a chosen date):

* police incidents of one category (a police.uk crime type such as ``VIOLENCE_SEXUAL_OFFENCES``, or one of the
  safeguarding flags ``hate_crime``, ``cse_concern``, ``cce_concern``, ``missing_episode``, ``domestic_abuse``)
  located within a radius of the school (great-circle distance, scikit-learn ``BallTree`` with the haversine
  metric: ``dashboard.metrics.radius``, which the school drill-down's monthly counts share); or
* referrals from the school whose assessment recorded a chosen factor (CIN census code, e.g. 11A child sexual
  exploitation, 24A child criminal exploitation, 13A gangs). A referral has no place of its own here, so it
  belongs to its referring school and the radius does not apply.

Two comparisons (the "expectation"):

* Own history: the same count over the previous windows of the same length (4 by default). A school whose
  count now is well above its usual count has an *emerging* cluster.
* Surrounding area: incidents per square kilometre in a ring around the school (4 x the radius by default)
  scaled to the area of the school's circle; for referrals, referrals per pupil among the other schools of
  the same phase (in a ring if one is given, else across the partnership) scaled to the school's pupils.
  A school above its area both now and over the previous windows has a *persistent* cluster.

Tests (exact, so they hold for the small counts usual here). Each comparison asks whether two counts of
events come from the same rate: given both counts, the school's count follows a binomial distribution
(share = the school's part of the exposure: 1 / (windows + 1) for its history, circle / ring area or
pupils / all pupils for the area), so the one-sided p-value is ``binom.sf(count - 1, count + other, share)``
(the conditional test for two Poisson counts, Przyborowski and Wilenski 1940). This is the one-sided Poisson
test ``poisson.sf(count - 1, expected)`` with the uncertainty of the expectation allowed for: the two agree
when the comparison count is large, but a plug-in expectation from a quiet history (0 incidents before gives
an expectation of 0, so any count would be "significant") raises false alarms. For *persistent*, both the
now and the before comparison must hold, so its p-value is the larger of the two (an intersection-union
test). A school has one p-value: the smaller of the emerging and persistent p-values times the number of
comparisons made (Bonferroni across the two reasons). Across schools, the Benjamini-Hochberg procedure
(``scipy.stats.false_discovery_control``) adjusts them: flagging schools with an adjusted p-value below 0.05
keeps the expected share of false leads among the flagged schools at 5% or less; when there is no cluster
anywhere, that is also the chance of any flag at all. (``method="by"``, Benjamini-Yekutieli, holds under any
dependence between schools, at a cost in power.)

Why not one blended expectation: the larger of the two would hide a school that has always stood out in its
area; a blend has no exact test and no plain meaning. Two named reasons, each tested exactly, say what kind of
cluster a flag is. The headline ``expected`` and ``ratio`` are those of the reason with the smaller p-value
(``compared_with`` says which), with both expectations in their own columns.

Small numbers: a school is flagged only when its count is at least ``min_count`` (5, the disclosure threshold:
a flag on a count the screen must hide could not be shown or acted on, and fewer than 5 events is too few to
call a cluster). The exact tests handle small expectations, so there is no minimum expectation. Previous
windows that start before the data do are left out (``data_start``) so a short history does not pass for a
quiet one; with none left, only the area comparison now is made, and its flags are called *above area*.
Schools without a p-value (no coordinates, no pupils, nothing to compare with) are left out of the adjustment.

Data honesty: locations are rounded to about 100 metres on load, so radii below about 200 m mean little.
police.uk locations are snapped to anonymous map points (an incident may be counted near a school it did not
happen near, and the reverse) and its dates are months: when police.uk data is among the incidents, windows
are whole calendar months (the window in days, rounded to months) and :data:`SNAPPED_NOTE` must be shown.
Incidents located only by their small area (precision ``AREA``, placed on the area's centroid) would pile up on
one point, so they are left out. Schools near the edge of the partnership have rings reaching beyond its data,
which lowers their area expectation. Real counts vary more than a Poisson model allows (over-dispersion), so
persistent flags in busy places are prompts to look, not verdicts.

Results are numeric, for charts and notebooks. Counts near schools are about children: before a screen, a
download or an export, pass the result through :func:`disclosed` (which applies
``dashboard.metrics.disclosure.suppress``); the command line ``python -m dashboard.metrics hotspots`` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy import sparse, stats

from dashboard.metrics.disclosure import suppress
from dashboard.metrics.maps import SNAPPED_LOCATIONS
from dashboard.metrics.radius import EARTH_RADIUS_M, Metric, Places, metres_text, radians
from data_connectors import schema
from data_connectors.codelists import ALL_CODE_LISTS

FLAG_CATEGORIES = ("hate_crime", "cse_concern", "cce_concern", "missing_episode", "domestic_abuse")
"""Safeguarding flags on police incidents that can be chosen like a category."""

SNAPPED_CONSEQUENCE = (
    "an incident may be counted near a school it did not happen near, and the reverse. Its dates are months, so "
    "windows are whole months."
)
SNAPPED_NOTE = f"{SNAPPED_LOCATIONS}: {SNAPPED_CONSEQUENCE}"
ROUNDING_NOTE = "Locations are rounded to about 100 metres, so a radius this small means little."
COUNT_COLUMNS = ["count", "count_before", "count_area", "count_area_before"]
"""Counts of events in a result; everything built on them is hidden with them (see :func:`disclosed`)."""


@dataclass(frozen=True)
class Window:
    """A run of days, both ends included."""

    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"


def analysis_windows(end: dt.date, days: int, baseline_windows: int = 4, *, monthly: bool = False) -> list[Window]:
    """The current window (first) and the previous ones, newest first, all of the same length.

    ``monthly`` makes them whole calendar months (``days`` rounded to months, at least one) ending with the
    month of ``end``, for month-dated data such as police.uk."""
    if days < 1 or baseline_windows < 0:
        raise ValueError("the window must be at least one day and the number of previous windows not negative")
    if monthly:
        months = max(1, round(days / 30.436875))
        last = pd.Period(end, freq="M")
        return [
            Window((last - months * (k + 1) + 1).start_time.date(), (last - months * k).end_time.date())
            for k in range(baseline_windows + 1)
        ]
    step = dt.timedelta(days=days)
    return [Window(end - step * (k + 1) + dt.timedelta(days=1), end - step * k) for k in range(baseline_windows + 1)]


def flag_schools(
    now: np.ndarray,
    before: np.ndarray,
    other_now: np.ndarray,
    other_before: np.ndarray,
    share: np.ndarray,
    *,
    alpha: float = 0.05,
    min_count: int = 5,
    method: Literal["bh", "by"] = "bh",
) -> pd.DataFrame:
    """The statistics for counts already made, one row per school in the order given.

    Args:
        now: each school's count in the current window.
        before: its counts in each previous window (schools x windows; zero columns when there is no history).
        other_now, other_before: the comparison's count now and over all previous windows (the ring outside
            the school's circle, or the other schools' referrals).
        share: the school's part of the exposure, circle area / ring area, or pupils / (pupils + other pupils);
            NaN, 0 or 1 when there is nothing to compare with.
    """
    now = np.asarray(now, dtype=np.int64)
    before = np.asarray(before, dtype=np.int64)
    if before.ndim != 2 or len(before) != len(now):
        raise ValueError("before needs one row per school and one column per previous window")
    other_now, other_before = np.asarray(other_now, dtype=np.int64), np.asarray(other_before, dtype=np.int64)
    share = np.asarray(share, dtype=float)
    windows = before.shape[1]
    before_total = before.sum(axis=1)
    nothing = np.full(len(now), np.nan)

    if windows:
        expected_history = before_total / windows
        p_emerging = stats.binom.sf(now - 1, now + before_total, 1 / (windows + 1))
    else:
        expected_history, p_emerging = nothing, nothing
    comparable = (share > 0) & (share < 1)
    safe_share = np.where(comparable, share, 0.5)
    expected_area = np.where(comparable, other_now * safe_share / (1 - safe_share), np.nan)
    p_area_now = np.where(comparable, stats.binom.sf(now - 1, now + other_now, safe_share), np.nan)
    p_area_before = np.where(
        comparable & (windows > 0), stats.binom.sf(before_total - 1, before_total + other_before, safe_share), np.nan
    )
    # above the area now and before; with no history, now only (said as "above area", not persistent)
    p_persistent = np.maximum(p_area_now, p_area_before) if windows else p_area_now

    tested = np.isfinite(p_emerging).astype(int) + np.isfinite(p_persistent)
    smallest = np.fmin(p_emerging, p_persistent)
    p_value = np.where(tested > 0, np.minimum(1.0, tested * smallest), np.nan)
    p_adjusted = np.full(len(now), np.nan)
    testable = np.isfinite(p_value)
    if testable.any():
        p_adjusted[testable] = stats.false_discovery_control(p_value[testable], method=method)

    by_history = np.isfinite(p_emerging) & ~(p_persistent < p_emerging)
    expected = np.where(by_history, expected_history, expected_area)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, now / expected, np.nan)
    flagged = (p_adjusted < alpha) & (now >= min_count)
    return pd.DataFrame(
        {
            "count": now,
            "count_before": before_total,
            "baseline_windows": windows,
            "expected_history": expected_history,
            "count_area": other_now,
            "count_area_before": other_before,
            "expected_area": expected_area,
            "expected": np.where(testable, expected, np.nan),
            "ratio": np.where(testable, ratio, np.nan),
            "compared_with": np.where(testable, np.where(by_history, "own history", "surrounding area"), ""),
            "p_emerging": p_emerging,
            "p_area_now": p_area_now,
            "p_area_before": p_area_before,
            "p_value": p_value,
            "p_adjusted": p_adjusted,
            "flagged": flagged,
            "kind": np.where(flagged, np.where(by_history, "emerging", "persistent" if windows else "above area"), ""),
        }
    )


def incident_hotspots(
    schools: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    radius_m: float,
    window_days: int,
    end: dt.date | None = None,
    baseline_windows: int = 4,
    ring_m: float | None = None,
    data_start: dt.date | None = None,
    monthly: bool | None = None,
    alpha: float = 0.05,
    min_count: int = 5,
    method: Literal["bh", "by"] = "bh",
    metric: Metric = "haversine",
) -> pd.DataFrame:
    """Schools ranked by how unusual the incidents within ``radius_m`` of them are (see the module notes).

    ``schools`` needs ``urn``, ``latitude`` and ``longitude`` (its other columns are kept); ``incidents`` needs
    ``incident_date``, ``latitude``, ``longitude`` and may have ``location_precision``. ``end`` defaults to the
    latest incident; ``monthly`` to whether any incident is police.uk's (``SNAPPED``); ``data_start`` (the first
    day of the data) to none, i.e. every previous window is taken as fully covered.
    """
    ring_m = 4 * radius_m if ring_m is None else ring_m
    if not 0 < radius_m < ring_m:
        raise ValueError("the radius must be above 0 and below the ring")
    precision = incidents.get("location_precision", pd.Series("EXACT", index=incidents.index)).astype("string")
    usable = (precision != "AREA").fillna(True) & incidents["latitude"].notna() & incidents["longitude"].notna()
    snapped = bool((precision == "SNAPPED").fillna(False).any())
    located = schools["latitude"].notna() & schools["longitude"].notna()
    kept, events = schools[located].reset_index(drop=True), incidents[usable]
    dates = _days(events["incident_date"])
    end = end or _latest(dates)
    monthly = snapped if monthly is None else monthly
    windows = _covered(analysis_windows(end, window_days, baseline_windows, monthly=monthly), data_start)

    school_angles, event_angles = radians(kept), radians(events)
    counts = np.zeros((len(windows), len(kept), 2), dtype=np.int64)
    for position, window in enumerate(windows):
        inside = (dates >= np.datetime64(window.start)) & (dates <= np.datetime64(window.end))
        counts[position] = Places(event_angles[inside], metric).counts(school_angles, np.array([radius_m, ring_m]))
    disc, ring = counts[:, :, 0], counts[:, :, 1]
    share = np.sin(radius_m / EARTH_RADIUS_M / 2) ** 2 / np.sin(ring_m / EARTH_RADIUS_M / 2) ** 2  # cap areas
    scored = flag_schools(
        disc[0],
        disc[1:].T,
        ring[0] - disc[0],
        (ring[1:] - disc[1:]).sum(axis=0),
        np.full(len(kept), share),
        alpha=alpha,
        min_count=min_count,
        method=method,
    )
    notes = ([SNAPPED_NOTE] if snapped else []) + ([ROUNDING_NOTE] if radius_m < 200 else [])
    if (~usable).any():
        notes.append(
            f"{_number(int((~usable).sum()), 'incident')} without a usable location (area only, or none) left out."
        )
    return _ranked(
        kept,
        scored,
        windows,
        notes,
        left_out_schools=int((~located).sum()),
        radius_m=radius_m,
        ring_m=ring_m,
        snapped=snapped,
        alpha=alpha,
        min_count=min_count,
    )


def referral_hotspots(
    schools: pd.DataFrame,
    referrals: pd.DataFrame,
    *,
    window_days: int,
    end: dt.date | None = None,
    baseline_windows: int = 4,
    ring_m: float | None = None,
    same_phase: bool = True,
    data_start: dt.date | None = None,
    alpha: float = 0.05,
    min_count: int = 5,
    method: Literal["bh", "by"] = "bh",
) -> pd.DataFrame:
    """Schools ranked by how unusual their referrals (already chosen, e.g. with factor 11A) are.

    ``schools`` needs ``urn`` and ``pupils`` (``phase`` when ``same_phase``, coordinates when ``ring_m`` is given);
    ``referrals`` needs ``school_urn`` and ``referral_date``, one row per referral. The area comparison is the
    referrals per pupil of the other schools of the same phase, within ``ring_m`` metres if given, else across
    all the schools given. Schools without a pupil number are not compared with their area.
    """
    kept = schools.reset_index(drop=True)
    index = pd.Index(kept["urn"].astype("string"))
    events = referrals[referrals["school_urn"].astype("string").isin(index)]
    positions = index.get_indexer(events["school_urn"].astype("string"))
    dates = _days(events["referral_date"])
    end = end or _latest(dates)
    windows = _covered(analysis_windows(end, window_days, baseline_windows), data_start)
    counts = np.zeros((len(windows), len(kept)), dtype=np.int64)
    for row, window in enumerate(windows):
        inside = (dates >= np.datetime64(window.start)) & (dates <= np.datetime64(window.end))
        counts[row] = np.bincount(positions[inside], minlength=len(kept))

    pupils = pd.to_numeric(kept["pupils"], errors="coerce").astype("float64").to_numpy()
    counted = np.isfinite(pupils) & (pupils > 0)
    others = _comparison_sums(kept, np.column_stack([pupils, counts.T]), counted, same_phase, ring_m)
    other_pupils, other_counts = others[:, 0], others[:, 1:].astype(np.int64)  # schools x windows
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(counted & (other_pupils > 0), pupils / (pupils + other_pupils), np.nan)
    scored = flag_schools(
        counts[0],
        counts[1:].T,
        other_counts[:, 0],
        other_counts[:, 1:].sum(axis=1),
        share,
        alpha=alpha,
        min_count=min_count,
        method=method,
    )
    notes = []
    if len(events) < len(referrals):
        notes.append(f"{_number(len(referrals) - len(events), 'referral')} from schools not in the list left out.")
    return _ranked(kept, scored, windows, notes, ring_m=ring_m, same_phase=same_phase, alpha=alpha, min_count=min_count)


def disclosed(frame: pd.DataFrame, threshold: int = 5) -> pd.DataFrame:
    """A hotspot result with small counts hidden, and what is built on them.

    The headline ``expected`` rests on the count it was compared with (``count_compared``: the school's previous
    windows or its surrounding area), so it is hidden when that count is small, and the ratio with it. P-values
    are hidden with the school's own count. Rows are schools whose circles overlap, so they never add up to a
    total: only primary and derived suppression apply. ``disclosure.render`` turns the result into the table
    people see. (A p-value could in principle be turned back into the count it was compared with; hiding every
    p-value that rests on a small comparison would hide most of them, so that is left as a known limit.)"""
    frame = frame.copy()
    by_history = frame["compared_with"] == "own history"
    by_area = frame["compared_with"] == "surrounding area"
    compared = np.where(by_history, frame["count_before"], np.where(by_area, frame["count_area"], np.nan))
    frame["count_compared"] = compared
    counts = [*COUNT_COLUMNS, "count_compared"]
    derived = {
        "expected_history": ["count_before"],
        "expected_area": ["count_area"],
        "expected": ["count_compared"],
        "ratio": ["count", "count_compared"],
        "p_emerging": ["count"],
        "p_area_now": ["count"],
        "p_area_before": ["count_before"],
        "p_value": ["count"],
        "p_adjusted": ["count"],
    }
    out = suppress(frame, counts, derived_columns=derived, threshold=threshold)
    out.attrs.update({key: value for key, value in frame.attrs.items() if key not in out.attrs})
    return out


def smallest_flag(threshold: int) -> int:
    """The fewest events a flag may rest on: 5, or the disclosure threshold where that is higher (a flag on a
    count the screen must hide could not be shown or acted on)."""
    return max(5, threshold)


def method_in_words(result: pd.DataFrame) -> str:
    """How a ranking was made, in plain words for a page (markdown): the module notes above, told with this
    result's distances, windows and thresholds."""
    facts = result.attrs
    incidents = "radius_m" in facts
    noun = "incidents" if incidents else "referrals"
    previous = len(facts["previous_windows"])
    if incidents:
        counted = (
            f"For each school, the police incidents of the chosen kind within {metres_text(facts['radius_m'])} of "
            f"it (as the crow flies) in the window, {facts['window']}."
        )
        area = (
            f"**its surrounding area**, the incidents in a ring {metres_text(facts['ring_m'])} around the school, "
            "per square kilometre, scaled to the size of the school's circle."
        )
    else:
        counted = (
            f"For each school, the referrals it made in the window, {facts['window']}, whose assessment recorded "
            "the chosen factor. A referral counts for the school that made it, so no distance applies."
        )
        others = "the other schools of the same phase" if facts.get("same_phase", True) else "the other schools"
        where = f" within {metres_text(facts['ring_m'])}" if facts.get("ring_m") else ""
        area = f"**its surrounding area**, the referrals per pupil made by {others}{where}, scaled to its pupils."
    compared = (
        f"Two expectations: **its own history**, the same count in each of the {previous} windows of the same "
        f"length just before, averaged; and {area}"
        if previous
        else f"Its own history cannot be used (the data do not cover a whole window before this one), so one "
        f"expectation: {area}"
    )
    kinds = (
        "A school is **emerging** when its count now is well above its own history, and **persistent** when it "
        "is above its surrounding area both now and in the windows before."
        if previous
        else "With no history, a school above its surrounding area now is called **above area**."
    )
    paragraphs = [
        f"**What is counted.** {counted}",
        f"**What it is compared with.** {compared}",
        "**Is it more than chance?** Each comparison asks whether the school's count and the comparison's could "
        "come from the same underlying rate, with an exact test that holds for small numbers and allows for the "
        "comparison being uncertain too (a history of none does not make every count look remarkable). "
        f"{kinds} A school's p-value is the smaller of its two, doubled because two questions were asked. "
        "*Expected* is what the closer comparison (the one with the smaller p-value) expects in the window, and "
        "the *ratio* is the count now divided by it.",
        f"**Many schools at once.** With {int(result['p_adjusted'].notna().sum()):,} schools tested, some would "
        "look unusual by chance alone. The Benjamini-Hochberg method adjusts the p-values for that: flagging the "
        f"schools whose adjusted p-value is below {facts['alpha']:g} keeps the expected share of false leads among "
        f"the flagged schools at {facts['alpha']:.0%} or less. A school is flagged only with at least "
        f"{facts['min_count']} {noun} in the window: fewer is too few to call a cluster, and would be hidden.",
        "**Read with care.** A flag is a prompt to look, not a verdict: real counts vary more than this model "
        "allows, above all in busy places. "
        + (
            "Locations are rounded to about 100 m. Schools near the edge of the data have rings reaching beyond "
            "it, which lowers what their area expects."
            if incidents
            else "A school's referrals follow how readily it refers as well as what it sees."
        ),
    ]
    return "\n\n".join(paragraphs)


# --- From the store -------------------------------------------------------------------------------


def incident_categories() -> list[str]:
    """Every category that can be chosen: police categories, then the safeguarding flags."""
    return [*ALL_CODE_LISTS["police_category"].codes, *FLAG_CATEGORIES]


def category_condition(category: str) -> sa.ColumnElement[bool]:
    """The SQL condition picking incidents of a police category or with a safeguarding flag."""
    table = schema.police_incidents
    if category.lower() in FLAG_CATEGORIES:
        return table.c[category.lower()].is_(True)
    code = category.strip().upper()
    if code not in ALL_CODE_LISTS["police_category"].codes:
        raise ValueError(f"unknown incident category {category!r}; choose from {', '.join(incident_categories())}")
    return table.c.category == code


def load_schools(connection: sa.Connection) -> pd.DataFrame:
    """Open schools (or schools whose status is unknown) with their place, phase and pupils."""
    table = schema.schools
    query = (
        sa.select(table.c.urn, table.c.school_name, table.c.phase, table.c.area_code)
        .add_columns(table.c.pupils, table.c.latitude, table.c.longitude)
        .where(sa.or_(table.c.is_open.is_(None), table.c.is_open.is_(True)))
        .order_by(table.c.urn)
    )
    frame = pd.DataFrame(connection.execute(query).all(), columns=list(query.selected_columns.keys()))
    for column in ("pupils", "latitude", "longitude"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def load_incidents(connection: sa.Connection, category: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Located incidents of a category (or flag) dated from ``start`` to ``end``."""
    table = schema.police_incidents
    query = sa.select(table.c.incident_date, table.c.latitude, table.c.longitude, table.c.location_precision).where(
        category_condition(category),
        table.c.incident_date.between(start, end),
        table.c.latitude.is_not(None),
        table.c.longitude.is_not(None),
    )
    frame = pd.DataFrame(connection.execute(query).all(), columns=list(query.selected_columns.keys()))
    for column in ("latitude", "longitude"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


def load_factor_referrals(connection: sa.Connection, factor: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Referrals from a school whose assessment (any of them) recorded the factor, once each."""
    referrals, assessments, factors = schema.referrals, schema.assessments, schema.assessment_factors
    code = factor.strip().upper()
    if code not in ALL_CODE_LISTS["assessment_factor"].codes:
        raise ValueError(f"unknown assessment factor {factor!r} (CIN census codes such as 11A, 24A, 13A)")
    query = (
        sa.select(referrals.c.referral_id, referrals.c.referral_date, referrals.c.school_urn)
        .distinct()
        .select_from(
            referrals.join(assessments, assessments.c.referral_id == referrals.c.referral_id).join(
                factors, factors.c.assessment_id == assessments.c.assessment_id
            )
        )
        .where(
            factors.c.factor_code == code,
            referrals.c.school_urn.is_not(None),
            referrals.c.referral_date.between(start, end),
        )
    )
    return pd.DataFrame(connection.execute(query).all(), columns=list(query.selected_columns.keys()))


def find_hotspots(
    engine: sa.Engine,
    *,
    category: str | None = None,
    factor: str | None = None,
    radius_m: float = 500.0,
    window_days: int = 91,
    end: dt.date | None = None,
    baseline_windows: int = 4,
    ring_m: float | None = None,
    alpha: float = 0.05,
    min_count: int = 5,
    method: Literal["bh", "by"] = "bh",
) -> pd.DataFrame:
    """The hotspot ranking from the store: incidents of ``category`` near each school, or referrals from
    each school with assessment ``factor``. ``end`` defaults to the latest date in the table; previous windows
    before its first date are left out. Numeric: apply :func:`disclosed` before showing it."""
    if (category is None) == (factor is None):
        raise ValueError("choose an incident category or an assessment factor (one of them)")
    with engine.connect() as connection:
        schools = load_schools(connection)
        table = schema.police_incidents if category else schema.referrals
        date = table.c.incident_date if category else table.c.referral_date
        first, last = connection.execute(sa.select(sa.func.min(date), sa.func.max(date))).one()
        if last is None:
            raise ValueError(f"the store holds no {'police incidents' if category else 'referrals'}")
        end = end or last
        if category:
            snapped = connection.execute(
                sa.select(sa.literal(1))
                .select_from(table)
                .where(category_condition(category), table.c.location_precision == "SNAPPED")
                .limit(1)
            ).first()
            windows = analysis_windows(end, window_days, baseline_windows, monthly=snapped is not None)
            events = load_incidents(connection, category, windows[-1].start, end)
        else:
            windows = analysis_windows(end, window_days, baseline_windows)
            events = load_factor_referrals(connection, factor, windows[-1].start, end)
    options = {"end": end, "baseline_windows": baseline_windows, "ring_m": ring_m, "data_start": first}
    options |= {"alpha": alpha, "min_count": min_count, "method": method}
    if category:
        result = incident_hotspots(
            schools, events, radius_m=radius_m, window_days=window_days, monthly=snapped is not None, **options
        )
    else:
        result = referral_hotspots(schools, events, window_days=window_days, **options)
    result.attrs["what"] = f"incidents: {category}" if category else f"referrals with factor {factor.upper()}"
    return result


# --- Helpers ---------------------------------------------------------------------------------------


def _number(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _days(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy(dtype="datetime64[D]")


def _latest(dates: np.ndarray) -> dt.date:
    if not len(dates):
        raise ValueError("no events to count: give the end date")
    return pd.Timestamp(dates.max()).date()


def _covered(windows: list[Window], data_start: dt.date | None) -> list[Window]:
    """The current window and the previous ones that the data fully cover."""
    if data_start is None:
        return windows
    return windows[:1] + [window for window in windows[1:] if window.start >= data_start]


def _comparison_sums(
    schools: pd.DataFrame, values: np.ndarray, counted: np.ndarray, same_phase: bool, ring_m: float | None
) -> np.ndarray:
    """For each school, the sum of ``values`` (rows = schools) over the other counted schools it is compared
    with: the same phase (if asked), within the ring (if given), with a pupil number."""
    values = np.where(counted[:, None], values, 0).astype("float64")
    phase = schools["phase"].astype("string").fillna("").to_numpy() if same_phase else np.full(len(schools), "")
    if ring_m is None:
        groups = pd.DataFrame(values).groupby(phase, sort=False).transform("sum").to_numpy()
        return groups - values
    located = (schools["latitude"].notna() & schools["longitude"].notna()).to_numpy()
    places = np.flatnonzero(located)
    angles = radians(schools[located])
    neighbours = Places(angles).within(angles, ring_m) if len(places) else []
    rows = np.repeat(places, [len(found) for found in neighbours]).astype(np.int64)
    columns = places[np.concatenate(neighbours)] if len(places) else np.array([], dtype=np.int64)
    keep = (rows != columns) & (phase[rows] == phase[columns])
    pairs = sparse.csr_matrix((np.ones(keep.sum()), (rows[keep], columns[keep])), shape=(len(schools),) * 2)
    return pairs @ values


def _ranked(
    schools: pd.DataFrame, scored: pd.DataFrame, windows: list[Window], notes: list[str], **facts
) -> pd.DataFrame:
    """School columns and statistics together, flagged schools first, then by adjusted p-value."""
    result = pd.concat([schools.reset_index(drop=True), scored], axis=1)
    order = np.lexsort(
        (
            result["urn"].astype(str).to_numpy(),
            -result["count"].to_numpy(),
            result["p_value"].fillna(2).to_numpy(),
            result["p_adjusted"].fillna(2).to_numpy(),
            ~result["flagged"].to_numpy(),
        )
    )
    result = result.iloc[order].reset_index(drop=True)
    result.insert(0, "rank", np.arange(1, len(result) + 1))
    result.attrs.update(
        {"window": str(windows[0]), "previous_windows": [str(w) for w in windows[1:]], "notes": notes, **facts}
    )
    return result
