"""SPC benchmark: how long the XmR chart and its rules take for a board overview's worth of measures.

    python -m benchmarks.spc [--series 200] [--points 36] [--runs 9]

An overview page may chart every measure for every locality at once, so the target is SPC over 200 series
of 36 monthly points in under 100 ms in total. Each run charts all series (monthly Series with a date index,
some with a shift, a trend or a missing month), both as a notebook would (xmr() in a loop, one DataFrame per
series) and as a page would (xmr_many(), one frame for all); the median of several runs is printed per
setting, with the CPU time too (other work on the machine inflates wall-clock time). This prints figures; it
is not a timed test, so a slow machine never fails the build.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from dashboard.metrics.spc import xmr, xmr_many

TARGET_MS = 100.0


def synthetic_series(count: int, points: int, seed: int = 11) -> list[pd.Series]:
    """Monthly counts around different levels; a third shift, a sixth trend, a tenth miss a month."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2022-04-01", periods=points, freq="MS")
    series = []
    for i in range(count):
        values = rng.poisson(rng.uniform(20, 400), points).astype(float)
        if i % 3 == 0:
            values[points // 2 :] *= 1.3
        if i % 6 == 1:
            values += np.linspace(0, values.mean() * 0.5, points)
        if i % 10 == 2:
            values[points // 3] = np.nan
        series.append(pd.Series(values, index=months))
    return series


def time_runs(series: list[pd.Series], runs: int, many: bool, **options) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run over all the series."""
    keyed = {f"series {i}": values for i, values in enumerate(series)}
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        if many:
            xmr_many(keyed, **options)
        else:
            for values in series:
                xmr(values, **options)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--points", type=int, default=36)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)

    series = synthetic_series(args.series, args.points)
    time_runs(series[:5], 1, many=False)  # warm-up: imports and first-call costs
    time_runs(series[:5], 1, many=True)
    settings = {
        "Excel default (no screening)": {},
        "screen_outliers=True": {"screen_outliers": True},
        "baseline=12, higher_is_better, target": {"baseline": 12, "polarity": "higher_is_better", "target": 150},
        f"rebase_at=[{args.points // 2}], lower_is_better": {
            "rebase_at": [args.points // 2],
            "polarity": "lower_is_better",
        },
    }
    print(
        f"SPC over {args.series} series of {args.points} points, median of {args.runs} runs "
        f"(target {TARGET_MS:.0f} ms in total)"
    )
    for name, options in settings.items():
        for many in (False, True):
            walls, cpus = time_runs(series, args.runs, many=many, **options)
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            verdict = "within target" if wall < TARGET_MS else "OVER TARGET"
            how = "xmr_many()   " if many else "xmr() in loop"
            print(
                f"  {name:<40} {how}  wall {wall:6.1f} ms (min {min(walls):6.1f})  cpu {cpu:6.1f} ms  "
                f"{wall / args.series * 1000:5.0f} us/series  {verdict}"
            )
    flagged = sum((xmr(values)["special_cause"] != "").any() for values in series)
    print(f"  series with at least one special-cause point (default settings): {flagged} of {args.series}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
