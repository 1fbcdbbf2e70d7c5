"""Dates for the demo: the five-year period, months, English working days and school terms.

Statutory timescales are counted in working days (England and Wales bank holidays), so the demo's
decision, assessment and conference dates are laid out on the same calendar the dashboard measures.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np

YEARS = 5


def period_start(end: date) -> date:
    """The first day of the five years that end on `end`."""
    after = end + timedelta(days=1)
    try:
        return after.replace(year=after.year - YEARS)
    except ValueError:  # 29 February
        return after.replace(year=after.year - YEARS, day=28)


def month_starts(start: date, end: date) -> np.ndarray:
    """First day of every month that overlaps the period."""
    first = np.datetime64(start, "M")
    last = np.datetime64(end, "M")
    return np.arange(first, last + 1).astype("datetime64[D]")


def change_month(start: date, end: date) -> np.datetime64:
    """The month in the middle of the period (where the re-referral step change is planted)."""
    months = month_starts(start, end)
    return months[len(months) // 2]


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _rule_holidays(year: int) -> list[date]:
    """England and Wales bank holidays by the usual rules, for years the cached list does not cover."""

    def weekday_on_or_after(day: date) -> date:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def monday(first: date, last: bool) -> date:
        if last:
            day = first
            while day.weekday() != 0:
                day -= timedelta(days=1)
            return day
        day = first
        while day.weekday() != 0:
            day += timedelta(days=1)
        return day

    easter = _easter(year)
    christmas = weekday_on_or_after(date(year, 12, 25))
    boxing = weekday_on_or_after(christmas + timedelta(days=1))
    return [
        weekday_on_or_after(date(year, 1, 1)),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        monday(date(year, 5, 1), last=False),
        monday(date(year, 5, 31), last=True),
        monday(date(year, 8, 31), last=True),
        christmas,
        boxing,
    ]


@lru_cache(maxsize=8)
def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England and Wales bank holidays: the govuk-bank-holidays cached list, rules outside it."""
    known: dict[int, list[date]] = {}
    try:
        from govuk_bank_holidays.bank_holidays import BankHolidays

        cached = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
        for holiday in cached:
            known.setdefault(holiday["date"].year, []).append(holiday["date"])
    except Exception:  # noqa: BLE001 - the package is optional for the demo; rules are a fair stand-in
        known = {}
    days: list[date] = []
    for year in range(first_year, last_year + 1):
        days.extend(known.get(year) or _rule_holidays(year))
    return np.array(sorted(days), dtype="datetime64[D]")


class WorkingDays:
    """Adds and counts English working days over a span of years."""

    def __init__(self, start: date, end: date) -> None:
        self.holidays = bank_holidays(start.year - 1, end.year + 2)

    def add(self, dates: np.ndarray, days: np.ndarray | int) -> np.ndarray:
        """The working day `days` after each date (a date on a weekend counts from the next working day)."""
        return np.busday_offset(
            np.asarray(dates, dtype="datetime64[D]"), days, roll="forward", holidays=self.holidays
        )

    def count(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        return np.busday_count(start, end, holidays=self.holidays)


def term_starts(start: date, end: date) -> list[tuple[str, str, np.datetime64]]:
    """(academic year, term, first day) for every school term that starts inside the period."""
    out: list[tuple[str, str, np.datetime64]] = []
    for year in range(start.year - 1, end.year + 1):
        label = f"{year}/{str(year + 1)[-2:]}"
        firsts = [
            ("AUTUMN", date(year, 9, 2)),
            ("SPRING", date(year + 1, 1, 5)),
            ("SUMMER", date(year + 1, 4, 20)),
        ]
        for term, first in firsts:
            while first.weekday() >= 5:
                first += timedelta(days=1)
            if start <= first <= end:
                out.append((label, term, np.datetime64(first, "D")))
    return out
