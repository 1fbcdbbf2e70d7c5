"""How fast an Annex A workbook loads: a synthetic List 3 of N referrals into a fresh DuckDB store.

    python -m benchmarks.annex_a [--rows 5000]

Prints the time to write the workbook (not part of a load), to plan the load (open and read every list
sheet, one row per child) and the whole load (which plans again, then validates and writes). Figures
only; not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from data_connectors.pipeline import plan_load, run_load

SOURCES = ["q) 6: Police", "e) 2A: Schools", "g) 3A: Health services", "a) 1A: Individual", "n) 5A: LA services"]
HEADER = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Date of referral",
    "Referral Source",
    "Referral NFA?",
    "Number of Referrals in Last 12 Months",
    "Allocated Team",
    "Allocated Worker",
]


def write_list_3(path: Path, rows: int) -> Path:
    """A List 3 of `rows` referrals for about rows * 0.8 children, dates as dd/mm/yyyy text and Excel dates."""
    book = Workbook()  # not write-only: like Excel, it records the sheet's size, which readers rely on
    sheet = book.active
    sheet.title = "List 3"
    sheet.append(["List 3: Referrals"])
    sheet.append(HEADER)
    first = dt.date(2024, 1, 1)
    for n in range(rows):
        child = f"B{n % int(rows * 0.8):06d}"
        day = first + dt.timedelta(days=n % 180)
        born = dt.date(2008 + n % 16, 1 + n % 12, 1 + n % 28)
        referred = day.strftime("%d/%m/%Y") if n % 2 else dt.datetime(day.year, day.month, day.day)
        sheet.append(
            [
                child,
                "a) Male" if n % 2 else "b) Female",
                "a) WBRI",
                born.strftime("%d/%m/%Y"),
                (first - born).days // 365,
                referred,
                SOURCES[n % len(SOURCES)],
                "a) Yes" if n % 15 == 0 else "b) No",
                n % 3,
                "Front door",
                f"Worker {n % 40}",
            ]
        )
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("LOS_PSEUDONYM_KEY", "benchmark key: not a secret")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        path = write_list_3(Path(folder) / "annex_a.xlsx", args.rows)
        written = time.perf_counter() - started
        started = time.perf_counter()
        plan_load([path])
        planned = time.perf_counter() - started
        started = time.perf_counter()
        result = run_load([path], "duckdb:///" + str(Path(folder) / "store.duckdb"))
        loaded = time.perf_counter() - started
    counts = ", ".join(f"{f.table} {f.rows_loaded:,}/{f.rows_read:,}" for f in result.files)
    print(f"List 3 of {args.rows:,} rows (workbook written in {written:.2f} s)")
    print(f"planning alone (read every list sheet): {planned:.2f} s; whole load, planning included: {loaded:.2f} s")
    print(f"loaded/read: {counts}")


if __name__ == "__main__":
    main()
