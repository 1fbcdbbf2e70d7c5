"""England's published value for a metric, to read local figures against.

From the store's published statistics when the DfE files are loaded (the EES connector); otherwise from
this small table of national figures for the year ending 31 March, each with its source (DfE "Children
in need" 2025 release and its CSV files).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.metrics.catalogue import metric
from data_connectors import schema

ENGLAND = "E92000001"


@dataclass(frozen=True)
class NationalFigure:
    metric_id: str
    year_ending_march: int
    value: float
    source: str


C1 = "DfE Children in need 2025, table C1 (referrals and re-referrals)"
C2 = "DfE Children in need 2025, table C2 (assessment duration): 555,820 of 648,830 within 45 working days"
C4 = "DfE Children in need 2025, table C4 (s47 and ICPC)"
D3 = "DfE Children in need 2025, table D3 (second or subsequent plans)"

NATIONAL_FIGURES = (
    NationalFigure("rereferral_rate_12m", 2025, 22.6, C1),
    NationalFigure("rereferral_rate_12m", 2024, 22.4, C1),
    NationalFigure("referral_nfa_rate", 2025, 6.5, C1),
    NationalFigure("referral_nfa_rate", 2024, 6.3, C1),
    NationalFigure("assessed_not_in_need_rate", 2025, 30.8, C1),
    NationalFigure("assessed_not_in_need_rate", 2024, 30.3, C1),
    NationalFigure("referral_rate_per_10k", 2025, 519.4, C1 + "; 632,830 referrals per 12,183,016 children"),
    NationalFigure("referral_rate_per_10k", 2024, 515.7, C1 + "; 621,880 referrals per 12,059,476 children"),
    NationalFigure("assessments_within_45wd_rate", 2025, 85.7, C2),
    NationalFigure("s47_rate_per_10k", 2025, 189.3, C4 + "; 230,590 enquiries per 12,183,016 children"),
    NationalFigure("icpc_within_15wd_rate", 2025, 81.4, C4 + ": 58,670 of 72,090 with valid durations"),
    NationalFigure("repeat_cp_plan_rate", 2025, 24.5, D3),
    NationalFigure("repeat_cp_plan_rate", 2024, 24.7, D3),
)


def england_value(
    metric_id: str, year_ending_march: int | None = None, engine: Engine | None = None
) -> NationalFigure | None:
    """The published England figure for the metric: for that year if published, else the latest; from the
    store's published statistics when they hold it, else from the table above."""
    if engine is not None:
        loaded = _published(engine, metric_id, year_ending_march)
        if loaded is not None:
            return loaded
    figures = sorted(
        (f for f in NATIONAL_FIGURES if f.metric_id == metric_id), key=lambda f: f.year_ending_march, reverse=True
    )
    if not figures:
        return None
    if year_ending_march is not None:
        for figure in figures:
            if figure.year_ending_march == year_ending_march:
                return figure
    return figures[0]


def _published(engine: Engine, metric_id: str, year_ending_march: int | None) -> NationalFigure | None:
    source = metric(metric_id).england
    if source is None:
        return None
    publication, indicator = source
    table = schema.published_statistics
    query = (
        sa.select(table.c.time_period, table.c.value)
        .where(
            table.c.publication == publication,
            table.c.indicator == indicator,
            table.c.geographic_level == "National",
            table.c.area_code == ENGLAND,
            table.c.value.is_not(None),
        )
        .order_by(table.c.time_period.desc())
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    if not rows:
        return None
    chosen = next((r for r in rows if year_ending_march and r.time_period == str(year_ending_march)), rows[0])
    return NationalFigure(metric_id, int(chosen.time_period[:4]), float(chosen.value), f"DfE {publication}")


C3 = (
    "DfE Children in need 2025, table C3 (factors identified at the end of assessment), national row: "
    "episodes with each factor, of the 513,250 episodes with at least one factor recorded"
)
FACTOR_EPISODES_2025 = 513_250
"""England 2025: assessment episodes with at least one factor recorded (the base of the C3 shares)."""

FACTOR_COUNTS_2025 = {
    "1A": 10_620,
    "1B": 73_250,
    "1C": 11_600,
    "2A": 24_550,
    "2B": 72_620,
    "2C": 15_930,
    "3A": 57_930,
    "3B": 162_890,
    "3C": 25_560,
    "4A": 90_400,
    "4B": 171_780,
    "4C": 23_600,
    "5A": 63_240,
    "5B": 15_170,
    "5C": 7_510,
    "6A": 24_220,
    "6B": 27_600,
    "6C": 5_310,
    "7A": 18_960,
    "9A": 6_340,
    "10A": 16_940,
    "11A": 12_400,
    "12A": 2_250,
    "13A": 8_860,
    "14A": 35_980,
    "15A": 25_470,
    "16A": 90_370,
    "17A": 97_700,
    "18B": 15_270,
    "18C": 61_410,
    "19B": 12_590,
    "19C": 18_900,
    "20": 83_770,
    "22A": 780,
    "23A": 2_240,
    "24A": 16_250,
}
"""England 2025 episodes with each factor (C3). Private fostering is published for codes 8B-8F together and
abuse of unknown origin (18A, 19A) is not a current code, so neither is listed."""


def england_factor_share(factor_code: str) -> float | None:
    """England's 2025 share (%) of assessment episodes with at least one factor that recorded this one."""
    count = FACTOR_COUNTS_2025.get(str(factor_code).strip().upper())
    return None if count is None else 100 * count / FACTOR_EPISODES_2025
