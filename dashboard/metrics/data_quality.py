"""Data quality for each source the store holds (a table and the extract it came from, as the `loads`
table records them): how complete its key fields are, how many rows its loads rejected, how fresh it is;
and the load reports behind it, from `load_rejections`.

* Completeness: the share of key fields that are filled. Key fields are the optional columns the pages rely
  on (`KEY_FIELDS`), each counted only where it applies (an assessment's outcome once it is authorised);
  tables not listed there count all their optional columns. Required columns cannot be blank (a row
  without them is rejected), so they are validity, not completeness.
* Validity: rows rejected as a share of rows read, over all of the source's loads.
* Timeliness: days from the latest event date the source holds, and from its last load, to today.

These describe records and files, not children, so no count here is suppressed; rejected values of
sensitive fields are already withheld by the loader ("[withheld]").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_connectors import schema

# table -> (field, the column that must be filled for the field to apply, or None for every row)
KEY_FIELDS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "children": (("birth_month", None), ("sex", None), ("ethnicity", None), ("home_area_code", None)),
    "contacts": (("referrer_need_level", None), ("outcome", None)),
    "referrals": (
        ("referrer_need_level", None),
        ("decision_date", None),
        ("decision_level", "decision_date"),
        ("outcome", "decision_date"),
        ("nfa", "decision_date"),
        ("primary_need_code", None),
        ("closure_reason", "closure_date"),
    ),
    "assessments": (("referral_id", None), ("child_seen", None), ("outcome", "authorised_date")),
    "s47_enquiries": (("referral_id", None), ("outcome", "end_date")),
    "icpcs": (("s47_id", None),),
    "cp_plans": (("icpc_id", None), ("previous_plans", None), ("latest_category", None)),
    "early_help_episodes": (("lead_agency", None), ("end_reason", "end_date")),
    "neglect_assessments": (("overall_grade", None),),
    "police_incidents": (("area_code", None), ("latitude", None), ("longitude", None), ("location_precision", None)),
    "school_attendance": (("persistent_absentees", None),),
    "schools": (("area_code", None), ("latitude", None), ("longitude", None), ("pupils", None)),
    "small_areas": (("centroid_latitude", None), ("centroid_longitude", None)),
    "deprivation": (("idaci_score", None), ("idaci_decile", None)),
    "audits": (("theme", None), ("cases_reviewed", None), ("lead_agency", None)),
    "actions": (("origin_ref", None),),
    "escalations": (("receiving_agency", None), ("stage", None), ("subject", None), ("outcome", "resolved_date")),
    "learning_reviews": (("rapid_review_date", None), ("themes", None), ("recommendations", None)),
    "training_evaluations": (
        ("agency", None),
        ("confidence_before", None),
        ("confidence_after", None),
        ("practice_changed", "follow_up_date"),
    ),
}
GROUP_ORDER = ("social_care", "partners", "geography", "practice")

SOURCE_COLUMNS = [
    "group",
    "table_name",
    "source",
    "rows_in_store",
    "completeness",
    "rows_read",
    "rows_rejected",
    "rejected_share",
    "latest_event",
    "days_since_latest_event",
    "last_loaded_at",
    "days_since_last_load",
    "last_file",
    "loads",
]


def key_fields(table: sa.Table) -> tuple[tuple[str, str | None], ...]:
    """The fields whose completeness counts for a table, with the column that makes each apply."""
    if table.name in KEY_FIELDS:
        return KEY_FIELDS[table.name]
    return tuple((c.name, None) for c in schema.content_columns(table) if c.nullable)


def field_completeness(engine: Engine) -> pd.DataFrame:
    """One row per loaded table, source and key field: the rows it applies to, how many are filled, the share
    (%). Tables whose columns are all required have no rows here."""
    parts = []
    with engine.connect() as connection:
        for table in _loaded_tables(connection):
            fields = key_fields(table)
            if not fields:
                continue
            columns = [sa.func.count().label("rows")]
            for field, applies in fields:
                condition = table.c[applies].is_not(None) if applies else sa.true()
                filled = sa.and_(condition, table.c[field].is_not(None))
                columns.append(sa.func.sum(sa.case((condition, 1), else_=0)).label(f"{field}__applies"))
                columns.append(sa.func.sum(sa.case((filled, 1), else_=0)).label(f"{field}__filled"))
            query = sa.select(table.c.source, *columns).group_by(table.c.source)
            for row in connection.execute(query).mappings():
                for field, applies in fields:
                    parts.append(
                        {
                            "table_name": table.name,
                            "source": row["source"],
                            "field": field,
                            "applies_to": f"rows with {applies}" if applies else "every row",
                            "rows": int(row[f"{field}__applies"] or 0),
                            "filled": int(row[f"{field}__filled"] or 0),
                        }
                    )
    frame = pd.DataFrame(parts, columns=["table_name", "source", "field", "applies_to", "rows", "filled"])
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["share"] = np.where(frame["rows"] > 0, 100 * frame["filled"] / frame["rows"].clip(lower=1), np.nan)
    return frame


def source_quality(engine: Engine, today: dt.date | None = None) -> pd.DataFrame:
    """One row per table and source in the load history: rows now in the store, completeness of key fields
    (% of the cells that should be filled), rows read and rejected over its loads (and the share rejected),
    the latest event date and days since, the last load and days since, and how many loads there were."""
    today = today or dt.date.today()
    loads = schema.loads
    query = sa.select(
        loads.c.table_name,
        loads.c.source,
        sa.func.count().label("loads"),
        sa.func.sum(loads.c.rows_read).label("rows_read"),
        sa.func.sum(loads.c.rows_rejected).label("rows_rejected"),
        sa.func.max(loads.c.loaded_at).label("last_loaded_at"),
        sa.func.max(loads.c.load_id).label("last_load_id"),
    ).group_by(loads.c.table_name, loads.c.source)
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(query).mappings().all())
        if frame.empty:
            return pd.DataFrame(columns=SOURCE_COLUMNS)
        last_files = pd.DataFrame(
            connection.execute(sa.select(loads.c.load_id, loads.c.table_name, loads.c.source, loads.c.file_name))
            .mappings()
            .all()
        ).rename(columns={"load_id": "last_load_id", "file_name": "last_file"})
        held = _rows_and_latest(connection, frame["table_name"].unique())
    frame = frame.merge(
        last_files.drop_duplicates(["last_load_id", "table_name", "source"]),
        on=["last_load_id", "table_name", "source"],
        how="left",
    )
    frame = frame.merge(held, on=["table_name", "source"], how="left")
    frame["rows_in_store"] = frame["rows_in_store"].fillna(0).astype("int64")
    cells = field_completeness(engine).groupby(["table_name", "source"], as_index=False)[["rows", "filled"]].sum()
    cells["completeness"] = np.where(cells["rows"] > 0, 100 * cells["filled"] / cells["rows"].clip(lower=1), np.nan)
    frame = frame.merge(cells[["table_name", "source", "completeness"]], on=["table_name", "source"], how="left")
    frame["rows_read"] = frame["rows_read"].astype("int64")
    frame["rows_rejected"] = frame["rows_rejected"].astype("int64")
    frame["rejected_share"] = np.where(
        frame["rows_read"] > 0, 100 * frame["rows_rejected"] / frame["rows_read"].clip(lower=1), np.nan
    )
    frame["last_loaded_at"] = pd.to_datetime(frame["last_loaded_at"])
    frame["days_since_last_load"] = [(today - stamp.date()).days for stamp in frame["last_loaded_at"]]
    frame["days_since_latest_event"] = [
        (today - latest).days if isinstance(latest, dt.date) else np.nan for latest in frame["latest_event"]
    ]
    frame["days_since_latest_event"] = frame["days_since_latest_event"].astype("Float64")
    frame["group"] = frame["table_name"].map(lambda name: schema.metadata.tables[name].info["group"])
    frame["_order"] = frame["group"].map({group: position for position, group in enumerate(GROUP_ORDER)})
    frame = frame.sort_values(["_order", "table_name", "source"])
    return frame[SOURCE_COLUMNS].reset_index(drop=True)


def rejection_counts(engine: Engine) -> pd.DataFrame:
    """Rows not loaded, by table, field and reason: how many rows, in how many loads, and the latest load
    with that problem; most rows first. (A row with several faults counts once under each.)"""
    rejections = schema.load_rejections
    rows = (
        sa.select(
            rejections.c.table_name,
            rejections.c.field,
            rejections.c.reason,
            rejections.c.load_id,
            rejections.c.file_name,
            rejections.c.row_number,
        )
        .distinct()
        .subquery()
    )
    query = sa.select(
        rows.c.table_name,
        rows.c.field,
        rows.c.reason,
        sa.func.count().label("rows"),
        sa.func.count(sa.distinct(rows.c.load_id)).label("loads"),
        sa.func.max(rows.c.load_id).label("latest_load"),
    ).group_by(rows.c.table_name, rows.c.field, rows.c.reason)
    with engine.connect() as connection:
        frame = pd.DataFrame(
            connection.execute(query).all(), columns=["table_name", "field", "reason", "rows", "loads", "latest_load"]
        )
    return frame.sort_values(
        ["rows", "table_name", "field", "reason"], ascending=[False, True, True, True]
    ).reset_index(drop=True)


def loads_with_rejections(engine: Engine) -> pd.DataFrame:
    """Each file load that rejected rows, newest first: load, table, source, file, when, rows read and rejected."""
    loads = schema.loads
    query = (
        sa.select(
            loads.c.load_id,
            loads.c.table_name,
            loads.c.source,
            loads.c.file_name,
            loads.c.loaded_at,
            loads.c.rows_read,
            loads.c.rows_rejected,
        )
        .where(loads.c.rows_rejected > 0)
        .order_by(loads.c.load_id.desc(), loads.c.table_name, loads.c.file_name)
    )
    with engine.connect() as connection:
        result = connection.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def rejected_rows(engine: Engine, load_id: int, table_name: str, file_name: str, limit: int = 50_000) -> pd.DataFrame:
    """The load report of one file: each rejected row's number in the file, field, reason and value (values of
    sensitive fields are withheld by the loader), in file order, at most `limit` lines."""
    rejections = schema.load_rejections
    query = (
        sa.select(rejections.c.row_number, rejections.c.field, rejections.c.reason, rejections.c.value)
        .where(
            rejections.c.load_id == load_id,
            rejections.c.table_name == table_name,
            rejections.c.file_name == file_name,
        )
        .order_by(rejections.c.row_number, rejections.c.field)
        .limit(limit)
    )
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(query).all(), columns=["row_number", "field", "reason", "value"])


def _loaded_tables(connection: sa.Connection) -> list[sa.Table]:
    names = set(connection.execute(sa.select(schema.loads.c.table_name).distinct()).scalars())
    return [table for table in schema.data_tables() if table.name in names]


def _rows_and_latest(connection: sa.Connection, names) -> pd.DataFrame:
    """Rows each source holds now, and its latest event date (tables with a period column)."""
    parts = []
    for table in schema.data_tables():
        if table.name not in set(names):
            continue
        period = table.info.get("period")
        latest = sa.cast(sa.func.max(table.c[period]), sa.Date) if period else sa.null()
        query = sa.select(table.c.source, sa.func.count(), latest).group_by(table.c.source)
        for source, rows, last in connection.execute(query).all():
            parts.append({"table_name": table.name, "source": source, "rows_in_store": rows, "latest_event": last})
    return pd.DataFrame(parts, columns=["table_name", "source", "rows_in_store", "latest_event"])
