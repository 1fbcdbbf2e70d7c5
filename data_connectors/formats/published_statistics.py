"""Published statistics in the Explore Education Statistics (EES) CSV layout, made long.

DfE publishes its statistics (children in need, child protection, pupil absence, ...) as wide CSV files:
the standard EES time and geography columns (time_period, time_identifier, geographic_level,
country_code, country_name, region_code, region_name, old_la_code, new_la_code, la_name), then filter
columns (dimensions such as `category`, `social_care_group`) and indicator columns (the figures), which
differ from file to file. Each input row becomes one published_statistics row per indicator, so the
layout is open: whatever further columns a file has are its filters and indicators.

Which further columns are filters and which are indicators is decided once per file, when the load is
planned, in this order:
1. the time and geography columns of every EES geographic level are neither (a level other than National,
   Regional or Local authority is rejected row by row; lad_code and the like are reported as not used);
2. a name that says it is a measure is an indicator: a word such as count, number, percent, pct, rate,
   total, mean or median, or DfE's t_ / pt_ prefixes (t_pupils, pt_overall);
3. a name that says it is a filter is a filter: category, characteristic, breakdown, age, sex, ethnicity,
   ... or a name ending in _group, _grouping, _type, _topic, _terms or _band;
4. any other column is a filter when most of its non-empty values in the file are text (neither a number
   nor an EES symbol), and an indicator otherwise.
So an indicator with an unusual name (c3's `neglect`, d5's `3_months_or_less`) is told by its values, and
a stray bad value in it is rejected rather than turning the column into a filter.

An indicator cell holds a number, or an EES symbol in its place (kept as the marker, with no value):
c confidential, low and k (rounds to zero but is not zero), u low reliability, x not available,
z not applicable, and the older : and ~. A blank cell or any other text rejects the input row, naming the
column, as does a time_period that is not YYYY or YYYYYY (two consecutive years, e.g. 202425).

The publication is the file's name without its date stamps ("c1_children_in_need_referrals_and_rereferrals
_2013_to_2025.csv" -> c1_children_in_need_referrals_and_rereferrals), so next year's release of the same
file replaces the figures it repeats.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from data_connectors import schema
from data_connectors.formats.base import TableFormat
from data_connectors.readers import (
    ROW_NUMBER,
    ROW_PROBLEM,
    TEXT,
    TabularFile,
    UnusableFile,
    as_mask,
    iter_chunks,
    normalise_header,
    python_values,
)

STANDARD = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
# Code and name columns of EES's other geographic levels: never filters or indicators.
OTHER_LOCATIONS = frozenset(
    (
        *(f"{prefix}_{part}" for prefix in ("lad", "pcon", "lsip", "ward", "pfa") for part in ("code", "name")),
        *(f"{prefix}_{part}" for prefix in ("opportunity_area", "planning_area") for part in ("code", "name")),
        *(
            f"{prefix}_{part}"
            for prefix in ("local_enterprise_partnership", "english_devolved_area")
            for part in ("code", "name")
        ),
        "rsc_region_lead_name",
        "trust_id",
        "trust_name",
        "sponsor_id",
        "sponsor_name",
        "school_urn",
        "school_laestab",
        "school_name",
        "provider_ukprn",
        "provider_name",
        "institution_id",
        "institution_name",
    )
)
# geographic_level (as written, any case) -> the spelling kept, and the columns that give its code and name
LEVELS = {
    "national": ("National", "country_code", "country_name"),
    "regional": ("Regional", "region_code", "region_name"),
    "local authority": ("Local authority", "new_la_code", "la_name"),
}
SYMBOLS = ("c", "low", "k", "u", "x", "z", ":", "~")
MEASURE_NAME = re.compile(
    r"^p?t_|(^|_)(count|counts|number|num|percent|percentage|pct|rate|rates|proportion|ratio|total|avg|average|"
    r"mean|median)(_|$)"
)
FILTER_NAME = re.compile(
    r"^(category|characteristic|breakdown|filter|age|sex|gender|ethnicity|ethnicity_major|ethnicity_minor|"
    r"year_group|nc_year)$|_(group|grouping|type|topic|terms|band)$"
)
NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
FILTERS = "__ees_filters"  # the file's filter columns, told when the load is planned and handed to derive
NO_FILTERS = "Total"
SHOWN_VALUE_CHARS = 80


def publication_name(path: Path) -> str:
    """The file's name without date stamps, in snake case: years (2025, 202425), year spans (2013_to_2025,
    2023-24) and dates (2025-03-14) are removed, so each release of a file names the same publication."""
    stem = re.sub(r"(?<!\d)(19|20)\d{2}([-_ .]\d{2}(?!\d)){1,2}", " ", path.stem)  # 2025-03-14, 2023-24
    tokens = [token for token in re.split(r"[^0-9A-Za-z]+", stem) if token]
    is_year = [re.fullmatch(r"(19|20)\d{2}(\d{2}){0,2}", token) is not None for token in tokens]
    kept = []
    for index, token in enumerate(tokens):
        between_years = 0 < index < len(tokens) - 1 and is_year[index - 1] and is_year[index + 1]
        if not is_year[index] and not (token.lower() == "to" and between_years):
            kept.append(token)
    return normalise_header("_".join(kept)) or normalise_header(path.stem)


def further_columns(header: list[str]) -> tuple[str, ...]:
    """The columns besides time and geography: a file's filters and indicators (blank-headed ones are not)."""
    known = {*STANDARD, *OTHER_LOCATIONS}
    return tuple(
        dict.fromkeys(name for name in header if name and not name.startswith("unnamed_") and name not in known)
    )


