"""A fresh checkout: the first start builds the demo store through the real pipeline, then shows it."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from data_connectors import config, schema
from data_connectors.demo import write_demo

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def test_first_start_builds_and_shows_the_demo(tmp_path: Path) -> None:
    store_file = config.data_dir() / config.STORE_FILE_NAME  # LOS_DATA_DIR points into tmp_path
    assert not store_file.exists()

    app = AppTest.from_file(APP, default_timeout=300)
    app.run()

    assert not app.exception, [e.message for e in app.exception]
    assert store_file.exists()
    manifest = write_demo(tmp_path / "expected", tier="local", seed=7)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Rows"] == f"{sum(manifest['rows'].values()):,}"
    tables = len(schema.data_tables())
    filled = sum(rows > 0 for rows in manifest["rows"].values())  # the benchmark tables stay empty in the demo
    assert filled == tables - 2
    assert metrics["Tables with data"] == f"{filled} of {tables}"
    assert metrics["Period covered"].endswith("Oct 2026")
    assert json.loads((tmp_path / "expected" / "line-of-sight-demo.json").read_text())["synthetic"] is True
