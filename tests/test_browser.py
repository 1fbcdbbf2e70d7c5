"""The dashboard served by `streamlit run` and opened in a real Chromium.

AppTest (tests/test_app_home.py) runs the script without a browser; this checks what a user actually
gets: the server starts, the page renders in a browser without an exception, and the figures show.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from data_connectors.pipeline import run_load
from tests.browser import REPO_ROOT, chromium, running_dashboard
from tests.canonical_world import WORLD, write_world
from tests.stores import TEST_KEY

if TYPE_CHECKING:
    from playwright.sync_api import Page

SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module, on the canonical world, so each browser test pays only for a page load."""
    folder = tmp_path_factory.mktemp("browser")
    store_url = "duckdb:///" + str((folder / "store.duckdb").resolve())
    run_load([write_world(folder / "world")], store_url, key=TEST_KEY)
    env = {"LOS_STORE_URL": store_url, "LOS_DATA_DIR": str(folder / "data"), "LOS_PSEUDONYM_KEY": TEST_KEY}
    with running_dashboard(env) as url:
        yield url


def _metrics(page: Page) -> dict[str, str]:
    """Every st.metric as label -> value, read from the DOM (the full text, even where CSS truncates it)."""
    return {
        metric.get_by_test_id("stMetricLabel").inner_text().strip(): metric.get_by_test_id("stMetricValue")
        .inner_text()
        .strip()
        for metric in page.get_by_test_id("stMetric").all()
    }


def test_home_renders_in_chromium(dashboard_url: str) -> None:
    with chromium() as browser:
        from playwright.sync_api import expect  # only once chromium() has failed plainly if it is missing

        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{dashboard_url}/loaded")
        expect(page.get_by_role("heading", name="Line of Sight")).to_be_visible(timeout=60_000)
        expect(page.get_by_test_id("stMetricLabel").filter(has_text=re.compile(r"^Rows$"))).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name="Load history")).to_be_visible(timeout=30_000)
        # the hand-worked figures of the canonical world, as in tests/test_app_home.py
        metrics = _metrics(page)
        assert metrics["Tables with data"] == f"{len(WORLD)} of {len(WORLD)}"
        assert metrics["Rows"] == str(len(WORLD))
        assert metrics["Period covered"] == "Jun 2023 to Mar 2024"
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        # Streamlit scrolls inside <main>, not the document, so full_page alone captures one screen: grow the
        # viewport to the main area's height first
        height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
        page.set_viewport_size({"width": 1400, "height": int(height)})
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)
