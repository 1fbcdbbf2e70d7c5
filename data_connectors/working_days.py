"""The English working-day calendar behind statutory timescales (decision within 1 working day,
assessment within 45, ICPC within 15).

Bank holidays come from the `govuk-bank-holidays` package's copy of GOV.UK's list (England and Wales),
so the calendar is the same offline. Years the list does not reach count weekends only; `LAST_KNOWN`
says where that starts, and the data dictionary says so too.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pandas as pd
from govuk_bank_holidays.bank_holidays import BankHolidays

CALENDAR_START = dt.date(2000, 1, 1)
CALENDAR_END = dt.date(2040, 12, 31)


@cache
def bank_holidays() -> tuple[dt.date, ...]:
    """England and Wales bank holidays as the package ships them (no network)."""
    known = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return tuple(sorted(holiday["date"] for holiday in known))


def last_known_holiday_year() -> int:
    return bank_holidays()[-1].year


def calendar(start: dt.date = CALENDAR_START, end: dt.date = CALENDAR_END) -> pd.DataFrame:
    """One row per day with the running count of working days up to and including it: the working days
    from a to b (a excluded, b included) are number(b) - number(a)."""
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")
    working = np.is_busday(days, holidays=np.array(bank_holidays(), dtype="datetime64[D]"))
    return pd.DataFrame({"day": days.astype(object), "working_day_number": np.cumsum(working, dtype=np.int64)})


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (a Friday referral decided on Monday: 1)."""
    holidays = np.array(bank_holidays(), dtype="datetime64[D]")
    return int(np.busday_count(np.datetime64(start) + 1, np.datetime64(end) + 1, holidays=holidays))
