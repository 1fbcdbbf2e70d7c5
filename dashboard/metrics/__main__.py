"""Command line: `python -m dashboard.metrics list` and `python -m dashboard.metrics show METRIC ...`.

The same numbers as the dashboard, against the configured store (LOS_STORE_URL, secrets or the default
embedded file), with small counts suppressed as on screen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import pandas as pd

from dashboard.metrics.catalogue import METRICS
from dashboard.metrics.compute import Filters, compute
from dashboard.metrics.localities import resolve_localities
from dashboard.metrics.materialise import refresh_event_tables
from data_connectors import config
from data_connectors.store import StoreError, make_engine, store_exists


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (StoreError, KeyError, ValueError) as problem:
        message = problem.args[0] if isinstance(problem, KeyError) and problem.args else problem
        print(f"error: {message}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard.metrics", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    listing = commands.add_parser("list", help="every metric: id, kind, what it means")
    listing.set_defaults(run=_list)
    show = commands.add_parser("show", help="one metric by period (and by a dimension)")
    show.add_argument("metric")
    show.add_argument("--by", help="split by a dimension, e.g. locality, agency, factor")
    show.add_argument("--locality", action="append", default=[], help="locality name or code (repeatable)")
    show.add_argument("--from", dest="start", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
    show.add_argument("--to", dest="end", type=dt.date.fromisoformat, help="last day, YYYY-MM-DD")
    show.add_argument("--grain", choices=("month", "quarter", "year"), default="month")
    show.add_argument("--format", choices=("table", "csv", "json"), default="table")
    show.add_argument("--store", help="store URL (default: the configured store)")
    show.set_defaults(run=_show)
    return parser


def _list(args: argparse.Namespace) -> int:
    for metric in METRICS.values():
        print(f"{metric.id}  ({metric.kind}; by {', '.join(metric.dimensions + metric.numerator_only)})")
        print(f"    {metric.label}: {metric.description}")
    return 0


def _show(args: argparse.Namespace) -> int:
    engine = make_engine(config.store_url(args.store))
    try:
        if not store_exists(engine):
            raise StoreError("the store holds no data yet: load some with `python -m data_connectors load`")
        refresh_event_tables(engine)
        localities = resolve_localities(engine, args.locality)
        filters = Filters(locality=localities, start=args.start, end=args.end)
        frame = compute(engine, args.metric, filters, by=args.by, grain=args.grain)
    finally:
        engine.dispose()
    shown = frame.drop(columns=["metric", "period_start"])
    if args.format == "csv":
        shown.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(shown.to_json(orient="records", double_precision=4))
    else:
        with pd.option_context("display.max_rows", None, "display.width", 160):
            print(shown.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
