"""Disclosure control: the one step every figure passes before a screen, a download or an export.

Small counts about children can identify them, and so can anything worked out from a small count (a rate, a
percentage, an interval), or a total minus the figures shown beside it. :func:`suppress` hides all three:

1. Primary suppression: counts from 1 to ``threshold - 1`` (1 to 4 by default) are hidden and shown as "<5".
   Zeros are shown, as in DfE's published children's social care statistics ("Where any number is shown as
   zero, the original figure submitted was zero", Explore Education Statistics methodology pages) and most UK
   official statistics. Be aware that a 0 can still tell something about a whole group (if 0 of 12 children
   in a group were not referred, all 12 were); where that matters, leave such cells out or widen the group.
2. Derived suppression: a rate, percentage or interval built on a hidden count is hidden too (shown as "c",
   the GSS symbol for "confidential"), because the count can be worked back from it.
3. Secondary suppression: where figures add up to a total the reader can see (a total row or column, or a
   figure published elsewhere), no total may have exactly one hidden figure, or the figure could be worked
   out by subtraction. The smallest other non-zero figure is also hidden (preferring one that does not open
   up a further total, which gives the familiar "rectangle" in two-way tables), then the total itself, then a
   zero, repeated until every total holds. It also hides one more figure where the hidden small counts of a
   total could only be all 1s (or all at the threshold less 1), since their known sum would give them away.
   Figures hidden this way are shown as "c": they are not necessarily small.

The result stays numeric for charts: hidden values become NaN, each protected column ``x`` gets a boolean
``x_suppressed``, each row a plain-words ``suppression_reason``, and ``frame.attrs["disclosure"]`` a summary
(with a ``note`` sentence for the foot of a page). :func:`render` turns it into the table people see or
download, with "<5" and "c" in place. :func:`disclosure_note` gives the footnote.

Limits: this is cell suppression against single totals, not a full audit (for example with
tau-ARGUS): combinations of several totals in large linked tables, rounding, and differences between
separately published tables (the same count this month and last) are not checked. Show each figure once.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.metrics.frames import with_columns, without_attrs

HIDDEN_LABEL = "c"
"""GSS symbol for a figure hidden to protect confidentiality."""

REASON_SMALL = "small count"
REASON_SECONDARY = "hidden so a total cannot reveal a small count"
REASON_DERIVED = "built on a hidden count"
FLAG_SUFFIX = "_suppressed"
REASON_COLUMN = "suppression_reason"

_NOT, _SMALL, _SECONDARY, _DERIVED = 0, 1, 2, 3
_REASONS = {_SMALL: REASON_SMALL, _SECONDARY: REASON_SECONDARY, _DERIVED: REASON_DERIVED}


class DisclosureSummary(dict):
    """What `suppress` hid, kept in ``frame.attrs["disclosure"]``: a record, never changed once made. pandas
    deep-copies a table's attrs into everything derived from it, down to each column read; a summary is
    handed on as it is instead (copying it cost more than reading the column)."""

    def __deepcopy__(self, memo: dict) -> DisclosureSummary:
        return self


@dataclass(frozen=True)
class _Total:
    """Cells (flat indices into the count matrix) that add up to a total cell (or to a total known elsewhere)."""

    parts: np.ndarray
    total: int | None
    where: str  # the count column (rows adding up) or "row N: total column" (columns adding up)
    across_rows: bool = True

    def describe(self, width: int) -> str:
        """Where the total is, in words, for the report of totals that could not be protected."""
        if not self.across_rows:
            return self.where
        total = "" if self.total is None else f" with total row {self.total // width}"
        return f"{self.where}: rows {(self.parts // width).tolist()}{total}"


def suppress(
    frame: pd.DataFrame,
    count_columns: str | Sequence[str],
    *,
    derived_columns: Mapping[str, str | Sequence[str]] | Sequence[str] | None = None,
    threshold: int = 5,
    totals: Mapping[str, Hashable | None] | None = None,
    group_by: str | Sequence[str] | None = None,
    total_column: str | None = None,
) -> pd.DataFrame:
    """Hide small counts, what is built on them, and what would let a total reveal them.

    Args:
        count_columns: columns of counts of people or events (whole numbers, 0 or more; NaN means missing).
        derived_columns: columns worked out from counts (rates, percentages, interval limits). A mapping says
            which count column(s) each is built on, e.g. ``{"rate": "referrals"}``; a plain list means built on
            every count column.
        threshold: counts from 1 to ``threshold - 1`` are hidden and shown as ``f"<{threshold}"``.
        totals: for each column along which rows add up, the value that marks its total row (``{"locality":
            "All"}``), or None when the total is not in the table but readers can know it (shown elsewhere).
            Rows add up among those sharing every other ``totals`` column and the ``group_by`` columns; give
            two columns for a long two-way table with margins.
        group_by: columns that split the table into parts that are never added together (e.g. month). With
            no ``totals``, the rows of each group are taken to add up to a total readers can know; ``[]``
            says the whole table adds up to one (for example a partnership total shown on another page).
        total_column: in a wide table, the count column that is the sum of the other count columns in its row.

    Without ``totals``, ``group_by`` or ``total_column`` rows are treated as unrelated (only primary and
    derived suppression apply): say how the rows add up whenever a total of them is shown anywhere.
    """
    counts = [count_columns] if isinstance(count_columns, str) else list(count_columns)
    derived = _derived_sources(derived_columns, counts)
    grouped = group_by is not None
    group_by = [group_by] if isinstance(group_by, str) else list(group_by or [])
    _check_columns(frame, counts, derived, threshold, totals, group_by, total_column)
    bare = without_attrs(frame)
    values = np.empty((len(frame), len(counts)))
    for position, column in enumerate(counts):
        values[:, position] = _floats(bare, column)
    if (values < 0).any():
        raise ValueError("counts must not be negative")

    flat_state = np.where((values > 0) & (values < threshold), _SMALL, _NOT).ravel()
    equations = _equations(bare, counts, totals or {}, group_by, grouped, total_column)
    unprotected = _secondary(values.ravel(), flat_state, equations, threshold, width=len(counts))
    state = flat_state.reshape(values.shape)

    hidden_columns: dict[str, np.ndarray] = {}
    for position, column in enumerate(counts):
        hidden_columns[column] = state[:, position] != _NOT
    for column, sources in derived.items():
        hidden_columns[column] = np.any(state[:, [counts.index(source) for source in sources]] != _NOT, axis=1)
    replaced: dict[str, np.ndarray | list[str]] = {}
    for position, column in enumerate(counts):
        replaced[column] = np.where(hidden_columns[column], np.nan, values[:, position])
        replaced[column + FLAG_SUFFIX] = hidden_columns[column]
    derived_hidden = {column: hidden_columns[column] for column in derived}
    for column, hidden in derived_hidden.items():
        replaced[column] = np.where(hidden, np.nan, _floats(bare, column))
        replaced[column + FLAG_SUFFIX] = hidden
    replaced[REASON_COLUMN] = _row_reasons(counts, state, derived_hidden, len(frame))
    result = with_columns(frame, replaced)

    summary = DisclosureSummary(
        {
            "threshold": threshold,
            "small_label": f"<{threshold}",
            "hidden_label": HIDDEN_LABEL,
            "count_columns": counts,
            "derived_columns": list(derived),
            "small": int((state == _SMALL).sum()),
            "secondary": int((state == _SECONDARY).sum()),
            "derived": int(sum(hidden.sum() for hidden in derived_hidden.values())),
            "unprotected": unprotected,
        }
    )
    summary["note"] = disclosure_note(threshold, any_hidden=bool(summary["secondary"] or summary["derived"]))
    result.attrs["disclosure"] = summary
    return result


def render(frame: pd.DataFrame, formats: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The table people see or download: "<5" and "c" in place of hidden figures, flag columns dropped.

    ``formats`` gives a format per column (e.g. ``{"rate": "{:.1f}"}``); counts show as whole numbers, other
    protected columns with ``{:g}`` unless told otherwise. Missing values (not hidden, just unknown) are blank.
    """
    summary = frame.attrs.get("disclosure")
    if summary is None:
        raise ValueError("render() takes the result of suppress(), which records what it hid in frame.attrs")
    formats = dict(formats or {})
    small_label, counts = summary["small_label"], summary["count_columns"]
    frame = without_attrs(frame)  # what people see carries no attrs
    reasons = ["" if pd.isna(reason) else str(reason) for reason in frame[REASON_COLUMN].tolist()]
    replaced = {}
    for column in [*counts, *summary["derived_columns"]]:
        pattern = formats.get(column, "{:.0f}" if column in counts else "{:g}")
        hidden = frame[column + FLAG_SUFFIX].to_numpy(dtype=bool)
        said = f"{column}: {REASON_SMALL}"
        small = np.fromiter((said in reason for reason in reasons), dtype=bool, count=len(reasons)) & hidden
        text = ["" if np.isnan(value) else pattern.format(value) for value in frame[column].to_numpy(dtype="float64")]
        replaced[column] = np.where(small, small_label, np.where(hidden, HIDDEN_LABEL, np.array(text, dtype=object)))
    kept = frame.drop(columns=[c for c in frame.columns if c.endswith(FLAG_SUFFIX) or c == REASON_COLUMN])
    return with_columns(kept, replaced)


