"""Row validation against the canonical schema, vectorised over a frame of text.

Each column is parsed by its SQLAlchemy type and checked against what its `info` declares (required,
code list, range, length); the sensitive fields are then reduced (see pseudonymise), and keys and
references are checked. Every failure becomes one line of the load report: row, field, reason, and
the value unless the field is sensitive. A row with any failure is not loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.dates import parse_dates
from data_connectors.keysets import KeySet, fingerprints
from data_connectors.pseudonymise import Pseudonymiser, normalise_postcodes, round_locations, to_month
from data_connectors.readers import ROW_NUMBER, ROW_PROBLEM, TEXT, as_mask, python_values

TEXT_LIMIT = 5_000_000
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
SHOWN_VALUE_CHARS = 80
WITHHELD = "[withheld]"
ROW_FIELD = "(row)"
TRUE_WORDS = {"Y", "YES", "TRUE", "T", "1"}
FALSE_WORDS = {"N", "NO", "FALSE", "F", "0"}
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"
DATE = pd.ArrowDtype(pa.date32())
BOOLEAN = pd.ArrowDtype(pa.bool_())
ERROR_COLUMNS = [ROW_NUMBER, "field", "reason", "value"]


@dataclass
class ChunkResult:
    """Rows ready for the store, and the report lines for the rows that are not. Counts are of input
    rows (row numbers): a layout may turn one input row into several table rows, and then the input row
    is loaded whole or rejected whole."""

    rows: pd.DataFrame
    errors: pd.DataFrame
    rows_read: int
    rejected_rows: int

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rejected_rows


@dataclass
class LoadContext:
    """What validation needs from the rest of the load: the key, keys already known, today."""

    pseudonymiser: Pseudonymiser
    known_keys: Callable[[str], KeySet]
    postcode_lookup: Callable[[], dict[str, str]]
    seen_keys: dict[str, KeySet]
    today: dt.date


def key_scope(table: sa.Table, source: str) -> str:
    """Where a key may appear only once in a load: the table, or for a merged table the table and source
    (another source describing the same row is merged with it, not a duplicate)."""
    return f"{table.name}\x1f{source}" if schema.is_merged(table) else table.name


class _Errors:
    """Collects report lines as frames, so no Python loop runs per row."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        frame: pd.DataFrame,
        mask: pd.Series,
        field: str,
        reason: str | pd.Series,
        value: pd.Series | None,
        withheld: bool = False,
    ) -> None:
        if not mask.any():
            return
        rows = frame.loc[mask, ROW_NUMBER]
        if withheld or value is None:
            shown = pd.Series(WITHHELD if withheld else None, index=rows.index, dtype=object)
        else:
            shown = value[mask].astype(str).str.slice(0, SHOWN_VALUE_CHARS)
        reasons = reason[mask] if isinstance(reason, pd.Series) else reason
        self.parts.append(pd.DataFrame({ROW_NUMBER: rows, "field": field, "reason": reasons, "value": shown}))

    def keep_only_row_problems(self, frame: pd.DataFrame, rows: pd.Series) -> None:
        """A blank or misshapen row gets one reason, not one per empty field."""
        if not rows.any():
            return
        numbers = set(frame.loc[rows, ROW_NUMBER])
        self.parts = [part[~part[ROW_NUMBER].isin(numbers) | (part["field"] == ROW_FIELD)] for part in self.parts]

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=ERROR_COLUMNS)
        return pd.concat(self.parts, ignore_index=True)


def validate_chunk(table: sa.Table, frame: pd.DataFrame, context: LoadContext, source: str = "") -> ChunkResult:
    """Validate, reduce and key-check one chunk of a table's rows (from `source`)."""
    errors = _Errors()
    stripped = {name: _strip(frame[name]) for name in frame.columns if name not in (ROW_NUMBER, ROW_PROBLEM)}
    problem = frame[ROW_PROBLEM].notna()
    errors.add(frame, problem, ROW_FIELD, frame[ROW_PROBLEM], None)
    blank = pd.Series(True, index=frame.index)
    for values in stripped.values():
        blank &= values.isna()
    errors.add(frame, blank & ~problem, ROW_FIELD, "the row is blank", None)

    for name, values in stripped.items():
        nul = values.str.contains("\x00", regex=False).fillna(False).astype(bool)
        errors.add(frame, nul, name, "contains a NUL character (is the file damaged?)", None)

    out = pd.DataFrame(index=frame.index)
    for column in schema.content_columns(table):
        input_name = column.info.get("template_name", column.name)
        text = stripped.get(input_name, pd.Series(None, index=frame.index, dtype=TEXT))
        out[column.name] = _parse(column, input_name, text, frame, errors, context)
    for postcode_column, area_column in table.info.get("postcode_inputs", {}).items():
        if postcode_column in stripped:
            _postcode_to_area(stripped[postcode_column], postcode_column, area_column, out, frame, errors, context)
    errors.keep_only_row_problems(frame, problem | blank)

    key_prints = pd.Series(fingerprints(out[schema.key_columns(table)]), index=out.index)
    bad_rows = _rows_with_errors(frame, errors)
    scope = key_scope(table, source)
    _check_keys(table, scope, out, key_prints, frame, bad_rows, errors, context)
    bad_rows = _rows_with_errors(frame, errors)
    _check_references(table, out, frame, bad_rows, errors, context)
    bad_rows = _rows_with_errors(frame, errors)
    good = out.loc[~bad_rows]
    context.seen_keys.setdefault(scope, KeySet()).add(key_prints[~bad_rows].to_numpy())
    rows_read = frame[ROW_NUMBER].nunique()
    # each line once: a layout that makes several table rows of one input row would repeat, say, an unknown
    # area once per table row made
    lines = errors.frame().drop_duplicates(ignore_index=True)
    return ChunkResult(good, lines, rows_read, frame.loc[bad_rows, ROW_NUMBER].nunique())


