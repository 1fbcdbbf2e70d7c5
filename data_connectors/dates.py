"""Reading dates written the ways agencies write them, strictly and fast.

Accepted: YYYY-MM-DD (optionally with a midnight time, as spreadsheets export), DD/MM/YYYY and
DD-MM-YYYY, and YYYY-MM where only a month is kept. Arrow's strptime quietly rolls 30 February into
March, so each parsed date is checked against the day, month and year that were written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DAY_PATTERNS = (
    r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[ T]00:00(?::00)?)?$",
    r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$",
    r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})$",
)
MONTH_PATTERN = r"^(?P<y>\d{4})-(?P<m>\d{2})(?P<d>)$"


def parse_dates(text: pd.Series, allow_month: bool = False) -> pd.Series:
    """Dates as datetime64 (NaT where missing or not a real date). A column holds few distinct dates,
    so each distinct text is parsed once."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parsed = _parse_distinct(pa.array(uniques.to_numpy(dtype=object, na_value=None), pa.string()), allow_month)
    stamps = np.append(parsed.to_numpy(zero_copy_only=False).astype("datetime64[s]"), np.datetime64("NaT", "s"))
    return pd.Series(stamps[codes], index=text.index)  # code -1 (missing) takes the NaT at the end


def _parse_distinct(values: pa.Array, allow_month: bool) -> pa.Array:
    parsed = pa.nulls(len(values), pa.timestamp("s"))
    for pattern in DAY_PATTERNS + ((MONTH_PATTERN,) if allow_month else ()):
        parts = pc.extract_regex(values, pattern)
        if parts.null_count == len(parts):
            continue
        year, month = pc.struct_field(parts, "y"), pc.struct_field(parts, "m")
        day = pc.struct_field(parts, "d") if pattern != MONTH_PATTERN else pc.if_else(pc.is_valid(year), "1", None)
        stamps = pc.strptime(
            pc.binary_join_element_wise(year, month, day, "-"), format="%Y-%m-%d", unit="s", error_is_null=True
        )
        written = pc.and_(
            pc.and_(
                pc.equal(pc.year(stamps), pc.cast(year, pa.int64())),
                pc.equal(pc.month(stamps), pc.cast(month, pa.int64())),
            ),
            pc.equal(pc.day(stamps), pc.cast(day, pa.int64())),
        )
        parsed = pc.coalesce(parsed, pc.if_else(written, stamps, pa.scalar(None, pa.timestamp("s"))))
    return parsed
