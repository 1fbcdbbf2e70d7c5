"""Metrics benchmark: the metrics each page shows, for one locality, computed straight from the store
(no page cache), and SPC over 200 series.

    python -m benchmarks.metrics --store URL            # a store that already holds the regional demo
    python -m benchmarks.metrics --build DIR             # write and load the regional demo into DIR first

Targets (regional tier, embedded store): a page's full set of metrics for one locality, median under
150 ms; SPC over 200 series under 100 ms. It prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from dashboard.metrics.compute import Filters, compute_many
from dashboard.metrics.signals import HEADLINE_METRICS
from dashboard.metrics.spc import xmr_many
from data_connectors import schema
from data_connectors.store import make_engine

PAGE_METRICS = {
    "overview": [(m, None, "month") for m in HEADLINE_METRICS],
    "front door": [
        ("contact_to_referral_rate", None, "month"),
        ("decision_within_1wd_rate", None, "month"),
        ("referral_nfa_rate", None, "month"),
        ("rereferral_rate_12m", None, "month"),
        ("referrals_by_source", "agency", "year"),
        ("referral_conversion_by_source", "agency", "year"),
        ("referral_information_quality", "agency", "year"),
    ],
    "thresholds": [
        ("threshold_agreement_rate", "agency", "year"),
        ("over_threshold_rate", "agency", "year"),
        ("under_threshold_rate", "agency", "year"),
        ("repeat_cp_plan_rate", None, "month"),
        ("cp_plans_2yrs_plus", None, "month"),
        ("s47_to_icpc_rate", None, "year"),
        ("icpc_within_15wd_rate", None, "year"),
    ],
    "neglect": [
        ("neglect_at_assessment_rate_per_10k", "ward", "year"),
        ("cp_plans_neglect_rate_per_10k", "ward", "year"),
        ("early_help_neglect_rate_per_10k", "ward", "year"),
        ("was_not_brought_rate_per_10k", "ward", "year"),
        ("persistent_absence_rate", "ward", "year"),
        ("neglect_grade_concern_rate", "ward", "year"),
    ],
}


def _build(folder: Path) -> str:
    from data_connectors.demo import write_demo
    from data_connectors.pipeline import run_load

    data = folder / "region"
    if not data.exists():
        write_demo(data, tier="region", seed=7)
    url = "duckdb:///" + str(folder / "region.duckdb")
    run_load([data], url)
    return url


def _one_locality(url: str) -> tuple[Filters, str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        code, name = connection.execute(
            sa.select(schema.localities.c.locality_code, schema.localities.c.locality_name).limit(1)
        ).one()
        latest = connection.execute(sa.select(sa.func.max(schema.referrals.c.referral_date))).scalar_one()
    engine.dispose()
    start = latest.replace(year=latest.year - 1)
    return Filters(locality=(code,), start=start, end=latest), name


def _page_seconds(engine: sa.Engine, filters: Filters, metrics: list) -> tuple[float, float]:
    """A page's metrics as pages fetch them (one connection, one batch per split and grain): wall-clock
    and CPU seconds. CPU time counts every thread of this process, the store's too, and waits for no one,
    so it varies less than wall-clock time on a busy machine."""
    batches: dict[tuple, list[str]] = {}
    for metric_id, by, grain in metrics:
        batches.setdefault((by, grain), []).append(metric_id)
    started, cpu = time.perf_counter(), time.process_time()
    with engine.connect() as connection:
        for (by, grain), metric_ids in batches.items():
            compute_many(connection, metric_ids, filters, by=by, grain=grain)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store")
    parser.add_argument("--build", type=Path)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    url = args.store or _build(args.build)
    filters, name = _one_locality(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        referrals = connection.execute(sa.select(sa.func.count()).select_from(schema.referrals)).scalar_one()
    print(f"store: {referrals:,} referrals; view: {name}, {filters.start} to {filters.end}")
    print(f"load average {_load_average()} at the start")
    for page, metrics in PAGE_METRICS.items():
        _page_seconds(engine, filters, metrics)  # warm the store's file cache, as a running server has it
        times, cpu = zip(*(_page_seconds(engine, filters, metrics) for _ in range(args.repeats)), strict=True)
        median = statistics.median(times) * 1000
        verdict = "within" if median < 150 else "over"
        print(
            f"{page:>11}: {len(metrics)} metrics, median {median:,.0f} ms, max {max(times) * 1000:,.0f} ms "
            f"(target 150 ms: {verdict}); CPU median {statistics.median(cpu) * 1000:,.0f} ms"
        )
    engine.dispose()
    rng = np.random.default_rng(1)
    series = {f"series {i}": rng.normal(100, 10, 36) for i in range(200)}
    xmr_many(series)
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        xmr_many(series, polarity="higher_is_better", target=95.0)
        times.append(time.perf_counter() - started)
    print(f"SPC: 200 series of 36 months, median {statistics.median(times) * 1000:,.0f} ms (target 100 ms)")
    print(f"load average {_load_average()} at the end")


def _load_average() -> str:
    """The 1, 5 and 15 minute load averages: above the number of cores, queries wait for a core."""
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


if __name__ == "__main__":
    main()
