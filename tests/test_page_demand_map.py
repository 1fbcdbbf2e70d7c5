"""The demand map under AppTest: its pydeck spec (read from the element's proto) has the layers, tooltips
and colours the view asks for, never an incident's own position or a small count, and the figures equal
the metrics layer's for the same view (and tests/geo_world.py's hand-worked values)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.metrics.catalogue import metric
from dashboard.metrics.compute import Filters
from dashboard.metrics.intervals import rate_per_10k
from dashboard.metrics.maps import INCIDENT_KINDS, area_values, incident_hexagons
from dashboard.metrics.presentation import disclosed
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.app_pages import run_page
from tests.geo_world import ALDER, CLUSTER, NEAR_EDGE, OUTSIDE, SCHOOLS
from tests.metrics_world import write_metrics_world
from tests.stores import TEST_KEY, new_store_url

PAGE = "pages/demand_map.py"
ALL_DATA = Filters(start=dt.date(2024, 1, 3), end=dt.date(2024, 6, 20))  # geo_world's span
FY_2023 = Filters(start=dt.date(2023, 4, 1), end=dt.date(2024, 3, 31))
HIDDEN_GREY = [150, 150, 150, 230]
POINT_LAYERS = {"ScatterplotLayer", "HexagonLayer", "HeatmapLayer", "ScreenGridLayer", "GridLayer", "IconLayer"}
SENSITIVE = [key for key, kind in INCIDENT_KINDS.items() if kind.sensitive]


def deck(app: AppTest) -> tuple[dict, dict]:
    """The map's pydeck spec and its tooltip setting, as the browser receives them."""
    charts = app.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json), json.loads(charts[0].proto.tooltip)


def layers(spec: dict) -> dict[str, dict]:
    return {layer["id"]: layer for layer in spec["layers"]}


def areas(spec: dict) -> dict[str, dict]:
    return {row["name"]: row for row in layers(spec)["areas"]["data"]}


def click(app: AppTest, layer: str, index: int) -> AppTest:
    """Click an object on the map, as the browser reports a pydeck selection (AppTest has no map widget)."""
    chart = app.get("deck_gl_json_chart")[0]
    picked = layers(json.loads(chart.proto.json))[layer]["data"][index]
    states = app._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {"indices": {layer: [index]}, "objects": {layer: [picked]}}})
    app._run(states)
    assert not app.exception, [e.message for e in app.exception]
    return app


def expected_tooltip_value(frame, level: str, code: str) -> tuple[str, str]:
    row = frame[frame[level] == code].iloc[0]
    return f"{row['value']:,.1f} per 10,000 a year", f"95% interval {row['lower']:,.1f} to {row['upper']:,.1f}"


def test_ward_map_has_its_layers_tooltips_and_values(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "map_level": "Ward"})
    spec, tooltip = deck(app)
    found = layers(spec)
    assert [(layer["@@type"], layer["id"]) for layer in spec["layers"]] == [
        ("PolygonLayer", "areas"),
        ("PolygonLayer", "incident_hexagons"),
        ("TextLayer", "area_names"),
        ("ScatterplotLayer", "schools"),
    ]
    assert tooltip["text"] == "{tooltip}"
    assert "mapStyle" not in spec and "mapProvider" not in spec  # no base map unless one is configured
    assert [row["name"] for row in found["area_names"]["data"]] == ["Ward One", "Ward Three", "Ward Two"]
    # every ward's value equals the metrics layer's for the same view, and the hand-worked rate
    engine = make_engine(store)
    expected = disclosed(area_values(engine, "referral_rate_per_10k", ALL_DATA, "ward"))
    shown = areas(spec)
    for name, code, by_hand in (("Ward One", "E05990001", 150.0), ("Ward Two", "E05990002", 160.0)):
        value, interval = expected_tooltip_value(expected, "ward", code)
        assert shown[name]["value"] == pytest.approx(by_hand)
        assert f"{name}\nReferral rate per 10,000 children: {value}\n{interval}\n" in shown[name]["tooltip"]
    assert shown["Ward Three"]["tooltip"].endswith("8 referrals; 2,000 children aged 0-17")
    # darker is higher: Ward Two (160) darkest, Ward Three (80) lightest
    assert shown["Ward Two"]["fill"][:3] == [8, 81, 156]
    assert shown["Ward Three"]["fill"][:3] == [239, 243, 255]
    # schools: every one, with name and phase in its tooltip
    schools = found["schools"]["data"]
    assert sorted(row["urn"] for row in schools) == sorted(SCHOOLS)
    alder = next(row for row in schools if row["urn"] == ALDER)
    assert alder["tooltip"].startswith("Alder Primary\nPrimary school\n300 pupils")
    assert alder["position"] == [-2.19, 53.105]
    legend = [m.value for m in app.markdown if "fewer than 5: hidden" in m.value]
    assert len(legend) == 1 and "80.0 per 10,000" in legend[0] and "160.0 per 10,000" in legend[0]
    # incidents are an overlay a reader chooses: none until then
    assert found["incident_hexagons"]["data"] == []
    assert any("Choose a kind of police incident above" in c.value for c in app.caption)


