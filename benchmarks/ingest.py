"""Ingest benchmark: how fast the demo partnership is written and loaded, and how much memory it takes.

    python -m benchmarks.ingest --tier local|region [--store URL] [--keep DIR]

Each phase runs in its own process so its peak memory (max RSS) is its own, and its CPU time (user + system,
all threads) is reported beside the wall clock: on a shared machine the wall clock also counts time spent
waiting for a core, so the load average is printed too. The load's time is broken down by connector
(format), with planning (opening and recognising every file) and the rest (commit) apart. Targets for the
regional tier: load in under 2 minutes on 2 cores with peak memory under 3 GB. This prints figures; it is
not a timed test, so a slow machine never fails the build.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.phases import cpu_seconds, load_average, peak_mb, run_phase

TARGET_SECONDS = 120
TARGET_PEAK_MB = 3 * 1024


def _phase_generate(tier: str, out: Path, seed: int) -> dict:
    from data_connectors.demo import write_demo

    started = time.perf_counter()
    manifest = write_demo(out, tier=tier, seed=seed)
    seconds = time.perf_counter() - started
    rows = sum(source["rows"] for source in manifest["sources"])  # rows written, as the load will read them
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_mb(), "cpu": cpu_seconds()}


def _phase_load(folder: Path, store: str) -> dict:
    from data_connectors import pipeline

    spent: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])  # format -> files, rows, seconds
    plan_load, load_file = pipeline.plan_load, pipeline._load_file

    def timed_plan(*args, **kwargs):
        begun = time.perf_counter()
        try:
            return plan_load(*args, **kwargs)
        finally:
            spent["(planning: open and recognise files)"][2] += time.perf_counter() - begun

    def timed_load(writer, item, outcome, *args, **kwargs):
        begun = time.perf_counter()
        load_file(writer, item, outcome, *args, **kwargs)
        figures = spent[item.format.name]
        figures[0] += 1
        figures[1] += outcome.rows_read
        figures[2] += time.perf_counter() - begun

    pipeline.plan_load, pipeline._load_file = timed_plan, timed_load  # a benchmark's stopwatch, nothing else
    started = time.perf_counter()
    result = pipeline.run_load([folder], store)
    seconds = time.perf_counter() - started
    spent["(the rest: load records, commit)"][2] = seconds - sum(figures[2] for figures in spent.values())
    totals = result.per_table()[["read", "loaded", "rejected"]].sum()
    return {
        "seconds": seconds,
        "rows": int(totals["read"]),
        "loaded": int(totals["loaded"]),
        "rejected": int(totals["rejected"]),
        "peak_mb": peak_mb(),
        "cpu": cpu_seconds(),
        "by_format": {name: figures for name, figures in spent.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=["local", "region"], default="local")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--store", help="store URL (default: a new DuckDB file in a temporary folder)")
    parser.add_argument("--keep", type=Path, help="write the demo files here and keep them")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:
        name, *rest = args.phase
        figures = (
            _phase_generate(rest[0], Path(rest[1]), int(rest[2]))
            if name == "generate"
            else _phase_load(Path(rest[0]), rest[1])
        )
        print(json.dumps(figures))
        return 0

    with tempfile.TemporaryDirectory(prefix="los-bench-") as scratch:
        folder = args.keep or Path(scratch) / "demo"
        store = args.store or "duckdb:///" + str(Path(scratch) / "bench.duckdb")
        before = load_average()
        generated = run_phase("benchmarks.ingest", "generate", args.tier, str(folder), str(args.seed))
        loaded = run_phase("benchmarks.ingest", "load", str(folder), store)
        after = load_average()

    print(f"Ingest benchmark, {args.tier} tier (seed {args.seed}); load average {before} before, {after} after")
    print(f"{'phase':<10} {'rows':>12} {'seconds':>9} {'cpu s':>8} {'rows/s':>11} {'peak MB':>9}")
    for name, figures in (("generate", generated), ("load", loaded)):
        rate = figures["rows"] / figures["seconds"] if figures["seconds"] else float("nan")
        print(
            f"{name:<10} {figures['rows']:>12,} {figures['seconds']:>9.1f} {figures['cpu']:>8.1f} {rate:>11,.0f} "
            f"{figures['peak_mb']:>9,.0f}"
        )
    print(f"load: {loaded['loaded']:,} rows loaded, {loaded['rejected']:,} rejected")
    print(f"{'where the load time goes':<42} {'files':>6} {'rows':>11} {'seconds':>8} {'ms/file':>8}")
    for name, (files, rows, seconds) in sorted(loaded["by_format"].items(), key=lambda item: -item[1][2])[:15]:
        counts = f"{files:>6,} {rows:>11,}" if files else " " * 18
        per_file = f"{1000 * seconds / files:>8,.0f}" if files else ""
        print(f"{name:<42} {counts} {seconds:>8.1f} {per_file}")
    if args.tier == "region":
        verdict = loaded["seconds"] < TARGET_SECONDS and loaded["peak_mb"] < TARGET_PEAK_MB
        print(f"target (load < {TARGET_SECONDS} s, peak < {TARGET_PEAK_MB:,} MB): {'met' if verdict else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
