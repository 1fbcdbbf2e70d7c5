"""Benchmark the two candidate embedded stores for Line of Sight: SQLite versus DuckDB.

Why this exists: the dashboard needs one local store that the loaders write to and the Streamlit pages
query through SQLAlchemy Core. This script measures, on a synthetic "contacts" table, what matters for
that choice: bulk load time, the per-filter-change dashboard query (median/p95), a reload (delete a date
range and reinsert ~10% of rows in one transaction) and file size. It also records whether duckdb-engine's
SQLAlchemy dialect copes with reflection and ``DataFrame.to_sql``, which parts of the code base may rely on.

Each engine is loaded its fastest sensible way: DuckDB from a registered pyarrow Table with
INSERT ... SELECT and no PRIMARY KEY (its ART index makes deletes/commits much slower; the pipeline
enforces uniqueness); SQLite through a SQLAlchemy Core executemany in one transaction, with a PRIMARY KEY,
in WAL mode (what a dashboard reading during a reload would use).

Run: ``python -m benchmarks.store_engines [--rows N]``. Temporary files live under /tmp and are removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

FIRST_DAY = dt.date(2019, 1, 1)
N_DAYS = (dt.date(2025, 1, 1) - FIRST_DAY).days  # six years of contacts
SOURCE_CODES = [
    "POLICE", "SCHOOL", "GP", "HOSPITAL", "HEALTH_VISITOR", "MIDWIFE", "CAMHS", "ANON", "PARENT", "RELATIVE",
    "SELF", "HOUSING", "LA_OTHER", "PROBATION", "YOS", "EARLY_YEARS", "NHS_111", "AMBULANCE", "DWP",
    "VOLUNTARY", "OTHER_LA", "OTHER",
]  # fmt: skip
LOCALITIES = [f"L{i:03d}" for i in range(100)]
OUTCOMES = ["NFA", "EARLY_HELP", "SOCIAL_CARE", "STRATEGY"]
QUERY_RUNS = 20


def contacts_table(metadata: sa.MetaData, primary_key: bool) -> sa.Table:
    return sa.Table(
        "contacts",
        metadata,
        sa.Column("contact_id", sa.Text, primary_key=primary_key),
        sa.Column("child_id", sa.Text, nullable=False),
        sa.Column("contact_date", sa.Date, nullable=False),
        sa.Column("source_code", sa.Text, nullable=False),
        sa.Column("locality_code", sa.Text, nullable=False),
        sa.Column("referrer_need_level", sa.Integer, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
    )


def synthetic_contacts(rows: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)

    def pick(values: list[str]) -> pa.Array:
        return pa.array(values).take(pa.array(rng.integers(0, len(values), rows)))

    days = rng.integers(0, N_DAYS, rows)
    return pa.table({
        "contact_id": pa.array([f"C{i:09d}" for i in range(rows)]),
        "child_id": pa.array([f"CH{i:08d}" for i in rng.integers(0, max(rows // 4, 1), rows)]),
        "contact_date": pa.array(np.datetime64(FIRST_DAY, "D") + days, pa.date32()),
        "source_code": pick(SOURCE_CODES),
        "locality_code": pick(LOCALITIES),
        "referrer_need_level": pa.array(rng.integers(1, 5, rows), pa.int32()),
        "outcome": pick(OUTCOMES),
    })  # fmt: skip


def insert_arrow(conn: sa.Connection, table: sa.Table, data: pa.Table) -> None:
    """Insert ``data`` on ``conn``'s current transaction the engine's fastest way."""
    if conn.dialect.name == "duckdb":
        raw = conn.connection.driver_connection
        raw.register("arrow_src", data)
        raw.execute(f"INSERT INTO {table.name} SELECT * FROM arrow_src")
        raw.unregister("arrow_src")
    else:
        conn.execute(sa.insert(table), data.to_pylist())


def dashboard_query(table: sa.Table, dialect: str) -> sa.Select:
    """Contacts per month and source for chosen localities in a date window (bound parameters)."""
    c = table.c
    if dialect == "duckdb":
        month = sa.func.date_trunc(sa.literal_column("'month'"), c.contact_date)
    else:
        month = sa.func.strftime(sa.literal_column("'%Y-%m'"), c.contact_date)
    return (
        sa.select(month.label("month"), c.source_code, sa.func.count().label("n"))
        .where(
            c.locality_code.in_(sa.bindparam("localities", expanding=True)),
            c.contact_date >= sa.bindparam("start", type_=sa.Date),
            c.contact_date < sa.bindparam("end", type_=sa.Date),
        )
        .group_by(month, c.source_code)
        .order_by(month, c.source_code)
    )


def query_params(seed: int = 11) -> list[dict[str, object]]:
    """The same 20 filter changes for every engine: 10 localities, a 24-month window."""
    rng = np.random.default_rng(seed)
    params: list[dict[str, object]] = []
    for _ in range(QUERY_RUNS):
        month = int(rng.integers(0, 72 - 24))
        start = dt.date(2019 + month // 12, month % 12 + 1, 1)
        end = dt.date(start.year + 2, start.month, 1)
        localities = [LOCALITIES[i] for i in rng.choice(len(LOCALITIES), 10, replace=False)]
        params.append({"localities": localities, "start": start, "end": end})
    return params


def file_size_mb(path: Path) -> float:
    files = [path, *(path.with_name(path.name + s) for s in (".wal", "-wal", "-shm", "-journal"))]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def benchmark(name: str, url: str, path: Path, data: pa.Table) -> dict[str, object]:
    engine = sa.create_engine(url)
    if name == "sqlite":
        sa.event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA journal_mode=WAL"))
        sa.event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous=NORMAL"))
    metadata = sa.MetaData()
    table = contacts_table(metadata, primary_key=name == "sqlite")
    metadata.create_all(engine)

    def load() -> None:
        with engine.begin() as conn:
            insert_arrow(conn, table, data)

    load_s = timed(load)
    engine.dispose()
    size_loaded = file_size_mb(path)

    stmt = dashboard_query(table, name)
    times: list[float] = []
    counted = 0
    with engine.connect() as conn:
        for params in query_params():
            start = time.perf_counter()
            rows = conn.execute(stmt, params).all()
            times.append(time.perf_counter() - start)
            counted += sum(r.n for r in rows)

    lo = FIRST_DAY + dt.timedelta(days=int(N_DAYS * 0.6))
    hi = lo + dt.timedelta(days=int(N_DAYS * 0.1))
    in_range = pc.and_(pc.greater_equal(data["contact_date"], pa.scalar(lo)),
                       pc.less(data["contact_date"], pa.scalar(hi)))  # fmt: skip
    subset = data.filter(in_range)

    def reload() -> None:
        with engine.begin() as conn:
            conn.execute(sa.delete(table).where(table.c.contact_date >= lo, table.c.contact_date < hi))
            insert_arrow(conn, table, subset)

    reload_s = timed(reload)
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    assert total == data.num_rows, f"{name}: {total} rows after reload, expected {data.num_rows}"
    engine.dispose()
    return {
        "engine": name,
        "load_s": load_s,
        "query_median_ms": statistics.median(times) * 1e3,
        "query_p95_ms": float(np.percentile(times, 95)) * 1e3,
        "reload_s": reload_s,
        "reload_rows": subset.num_rows,
        "size_mb": size_loaded,
        "size_after_reload_mb": file_size_mb(path),
        "query_checksum": counted,
    }


def dialect_checks(url: str) -> dict[str, str]:
    """Try the SQLAlchemy conveniences other code might use on a DuckDB engine; record what happens."""
    engine = sa.create_engine(url)
    frame = pd.DataFrame({"contact_id": ["a", "b"], "contact_date": [dt.date(2024, 1, 1)] * 2})

    def to_sql() -> object:
        return frame.to_sql("pd_tbl", engine, if_exists="replace", index=False)

    checks: dict[str, Callable[[], object]] = {
        "inspect(engine).get_columns('contacts')": lambda: len(sa.inspect(engine).get_columns("contacts")),
        "DataFrame.to_sql(if_exists='replace'), table absent": to_sql,
        "DataFrame.to_sql(if_exists='replace'), table exists": to_sql,
        "Table(autoload_with=engine)": lambda: len(sa.Table("contacts", sa.MetaData(), autoload_with=engine).c),
    }
    results: dict[str, str] = {}
    for label, check in checks.items():
        try:
            results[label] = f"OK ({check()})"
        except Exception as exc:  # noqa: BLE001 - recording the failure is the point
            results[label] = f"FAILS: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    rows = parser.parse_args().rows

    data = synthetic_contacts(rows)
    with tempfile.TemporaryDirectory(prefix="los-store-bench-", dir="/tmp") as tmp:
        paths = {"sqlite": Path(tmp) / "store.sqlite", "duckdb": Path(tmp) / "store.duckdb"}
        urls = {name: f"{name}:///{path}" for name, path in paths.items()}
        results = [benchmark(name, urls[name], paths[name], data) for name in ("sqlite", "duckdb")]
        checks = dialect_checks(urls["duckdb"])

    print(f"\n{rows:,} contacts rows; query over {QUERY_RUNS} filter changes; "
          f"reload = delete + reinsert {results[0]['reload_rows']:,} rows in one transaction\n")  # fmt: skip
    header = f"{'engine':<8}{'load s':>9}{'query med ms':>14}{'query p95 ms':>14}{'reload s':>10}"
    print(header + f"{'file MB':>10}{'MB after reload':>17}{'query checksum':>16}")
    for r in results:
        print(f"{r['engine']:<8}{r['load_s']:>9.2f}{r['query_median_ms']:>14.1f}{r['query_p95_ms']:>14.1f}"
              f"{r['reload_s']:>10.2f}{r['size_mb']:>10.1f}{r['size_after_reload_mb']:>17.1f}"
              f"{r['query_checksum']:>16,}")  # fmt: skip
    print(f"\nduckdb-engine dialect checks (SQLAlchemy {sa.__version__}):")
    for label, outcome in checks.items():
        print(f"  {label}: {outcome}")


if __name__ == "__main__":
    main()
