"""`python -m dashboard` imports what every page uses before the server listens (the browser tests start the
dashboard this way, so they cover the server it then runs)."""

from __future__ import annotations

import sys
from pathlib import Path

from dashboard.__main__ import APP, preload

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"


def test_every_shell_and_metrics_module_is_imported_before_serving() -> None:
    expected = {
        f"dashboard.{folder}.{path.stem}"
        for folder in ("shell", "metrics")
        for path in (DASHBOARD / folder).glob("*.py")
        if path.stem not in ("__init__", "__main__")
    }
    assert set(preload()) == expected
    assert {"pandas", "sqlalchemy", "duckdb", "plotly.graph_objects"} <= set(sys.modules)
    assert APP == DASHBOARD / "app.py"


def test_the_dashboard_keeps_text_as_python_objects_and_a_load_still_reads_arrow(tmp_path: Path) -> None:
    import pandas as pd

    import dashboard.shell  # noqa: F401  (what every page imports first)
    from data_connectors.readers import TEXT, iter_chunks, open_tabular

    shown = pd.DataFrame({"agency": ["Police", None]})["agency"]
    assert str(shown.dtype) == "str" and shown.dtype.storage == "python"
    assert shown.isna().tolist() == [False, True]  # missing text is still NaN, as with Arrow storage

    upload = tmp_path / "referrals.csv"
    upload.write_text("child_id,agency\nC1,Police\n")
    (chunk,) = iter_chunks(open_tabular(upload))
    assert chunk["agency"].dtype == TEXT and chunk["agency"].tolist() == ["Police"]


def test_what_the_server_imported_is_set_aside_from_the_garbage_collector() -> None:
    import subprocess

    script = (
        "import gc, pandas as pd; from dashboard.__main__ import preload, ready_to_serve; "
        "walked = lambda: any(o is pd.DataFrame.merge for o in gc.get_objects(generation=2)); "
        "preload(); gc.collect(); before = walked(); ready_to_serve(); "
        "print(before, gc.get_freeze_count(), walked())"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    walked_before, frozen, walked_after = out.stdout.split()
    assert walked_before == "True"  # a full collection walked the libraries' objects
    assert int(frozen) > 100_000 and walked_after == "False"  # now set aside
    assert "leaked" not in out.stderr  # and handed back at exit, so DuckDB's bindings see everything freed
