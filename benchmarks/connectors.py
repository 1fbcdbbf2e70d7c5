"""Connector benchmark: how fast the published and partner layouts load, each into a fresh DuckDB store.

    python -m benchmarks.connectors [--case annex_a gias police_uk] [--repeats 3]

Three cases, each written as synthetic files in the source's real layout into a temporary folder (the time
to write them is not counted):

- annex_a: an Annex A workbook with a List 3 of 5,000 referrals (about 4,000 children);
- gias: a national GIAS "edubasealldata" file, about 50,000 establishments, Windows-1252, every column of a
  current download;
- police_uk: a year of police.uk street-level crime for one force, 12 monthly files of 25,000 rows (Crime
  IDs are 64-character digests as police.uk's are; anti-social behaviour has none).

GIAS and police.uk rows refer to small areas, so a small geography (localities, wards, small areas as
canonical templates) is loaded into each store first, untimed, and every row names one of its areas: the
figures measure loading, not rejecting. Each load runs in its own process (peak memory is that process's
max RSS, geography load and imports included) into a new store; the median of the runs is printed, with the
load's CPU time (all threads), since other work on a shared machine inflates wall-clock time. Target: each
case under 10 s. It prints figures; it is not a timed test, so a slow machine never fails the build.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.phases import peak_mb, run_phase

TARGET_SECONDS = 10.0
FORCE = "Testshire Police"

# The partnership's geography: 4 localities, 5 wards each, 10 small areas a ward (fictional E0199 codes).
LOCALITIES = 4
WARDS_PER_LOCALITY = 5
AREAS_PER_WARD = 10
LA_CODE = "E06990001"


def area_codes() -> list[str]:
    return [f"E0199{n:04d}" for n in range(1, LOCALITIES * WARDS_PER_LOCALITY * AREAS_PER_WARD + 1)]


def _write_csv(path: Path, header: list[str], rows, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_geography(folder: Path) -> list[Path]:
    """Localities, wards and small areas as the canonical templates' CSV files."""
    from data_connectors import schema

    def header(table: str) -> list[str]:
        return schema.template_columns(schema.table_by_name(table))

    localities = [(f"LOC{n}", f"Locality {n}", LA_CODE, "Testshire") for n in range(1, LOCALITIES + 1)]
    wards = [
        (f"E0599{w:04d}", f"Ward {w}", f"LOC{(w - 1) // WARDS_PER_LOCALITY + 1}")
        for w in range(1, LOCALITIES * WARDS_PER_LOCALITY + 1)
    ]
    areas = [
        (code, f"Testshire {n:03d}A", f"E0599{(n - 1) // AREAS_PER_WARD + 1:04d}", *_centre(n), "")
        for n, code in enumerate(area_codes(), start=1)
    ]
    return [
        _write_csv(folder / "localities.csv", header("localities"), localities),
        _write_csv(folder / "wards.csv", header("wards"), wards),
        _write_csv(folder / "small_areas.csv", header("small_areas"), areas),
    ]


def _centre(n: int) -> tuple[str, str]:
    """A small area's centroid: a 20 x 10 grid of points about 1 km apart around 53.1 N, 2.1 W."""
    return f"{53.05 + (n % 10) * 0.009:.6f}", f"{-2.2 + (n // 10) * 0.015:.6f}"


# --- Annex A --------------------------------------------------------------------------------------------------

