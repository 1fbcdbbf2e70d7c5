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