def disclosure_note(threshold: int = 5, any_hidden: bool = True) -> str:
    """The footnote that explains "<5" and "c" to a reader."""
    if threshold <= 1:
        return "No counts are hidden."
    small = "A count of 1 is" if threshold == 2 else f"Counts from 1 to {threshold - 1} are"
    note = f"{small} shown as <{threshold} to protect the children concerned; zeros are shown."
    if any_hidden:
        note += f" {HIDDEN_LABEL} marks a figure hidden so that totals or rates cannot reveal a small count."
    return note


def _secondary(
    flat_values: np.ndarray, flat_state: np.ndarray, equations: list[_Total], threshold: int, width: int
) -> list[str]:
    """Hide more cells (in ``flat_state``, row-major) until no total has exactly one hidden cell, nor hidden small
    counts that its sum would give away. Returns the totals that could not be protected."""
    members = [cells[~np.isnan(flat_values[cells])] for cells in map(_members, equations)]  # missing cells: no sum
    hidden_count = np.array([np.count_nonzero(flat_state[cells]) for cells in members], dtype=np.int64)
    cell_equations: dict[int, list[int]] = defaultdict(list)
    for number, cells in enumerate(members):
        for cell in cells.tolist():
            cell_equations[cell].append(number)
    queue, queued, unprotected = deque(range(len(equations))), set(range(len(equations))), []
    while queue:
        number = queue.popleft()
        queued.discard(number)
        if hidden_count[number] == 0:
            continue
        cells, equation = members[number], equations[number]
        hidden = cells[flat_state[cells] != _NOT]
        if not _reveals(equation, hidden, flat_values, flat_state, threshold):
            continue
        shown = cells[flat_state[cells] == _NOT].tolist()
        if not shown:
            unprotected.append(equation.describe(width))
            continue

        def preference(cell: int, equation: _Total = equation, number: int = number) -> tuple:
            # Non-zero parts first, then the total, then zeros; within those, the cell that leaves fewest other
            # totals with a single hidden cell (the "rectangle"), then the smallest value, then table order.
            tier = 1 if cell == equation.total else (0 if flat_values[cell] > 0 else 2)
            opens = sum(1 for other in cell_equations[cell] if other != number and hidden_count[other] == 0)
            return tier, opens, flat_values[cell], cell

        choice = min(shown, key=preference)
        flat_state[choice] = _SECONDARY
        hidden_count[cell_equations[choice]] += 1
        for other in [*cell_equations[choice], number]:  # the same total may still give something away
            if other not in queued:
                queue.append(other)
                queued.add(other)
    return unprotected


