"""Ingest benchmark: how fast the demo partnership is written and loaded, and how much memory it takes.

    python -m benchmarks.ingest --tier local|region [--store URL] [--keep DIR]

Each phase runs in its own process so its peak memory (max RSS) is its own. Targets for the regional
tier: load in under 2 minutes on 2 cores with peak memory under 3 GB. This prints figures; it is not
a timed test, so a slow machine never fails the build.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.phases import peak_mb, run_phase

TARGET_SECONDS = 120
TARGET_PEAK_MB = 3 * 1024


def _phase_generate(tier: str, out: Path, seed: int) -> dict:
    from data_connectors.demo import write_demo

    started = time.perf_counter()
    write_demo(out, tier=tier, seed=seed)
    seconds = time.perf_counter() - started
    rows = sum(_data_rows(path) for path in out.rglob("*.csv"))
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_mb()}


def _phase_load(folder: Path, store: str) -> dict:
    from data_connectors.pipeline import run_load

    started = time.perf_counter()
    result = run_load([folder], store)
    seconds = time.perf_counter() - started
    totals = result.per_table()[["read", "loaded", "rejected"]].sum()
    return {
        "seconds": seconds,
        "rows": int(totals["read"]),
        "loaded": int(totals["loaded"]),
        "rejected": int(totals["rejected"]),
        "peak_mb": peak_mb(),
    }


def _data_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return max(0, sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1)


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
        generated = run_phase("benchmarks.ingest", "generate", args.tier, str(folder), str(args.seed))
        loaded = run_phase("benchmarks.ingest", "load", str(folder), store)

    print(f"Ingest benchmark, {args.tier} tier (seed {args.seed})")
    print(f"{'phase':<10} {'rows':>12} {'seconds':>9} {'rows/s':>11} {'peak MB':>9}")
    for name, figures in (("generate", generated), ("load", loaded)):
        rate = figures["rows"] / figures["seconds"] if figures["seconds"] else float("nan")
        print(
            f"{name:<10} {figures['rows']:>12,} {figures['seconds']:>9.1f} {rate:>11,.0f} {figures['peak_mb']:>9,.0f}"
        )
    print(f"load: {loaded['loaded']:,} rows loaded, {loaded['rejected']:,} rejected")
    if args.tier == "region":
        verdict = loaded["seconds"] < TARGET_SECONDS and loaded["peak_mb"] < TARGET_PEAK_MB
        print(f"target (load < {TARGET_SECONDS} s, peak < {TARGET_PEAK_MB:,} MB): {'met' if verdict else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
