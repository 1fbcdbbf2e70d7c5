"""The dashboard's home page, run headless with Streamlit's AppTest against real stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.metrics.store_overview import table_overview
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.canonical_world import WORLD, write_world
from tests.stores import new_store_url

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def _run_app(timeout: float = 60) -> AppTest:
    """The What is loaded page (it opens first only when the store is not ready)."""
    app = AppTest.from_file(APP, default_timeout=timeout)
    app.run()
    app.switch_page("pages/home.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_home_shows_what_the_store_holds(store_url: str, tmp_path: Path, monkeypatch) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    monkeypatch.setenv("LOS_STORE_URL", store_url)
    app = _run_app()
    metrics = _metrics(app)
    # every table with one row; the earliest period date is the early help episode (1 June 2023), the
    # latest the children's feedback (1 March 2024)
    assert metrics["Tables with data"] == f"{len(WORLD)} of {len(WORLD)}"
    assert metrics["Rows"] == str(len(WORLD))
    assert metrics["Period covered"] == "Jun 2023 to Mar 2024"
    (last_load_label,) = [label for label in metrics if label.startswith("Last load (")]
    assert last_load_label.endswith(" UTC)") and metrics[last_load_label].endswith("2026")
    overview = table_overview(make_engine(store_url))
    shown = {
        row["table_name"]: row["rows"]
        for frame in app.dataframe
        for row in frame.value.to_dict("records")
        if "rows" in row
    }
    assert shown == dict(zip(overview["table_name"], overview["rows"], strict=True))


def test_an_unreachable_store_gives_a_plain_message(monkeypatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/nowhere")
    app = _run_app()
    assert len(app.error) == 1
    assert app.error[0].value.startswith(
        "The store at postgresql+psycopg://nobody@127.0.0.1:9/nowhere cannot be opened"
    )


def test_an_empty_shared_store_says_how_to_load(tmp_path: Path, request: pytest.FixtureRequest, monkeypatch) -> None:
    # (an empty embedded store is filled with the demo instead: see the first-start test)
    monkeypatch.setenv("LOS_STORE_URL", new_store_url("postgresql", tmp_path, request))
    app = _run_app()
    assert "holds no data yet" in app.warning[0].value