def _reveals(equation: _Total, hidden: np.ndarray, values: np.ndarray, state: np.ndarray, threshold: int) -> bool:
    if len(hidden) == 1:
        return True
    total_known = equation.total is None or state[equation.total] == _NOT
    if not total_known or np.any(state[hidden] != _SMALL):
        return False  # a hidden total, or a hidden figure that may be any size, keeps the sum open
    hidden_sum = values[hidden].sum()
    return hidden_sum == len(hidden) or hidden_sum == len(hidden) * (threshold - 1)


def _members(equation: _Total) -> np.ndarray:
    return equation.parts if equation.total is None else np.append(equation.parts, equation.total)


def _equations(
    frame: pd.DataFrame,
    counts: list[str],
    totals: Mapping[str, Hashable | None],
    group_by: list[str],
    grouped: bool,
    total_column: str | None,
) -> list[_Total]:
    width = len(counts)
    rows = np.arange(len(frame))
    equations: list[_Total] = []
    dimensions = dict(totals) if totals else ({None: None} if grouped else {})
    for dimension, marker in dimensions.items():
        keys = group_by + [other for other in totals if other != dimension]
        groups = frame.groupby(keys, dropna=False, sort=False).indices.values() if keys else [rows]
        marks = frame[dimension].to_numpy() == marker if dimension is not None and marker is not None else None
        for members in groups:
            members = np.asarray(members)
            is_total = marks[members] if marks is not None else np.zeros(len(members), dtype=bool)
            if is_total.sum() > 1:
                raise ValueError(f"more than one {dimension} = {marker!r} row in a group of {keys}")
            total_row = members[is_total][0] if is_total.any() else None
            parts = members[~is_total]
            for position, column in enumerate(counts):
                equations.append(
                    _Total(
                        parts=parts * width + position,
                        total=None if total_row is None else int(total_row * width + position),
                        where=column,
                    )
                )
    if total_column is not None:
        total_position = counts.index(total_column)
        part_positions = np.array([p for p, column in enumerate(counts) if column != total_column])
        for row in rows:
            equations.append(
                _Total(
                    parts=row * width + part_positions,
                    total=int(row * width + total_position),
                    where=f"row {row}: {total_column}",
                    across_rows=False,
                )
            )
    return equations