def test_small_areas_with_few_referrals_are_grey_and_say_fewer_than_5(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "map_level": "Small area"})
    spec, _ = deck(app)
    shown = areas(spec)
    for name in ("Area Two", "Area Five"):  # 3 and 2 referrals
        assert shown[name]["suppressed"] is True
        assert shown[name]["fill"] == HIDDEN_GREY
        assert shown[name]["value"] is None
        assert "fewer than 5 referrals" in shown[name]["tooltip"]
        assert not re.search(r"\d", shown[name]["tooltip"].replace("10,000", "").replace("fewer than 5", ""))
    # by hand: Area One 12 referrals over 1,000 children for half a year, exact Poisson interval
    interval = rate_per_10k(12, 500)
    assert shown["Area One"]["value"] == pytest.approx(240.0)
    assert f"95% interval {interval.lower:,.1f} to {interval.upper:,.1f}" in shown["Area One"]["tooltip"]
    assert layers(spec)["area_names"]["data"] == []  # small areas are too many to name
    table = app.dataframe[0].value
    hidden = table[table["Small area"] == "Area Two"].iloc[0]
    assert hidden["Referrals"] == "<5"


@pytest.mark.parametrize("kind", ["all", *SENSITIVE])
def test_incidents_reach_the_browser_only_as_hexagons_of_5_or_more(store: str, kind: str) -> None:
    label = INCIDENT_KINDS[kind].label
    app = run_page(PAGE, {"period": "All data", "map_level": "Small area", "map_incidents": label})
    spec, _ = deck(app)
    text = json.dumps(spec)
    for lat, lon in (CLUSTER, NEAR_EDGE, OUTSIDE):  # incidents' own positions never appear
        assert f"[{float(lon)}, {float(lat)}]" not in text
    for layer in spec["layers"]:
        if layer["@@type"] in POINT_LAYERS:
            assert layer["id"] == "schools"
            assert {row["kind"] for row in layer["data"]} <= {"school"}
    hexagons = layers(spec)["incident_hexagons"]["data"]
    assert all(row["incidents"] >= 5 and len(row["polygon"]) == 6 for row in hexagons)
    assert all(set(row) == {"kind", "polygon", "incidents", "fill", "tooltip"} for row in hexagons)
    expected = incident_hexagons(make_engine(store), ALL_DATA, kind, 500.0, 53.0, 5)
    assert sorted(row["incidents"] for row in hexagons) == sorted(expected["incidents"])
    if kind == "hate_crime":  # by hand: the six in June near Alder Primary; the two near Cedar are too few
        assert [row["incidents"] for row in hexagons] == [6]
        assert (
            hexagons[0]["tooltip"] == "6 incidents in this hexagon\nHate crime and hate incidents\nJan 2024 to Jun 2024"
        )


def test_all_incidents_by_hand_and_the_police_uk_note(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "map_level": "Ward", "map_incidents": "All police incidents"})
    hexagons = layers(deck(app)[0])["incident_hexagons"]["data"]
    # 39 at one point near Alder Primary; 5 police.uk snap points in Area Five; the rest in hexagons below 5
    assert sorted(row["incidents"] for row in hexagons) == [5, 39]
    assert [row["fill"] for row in sorted(hexagons, key=lambda row: row["incidents"])] == [
        [254, 217, 142, 170],  # the lighter of two classes
        [153, 52, 4, 170],
    ]
    legend = next(m.value for m in app.markdown if "fewer than 5: hidden" in m.value)
    assert "5 incidents" in legend and "39 incidents" in legend
    assert any("snapped to anonymous map points" in i.value for i in app.info)


def test_a_locality_narrows_the_map_and_its_notes(store: str) -> None:
    app = run_page(
        PAGE,
        {"period": "All data", "map_level": "Ward", "locality": ["North"], "map_incidents": "All police incidents"},
    )
    spec, _ = deck(app)
    assert sorted(areas(spec)) == ["Ward One", "Ward Two"]
    assert sorted(row["name"] for row in layers(spec)["schools"]["data"]) == [
        "Alder Primary",
        "Birch Primary",
        "Elm Primary",
        "Gorse Primary",
    ]
    assert [row["incidents"] for row in layers(spec)["incident_hexagons"]["data"]] == [39]
    assert not any("snapped" in i.value for i in app.info)  # North's incidents are all recorded locations
    expected = disclosed(
        area_values(make_engine(store), "referral_rate_per_10k", Filters(locality=("NORTH",), **_span()), "ward")
    )
    assert areas(spec)["Ward One"]["value"] == pytest.approx(expected.set_index("ward").loc["E05990001", "value"])


