"""The demand map in a real Chromium, with no base map and no internet: the map draws from its own layers,
an area's tooltip shows its value, clicking an area opens its figures and clicking a school leads to the
school drill-down with the school chosen. Screenshots go to test-artifacts/screenshots for review."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from dashboard.metrics.compute import Filters
from dashboard.metrics.maps import area_boundaries
from dashboard.shell.geo import fit_view
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.browser import REPO_ROOT, chromium, running_dashboard
from tests.geo_world import write_geo_world
from tests.stores import TEST_KEY

SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    folder = tmp_path_factory.mktemp("browser-map")
    store_url = "duckdb:///" + str((folder / "store.duckdb").resolve())
    run_load([write_geo_world(folder / "world")], store_url, key=TEST_KEY)
    shapes = area_boundaries(make_engine(store_url), "ward", Filters())
    view = fit_view(
        [p[0] for polygons in shapes["polygons"] for p in polygons[0][0]],
        [p[1] for polygons in shapes["polygons"] for p in polygons[0][0]],
    )
    env = {"LOS_STORE_URL": store_url, "LOS_DATA_DIR": str(folder / "data"), "LOS_PSEUDONYM_KEY": TEST_KEY}
    env["LOS_MAP_STYLE"] = ""
    with running_dashboard(env) as url:
        yield url, view


def _pixel(box: dict, view: dict, longitude: float, latitude: float) -> tuple[float, float]:
    """Where a place is drawn on the map (Web Mercator, deck.gl's 512-pixel world at zoom 0)."""
    scale = 512 * 2 ** view["zoom"]

    def mercator(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    x = box["x"] + box["width"] / 2 + (longitude - view["longitude"]) * scale / 360
    y = box["y"] + box["height"] / 2 - (mercator(latitude) - mercator(view["latitude"])) * scale / (2 * math.pi)
    return x, y


def _click(page, where: tuple[float, float]) -> None:
    """Point, then click, as a reader does: deck.gl picks what is under the pointer."""
    page.mouse.move(*where)
    page.wait_for_timeout(500)
    page.mouse.click(*where)


def test_the_map_reads_offline_and_drills_down(served: tuple[str, dict]) -> None:
    url, view = served
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(url)  # the entrypoint first, as a reader arrives
        expect(page.get_by_role("heading", name="Board overview").first).to_be_visible(timeout=30_000)
        page.goto(f"{url}/demand_map?period=All+data&map_level=Ward&map_incidents=All+police+incidents")
        expect(page.get_by_role("heading", name="Where is demand and risk?").first).to_be_visible(timeout=30_000)
        chart = page.get_by_test_id("stDeckGlJsonChart")
        expect(chart.locator("canvas").first).to_be_visible(timeout=30_000)
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(3000)  # let deck.gl draw
        box = chart.bounding_box()
        assert box is not None
        # hover over Ward One, clear of schools and hexagons: its value and interval appear
        page.mouse.move(*_pixel(box, view, -2.175, 53.1085))
        tooltip = page.locator(".deck-tooltip")
        expect(tooltip).to_contain_text("Ward One", timeout=10_000)
        expect(tooltip).to_contain_text("150.0 per 10,000 a year")
        page.screenshot(path=SCREENSHOTS / "map-wards-tooltip.png")
        # click it: its figures open below the map, with a link to the overview for the ward
        _click(page, _pixel(box, view, -2.175, 53.1085))
        panel = page.locator(".st-key-area_panel")
        expect(panel).to_contain_text("Ward One", timeout=30_000)
        expect(panel.get_by_role("link", name="Board overview for Ward One")).to_be_visible()
        # the table under the map downloads as a workbook (written when the button is clicked)
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name="Download Excel").click()
        assert download.value.suggested_filename == "referral_rate_per_10k_by_ward.xlsx"
        # click Alder Primary: the link leads to its drill-down, with the school chosen
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        box = chart.bounding_box()
        _click(page, _pixel(box, view, -2.19, 53.105))
        link = page.locator(".st-key-school_panel").get_by_role("link", name="Open the drill-down for Alder Primary")
        expect(link).to_be_visible(timeout=30_000)
        link.click()
        expect(page.get_by_role("heading", name="School drill-down").first).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Alder Primary · Primary · 300 pupils").first).to_be_visible(timeout=30_000)
        assert "school=Alder+Primary" in page.url
        page.wait_for_timeout(3000)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        page.screenshot(path=SCREENSHOTS / "school-drill-down.png", full_page=True)


def test_the_hotspots_page_flags_the_planted_school_and_drills_down(served: tuple[str, dict]) -> None:
    url, _ = served
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        what = "Police+incidents%3A+Hate+crime+and+hate+incidents"
        page.goto(f"{url}/hotspots?period=All+data&hotspot_window=30+days&hotspot_what={what}")
        expect(page.get_by_role("heading", name="Hotspots near schools").first).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name="Flagged schools (1)")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("snapped to anonymous map points").first).to_be_visible()
        page.get_by_text("How the hotspots are found").click()
        expect(page.get_by_text("Benjamini-Hochberg").first).to_be_visible(timeout=10_000)
        page.wait_for_timeout(2000)  # let the tables finish drawing before the screenshot
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        page.screenshot(path=SCREENSHOTS / "hotspots.png", full_page=True)
        # the flag links to the school's drill-down, in the same view
        page.get_by_role("link", name="1. Alder Primary (emerging)").click()
        expect(page.get_by_role("heading", name="School drill-down").first).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Alder Primary · Primary · 300 pupils").first).to_be_visible(timeout=30_000)
        assert "school=Alder+Primary" in page.url and "period=All+data" in page.url