def _strip(values: pd.Series) -> pd.Series:
    """Trim spaces and treat empty strings as missing."""
    text = values.str.strip()
    return text.mask(as_mask(text == ""))


def _rows_with_errors(frame: pd.DataFrame, errors: _Errors) -> pd.Series:
    found = errors.frame()[ROW_NUMBER]
    return frame[ROW_NUMBER].isin(found)


def _parse(
    column: sa.Column,
    input_name: str,
    text: pd.Series,
    frame: pd.DataFrame,
    errors: _Errors,
    context: LoadContext,
) -> pd.Series:
    """Parse one column by its type and declared rules; report what fails, return parsed values."""
    info = column.info
    privacy = info.get("privacy")
    withheld = privacy in (schema.KEYED_HASH, schema.BIRTH_MONTH)
    present = text.notna()
    if not column.nullable:
        errors.add(frame, ~present, input_name, "is required but empty", None)

    kind = column.type
    if isinstance(kind, sa.Boolean):
        upper = text.str.upper()
        is_true, is_false = as_mask(upper.isin(TRUE_WORDS)), as_mask(upper.isin(FALSE_WORDS))
        errors.add(frame, present & ~is_true & ~is_false, input_name, "is not yes or no (use Y or N)", text, withheld)
        values = pa.array(is_true.to_numpy(), mask=~(is_true | is_false).to_numpy())
        return pd.Series(values, index=text.index, dtype=BOOLEAN)
    if isinstance(kind, sa.Date):
        return _parse_dates(column, input_name, text, frame, errors, context, withheld)
    if isinstance(kind, (sa.Integer, sa.Float)):
        numbers = pd.to_numeric(text.astype(object), errors="coerce").astype("float64")
        is_int = isinstance(kind, sa.Integer)
        bad = present & (numbers.isna() | (is_int & as_mask(numbers.round() != numbers)))
        errors.add(frame, bad, input_name, "is not a whole number" if is_int else "is not a number", text, withheld)
        _check_range(info, numbers, present & ~bad, input_name, frame, errors, text, is_int)
        numbers = numbers.where(present & ~bad)
        if privacy == schema.ROUNDED_LOCATION:
            numbers = round_locations(numbers)
        return numbers.astype("Int64") if is_int else numbers.astype("Float64")

    if info.get("codelist"):
        code_list = ALL_CODE_LISTS[info["codelist"]]
        upper = text.str.upper()
        known = as_mask(upper.isin(list(code_list.codes)))  # codes are upper case (CodeList checks)
        errors.add(frame, present & ~known, input_name, f"is not a code in the {code_list.name} list", text)
        return upper.where(known)
    limit = getattr(kind, "length", None) or TEXT_LIMIT
    lengths = text.str.len()
    too_long = present & (lengths > limit)
    if too_long.any():
        reasons = (
            lengths[too_long].astype(int).map(lambda n: f"is {n:,} characters long; the most allowed is {limit:,}")
        )
        errors.add(frame, too_long, input_name, reasons.reindex(text.index), text, withheld)
    values = text
    if privacy == schema.KEYED_HASH:
        values = context.pseudonymiser.hash_series(values.where(present & ~too_long))
    return values