def _span() -> dict:
    return {"start": ALL_DATA.start, "end": ALL_DATA.end}


def test_a_ward_filter_offers_no_locality_level(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "ward": ["Ward Three"]})
    assert app.radio[0].options == ["Ward", "Small area"]
    assert sorted(areas(deck(app)[0])) == ["Ward Three"]


def test_the_period_filters_the_metric_and_the_incidents(store: str) -> None:
    query = {"period": "Financial year 2023-24", "map_level": "Locality", "map_incidents": "All police incidents"}
    app = run_page(PAGE, query)
    spec, _ = deck(app)
    expected = disclosed(area_values(make_engine(store), "referral_rate_per_10k", FY_2023, "locality"))
    for name, code in (("North", "NORTH"), ("South", "SOUTH")):
        row = expected.set_index("locality").loc[code]
        assert areas(spec)[name]["value"] == pytest.approx(round(row["value"], 4))
    # the financial year 2023-24 holds January to March 2024: 6 + 5 + 6 incidents at the point near Alder
    assert [row["incidents"] for row in layers(spec)["incident_hexagons"]["data"]] == [17]
    assert layers(spec)["incident_hexagons"]["data"][0]["tooltip"].endswith("Apr 2023 to Mar 2024")


def test_a_ratio_reads_as_n_of_d(store: str) -> None:
    label = metric("referral_nfa_rate").label
    app = run_page(PAGE, {"period": "All data", "map_level": "Ward", "map_metric": label})
    shown = areas(deck(app)[0])
    # by hand: Ward Two 5 of 8 referrals ended with no further action; Ward Three 3 of 8 (hidden), so Ward One
    # (5 of 15) is hidden too, or the partnership's 13 of 31 would give Ward Three away
    assert "Referrals with no further action: 62.5%\n" in shown["Ward Two"]["tooltip"]
    assert shown["Ward Two"]["tooltip"].endswith("5 of 8 referrals")
    assert shown["Ward Three"]["tooltip"].endswith(
        "fewer than 5 referrals: figures hidden to protect the children concerned"
    )
    assert shown["Ward One"]["tooltip"].endswith(
        "figures hidden so that other areas' small counts cannot be worked out"
    )
    assert shown["Ward One"]["fill"] == HIDDEN_GREY


def test_an_area_in_the_link_opens_its_panel_with_a_link_to_the_overview(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "map_level": "Ward", "map_area": "Ward One"})
    assert "#### Ward One" in [m.value for m in app.markdown]
    figures = next(m.value for m in app.markdown if m.value.startswith("- **Referral rate"))
    assert "150.0 per 10,000 a year (95% interval 84.0 to 247.4)" in figures
    links = {p.proto.label: (p.proto.page, p.proto.query_string) for p in app.get("page_link")}
    # the board overview is the default page, so its link opens at the root
    assert links["Board overview for Ward One"] == ("", "period=All+data&ward=Ward+One")


def test_clicking_an_area_then_a_school_drills_down(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "map_level": "Small area"})
    names = [row["name"] for row in layers(deck(app)[0])["areas"]["data"]]
    click(app, "areas", names.index("Area One"))
    assert "#### Area One" in [m.value for m in app.markdown]
    links = {p.proto.label: (p.proto.page, p.proto.query_string) for p in app.get("page_link")}
    assert links["Board overview for Ward One (its ward)"] == ("", "period=All+data&ward=Ward+One")
    schools = [row["urn"] for row in layers(deck(app)[0])["schools"]["data"]]
    click(app, "schools", schools.index(ALDER))
    links = {p.proto.label: (p.proto.page, p.proto.query_string) for p in app.get("page_link")}
    assert links["Open the drill-down for Alder Primary"] == ("school", "period=All+data&school=Alder+Primary")


def test_an_unreachable_base_map_is_left_out(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOS_MAP_STYLE", "http://127.0.0.1:9/style.json")
    app = run_page(PAGE, {"period": "All data"})
    spec, _ = deck(app)
    assert "mapStyle" not in spec
    assert any("base map cannot be reached" in c.value for c in app.caption)


@pytest.fixture(scope="module")
def plain_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("no-boundaries")
    url = new_store_url("duckdb", folder, request)
    run_load([write_metrics_world(folder / "world")], url, key=TEST_KEY)
    return url


def test_without_boundaries_the_page_says_what_to_load(plain_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", plain_url)
    app = run_page(PAGE, {"period": "All data"})
    assert [i.value for i in app.info] == [
        "No locality boundaries are loaded for this view: load a boundary file (GeoJSON, see Data › What is "
        "loaded), or choose another level."
    ]
    assert not app.get("deck_gl_json_chart")
