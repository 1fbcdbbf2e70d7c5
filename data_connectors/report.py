"""The load report: a short table on screen and a file with every rejected row and its reason."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from data_connectors.pipeline import LoadResult
from data_connectors.readers import ROW_NUMBER
from data_connectors.store import describe_url


def summary_text(result: LoadResult, report_path: Path | None) -> str:
    """Per table: rows read, loaded and rejected, then notes a data owner should act on."""
    lines = [f"Load {result.load_id} into {describe_url(result.store)}"]
    table = result.per_table()
    width = max([len("table")] + [len(name) for name in table["table"]])
    lines.append(f"{'table':<{width}}  {'read':>10}  {'loaded':>10}  {'rejected':>9}")
    for row in table.itertuples(index=False):
        lines.append(f"{row.table:<{width}}  {row.read:>10,}  {row.loaded:>10,}  {row.rejected:>9,}")
    totals = table[["read", "loaded", "rejected"]].sum()
    lines.append(f"{'total':<{width}}  {totals['read']:>10,}  {totals['loaded']:>10,}  {totals['rejected']:>9,}")
    noted = Counter(outcome.format for outcome in result.files if outcome.note and outcome.rows_loaded)
    for outcome in result.files:
        if outcome.unchanged_since_load is not None:
            lines.append(f"{outcome.path}: unchanged since load {outcome.unchanged_since_load}; nothing to do")
        elif outcome.rows_read == 0:
            lines.append(f"{outcome.path}: has a header but no data rows")
        if outcome.note and outcome.rows_loaded and outcome.format in noted:
            # a layout's note is said once, however many of its files (police.uk: one per month) were loaded
            others = noted.pop(outcome.format) - 1
            more = f" and {others:,} more {outcome.format} file{'s' if others > 1 else ''}" if others else ""
            lines.append(f"{outcome.path}{more}: {outcome.note}")
        if outcome.unused_sheets:
            file_name = outcome.path.rsplit(" [", 1)[0]
            lines.append(f"{file_name}: sheets not used (no known layout): {', '.join(outcome.unused_sheets)}")
        if outcome.ignored_columns:
            lines.append(f"{outcome.path}: columns not used: {', '.join(outcome.ignored_columns)}")
    rejected = int(totals["rejected"])
    if report_path is not None and rejected == 1:
        lines.append(f"1 row was not loaded; it is listed with its reason in {report_path}")
    elif report_path is not None and rejected:
        lines.append(f"{rejected:,} rows were not loaded; each is listed with its reason in {report_path}")
    return "\n".join(lines)


def write_rejections(result: LoadResult, path: Path) -> Path:
    """Every rejected row: source file, row number (header = row 1), field, reason, value."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = result.rejections.rename(columns={"file": "source_file", ROW_NUMBER: "row_number"})
    frame[["source_file", "table", "row_number", "field", "reason", "value"]].to_csv(path, index=False)
    return path
