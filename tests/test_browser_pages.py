"""The dashboard in a real Chromium: a filter chosen on one page stays when moving to another, the copied
link reopens the same view (and the same section of a page) in a fresh browser, and every page and section
renders without an error (with a screenshot of each saved under test-artifacts/screenshots for review)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest

from dashboard.shell.page import SECTIONS, PageSections
from data_connectors.pipeline import run_load
from tests.browser import REPO_ROOT, chromium, running_dashboard
from tests.metrics_world import write_metrics_world
from tests.stores import TEST_KEY

SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
PAGE_PATHS = {  # url path -> a heading the page always shows
    "": "Board overview",
    "front_door": "Front door and referral quality",
    "thresholds": "Thresholds: do agencies share one understanding?",
    "neglect": "Where does neglect concentrate?",
    "factors": "Which risks travel together?",
    "data_quality": "Data quality",
    "demand_map": "Where is demand and risk?",
    "school": "School drill-down",
    "hotspots": "Hotspots near schools",
    "loaded": "Line of Sight",
}


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-pages")
    store_url = "duckdb:///" + str((folder / "store.duckdb").resolve())
    run_load([write_metrics_world(folder / "world")], store_url, key=TEST_KEY)
    env = {"LOS_STORE_URL": store_url, "LOS_DATA_DIR": str(folder / "data"), "LOS_PSEUDONYM_KEY": TEST_KEY}
    with running_dashboard(env) as url:
        yield url


def _registered_paths() -> dict[str, str]:
    """The pages this build registers (dashboard/shell/navigation.py): the test follows pages as they are added."""
    app = (REPO_ROOT / "dashboard" / "shell" / "navigation.py").read_text()
    return {
        path: heading for path, heading in PAGE_PATHS.items() if not path or f"{path}.py" in app or path == "loaded"
    }


def test_the_filter_follows_the_reader_and_the_link(dashboard_url: str) -> None:
    with chromium() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(dashboard_url)
        showing = page.locator(".st-key-view_caption")
        expect(showing).to_contain_text("Whole partnership", timeout=30_000)
        # choose a locality in the shared filter bar
        page.locator(".st-key-locality").get_by_role("combobox").click()
        page.get_by_role("option", name="North").click()
        page.keyboard.press("Escape")
        expect(showing).to_contain_text("North ·", timeout=30_000)
        # move to another page: the filter bar keeps the choice
        page.get_by_test_id("stSidebarNav").get_by_text("What is loaded").click()
        expect(page.get_by_role("heading", name="Load history")).to_be_visible(timeout=30_000)
        page.get_by_test_id("stSidebarNav").get_by_text("Board overview").click()
        expect(page.locator(".st-key-view_caption")).to_contain_text("North ·", timeout=30_000)
        link = page.url
        assert urllib.parse.parse_qs(urllib.parse.urlparse(link).query).get("locality") == ["North"]
        # the copied link in a fresh browser context opens the same view
        fresh = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
        fresh.goto(link)
        expect(fresh.locator(".st-key-view_caption")).to_contain_text("North ·", timeout=30_000)
        expect(fresh.locator('[data-testid="stException"]')).to_have_count(0)


def test_every_page_renders_and_is_captured(dashboard_url: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        for path, heading in _registered_paths().items():
            sections = SECTIONS.get(path, PageSections("", ("",)))
            for number, label in enumerate(sections.labels):
                query = f"?{urllib.parse.urlencode({sections.key: label})}" if number else ""
                page.goto(f"{dashboard_url}/{path}{query}")
                expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=30_000)
                if label:
                    expect(page.get_by_role("tab", name=label)).to_have_attribute("aria-selected", "true")
                page.wait_for_timeout(4000)  # let charts finish drawing before the screenshot
                expect(page.locator('[data-testid="stException"]')).to_have_count(0)
                expect(page.get_by_text("Something went wrong")).to_have_count(0)
                name = "-".join(part for part in (path or "overview", label.lower().replace(" ", "-")) if part)
                page.screenshot(path=SCREENSHOTS / f"page-{name}.png", full_page=True)


def test_a_section_chosen_is_in_the_link(dashboard_url: str) -> None:
    with chromium() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{dashboard_url}/thresholds?locality=North")
        expect(page.get_by_role("heading", name="Do referrers and the front door see the same level")).to_be_visible(
            timeout=30_000
        )
        page.get_by_role("tab", name="Contact to plan").click()
        path_heading = page.get_by_role("heading", name="From contact to child protection plan")
        expect(path_heading).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name="Do referrers and the front door see the same level")).to_have_count(0)
        link = page.url
        query = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
        assert query.get("thresholds_section") == ["Contact to plan"] and query.get("locality") == ["North"]
        fresh = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
        fresh.goto(link)
        expect(fresh.get_by_role("heading", name="From contact to child protection plan")).to_be_visible(timeout=30_000)
        expect(fresh.get_by_role("tab", name="Contact to plan")).to_have_attribute("aria-selected", "true")
        expect(fresh.locator(".st-key-view_caption")).to_contain_text("North ·", timeout=30_000)


def test_a_deep_link_is_the_first_request_a_new_server_answers(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A link a colleague shares is often the first thing a freshly started server is asked for: the page opens
    in the dashboard's frame (its navigation and the filter bar holding the link's view), not on its own."""
    folder = tmp_path_factory.mktemp("deep-link")
    store_url = "duckdb:///" + str((folder / "store.duckdb").resolve())
    run_load([write_metrics_world(folder / "world")], store_url, key=TEST_KEY)
    env = {"LOS_STORE_URL": store_url, "LOS_DATA_DIR": str(folder / "data"), "LOS_PSEUDONYM_KEY": TEST_KEY}
    with running_dashboard(env) as url, chromium() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{url}/thresholds?locality=North")
        expect(page.get_by_role("heading", name=PAGE_PATHS["thresholds"]).first).to_be_visible(timeout=30_000)
        expect(page.locator(".st-key-view_caption")).to_contain_text("North ·", timeout=30_000)
        navigation = page.get_by_test_id("stSidebarNav")
        expect(navigation.get_by_text("Board overview")).to_be_visible()
        expect(navigation.get_by_text("Front door and referral quality")).to_be_visible()
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