ANNEX_A_SOURCES = [
    "q) 6: Police",
    "e) 2A: Schools",
    "g) 3A: Health services",
    "a) 1A: Individual",
    "n) 5A: LA services",
]
ANNEX_A_LIST_3 = [
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


def write_annex_a(folder: Path, rows: int) -> list[Path]:
    """A workbook whose List 3 holds `rows` referrals for about rows * 0.8 children, dates as dd/mm/yyyy text
    and as Excel dates, under a title row as local authorities' returns have."""
    from openpyxl import Workbook

    book = Workbook()  # not write-only: like Excel, it records the sheet's size, which readers rely on
    sheet = book.active
    sheet.title = "List 3"
    sheet.append(["List 3: Referrals"])
    sheet.append(ANNEX_A_LIST_3)
    first = dt.date(2024, 1, 1)
    for n in range(rows):
        day = first + dt.timedelta(days=n % 180)
        born = dt.date(2008 + n % 16, 1 + n % 12, 1 + n % 28)
        referred = day.strftime("%d/%m/%Y") if n % 2 else dt.datetime(day.year, day.month, day.day)
        sheet.append(
            [
                f"B{n % int(rows * 0.8):06d}",
                "a) Male" if n % 2 else "b) Female",
                "a) WBRI",
                born.strftime("%d/%m/%Y"),
                (first - born).days // 365,
                referred,
                ANNEX_A_SOURCES[n % len(ANNEX_A_SOURCES)],
                "a) Yes" if n % 15 == 0 else "b) No",
                n % 3,
                "Front door",
                f"Worker {n % 40}",
            ]
        )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "annex_a.xlsx"
    book.save(path)
    return [path]


# --- GIAS -------------------------------------------------------------------------------------------------------

GIAS_PHASES = ["Primary", "Primary", "Primary", "Secondary", "Nursery", "16 plus", "All-through", "Not applicable"]
GIAS_STATUSES = [("1", "Open"), ("1", "Open"), ("1", "Open"), ("2", "Closed"), ("3", "Open, but proposed to close")]
GIAS_KINDS = ["Community school", "Academy converter", "Voluntary aided school", "Foundation school"]


def write_gias(folder: Path, rows: int) -> list[Path]:
    """A national edubasealldata file as downloaded since July 2024 (every column, no "RSCRegion (name)"),
    Windows-1252. Columns a school does not take are filled as GIAS fills them, so the file is about the
    real one's size; a few names carry accents and dashes only cp1252 holds."""
    from data_connectors.formats.gias import GIAS_HEADER

    header = [name for name in GIAS_HEADER if name != "RSCRegion (name)"]
    filler = {name: _gias_filler(name) for name in header}
    areas = area_codes()
    rng = random.Random(5)

    def row(n: int) -> list[str]:
        status_code, status = GIAS_STATUSES[n % len(GIAS_STATUSES)]
        area = areas[n % len(areas)]
        located = n % 20 != 0  # some establishments have no grid reference
        values = filler | {
            "URN": str(100000 + n),
            "LA (code)": "990",
            "LA (name)": "Testshire",
            "EstablishmentNumber": str(2000 + n % 8000),
            "EstablishmentName": f"École Sainte-Zoë – {n}" if n % 97 == 0 else f"Testshire School {n}",
            "TypeOfEstablishment (name)": GIAS_KINDS[n % len(GIAS_KINDS)],
            "EstablishmentStatus (code)": status_code,
            "EstablishmentStatus (name)": status,
            "PhaseOfEducation (name)": GIAS_PHASES[n % len(GIAS_PHASES)],
            "NumberOfPupils": str(rng.randint(20, 1800)) if n % 10 else "",
            "Street": f"{n % 300} School Lane",
            "Postcode": f"QQ{n % 9 + 1} {n % 10}{'ABDEFGHJ'[n % 8]}{'LNPQRSTU'[n // 8 % 8]}",
            "HeadFirstName": "Alex",
            "HeadLastName": f"Head{n}",
            "GSSLACode (name)": LA_CODE,
            "Easting": str(rng.randint(380000, 410000)) if located else "",
            "Northing": str(rng.randint(350000, 370000)) if located else "",
            "LSOA (name)": f"Testshire {int(area[-4:]):03d}A",
            "LSOA (code)": area,
            "UPRN": str(10000000 + n),
        }
        return [values[name] for name in header]

    return [_write_csv(folder / "edubasealldata20240717.csv", header, (row(n) for n in range(rows)), "cp1252")]


def _gias_filler(name: str) -> str:
    """What GIAS writes in a column the school table does not take (roughly: codes, names, dates, blanks)."""
    if name.endswith("(code)"):
        return "0"
    if name.endswith("(name)"):
        return "Not applicable"
    if name.endswith("Date") or name in ("OfstedLastInsp", "CensusDate"):
        return "01-09-2012"
    return ""


# --- police.uk --------------------------------------------------------------------------------------------------

# Crime types with about the shares police.uk shows for an English force; anti-social behaviour has no crime ID.
CRIME_TYPES = {
    "Anti-social behaviour": 22,
    "Violence and sexual offences": 35,
    "Public order": 8,
    "Criminal damage and arson": 8,
    "Shoplifting": 6,
    "Other theft": 5,
    "Vehicle crime": 4,
    "Burglary": 4,
    "Drugs": 2,
    "Other crime": 2,
    "Theft from the person": 1,
    "Robbery": 1,
    "Possession of weapons": 1,
    "Bicycle theft": 1,
}
OUTCOMES = [
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Awaiting court outcome",
    "Local resolution",
    "Offender given a caution",
]


def write_police_uk(folder: Path, rows_a_month: int) -> list[Path]:
    """Twelve monthly `YYYY-MM-testshire-street.csv` files for one force. Incidents sit on 10 snap points per
    small area; a few have no snap point within 20 km (coordinates blank, as police.uk publishes them)."""
    from data_connectors.formats.police_uk import HEADER

    rng = random.Random(7)
    areas = area_codes()
    types, weights = list(CRIME_TYPES), list(CRIME_TYPES.values())
    points = [
        (area, f"{float(lon) + rng.uniform(-0.005, 0.005):.6f}", f"{float(lat) + rng.uniform(-0.004, 0.004):.6f}", p)
        for n, area in enumerate(areas, start=1)
        for lat, lon in [_centre(n)]
        for p in range(10)
    ]
    paths = []
    for month in range(1, 13):
        stamp = f"2024-{month:02d}"

        def row(n: int, stamp: str = stamp) -> list[str]:
            area, longitude, latitude, street = rng.choice(points)
            crime = rng.choices(types, weights)[0]
            antisocial = crime == "Anti-social behaviour"
            crime_id = "" if antisocial else hashlib.sha256(f"{stamp}/{n}".encode()).hexdigest()
            if n % 500 == 0:
                longitude = latitude = ""
            location = f"On or near {['Mill Lane', 'Park Road', 'High Street', 'Church Street'][street % 4]}"
            outcome = "" if antisocial else rng.choice(OUTCOMES)
            name = f"Testshire {int(area[-4:]):03d}A"
            return [crime_id, stamp, FORCE, FORCE, longitude, latitude, location, area, name, crime, outcome, ""]

        path = folder / f"{stamp}-testshire-street.csv"
        paths.append(_write_csv(path, list(HEADER), (row(n) for n in range(rows_a_month))))
    return paths


# --- the cases --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    what: str  # the source rows, in words
    write: Callable[[Path, int], list[Path]]
    rows: int  # the argument to write (per file for police.uk)
    files: int = 1
    geography: bool = True

    @property
    def source_rows(self) -> int:
        return self.rows * self.files


def cases(annex_a_rows: int, gias_rows: int, police_rows_a_month: int) -> dict[str, Case]:
    return {
        "annex_a": Case("annex_a", "List 3 rows", write_annex_a, annex_a_rows, geography=False),
        "gias": Case("gias", "establishments", write_gias, gias_rows),
        "police_uk": Case("police_uk", "crimes, 12 months", write_police_uk, police_rows_a_month, files=12),
    }


def _phase_load(store: str, geography: str, paths: list[str]) -> dict:
    """Load the geography (untimed), then time the case's files into the same store."""
    from data_connectors.pipeline import run_load

    if geography:
        run_load([Path(geography)], store)
    started, cpu = time.perf_counter(), time.process_time()
    result = run_load([Path(p) for p in paths], store)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rejected = result.rejections
    reasons = rejected.groupby(["field", "reason"]).size().nlargest(3) if len(rejected) else {}
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "tables": {
            row.table: [int(row.read), int(row.loaded), int(row.rejected)] for row in result.per_table().itertuples()
        },
        "reasons": [f"{n:,} x {field}: {reason}" for (field, reason), n in reasons.items()],
        "peak_mb": peak_mb(),
    }


