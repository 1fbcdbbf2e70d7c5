"""Running the dashboard headless (AppTest) on a store, with a view chosen through the URL as a copied
link would choose it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def run_page(page: str | None = None, query: dict[str, list[str] | str] | None = None, timeout: float = 120) -> AppTest:
    """The app opened at `page` (a file under dashboard/pages, e.g. "pages/front_door.py") with the URL's
    query parameters set; fails on any exception reaching the page."""
    app = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    if page is not None:
        app.switch_page(page)
        app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def tiles(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}
