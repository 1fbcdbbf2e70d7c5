"""Reading a whole store back, so tests can say "exactly as it was" and compare engines."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.store import make_engine

STORE_TABLES = [*schema.data_tables(), schema.loads, schema.load_rejections, schema.store_meta]


def snapshot(url: str, exclude: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, as plain Python values (missing tables read as absent)."""
    engine = make_engine(url)
    out: dict[str, list[tuple]] = {}
    try:
        with engine.connect() as connection:
            existing = set(sa.inspect(connection).get_table_names())
            for table in STORE_TABLES:
                if table.name not in existing:
                    continue
                columns = [c for c in table.columns if c.name not in exclude]
                rows = connection.execute(sa.select(*columns)).all()
                out[table.name] = sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)
    finally:
        engine.dispose()
    return out


def table_frame(url: str, table: sa.Table) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(sa.select(table))
            return pd.DataFrame(result.all(), columns=list(result.keys()))
    finally:
        engine.dispose()


def _plain(value: object) -> object:
    if isinstance(value, float):
        return round(value, 9)
    return value
