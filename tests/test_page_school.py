"""The school drill-down under AppTest: the school comes from the URL; its referrals by outcome and the
factors found, incidents near it month by month with SPC, and its referral rate beside similar schools
equal the metrics layer's for the same view and tests/geo_world.py's hand-worked values, with small
counts hidden."""

from __future__ import annotations

import base64
import datetime as dt
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.metrics.compute import Filters
from dashboard.metrics.maps import schools_in_view
from dashboard.metrics.near_schools import incidents_near_school
from dashboard.metrics.presentation import disclosed
from dashboard.metrics.school_profile import factors_found, referral_rates, similar_schools
from data_connectors.store import make_engine
from tests.app_pages import run_page
from tests.geo_world import ALDER, ALDER_MONTHLY

PAGE = "pages/school.py"
ALL_DATA = Filters(start=dt.date(2024, 1, 3), end=dt.date(2024, 6, 20))


def figure(app: AppTest, key: str) -> dict:
    charts = [c for c in app.get("plotly_chart") if c.proto.id.endswith(key)]
    assert len(charts) == 1, key
    return json.loads(charts[0].proto.spec)


def values(trace: dict) -> list[float | None]:
    """A plotly trace's numbers (plotly sends arrays as base64 typed arrays)."""
    data = trace.get("x") if trace.get("type") == "bar" else trace.get("y")
    if isinstance(data, dict):
        data = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in data]


def table(app: AppTest, first_column: str):
    return next(d.value for d in app.dataframe if d.value.columns[0] == first_column)


def test_the_school_in_the_link_opens_with_its_referrals(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "school": "Alder Primary"})
    assert app.selectbox(key="school").value == ALDER
    assert "**Alder Primary** · Primary · 300 pupils, in a small area of IMD decile 2 · North" in [
        m.value for m in app.markdown
    ]
    assert {m.label: m.value for m in app.metric} == {"Referrals from this school": "9"}
    outcomes = table(app, "Outcome").set_index("Outcome")["Referrals"]
    # by hand: 5 assessments, 2 section 47, 2 no further action (the two 2s hidden, the zeros shown)
    assert outcomes["Assessment required"] == "5"
    assert outcomes["No further action"] == "<5"
    assert outcomes["Strategy discussion and/or section 47 enquiry"] == "<5"
    assert outcomes["Other"] == "0"
    factors = table(app, "Code").set_index("Code")
    expected = disclosed(factors_found(make_engine(store), ALDER, ALL_DATA)).set_index("factor")
    assert factors.loc["11A", "Share (%)"] == f"{expected.loc['11A', 'value']:.1f}" == "100.0"  # 5 of 5
    assert factors.loc["11A", "Assessments"] == "5"
    assert factors.loc["13A", "Assessments with the factor"] == "<5"
    assert factors.loc["4B", "Share (%)"] == "c"
    bars = figure(app, "school_factors")["data"][0]
    assert values(bars)[-1] == pytest.approx(100.0)


def test_incidents_near_the_school_by_month_with_spc(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "school": "Alder Primary"})
    chart = figure(app, "school_spc")
    traces = {trace.get("name"): trace for trace in chart["data"]}
    assert chart["layout"]["title"]["text"].startswith("All police incidents within 500 m of Alder Primary")
    series = incidents_near_school(make_engine(store), ALDER, ALL_DATA)
    assert series["numerator"].tolist() == list(ALDER_MONTHLY.values()) == [6, 5, 7, 2, 8, 12]
    # April's 2 is hidden, and left out of the mean: (6 + 5 + 7 + 8 + 12) / 5 = 7.6
    assert values(traces["Police incidents near the school"]) == [6.0, 5.0, 7.0, None, 8.0, 12.0]
    assert values(traces["mean"]) == pytest.approx([7.6] * 6)
    assert "hidden (small numbers)" in traces
    assert not any("snapped" in i.value for i in app.info)  # the incidents near Alder are recorded locations


@pytest.mark.parametrize(
    ("radius", "kind", "march", "june"),
    [
        ("250 m", "All police incidents", 6, 12),  # the incident 468 m east falls outside
        ("1 km", "All police incidents", 10, 12),  # the three burglaries 669 m east come in
        ("500 m", "Hate crime and hate incidents", 0, 6),
    ],
)
def test_the_radius_and_the_kind_of_incident(store: str, radius: str, kind: str, march: int, june: int) -> None:
    app = run_page(
        PAGE, {"period": "All data", "school": "Alder Primary", "school_radius": radius, "school_incidents": kind}
    )
    shown = values({t.get("name"): t for t in figure(app, "school_spc")["data"]}["Police incidents near the school"])
    assert shown[2] == (march if march >= 5 else (0.0 if march == 0 else None))
    assert shown[5] == june


def test_similar_schools_and_the_referral_rate_per_100_pupils(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "school": "Alder Primary"})
    caption = next(c.value for c in app.caption if c.value.startswith("Similar schools"))
    assert caption.startswith(
        "Similar schools: primary schools of 200-399 pupils in areas of similar deprivation (IMD decile 1 to 3)."
    )
    peers = table(app, "School").set_index("School")
    # by hand: Alder 9 referrals / (300 pupils x half a year) x 100 = 6.00; Birch 6 / (320 x 0.5) x 100 = 3.75;
    # Cedar and Gorse made 2 each (hidden); Elm (900 pupils), Fir (IMD 8) and Damson (secondary) are not similar
    assert list(peers.index) == ["Alder Primary (this school)", "Birch Primary", "Cedar Primary", "Gorse Primary"]
    assert peers.loc["Alder Primary (this school)", "Per 100 pupils a year"] == "6.00"
    assert peers.loc["Birch Primary", "Per 100 pupils a year"] == "3.75"
    assert peers.loc["Cedar Primary", "Referrals"] == "<5"
    engine = make_engine(store)
    group, _ = similar_schools(schools_in_view(engine, Filters()), ALDER)
    expected = referral_rates(engine, group, ALL_DATA).set_index("urn")
    assert float(peers.loc["Birch Primary", "95% interval from"]) == pytest.approx(
        expected.loc["100002", "lower"], abs=0.005
    )
    bars = figure(app, "school_peers")["data"][0]
    assert bars["marker"]["color"][-1] == "#E69F00"  # the school itself, highest, in orange


def test_a_school_with_few_referrals_and_police_uk_incidents(store: str) -> None:
    app = run_page(
        PAGE, {"period": "All data", "school": "Cedar Primary", "school_incidents": "Hate crime and hate incidents"}
    )
    infos = [i.value for i in app.info]
    assert (
        "This school made fewer than 5 referrals in this period: they are not broken down, to protect the "
        "children concerned." in infos
    )
    assert any("snapped to anonymous map points" in i for i in infos)  # the two hate crimes near Cedar


def test_no_school_chosen_asks_for_one(store: str) -> None:
    app = run_page(PAGE, {"period": "All data"})
    assert [i.value for i in app.info] == ["Choose a school above, or click a school on the demand map."]


def test_the_locality_filter_narrows_the_list_of_schools(store: str) -> None:
    app = run_page(PAGE, {"period": "All data", "locality": ["South"], "school": "Alder Primary"})
    assert app.selectbox(key="school").options == ["Cedar Primary", "Damson High", "Fir Primary"]
    assert app.selectbox(key="school").value is None  # Alder Primary is in the north