def _kinds(values: pd.Series) -> tuple[int, int]:
    """How many non-empty values are numbers or EES symbols, and how many are other text."""
    text = values.str.strip()
    present = as_mask(text.str.len() > 0)
    numeric = as_mask(text.str.fullmatch(NUMBER)) | as_mask(text.str.lower().isin(SYMBOLS))
    return int((present & numeric).sum()), int((present & ~numeric).sum())


def filter_columns(columns: list[str], counts: dict[str, tuple[int, int]]) -> list[str]:
    """Which of a file's further columns are filters, by name first and then by their values (see above)."""
    filters = []
    for name in columns:
        if MEASURE_NAME.search(name):
            continue
        numeric, text = counts.get(name, (0, 0))
        if FILTER_NAME.search(name) or text > numeric:
            filters.append(name)
    return filters


def _file_filters(tabular: TabularFile) -> list[str]:
    columns = list(further_columns(tabular.header))
    counts = dict.fromkeys(columns, (0, 0))
    for chunk in iter_chunks(tabular):
        for name in columns:
            numeric, text = _kinds(chunk[name])
            counts[name] = (counts[name][0] + numeric, counts[name][1] + text)
    return filter_columns(columns, counts)


def file_values(tabular: TabularFile) -> dict[str, str]:
    """The publication, from the file name, and the file's filter columns, from its header and values;
    UnusableFile when no column is left to be an indicator."""
    filters = _file_filters(tabular)
    if not [name for name in further_columns(tabular.header) if name not in filters]:
        raise UnusableFile(
            tabular.path,
            "has no indicator columns: every column besides time and geography holds text "
            f"({', '.join(filters) or 'there are none'})",
        )
    return {"publication": publication_name(tabular.path), FILTERS: ",".join(filters)}


def _problems(*parts: pd.Series | None) -> pd.Series | None:
    """Reasons joined by '; ' per row (None where a row has none, and None when no row has any)."""
    out = None
    for part in parts:
        if part is None:
            continue
        if out is None:
            out = part
            continue
        both = out.notna() & part.notna()
        combined = out.where(~both, out.fillna("") + "; " + part.fillna(""))
        out = combined.where(combined.notna(), part)
    return out


def _reasons(mask: pd.Series, template: str, values: pd.Series | None = None) -> pd.Series | None:
    """`template` (with {value} filled from `values`) where mask holds; None when it holds nowhere."""
    if not mask.any():
        return None
    out = pd.Series(None, index=mask.index, dtype=object)
    if values is None:
        out[mask] = template
    else:
        out[mask] = [
            template.format(value=value) for value in python_values(values[mask].str.slice(0, SHOWN_VALUE_CHARS))
        ]
    return out


def _time_problems(frame: pd.DataFrame) -> pd.Series | None:
    period = frame["time_period"].str.strip()
    four = as_mask(period.str.fullmatch(r"\d{4}"))
    six = as_mask(period.str.fullmatch(r"\d{6}"))
    start = pd.to_numeric(period.str.slice(0, 4).where(six).astype(object), errors="coerce")
    end = pd.to_numeric(period.str.slice(4, 6).where(six).astype(object), errors="coerce")
    consecutive = six & ((start + 1) % 100 == end).fillna(False).astype(bool)
    empty = ~as_mask(period.str.len() > 0)
    return _problems(
        _reasons(empty, "time_period is empty"),
        _reasons(
            ~empty & ~four & ~consecutive,
            'time_period is not an EES time period ("{value}"): expected YYYY, or YYYYYY for two consecutive '
            "years such as 202425",
            period,
        ),
    )


