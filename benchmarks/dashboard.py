"""Dashboard benchmark: first page in a real browser, page reruns after a filter change, server memory.

    python -m benchmarks.dashboard --local-store URL --region-store URL

1. Local tier: seconds from the server answering its health check to the overview's figures being
   visible in Chromium (target under 3 s).
2. Regional tier: each page's rerun after a filter change (a new locality each time, so nothing is served
   from the page cache), timed with Streamlit's AppTest, against an empty page's rerun in the same run as
   the floor; median and p95 (target p95 under 300 ms).
3. Server memory with 10 browser sessions open on the regional store (target under 2 GB).
Figures only: it is not a timed test.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

from dashboard.__main__ import ready_to_serve
from dashboard.shell.page import SECTIONS, PageSections
from data_connectors import schema
from data_connectors.store import make_engine
from tests.browser import chromium, running_dashboard

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "dashboard" / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/front_door.py",
    "pages/thresholds.py",
    "pages/neglect.py",
    "pages/factors.py",
    "pages/data_quality.py",
    "pages/demand_map.py",
    "pages/school.py",
    "pages/hotspots.py",
]
EMPTY_PAGE = "import streamlit as st\n\nst.write('empty')\n"


def first_page_seconds(store: str) -> float:
    with running_dashboard({"LOS_STORE_URL": store}) as url, chromium() as browser:
        ready = time.perf_counter()
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(url)
        page.get_by_test_id("stMetricValue").first.wait_for(timeout=60_000)
        return time.perf_counter() - ready


def _locality_names(store: str) -> list[str]:
    engine = make_engine(store)
    with engine.connect() as connection:
        names = list(connection.execute(sa.select(schema.localities.c.locality_name)).scalars())
    engine.dispose()
    return names


class _AsOnARunningServer(PagesManager):
    """AppTest forgets before every run that the app registers its pages (`st.navigation`), so with a
    `pages/` folder beside the entrypoint each rerun of a page other than the first starts the old way and
    hands over to the entrypoint (`shell.navigation.ensure_framed`), which a browser never pays after a
    server's first run. AppTest's reset lands on this subclass, so Streamlit keeps the server's answer."""


_SERVERS_SCRIPTS = ScriptCache()
"""A server compiles the entrypoint and each page once and keeps the code; AppTest starts every run with an
empty cache, so each rerun would parse and compile both scripts again (about 5% of a page's rerun)."""


@functools.cache
def _as_on_a_running_server() -> None:
    """This process as `python -m dashboard` makes the server's (`ready_to_serve`), and AppTest as a running
    server behaves."""
    ready_to_serve()
    app_test.PagesManager = _AsOnARunningServer
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: _SERVERS_SCRIPTS


def rerun_times(
    store: str, page: str, localities: list[str], runs: int, section: dict[str, str] | None = None
) -> list[float]:
    """Open the page (at a section, as its link opens it: {URL key: label}), then change the locality `runs`
    times, timing each rerun."""
    import os

    os.environ["LOS_STORE_URL"] = store
    _as_on_a_running_server()
    app = AppTest.from_file(APP, default_timeout=300)
    app.run()
    if page != "pages/overview.py":
        app.switch_page(page)
        app.query_params.update(section or {})
        app.run()
    times = []
    for name in localities[:runs]:
        app.multiselect(key="locality").set_value([name])  # as a reader picks it in the filter bar
        started = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - started)
    return times


def empty_rerun_times(runs: int) -> list[float]:
    _as_on_a_running_server()
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "empty.py"
        script.write_text(EMPTY_PAGE)
        app = AppTest.from_file(str(script))
        app.run()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
    return times


def _server_rss_mb(port: str) -> float:
    """Resident memory of the dashboard server (`python -m dashboard`) serving this port, from /proc (Linux)."""
    for folder in Path("/proc").iterdir():
        try:
            command = (folder / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if "-m dashboard" in command and f"--server.port {port}" in command:
                status = (folder / "status").read_text()
                return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024
        except (OSError, ValueError, StopIteration):
            continue
    raise RuntimeError("the dashboard server process was not found")


def server_memory_mb(store: str, sessions: int) -> float:
    with running_dashboard({"LOS_STORE_URL": store}) as url, chromium() as browser:
        for _ in range(sessions):
            page = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
            page.goto(url)
            page.get_by_test_id("stMetricValue").first.wait_for(timeout=300_000)
        return _server_rss_mb(url.rsplit(":", 1)[1])


def machine_speed_ms() -> float:
    """A fixed piece of work like a page's (small pandas tables, plain Python), median of 5, in ms: on a shared
    machine the same code runs up to half as fast again from one hour to the next, so each run says how
    fast the machine was, and runs compare through it."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"unit": np.arange(240) % 12, "count": np.arange(240) % 7})

    def work() -> None:
        for _ in range(200):
            totals = frame.groupby("unit")["count"].sum()
            frame.assign(share=frame["count"] / totals.sum())
        sum(i * i for i in range(200_000))

    times = []
    for _ in range(5):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--local-store", required=True)
    parser.add_argument("--region-store", required=True)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"machine speed (fixed work, lower is faster): {machine_speed_ms():.0f} ms")
    print(
        f"first page visible after the server is ready (local tier): {first_page_seconds(args.local_store):.2f} s "
        "(target 3 s)"
    )
    floor = empty_rerun_times(args.runs)
    print(f"empty page rerun (floor): median {statistics.median(floor) * 1000:.0f} ms, p95 {_p95(floor) * 1000:.0f} ms")
    names = _locality_names(args.region_store)
    for page in PAGES:
        if not (REPO / "dashboard" / page).exists():
            continue
        sections = SECTIONS.get(Path(page).stem, PageSections("", ("",)))
        for label in sections.labels:
            section = {sections.key: label} if label else None
            times = rerun_times(args.region_store, page, names, args.runs, section)
            shown = f"{page} {label}".strip()
            print(
                f"{shown:>36}: rerun after a locality change: median {statistics.median(times) * 1000:,.0f} ms, "
                f"p95 {_p95(times) * 1000:,.0f} ms (target p95 300 ms)"
            )
    print(
        f"server memory with 10 sessions (regional tier): {server_memory_mb(args.region_store, 10):,.0f} MB "
        "(target 2,048 MB)"
    )
    print(f"machine speed at the end: {machine_speed_ms():.0f} ms")


if __name__ == "__main__":
    main()
