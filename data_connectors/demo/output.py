"""Writing the canonical templates: the schema's header, UTF-8, ISO dates, Y/N, empty for missing.
(Tables the demo writes in a national layout instead are in `sources.NATIONAL_FORMATS`.)

Large tables go through Arrow's CSV writer (about ten times faster than pandas); a table whose text
needs quoting (names with commas) falls back to pandas, which quotes only where needed. Boundaries are
written as a GeoJSON FeatureCollection, the form boundary files come in, and load through the GeoJSON
connector (which works out their centroids).
"""

from __future__ import annotations

import json
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


GEOJSON_TABLES = ("boundaries",)


def file_name(table: str) -> str:
    """The demo file a table is written to."""
    return f"{table}.geojson" if table in GEOJSON_TABLES else f"{table}.csv"


def write_feature_collection(path: Path, frame: pd.DataFrame) -> int:
    """Boundaries (level, area_code, area_name, geometry as GeoJSON text) as a FeatureCollection in WGS84,
    one feature per line; returns the number of features."""
    lines = [
        '{"type":"Feature","properties":'
        + json.dumps({"level": level, "area_code": code, "area_name": name}, separators=(",", ":"))
        + ',"geometry":'
        + geometry
        + "}"
        for level, code, name, geometry in frame[["level", "area_code", "area_name", "geometry"]].itertuples(
            index=False
        )
    ]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return len(lines)


def write_table(folder: Path, name: str, frame: pd.DataFrame) -> tuple[Path, int]:
    """Write one table's demo file (a template CSV, or GeoJSON for boundaries); returns its path and rows."""
    if name in GEOJSON_TABLES:
        path = folder / file_name(name)
        return path, write_feature_collection(path, frame)
    frame = template_frame(name, frame)
    path = folder / file_name(name)
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
    return path, len(frame)


class Appender:
    """CSV files that several partnerships add rows to, the way a national file covers a whole region: the
    first write makes the file with its header, later ones append rows. Counts rows per file."""

    def __init__(self) -> None:
        self.rows: dict[Path, int] = {}

    def write(self, path: Path, frame: pd.DataFrame, encoding: str = "utf-8", newline: str = "\n") -> None:
        """Add the frame's rows to the file; `encoding` "utf-8-sig" puts a byte-order mark before the header."""
        first = path not in self.rows
        if not first and encoding == "utf-8-sig":
            encoding = "utf-8"  # the mark belongs at the start of the file only
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(
            path, mode="w" if first else "a", header=first, index=False, encoding=encoding, lineterminator=newline
        )
        self.rows[path] = self.rows.get(path, 0) + len(frame)