def _measure(case: Case, folder: Path, geography: Path, repeats: int) -> dict:
    """Write the case's files once, then load them `repeats` times, each into a new store in a new process."""
    paths = case.write(folder / case.name, case.rows)
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    runs = []
    for n in range(repeats):
        store = folder / f"{case.name}-{n}.duckdb"
        url = "duckdb:///" + str(store)
        runs.append(
            run_phase("benchmarks.connectors", "load", url, str(geography) if case.geography else "", *map(str, paths))
        )
        store.unlink(missing_ok=True)
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "all_seconds": [r["seconds"] for r in runs],
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "tables": runs[0]["tables"],
        "reasons": runs[0]["reasons"],
        "size_mb": size_mb,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", nargs="+", choices=["annex_a", "gias", "police_uk"], help="default: all three")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--annex-a-rows", type=int, default=5_000)
    parser.add_argument("--gias-rows", type=int, default=50_000)
    parser.add_argument("--police-rows-a-month", type=int, default=25_000)
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:
        _name, store, geography, *paths = args.phase
        print(json.dumps(_phase_load(store, geography, paths)))
        return 0

    os.environ.setdefault("LOS_PSEUDONYM_KEY", "benchmark key: not a secret")
    chosen = cases(args.annex_a_rows, args.gias_rows, args.police_rows_a_month)
    names = args.case or list(chosen)
    print(f"Connector benchmark: {args.repeats} run(s) a case, each into a new DuckDB store; target under 10 s")
    print(f"machine: {os.cpu_count()} cores, load average {_load_average()} at the start")
    print(
        f"{'case':<10} {'source rows':>12} {'MB':>6} {'seconds':>8} {'rows/s':>9} {'CPU s':>6} {'peak MB':>8}  runs (s)"
    )
    results = {}
    with tempfile.TemporaryDirectory(prefix="los-bench-") as scratch:
        folder = Path(scratch)
        geography = folder / "geography"
        write_geography(geography)
        for name in names:
            case = chosen[name]
            figures = results[name] = _measure(case, folder, geography, args.repeats)
            rate = case.source_rows / figures["seconds"]
            runs = ", ".join(f"{s:.2f}" for s in figures["all_seconds"])
            print(
                f"{name:<10} {case.source_rows:>12,} {figures['size_mb']:>6.1f} {figures['seconds']:>8.2f} "
                f"{rate:>9,.0f} {figures['cpu_seconds']:>6.2f} {figures['peak_mb']:>8,.0f}  {runs}"
            )
    print(f"load average {_load_average()} at the end")
    for name in names:
        figures, case = results[name], chosen[name]
        tables = "; ".join(
            f"{t} {read:,} read, {loaded:,} loaded, {rej:,} rejected"
            for t, (read, loaded, rej) in figures["tables"].items()
        )
        verdict = "met" if figures["seconds"] < TARGET_SECONDS else "NOT met"
        print(f"{name}: {case.source_rows:,} {case.what}: {tables} (under {TARGET_SECONDS:.0f} s: {verdict})")
        for reason in figures["reasons"]:
            print(f"    rejected: {reason}")
    return 0


def _load_average() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
