"""Map benchmark: what the demand map and the school drill-down read from the store, straight from the
metrics layer (no page cache), and the map page's rerun under AppTest once its reads are cached.

    python -m benchmarks.maps --store URL            # a store that already holds the regional demo
    python -m benchmarks.maps --build DIR             # write and load the regional demo into DIR first

Targets (regional tier, embedded store): the map page's rerun under 500 ms. It prints figures; it is not a
timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from dashboard.metrics.compute import Filters
from dashboard.metrics.maps import area_boundaries, area_values, incident_hexagons, schools_in_view
from dashboard.metrics.near_schools import incidents_near_school
from data_connectors import schema
from data_connectors.store import make_engine


def _build(folder: Path) -> str:
    from data_connectors.config import DEMO_PSEUDONYM_KEY
    from data_connectors.demo import write_demo
    from data_connectors.pipeline import run_load

    data = folder / "region"
    if not data.exists():
        write_demo(data, tier="region", seed=7)
    url = "duckdb:///" + str(folder / "region.duckdb")
    run_load([data], url, key=DEMO_PSEUDONYM_KEY)
    return url


def _median_ms(action: Callable[[], object], repeats: int) -> tuple[float, object]:
    result = action()  # warm the store's file cache, as a running server has it
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def _store_reads(url: str, repeats: int) -> tuple[str, str]:
    from dashboard.metrics.materialise import refresh_event_tables

    engine = make_engine(url)
    refresh_event_tables(engine)
    with engine.connect() as connection:
        incidents = connection.execute(sa.select(sa.func.count()).select_from(schema.police_incidents)).scalar_one()
        schools = connection.execute(sa.select(sa.func.count()).select_from(schema.schools)).scalar_one()
        latest = connection.execute(sa.select(sa.func.max(schema.referrals.c.referral_date))).scalar_one()
        locality, name = connection.execute(
            sa.select(schema.localities.c.locality_code, schema.localities.c.locality_name).limit(1)
        ).one()
        urn = connection.execute(
            sa.select(schema.schools.c.urn).where(schema.schools.c.latitude.is_not(None)).limit(1)
        ).scalar_one()
    start = latest.replace(year=latest.year - 1)
    print(f"store: {incidents:,} police incidents, {schools:,} schools; last 12 months to {latest}")
    for place, geography in (("whole region", Filters()), (f"locality {name}", Filters(locality=(locality,)))):
        view = Filters(locality=geography.locality, start=start, end=latest)
        for level in ("locality", "ward", "area"):
            ms, shapes = _median_ms(lambda g=geography, lv=level: area_boundaries(engine, lv, g), repeats)
            size = len(json.dumps(shapes["polygons"].tolist())) / 1e6
            values_ms, _ = _median_ms(
                lambda v=view, lv=level: area_values(engine, "referral_rate_per_10k", v, lv), repeats
            )
            print(
                f"{place:>22} {level:>8}: {len(shapes):>5} boundaries read in {ms:,.0f} ms ({size:.1f} MB of "
                f"coordinates); referral rate by {level} {values_ms:,.0f} ms"
            )
        ms, hexagons = _median_ms(lambda v=view: incident_hexagons(engine, v, "all", 500.0, 53.0), repeats)
        print(f"{place:>22}: {len(hexagons):,} hexagons of 5 or more incidents counted in {ms:,.0f} ms")
        ms, schools_frame = _median_ms(lambda g=geography: schools_in_view(engine, g), repeats)
        print(f"{place:>22}: {len(schools_frame):,} schools read in {ms:,.0f} ms")
    ms, _ = _median_ms(lambda: incidents_near_school(engine, urn, Filters(start=start, end=latest)), repeats)
    print(f"one school's incidents within 500 m, month by month: {ms:,.0f} ms")
    engine.dispose()
    return name, str(start)


def _page_rerun(url: str, locality: str, repeats: int) -> None:
    from tests.app_pages import run_page

    os.environ["LOS_STORE_URL"] = url
    for label, query in (
        ("whole region, wards, all incidents", {"map_level": "Ward", "map_incidents": "All police incidents"}),
        (f"{locality}, small areas", {"locality": [locality], "map_level": "Small area"}),
    ):
        started = time.perf_counter()
        app = run_page("pages/demand_map.py", query)
        first = time.perf_counter() - started
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
        spec = app.get("deck_gl_json_chart")
        size = len(spec[0].proto.json) / 1e6 if spec else 0.0
        median = statistics.median(times) * 1000
        verdict = "within" if median < 500 else "over"
        print(
            f"map page ({label}): first view {first:,.1f} s (AppTest start, the default page, then the map's "
            f"reads and caches); rerun median "
            f"{median:,.0f} ms (target 500 ms: {verdict}); map spec {size:.1f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store")
    parser.add_argument("--build", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    url = args.store or _build(args.build)
    locality, _ = _store_reads(url, args.repeats)
    _page_rerun(url, locality, args.repeats)


if __name__ == "__main__":
    main()