def _geography(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series | None]:
    """Level as kept, area code and name from the level's own columns, and what is wrong with them."""
    written = frame["geographic_level"].str.strip()
    level_key = written.str.lower()
    out = pd.DataFrame(index=frame.index)
    out["geographic_level"] = pd.Series(None, index=frame.index, dtype=TEXT)
    out["area_code"] = pd.Series(None, index=frame.index, dtype=TEXT)
    out["area_name"] = pd.Series(None, index=frame.index, dtype=TEXT)
    problems = []
    for key, (kept, code_column, name_column) in LEVELS.items():
        at_level = as_mask(level_key == key)
        out.loc[at_level, "geographic_level"] = kept
        code = frame[code_column].str.strip() if code_column in frame else pd.Series("", index=frame.index, dtype=TEXT)
        out.loc[at_level, "area_code"] = code[at_level]
        if name_column in frame:
            out.loc[at_level, "area_name"] = frame.loc[at_level, name_column]
        problems.append(
            _reasons(at_level & ~as_mask(code.str.len() > 0), f"{code_column} is empty: a {kept} row needs it")
        )
    empty = ~as_mask(written.str.len() > 0)
    unknown = ~empty & ~as_mask(level_key.isin(list(LEVELS)))
    problems.append(_reasons(empty, "geographic_level is empty"))
    problems.append(
        _reasons(
            unknown,
            'geographic_level "{value}" is not kept: only National, Regional and Local authority rows are',
            written,
        )
    )
    local = as_mask(out["geographic_level"] == "Local authority")
    old = frame["old_la_code"] if "old_la_code" in frame else pd.Series(None, index=frame.index, dtype=TEXT)
    out["old_la_code"] = old.where(local)
    return out, _problems(*problems)


def _breakdown(frame: pd.DataFrame, filters: list[str]) -> pd.Series:
    if not filters:
        return pd.Series(NO_FILTERS, index=frame.index, dtype=TEXT)
    parts = [name + "=" + frame[name].fillna("").str.strip() for name in sorted(filters)]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "; " + part
    return joined.astype(TEXT)


def _cell(values: pd.Series, indicator: str) -> tuple[pd.Series, pd.Series, pd.Series | None]:
    """An indicator cell as the value (text of a number), the marker (an EES symbol) and the problem."""
    text = values.str.strip()
    number = as_mask(text.str.fullmatch(NUMBER))
    symbol = as_mask(text.str.lower().isin(SYMBOLS))
    empty = ~as_mask(text.str.len() > 0)
    problem = _problems(
        _reasons(empty, f"{indicator} is empty (EES marks a missing figure with a symbol such as x or z)"),
        _reasons(
            ~empty & ~number & ~symbol,
            f'{indicator} is not a number or an EES symbol ({", ".join(SYMBOLS)}): "{{value}}"',
            text,
        ),
    )
    return text.where(number), text.str.lower().where(symbol), problem


def to_long(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator for each input row, all keeping its row number (the input row then loads or is
    rejected whole). A blank input row stays blank, a misshapen one keeps the reader's problem; otherwise
    each problem is named on the rows it concerns."""
    layout = [name for name in frame.columns if name not in (ROW_NUMBER, ROW_PROBLEM, FILTERS, "publication")]
    further = list(further_columns(layout))
    if FILTERS in frame:
        told = frame[FILTERS].iloc[0] if len(frame) else ""
        filters = [name for name in str(told).split(",") if name]
    else:  # called on its own: decide from this chunk
        filters = filter_columns(further, {name: _kinds(frame[name]) for name in further})
    indicators = [name for name in further if name not in filters]
    blank = pd.Series(True, index=frame.index)
    for name in layout:
        blank &= ~as_mask(frame[name].str.strip().str.len() > 0)
    misshapen = frame[ROW_PROBLEM].notna()
    geography, place_problems = _geography(frame)
    row_problems = _problems(_time_problems(frame), place_problems)
    shared = pd.DataFrame(
        {
            "publication": frame["publication"],
            "time_period": frame["time_period"],
            "time_identifier": frame["time_identifier"],
            **{name: geography[name] for name in geography.columns},
            "breakdown": _breakdown(frame, filters),
        }
    ).where(~blank)
    pieces = []
    for indicator in indicators:
        value, marker, problem = _cell(frame[indicator], indicator)
        piece = shared.copy()
        piece["indicator"] = pd.Series(indicator, index=frame.index, dtype=TEXT).where(~blank)
        piece["value"] = value.where(~blank)
        piece["marker"] = marker.where(~blank)
        piece[ROW_NUMBER] = frame[ROW_NUMBER]
        problems = _problems(row_problems, problem)
        piece[ROW_PROBLEM] = (
            frame[ROW_PROBLEM] if problems is None else frame[ROW_PROBLEM].where(misshapen | blank, problems)
        )
        pieces.append(piece)
    return pd.concat(pieces, ignore_index=True)  # indicator by indicator, each in the file's row order


EES = TableFormat(
    name="ees_published_statistics",
    table=schema.published_statistics,
    description="Explore Education Statistics CSV (DfE published statistics: national, regional and local "
    "authority rows); each indicator column becomes a row, filter columns make the breakdown",
    columns=STANDARD,
    required=("time_period", "time_identifier", "geographic_level", "country_code", "country_name"),
    derive=to_long,
    file_values=file_values,
    open_columns=further_columns,
)

FORMATS = [EES]
