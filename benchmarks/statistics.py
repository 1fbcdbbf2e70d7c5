"""Statistics benchmark: how long intervals, funnel limits, disclosure control and co-occurrence take.

    python -m benchmarks.statistics [--rows 10000] [--repeats 3]

Builds a synthetic table of about ``--rows`` rows (months x localities x categories, with "All" margins
both ways, small Poisson counts so that many cells need hiding) and prints the best of ``--repeats`` runs for
each step. It prints figures only; it is not a timed test, so a slow machine never fails the build.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from dashboard.metrics.cooccurrence import factor_pairs
from dashboard.metrics.disclosure import render, suppress
from dashboard.metrics.funnel import proportion_funnel, rate_funnel
from dashboard.metrics.intervals import rate_per_10k, wilson

LOCALITIES, CATEGORIES = 20, 9  # plus an "All" row for each, so 21 x 10 = 210 rows a month


def synthetic_table(rows: int, seed: int = 1) -> pd.DataFrame:
    """Months x localities x categories with margins; referrals average 12 and 60% are assessed: many small cells."""
    rng = np.random.default_rng(seed)
    months = max(1, round(rows / ((LOCALITIES + 1) * (CATEGORIES + 1))))
    counts = rng.poisson(12, size=(months, LOCALITIES, CATEGORIES))
    full = np.zeros((months, LOCALITIES + 1, CATEGORIES + 1), dtype=np.int64)
    full[:, :-1, :-1] = counts
    full[:, -1, :] = full[:, :-1, :].sum(axis=1)
    full[:, :, -1] = full[:, :, :-1].sum(axis=2)
    localities = [f"L{i:02d}" for i in range(LOCALITIES)] + ["All"]
    categories = [f"C{i}" for i in range(CATEGORIES)] + ["All"]
    index = pd.MultiIndex.from_product([range(months), localities, categories], names=["month", "locality", "category"])
    frame = pd.DataFrame({"referrals": full.ravel()}, index=index).reset_index()
    frame["children"] = np.where(frame["locality"] == "All", 60_000, 3_000)
    frame["assessed"] = rng.binomial(frame["referrals"], 0.6)
    return frame


def synthetic_factors(assessments: int, seed: int = 2) -> pd.DataFrame:
    """About two factors per assessment from 30 codes with uneven frequencies."""
    rng = np.random.default_rng(seed)
    codes = [f"{n}{s}" for n in range(1, 11) for s in "ABC"]
    weights = rng.dirichlet(np.ones(len(codes)))
    per = rng.poisson(2, size=assessments) + 1
    ids = np.repeat(np.arange(assessments), per)
    return pd.DataFrame({"assessment_id": ids, "factor_code": rng.choice(codes, size=len(ids), p=weights)})


def best_of(repeats: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    table = synthetic_table(args.rows)
    factors = synthetic_factors(args.rows)

    def intervals() -> pd.DataFrame:
        rates = rate_per_10k(table["referrals"], table["children"]).to_frame("rate")
        shares = wilson(table["assessed"], table["referrals"]).to_frame("assessed_share")
        return pd.concat([table, rates, shares], axis=1)

    with_intervals = intervals()
    derived = {column: "referrals" for column in ("rate", "rate_lower", "rate_upper")}
    derived |= {column: ["referrals", "assessed"] for column in ("assessed_share", "assessed_share_lower")}
    derived["assessed_share_upper"] = ["referrals", "assessed"]

    def protect() -> pd.DataFrame:
        return suppress(
            with_intervals,
            ["referrals", "assessed"],
            derived_columns=derived,
            totals={"locality": "All", "category": "All"},
            group_by="month",
        )

    protected = protect()
    units = table[table["locality"] != "All"]
    steps = {
        "intervals (rate per 10k + Wilson)": intervals,
        "suppress (primary, derived, secondary)": protect,
        "render for display/export": lambda: render(protected, formats={"rate": "{:.1f}"}),
        "rate funnel": lambda: rate_funnel(units, "referrals", "children"),
        "proportion funnel (exact)": lambda: proportion_funnel(units, "assessed", "referrals"),
        f"factor pairs ({factors['assessment_id'].nunique():,} assessments, 30 codes)": lambda: factor_pairs(factors),
    }
    summary = protected.attrs["disclosure"]
    print(f"{len(table):,} rows; hidden cells: {summary['small']:,} small, {summary['secondary']:,} secondary, ")
    print(f"{summary['derived']:,} derived; totals left unprotected: {len(summary['unprotected'])}")
    for name, step in steps.items():
        print(f"{name:<58} {best_of(args.repeats, step) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
