"""The English working-day calendar: statutory timescales count working days, not calendar days."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.store import ensure_schema, make_engine
from data_connectors.working_days import working_days_between

CASES = [
    # Friday to Monday: one working day
    (dt.date(2024, 3, 1), dt.date(2024, 3, 4), 1),
    # Friday 3 May 2024 to Tuesday 7 May: Monday 6 May is the early May bank holiday
    (dt.date(2024, 5, 3), dt.date(2024, 5, 7), 1),
    # Tuesday 24 Dec 2024 to Friday 27 Dec: Christmas Day and Boxing Day are off
    (dt.date(2024, 12, 24), dt.date(2024, 12, 27), 1),
    # same day: none
    (dt.date(2024, 6, 5), dt.date(2024, 6, 5), 0),
    # 45 working days from Monday 2 Sept 2024 (no bank holiday in between): Friday 1 Nov 2024
    (dt.date(2024, 9, 2), dt.date(2024, 11, 1), 44),
    (dt.date(2024, 9, 2), dt.date(2024, 11, 4), 45),
]


@pytest.mark.parametrize(("start", "end", "expected"), CASES)
def test_working_days_between(start: dt.date, end: dt.date, expected: int) -> None:
    assert working_days_between(start, end) == expected


def test_the_store_calendar_gives_the_same_answers(store_url: str) -> None:
    engine = make_engine(store_url)
    with engine.begin() as connection:
        ensure_schema(connection)
        ensure_schema(connection)  # a second call keeps one calendar
        days = schema.working_days
        numbers = dict(connection.execute(sa.select(days.c.day, days.c.working_day_number)).all())
        assert connection.execute(sa.select(sa.func.count()).select_from(days)).scalar_one() == len(numbers)
    engine.dispose()
    for start, end, expected in CASES:
        assert numbers[end] - numbers[start] == expected
