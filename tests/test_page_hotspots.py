"""The hotspots page under AppTest, on tests/geo_world.py: the school where the world plants a cluster comes
first with the count planted, small counts are hidden with what rests on them, the window follows the view's
period, each flag links to the school drill-down, the method is told in words, and the police.uk note shows
exactly when police.uk incidents are counted. Figures equal the metrics layer's for the same controls.

By hand (geo_world): six hate crimes on 10 June 2024, 130 m from Alder Primary, none near it before; two
police.uk hate crimes near Cedar Primary on 1 February. Police.uk data makes the windows whole months, so a
30-day window is June 2024, compared with February to May.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.metrics.hotspots import SNAPPED_NOTE, find_hotspots
from dashboard.shell.charts import p_value_text
from data_connectors.pipeline import run_load
from data_connectors.store import make_engine
from tests.app_pages import run_page
from tests.canonical_world import write_table
from tests.geo_world import ALDER, geo_rows
from tests.stores import TEST_KEY, new_store_url

PAGE = "pages/hotspots.py"
HATE = "Police incidents: Hate crime and hate incidents"
MONTH = {"period": "All data", "hotspot_window": "30 days"}  # "All data" ends on 20 June 2024
SCHOOLS = 7


def _load(rows: dict[str, list[dict[str, str]]], folder: Path, request: pytest.FixtureRequest) -> str:
    url = new_store_url("duckdb", folder, request)
    for table, table_rows in rows.items():
        if table_rows:  # a table with no rows is simply not loaded
            write_table(folder / "world", table, table_rows)
    result = run_load([folder / "world"], url, key=TEST_KEY)
    assert result.rejections.empty, result.rejections.to_dict("records")
    return url


def _use(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOS_STORE_URL", url)


def tables(app: AppTest):
    """The flag list, then the list of every school (in the expander)."""
    frames = [frame.value for frame in app.dataframe]
    assert [list(frame.columns[:2]) for frame in frames] == [["Rank", "School"]] * len(frames)
    return frames


def infos(app: AppTest) -> list[str]:
    return [info.value for info in app.info]


def test_the_planted_cluster_comes_first_with_its_count(store: str) -> None:
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE})
    assert app.selectbox(key="hotspot_what").value == "incidents:hate_crime"
    assert app.subheader[0].value == "Flagged schools (1)"
    flagged, every = tables(app)
    alder = flagged.iloc[0].to_dict()
    # 6 now, none in February to May: expected 0 from its own history (so no ratio), emerging
    assert alder == {
        "Rank": 1,
        "School": "Alder Primary",
        "Phase": "Primary",
        "Incidents now": "6",
        "In the 4 windows before": "0",
        "Expected now": "0.0",
        "Ratio (now / expected)": "",
        "Compared with": "own history",
        "Adjusted p": "<0.001",
        "Cluster": "Emerging",
    }
    assert every["School"].tolist()[0] == "Alder Primary" and len(every) == SCHOOLS
    caption = next(c.value for c in app.caption if c.value.startswith("Counting"))
    assert caption.startswith(
        "Counting police incidents (hate crime and hate incidents) in the window **01 Jun 2024 to 30 Jun 2024**, "
        "which ends with the view's period. Compared with the 4 windows of the same length before it (from 01 Feb "
        "2024)"
    )
    assert f"Every school in the store is tested ({SCHOOLS})" in caption
    # By hand: 6 of the 6 events in the 5 months fall in June, each with chance 1/5: p = (1/5)^6, doubled for
    # the two questions asked (own history, area). The other six schools have p = 1, so Benjamini-Hochberg
    # multiplies Alder's by 7. The page shows it as <0.001; the metrics layer holds the number.
    engine = make_engine(store)
    try:
        result = find_hotspots(engine, category="hate_crime", radius_m=500, window_days=30, end=dt.date(2024, 6, 20))
    finally:
        engine.dispose()
    row = result.set_index("urn").loc[ALDER]
    assert row["p_value"] == pytest.approx(2 * 0.2**6)
    assert row["p_adjusted"] == pytest.approx(SCHOOLS * 2 * 0.2**6)  # 0.000896


def test_small_counts_are_hidden_with_what_rests_on_them(store: str) -> None:
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE})
    every = tables(app)[1].set_index("School")
    cedar = every.loc["Cedar Primary"]
    # Cedar's two police.uk hate crimes in February: shown as <5, and its expectation from its history
    # (2 / 4 = 0.5), which would give them away, as c
    assert cedar["In the 4 windows before"] == "<5"
    assert cedar["Expected from its history"] == "c"
    assert cedar["Expected now"] == "c" and cedar["Ratio (now / expected)"] == "c"
    assert cedar["Incidents now"] == "0" and cedar["Adjusted p"] == "1.000"
    assert "Counts from 1 to 4 are shown as <5 to protect the children concerned" in " ".join(
        c.value for c in app.caption
    )
    # Referrals with 11A: Alder's one in the window (20 June) and four before are hidden, with its p-value
    # and ratio; no distance applies to referrals
    app = run_page(PAGE, {**MONTH, "hotspot_what": "Referrals with factor 11A: Child sexual exploitation"})
    assert app.select_slider(key="hotspot_radius").disabled
    assert app.subheader[0].value == "Flagged schools (0)"
    alder = tables(app)[0].set_index("School").loc["Alder Primary"]
    assert alder["Referrals now"] == "<5" and alder["In the 4 windows before"] == "<5"
    assert alder["Adjusted p"] == "c" and alder["Ratio (now / expected)"] == "c"


def test_each_flag_links_to_the_school_drill_down(store: str) -> None:
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE})
    links = {link.proto.label: (link.proto.page, link.proto.query_string) for link in app.get("page_link")}
    assert links["1. Alder Primary (emerging)"] == ("school", "period=All+data&school=Alder+Primary")


def test_the_method_is_told_in_words(store: str) -> None:
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE})
    method = next(m.value for m in app.markdown if m.value.startswith("**What is counted.**"))
    assert (
        "For each school, the police incidents of the chosen kind within 500 m of it (as the crow flies) in the "
        "window, 01 Jun 2024 to 30 Jun 2024." in method
    )
    assert "**its own history**, the same count in each of the 4 windows of the same length just before" in method
    assert "the incidents in a ring 2 km around the school" in method
    assert f"With {SCHOOLS} schools tested" in method and "Benjamini-Hochberg" in method
    assert "at least 5 incidents in the window" in method


def test_the_police_uk_note_shows_only_when_police_uk_incidents_are_counted(
    store: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE})
    assert SNAPPED_NOTE in infos(app)  # Cedar's two hate crimes are police.uk snap points
    # burglaries are all recorded locations: no note, and none near a school (669 m from the nearest)
    app = run_page(PAGE, {**MONTH, "hotspot_what": "Police incidents: Burglary"})
    assert not any("snapped" in info for info in infos(app))
    assert infos(app) == [
        "No police incidents (burglary) were counted near any school in this view, in the window or the windows "
        "before it: there is nothing to compare. Try a longer window, a wider distance or another kind."
    ]
    # the same world with no police.uk data at all: Alder is flagged, with no note; the windows are days
    rows = copy.deepcopy(geo_rows())
    for incident in rows["police_incidents"]:
        incident["location_precision"] = "EXACT"
    _use(_load(rows, tmp_path, request), monkeypatch)
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE})
    assert not any("snapped" in info for info in infos(app))
    assert tables(app)[0].iloc[0]["School"] == "Alder Primary"
    assert any("**22 May 2024 to 20 Jun 2024**" in c.value for c in app.caption)


def test_the_window_follows_the_view_and_the_place_filter_chooses_the_list(store: str) -> None:
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE, "period": "Financial year 2023-24"})
    assert any("**01 Mar 2024 to 31 Mar 2024**" in c.value for c in app.caption)  # the year ends in March
    assert app.subheader[0].value == "Flagged schools (0)"
    assert infos(app)[1].startswith("No school in this view stands out: none has an adjusted p-value below 0.05")
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE, "locality": ["South"]})
    every = tables(app)[0]
    assert every["School"].tolist() == ["Cedar Primary", "Damson High", "Fir Primary"]
    assert every["Rank"].tolist() == [1, 2, 3]
    assert "1 more school outside this view is flagged: widen the place filter to see them." in [
        c.value for c in app.caption
    ]


def test_exploitation_near_schools_is_counted_first(store: str) -> None:
    app = run_page(PAGE, {"period": "All data"})
    assert app.selectbox(key="hotspot_what").value == "incidents:cse_concern"
    assert app.select_slider(key="hotspot_radius").value == 500
    assert app.select_slider(key="hotspot_window").value == 91
    # geo_world has no incident flagged as a child sexual exploitation concern
    assert infos(app)[-1].startswith("No police incidents (child sexual exploitation concern) were counted near")


def test_no_schools_or_no_incidents_say_so(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    rows = copy.deepcopy(geo_rows())
    rows["police_incidents"] = []
    _use(_load(rows, tmp_path / "no-incidents", request), monkeypatch)
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE})
    assert infos(app) == [
        "No police incidents are loaded yet, so there is nothing to count near schools: see Data › What is loaded."
    ]
    rows["schools"] = []
    for referral in rows["referrals"]:
        referral["school_urn"] = ""  # no school to refer from
    _use(_load(rows, tmp_path / "no-schools", request), monkeypatch)
    app = run_page(PAGE, {**MONTH, "hotspot_what": HATE})
    assert infos(app) == ["No schools are loaded for this view: load the schools list (GIAS), or widen the place."]


def test_adjusted_p_values_in_words() -> None:
    assert [p_value_text(0.0123), p_value_text(0.000896), p_value_text(1.0)] == ["0.012", "<0.001", "1.000"]
    assert p_value_text(np.nan) == "" and p_value_text(0.2, hidden=True) == "c"
