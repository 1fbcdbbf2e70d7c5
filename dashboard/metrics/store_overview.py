"""What the store holds: rows and period per table, and the load history behind them."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_connectors import schema


def table_overview(engine: Engine) -> pd.DataFrame:
    """One row per canonical table: group, rows, first and last event date (for tables with a period)."""
    parts = []
    for table in schema.data_tables():
        period = table.info.get("period")
        first = sa.func.min(table.c[period]) if period else sa.null()
        last = sa.func.max(table.c[period]) if period else sa.null()
        parts.append(
            sa.select(
                sa.literal(table.name).label("table_name"),
                sa.func.count().label("rows"),
                sa.cast(first, sa.Date).label("period_from"),
                sa.cast(last, sa.Date).label("period_to"),
            ).select_from(table)
        )
    with engine.connect() as connection:
        frame = pd.DataFrame(
            connection.execute(sa.union_all(*parts)).all(), columns=["table_name", "rows", "period_from", "period_to"]
        )
    for column in ("period_from", "period_to"):  # tables without a period get NaT, which shows as blank
        frame[column] = pd.to_datetime(frame[column])
    frame["group"] = frame["table_name"].map(lambda name: schema.metadata.tables[name].info["group"])
    frame["description"] = frame["table_name"].map(lambda name: schema.metadata.tables[name].info["description"])
    return frame[["group", "table_name", "rows", "period_from", "period_to", "description"]]


def load_history(engine: Engine, limit: int = 200) -> pd.DataFrame:
    """The most recent file loads, newest first."""
    loads = schema.loads
    query = sa.select(loads).order_by(loads.c.load_id.desc(), loads.c.table_name).limit(limit)
    with engine.connect() as connection:
        result = connection.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def tables_with_rows(engine: Engine, names: list[str] | set[str]) -> set[str]:
    """Which of the named canonical tables hold any rows at all (an empty one is "not loaded yet")."""
    found = set()
    with engine.connect() as connection:
        for name in sorted(names):
            table = schema.metadata.tables.get(name)
            if table is not None and connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                found.add(name)
    return found
