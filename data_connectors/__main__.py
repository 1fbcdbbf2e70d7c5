"""Command line: `python -m data_connectors load|template|formats|demo|dictionary`.

Exit codes: 0 loaded (with or without rejected rows); 2 an input file is unusable (one line names the
file and the problem; nothing is written); 1 the load could not run (no key, a store problem).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from data_connectors import config

EXIT_UNUSABLE = 2
EXIT_FAILED = 1


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except KeyboardInterrupt:
        print("stopped; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # the one place a failure becomes a plain message
        if os.environ.get("LOS_DEBUG"):
            raise
        from data_connectors.readers import UnusableFile

        if isinstance(error, UnusableFile):
            print(str(error), file=sys.stderr)
            return EXIT_UNUSABLE
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_connectors", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    load = commands.add_parser("load", help="load files or folders of extracts into the store")
    load.add_argument("paths", nargs="+", metavar="PATH", help="a file, a folder, or a database URL (e.g. an SSD)")
    load.add_argument("--kind", help="the format, when it cannot be told from the header")
    load.add_argument("--store", help="SQLAlchemy URL of the store (default: LOS_STORE_URL or the embedded file)")
    load.add_argument("--source", help="label for the extract's source (default: folder/file name)")
    load.add_argument("--report", type=Path, help="where to write the rejected rows (CSV)")
    load.set_defaults(run=_load)

    template = commands.add_parser("template", help="write an empty template (.csv or .xlsx)")
    template.add_argument("kind")
    template.add_argument("--out", type=Path, required=True)
    template.set_defaults(run=_template)

    formats = commands.add_parser("formats", help="list every format with its columns")
    formats.add_argument("--guide", type=Path, help="write the Markdown guide to every format here instead")
    formats.set_defaults(run=_formats)

    demo = commands.add_parser("demo", help="write a fictional demo partnership as source files")
    demo.add_argument("--tier", choices=["local", "region"], default="local")
    demo.add_argument("--out", type=Path, required=True)
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(run=_demo)

    dictionary = commands.add_parser("dictionary", help="write the data dictionary from the schema")
    dictionary.add_argument("--out", type=Path, default=config.REPO_ROOT / "docs" / "data-dictionary.md")
    dictionary.set_defaults(run=_dictionary)
    return parser


def _load(args: argparse.Namespace) -> int:
    from data_connectors.pipeline import run_load
    from data_connectors.progress import terminal_progress
    from data_connectors.report import summary_text, write_rejections

    url = config.store_url(args.store)
    with terminal_progress() as progress:
        result = run_load(args.paths, url, kind=args.kind, source=args.source, progress=progress)
    report_path = args.report or config.data_dir() / "load-reports" / f"load-{result.load_id}-rejected.csv"
    write_rejections(result, report_path)
    print(summary_text(result, report_path))
    _prepare_dashboard(url)
    return 0


def _prepare_dashboard(url: str) -> None:
    """Rebuild the dashboard's flat event tables now, so the first view after a load is fast (the
    dashboard would otherwise do it on its first page view)."""
    from dashboard.metrics.materialise import refresh_event_tables
    from data_connectors.store import make_engine

    engine = make_engine(url)
    try:
        refresh_event_tables(engine)
    finally:
        engine.dispose()


def _template(args: argparse.Namespace) -> int:
    from data_connectors.templates import write_template

    write_template(args.kind, args.out)
    print(f"wrote an empty {args.kind} template to {args.out}")
    return 0


def _formats(args: argparse.Namespace) -> int:
    from data_connectors.formats import BUNDLES, FORMATS

    if args.guide is not None:
        from data_connectors.format_guide import format_guide

        args.guide.write_text(format_guide())
        print(f"wrote {args.guide}")
        return 0
    for name, chosen in FORMATS.items():
        required = set(chosen.required)
        columns = ", ".join(c + ("*" if c in required else "") for c in chosen.columns)
        print(f"{name} -> {chosen.table.name}: {chosen.description}\n    columns (* required): {columns}")
    for name, bundle in BUNDLES.items():
        print(f"{name}: {bundle.description}")
        for part in bundle.formats:
            required = set(part.required)
            columns = ", ".join(c + ("*" if c in required else "") for c in part.columns)
            print(f"    {part.name} -> {part.table.name}: {columns}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from data_connectors.demo import write_demo
    from data_connectors.progress import terminal_progress

    with terminal_progress(unit="%") as progress:
        manifest = write_demo(
            args.out,
            tier=args.tier,
            seed=args.seed,
            progress=lambda label, fraction: progress(round(fraction * 100), 100, label),
        )
    print(
        f"wrote the {args.tier} demo partnership ({manifest['period_from']} to {manifest['period_to']}) "
        f"to {args.out}; load it with: python -m data_connectors load {args.out}"
    )
    return 0


def _dictionary(args: argparse.Namespace) -> int:
    from data_connectors.dictionary import data_dictionary

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(data_dictionary())
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
