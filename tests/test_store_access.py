"""Within one run of the app an embedded store is opened once, each read keeps a connection of its own, and the
file is free for another process as soon as the run ends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.store_access import engine_for, one_open_store_per_run
from data_connectors.store import make_engine


def test_a_run_opens_the_store_once_and_lets_it_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.duckdb"
    url = f"duckdb:///{path}"
    with make_engine(url).begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t AS SELECT 1 AS x")
    opened = []
    real_connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: opened.append(a) or real_connect(*a, **k))

    with one_open_store_per_run():
        engine = engine_for(url)
        assert engine_for(url) is engine
        with engine.connect() as outer, engine.connect() as inner:  # a read inside another keeps its own
            result = outer.exec_driver_sql("SELECT x FROM t")
            assert inner.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
            assert result.scalar() == 1
        for _ in range(3):
            with engine.connect() as connection:
                assert connection.exec_driver_sql("SELECT sum(x) FROM t").scalar() == 1
    assert len(opened) == 1

    # the run is over: another process can open the file and write to it
    write = f"import duckdb; duckdb.connect({str(path)!r}).execute('INSERT INTO t VALUES (2)')"
    subprocess.run([sys.executable, "-c", write], check=True, timeout=60)
    with make_engine(url).connect() as connection:
        assert connection.exec_driver_sql("SELECT sum(x) FROM t").scalar() == 3
