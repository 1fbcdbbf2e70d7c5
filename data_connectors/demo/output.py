"""Writing the canonical templates: the schema's header, UTF-8, ISO dates, Y/N, empty for missing.

Large tables go through Arrow's CSV writer (about ten times faster than pandas); a table whose text
needs quoting (names with commas, GeoJSON) falls back to pandas, which quotes only where needed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from data_connectors import schema


def template_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's template columns in template order (fails loudly if one is missing)."""
    columns = schema.template_columns(schema.table_by_name(name))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{name}: the demo did not build {missing}")
    return frame[columns]


def _arrow_column(values: pd.Series) -> pa.Array:
    """Dates as date32 so Arrow writes YYYY-MM-DD; text and numbers as they are, missing as null."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return pa.array(values.to_numpy().astype("datetime64[D]"), type=pa.date32(), from_pandas=True)
    if pd.api.types.is_bool_dtype(values.dtype):
        raise TypeError("write booleans as Y/N text")
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_float_dtype(values.dtype):
        return pa.Array.from_pandas(values)
    return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def write_table(folder: Path, name: str, frame: pd.DataFrame) -> int:
    """Write one template CSV; returns the number of data rows."""
    frame = template_frame(name, frame)
    path = folder / f"{name}.csv"
    header = ",".join(frame.columns) + "\n"
    table = pa.table({c: _arrow_column(frame[c]) for c in frame.columns})
    try:
        with path.open("wb") as handle:
            handle.write(header.encode("utf-8"))
            pacsv.write_csv(table, handle, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    except pa.ArrowInvalid:  # some text needs quoting
        text = frame.copy()
        for column in text.columns:
            if pd.api.types.is_datetime64_any_dtype(text[column].dtype):
                text[column] = text[column].dt.strftime("%Y-%m-%d")
        text.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", na_rep="")
    return len(frame)
