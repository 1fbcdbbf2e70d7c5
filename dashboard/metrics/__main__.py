"""Command line: `python -m dashboard.metrics list`, `... show METRIC ...` and `... hotspots ...`.

The same numbers as the dashboard, against the configured store (LOS_STORE_URL, secrets or the default
embedded file), with small counts suppressed as on screen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import pandas as pd

from dashboard.metrics import hotspots
from dashboard.metrics.catalogue import METRICS
from dashboard.metrics.compute import Filters, compute
from dashboard.metrics.disclosure import REASON_COLUMN, render
from dashboard.metrics.localities import resolve_localities
from dashboard.metrics.materialise import refresh_event_tables
from dashboard.metrics.presentation import disclosed
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
    spots = commands.add_parser("hotspots", help="schools with unusually many incidents or referrals near them")
    spots.add_argument(
        "--category",
        help="police category (e.g. VIOLENCE_SEXUAL_OFFENCES) or flag (hate_crime, cse_concern, cce_concern, "
        "missing_episode, domestic_abuse); or 'referrals' with --factor",
    )
    spots.add_argument("--factor", metavar="CODE", help="assessment factor (CIN code, e.g. 11A): referrals by school")
    spots.add_argument("--radius", type=float, metavar="METRES", help="distance around each school (incidents)")
    spots.add_argument("--window", type=int, required=True, metavar="DAYS", help="length of the window in days")
    spots.add_argument(
        "--end",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="last day of the window (default: the latest data)",
    )
    spots.add_argument("--baseline", type=int, default=4, metavar="N", help="previous windows compared (default 4)")
    spots.add_argument(
        "--ring",
        type=float,
        metavar="METRES",
        help="surrounding area (default: 4 x the radius for incidents, every school of the phase for referrals)",
    )
    spots.add_argument("--alpha", type=float, default=0.05, help="share of false leads allowed (default 0.05)")
    spots.add_argument("--top", type=int, metavar="N", help="show the first N schools only")
    spots.add_argument("--format", choices=("table", "csv", "json"), default="table")
    spots.add_argument("--store", help="store URL (default: the configured store)")
    spots.set_defaults(run=_hotspots)
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
    protected = disclosed(frame)
    shown = render(protected, {"value": "{:.1f}", "lower": "{:.1f}", "upper": "{:.1f}"})
    shown = shown.drop(columns=["metric", "period_start"])
    if args.format == "csv":
        shown.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(shown.to_json(orient="records"))
    else:
        with pd.option_context("display.max_rows", None, "display.width", 160):
            print(shown.to_string(index=False))
        print(protected.attrs["disclosure"]["note"], file=sys.stderr)
    return 0


HOTSPOT_COLUMNS = {
    "rank": "rank",
    "urn": "urn",
    "school_name": "school",
    "phase": "phase",
    "count": "count",
    "expected": "expected",
    "ratio": "ratio",
    "compared_with": "compared with",
    "p_adjusted": "adjusted p",
    "kind": "flag",
}


def _hotspots(args: argparse.Namespace) -> int:
    category, factor = args.category, args.factor
    if factor and category not in (None, "referrals"):
        raise ValueError("give an incident --category or a referral --factor, not both")
    if not factor and category in (None, "referrals"):
        raise ValueError("give --category CATEGORY (incidents) or --factor CODE (referrals)")
    if not factor and args.radius is None:
        raise ValueError("--radius METRES is needed for incidents")
    threshold = config.suppression_threshold()
    engine = make_engine(config.store_url(args.store))
    try:
        if not store_exists(engine):
            raise StoreError("the store holds no data yet: load some with `python -m data_connectors load`")
        result = hotspots.find_hotspots(
            engine,
            category=None if factor else category,
            factor=factor,
            radius_m=args.radius or 500.0,
            window_days=args.window,
            end=args.end,
            baseline_windows=args.baseline,
            ring_m=args.ring,
            alpha=args.alpha,
            min_count=hotspots.smallest_flag(threshold),
        )
    finally:
        engine.dispose()
    heading = _hotspot_heading(result)
    if args.top is not None:
        result = result.head(args.top)
    shown = hotspots.disclosed(result, threshold)
    facts = result.attrs
    notes = [*facts["notes"], shown.attrs["disclosure"]["note"]]
    if args.format == "json":
        records = shown[[*HOTSPOT_COLUMNS, REASON_COLUMN]].rename(columns={"school_name": "school"})
        print(records.to_json(orient="records", double_precision=6))
    else:
        table = render(shown, {"expected": "{:.1f}", "ratio": "{:.2f}", "p_adjusted": "{:.3g}"})
        table = table[list(HOTSPOT_COLUMNS)].rename(columns=HOTSPOT_COLUMNS)
        if args.format == "csv":
            table.to_csv(sys.stdout, index=False)
        else:
            print(heading)
            with pd.option_context("display.max_rows", None, "display.width", 160):
                print(table.to_string(index=False))
    out = sys.stdout if args.format == "table" else sys.stderr
    for note in notes:
        print(f"Note: {note}", file=out)
    return 0


def _hotspot_heading(result: pd.DataFrame) -> str:
    facts = result.attrs
    place = f" within {facts['radius_m']:g} m" if "radius_m" in facts else ""
    area = f"a {facts['ring_m']:g} m ring" if facts.get("ring_m") else "schools of the same phase"
    flagged = int(result["flagged"].sum())
    return (
        f"Hotspots near schools: {facts.get('what', '')}{place}, {facts['window']}, compared with "
        f"{len(facts['previous_windows'])} previous windows and {area}.\n"
        f"{flagged} of {int(result['p_adjusted'].notna().sum())} schools tested flagged "
        f"(adjusted p below {facts['alpha']:g}, count at least {facts['min_count']})."
    )


if __name__ == "__main__":
    raise SystemExit(main())
