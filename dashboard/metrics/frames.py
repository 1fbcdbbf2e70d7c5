"""Small tables changed the cheap way. A page's rerun works on dozens of tables of tens of rows, where
pandas' per-operation cost, not the data, is what takes the time: copying a table and setting its
columns one by one costs a block operation each, building the new table once costs one."""

from __future__ import annotations

import copy
from collections.abc import Mapping

import numpy as np
import pandas as pd


def with_columns(frame: pd.DataFrame, columns: Mapping[str, np.ndarray | list | pd.Series]) -> pd.DataFrame:
    """A new table: `frame` with `columns` replacing those of the same name where they stand and the rest
    added at the end in the order given, and `frame`'s attrs (copied, as pandas copies them)."""
    bare = without_attrs(frame)
    data = {column: columns[column] if column in columns else bare[column] for column in frame.columns}
    data.update({column: values for column, values in columns.items() if column not in data})
    result = pd.DataFrame(data, index=frame.index)
    result.attrs = copy.deepcopy(frame.attrs)
    return result


def without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table (not copied) without its attrs, for reading many columns: pandas deep-copies a table's
    attrs into every column read from it, which for a result carrying its disclosure summary costs more
    than the read."""
    bare = frame.copy(deep=False)
    bare.attrs = {}
    return bare


def totals_by(frame: pd.DataFrame, by: str, columns: list[str]) -> pd.DataFrame:
    """`columns` added up for each value of `by` (in order of `by`; rows without one left out, missing
    numbers counted as 0), whole numbers staying whole: `frame.groupby(by, as_index=False)[columns].sum()`
    without the cost of building a grouping index of text, which is most of a small table's sum."""
    bare = without_attrs(frame)
    codes, units = pd.factorize(bare[by], sort=True)
    known = codes >= 0
    sums: dict[str, object] = {by: units}
    for column in columns:
        values = bare[column].to_numpy()
        added = np.bincount(codes[known], weights=np.nan_to_num(values[known].astype("float64")), minlength=len(units))
        sums[column] = added.astype(values.dtype) if np.issubdtype(values.dtype, np.integer) else added
    return pd.DataFrame(sums, index=pd.RangeIndex(len(units)))
