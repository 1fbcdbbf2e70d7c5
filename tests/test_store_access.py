"""The app's runs share one open embedded store, each read keeps a connection of its own, and the file is free
for another process once the app has been idle a few seconds; a load from another process waits for it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from dashboard import store_access
from dashboard.store_access import engine_for, one_open_store_per_run
from data_connectors.store import make_engine

REPO_ROOT = Path(__file__).resolve().parent.parent


def _store(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "store.duckdb"
    url = f"duckdb:///{path}"
    with make_engine(url).begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t AS SELECT 1 AS x")
    return path, url


def test_runs_share_the_open_store_and_let_it_go_when_idle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, url = _store(tmp_path)
    monkeypatch.setattr(store_access, "IDLE_SECONDS", 0.3)
    opened = []
    real_connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: opened.append(a) or real_connect(*a, **k))

    for _ in range(2):  # two runs, one after the other, as a reader changes a filter
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
    held = store_access._held_database(url)
    assert held.is_open  # between runs the file stays open

    # idle for longer than IDLE_SECONDS: another process can open the file at once (plain duckdb: no waiting)
    time.sleep(0.8)
    assert not held.is_open
    write = f"import duckdb; duckdb.connect({str(path)!r}).execute('INSERT INTO t VALUES (2)')"
    subprocess.run([sys.executable, "-c", write], check=True, timeout=60)
    with make_engine(url).connect() as connection:
        assert connection.exec_driver_sql("SELECT sum(x) FROM t").scalar() == 3


def test_a_load_from_another_process_waits_for_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, url = _store(tmp_path)
    monkeypatch.setattr(store_access, "IDLE_SECONDS", 5.0)  # longer than the other process takes to start
    with one_open_store_per_run(), engine_for(url).connect() as connection:
        assert connection.exec_driver_sql("SELECT sum(x) FROM t").scalar() == 1
    load = (
        "import duckdb\nfrom data_connectors.store import make_engine\n"
        f"try:\n    duckdb.connect({str(path)!r}).close()\n    print('free')\n"
        "except duckdb.IOException:\n    print('held')\n"
        f"with make_engine({url!r}).begin() as c:\n    c.exec_driver_sql('INSERT INTO t VALUES (5)')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", load], cwd=REPO_ROOT, check=True, timeout=60, capture_output=True, text=True
    )
    assert done.stdout.split() == ["held"]  # the app still held the file, and the load waited rather than fail
    with make_engine(url).connect() as connection:
        assert connection.exec_driver_sql("SELECT sum(x) FROM t").scalar() == 6


def test_a_page_gives_up_soon_on_a_file_a_load_holds(tmp_path: Path) -> None:
    path, url = _store(tmp_path)
    hold = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(30)"
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError, match="Could not set lock"):
            make_engine(url, lock_wait=0.5).connect()
        assert 0.4 < time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()
