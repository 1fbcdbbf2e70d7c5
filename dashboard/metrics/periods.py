"""Periods leaders read: months, calendar quarters and financial years (April to March, as DfE reports)."""

from __future__ import annotations

import datetime as dt


def period_start(day: dt.date, grain: str) -> dt.date:
    """The first day of the month, quarter or financial year a day falls in."""
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if grain == "year":
        return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    raise ValueError(f"unknown grain {grain!r}: month, quarter or year")


def next_period(start: dt.date, grain: str) -> dt.date:
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    total = start.year * 12 + start.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def period_label(start: dt.date, grain: str) -> str:
    """'Apr 2024', '2024 Q2' or '2024-25'."""
    if grain == "month":
        return start.strftime("%b %Y")
    if grain == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{(start.year + 1) % 100:02d}"


def period_starts(span: tuple[dt.date | None, dt.date | None], grain: str) -> list[dt.date]:
    """The first day of every period from the one holding `start` to the one holding `end`."""
    start, end = span
    starts: list[dt.date] = []
    if start is not None and end is not None:
        current, last = period_start(start, grain), period_start(end, grain)
        while current <= last:
            starts.append(current)
            current = next_period(current, grain)
    return starts