def _row_reasons(
    counts: list[str], state: np.ndarray, derived_hidden: Mapping[str, np.ndarray], length: int
) -> list[str]:
    reasons: list[list[str]] = [[] for _ in range(length)]
    for position, column in enumerate(counts):
        for row in np.flatnonzero(state[:, position] != _NOT):
            reasons[row].append(f"{column}: {_REASONS[int(state[row, position])]}")
    for column, hidden in derived_hidden.items():
        for row in np.flatnonzero(hidden):
            reasons[row].append(f"{column}: {REASON_DERIVED}")
    return ["; ".join(parts) for parts in reasons]


def _derived_sources(
    derived: Mapping[str, str | Sequence[str]] | Sequence[str] | None, counts: list[str]
) -> dict[str, list[str]]:
    if derived is None:
        return {}
    if isinstance(derived, Mapping):
        return {column: [sources] if isinstance(sources, str) else list(sources) for column, sources in derived.items()}
    if isinstance(derived, str):
        derived = [derived]
    return {column: list(counts) for column in derived}


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as float64 (missing as NaN), converting text only where it is text: `pd.to_numeric` on a
    column that is already numeric costs more than the rest of a small table's suppression."""
    series = frame[column]
    if not pd.api.types.is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series)
    return series.to_numpy(dtype="float64", na_value=np.nan)


def _check_columns(
    frame: pd.DataFrame,
    counts: list[str],
    derived: Mapping[str, list[str]],
    threshold: int,
    totals: Mapping[str, Hashable | None] | None,
    group_by: list[str],
    total_column: str | None,
) -> None:
    if not isinstance(threshold, int | np.integer) or threshold < 1:
        raise ValueError(f"threshold must be a whole number of 1 or more, not {threshold!r}")
    named = [*counts, *derived, *(totals or {}), *group_by]
    missing = [column for column in named if column not in frame.columns]
    if missing:
        raise ValueError(f"columns not in the table: {missing}")
    if frame.columns.has_duplicates:
        repeated = frame.columns[frame.columns.duplicated()].tolist()
        raise ValueError(f"the table has columns of the same name: {repeated}")
    for column, sources in derived.items():
        unknown = [source for source in sources if source not in counts]
        if unknown:
            raise ValueError(f"{column} is said to be built on {unknown}, which are not count columns")
    if total_column is not None and total_column not in counts:
        raise ValueError(f"total_column {total_column!r} must be one of the count columns")