def _parse_dates(
    column: sa.Column,
    input_name: str,
    text: pd.Series,
    frame: pd.DataFrame,
    errors: _Errors,
    context: LoadContext,
    withheld: bool,
) -> pd.Series:
    """Dates as YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY; months (YYYY-MM) where only a month is kept."""
    present = text.notna()
    month_only = column.info.get("privacy") == schema.BIRTH_MONTH or column.name == "month"
    parsed = parse_dates(text, allow_month=month_only)
    bad = present & parsed.isna()
    expected = "YYYY-MM-DD or DD/MM/YYYY" + (" (or YYYY-MM)" if month_only else "")
    errors.add(frame, bad, input_name, f"is not a valid date (expected {expected})", text, withheld)
    ok = present & ~bad
    early = ok & as_mask(parsed < pd.Timestamp(1900, 1, 1))
    errors.add(frame, early, input_name, "is before 1900", text, withheld)
    is_event = column.table.info.get("period") == column.name or month_only
    if is_event:
        future = ok & as_mask(parsed > pd.Timestamp(context.today))
        errors.add(frame, future, input_name, "is in the future", text, withheld)
    if month_only:
        parsed = to_month(parsed)
    stamps = pa.array(parsed.where(ok).to_numpy(dtype="datetime64[s]"), type=pa.timestamp("s"), from_pandas=True)
    return pd.Series(stamps.cast(pa.date32()), index=text.index, dtype=DATE)


def _check_range(
    info: dict,
    numbers: pd.Series,
    checkable: pd.Series,
    name: str,
    frame: pd.DataFrame,
    errors: _Errors,
    text: pd.Series,
    is_int: bool,
) -> None:
    low, high = info.get("minimum"), info.get("maximum")
    if is_int:  # the stores keep 32-bit integers
        low = INT32_MIN if low is None else low
        high = INT32_MAX if high is None else high
    if low is not None:
        errors.add(frame, checkable & (numbers < low), name, f"is below the minimum of {low:g}", text)
    if high is not None:
        errors.add(frame, checkable & (numbers > high), name, f"is above the maximum of {high:g}", text)


def _postcode_to_area(
    postcodes: pd.Series,
    postcode_column: str,
    area_column: str,
    out: pd.DataFrame,
    frame: pd.DataFrame,
    errors: _Errors,
    context: LoadContext,
) -> None:
    """Replace a postcode by its small area; the postcode itself goes no further."""
    present = postcodes.notna()
    if not present.any():
        return
    normal = normalise_postcodes(postcodes.where(present, ""))
    malformed = present & ~as_mask(normal.str.match(POSTCODE_PATTERN))
    errors.add(frame, malformed, postcode_column, "is not a valid UK postcode", None, withheld=True)
    areas = _lookup(normal, context.postcode_lookup())
    unknown = present & ~malformed & areas.isna()
    errors.add(
        frame,
        unknown,
        postcode_column,
        "is not in the postcode lookup (load a postcode_areas file that covers it)",
        None,
        withheld=True,
    )
    out[area_column] = areas.where(present, out[area_column])


def _check_keys(
    table: sa.Table,
    scope: str,
    out: pd.DataFrame,
    key_prints: pd.Series,
    frame: pd.DataFrame,
    bad_rows: pd.Series,
    errors: _Errors,
    context: LoadContext,
) -> None:
    """A key may appear once per load: later copies are reported, the first is kept."""
    keys = schema.key_columns(table)
    prints = key_prints[~bad_rows]
    if prints.empty:
        return
    in_chunk = prints.duplicated(keep="first")
    seen = context.seen_keys.setdefault(scope, KeySet())
    earlier = pd.Series(seen.contains(prints.to_numpy()), index=prints.index)
    duplicate = (in_chunk | earlier).reindex(frame.index, fill_value=False)
    if not duplicate.any():
        return
    described = ", ".join(keys)
    reason = pd.Series(f"duplicate key: the same {described} is already in this load", index=frame.index)
    if in_chunk.any():
        first_rows = frame.loc[prints.index, ROW_NUMBER].groupby(prints.to_numpy()).transform("first")
        same_chunk = in_chunk & ~earlier
        reason.loc[same_chunk[same_chunk].index] = f"duplicate key: the same {described} as row " + first_rows[
            same_chunk
        ].astype(str)
    withheld = any(table.columns[k].info.get("privacy") for k in keys)
    errors.add(frame, duplicate, "+".join(keys), reason, out[keys[0]].astype(str), withheld)


def _lookup(values: pd.Series, mapping: dict[str, str]) -> pd.Series:
    return pd.Series([mapping.get(v) for v in python_values(values)], index=values.index, dtype=TEXT)


def _check_references(
    table: sa.Table, out: pd.DataFrame, frame: pd.DataFrame, bad_rows: pd.Series, errors: _Errors, context: LoadContext
) -> None:
    for column_name, target in schema.referenced_columns(table).items():
        values = out[column_name]
        checkable = ~bad_rows & values.notna()
        if not checkable.any():
            continue
        known = context.known_keys(target)
        found = pd.Series(False, index=values.index)
        found[checkable] = known.contains(fingerprints(values[checkable]))
        missing = checkable & ~found
        withheld = bool(table.columns[column_name].info.get("privacy"))
        errors.add(
            frame,
            missing,
            column_name,
            f"refers to a {target.replace('.', ' ')} that is not in the store or this load",
            values,
            withheld,
        )
