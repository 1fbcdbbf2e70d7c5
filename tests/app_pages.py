"""Running the dashboard headless (AppTest) on a store, with a view chosen through the URL as a copied
link would choose it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io
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
    for chart in app.get("plotly_chart"):
        assert json.loads(chart.proto.spec) == as_plotly_checks_it(chart.proto.spec)
    return app


def as_plotly_checks_it(spec: str) -> dict:
    """A chart's spec after plotly's own checking of every property (the dashboard builds its charts without
    it, `shell.charts._figure`): raises on a property plotly does not know or a value it refuses, and differs
    from the spec where plotly would have changed a value."""
    return json.loads(plotly.io.to_json(go.Figure(json.loads(spec)), validate=False))


def tiles(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def figures(app: AppTest) -> dict[str, dict]:
    """The page's plotly charts by the first line of their title, arrays decoded (plotly sends numbers
    as typed binary blocks)."""
    found = {}
    for chart in app.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            for key, value in list(trace.items()):
                trace[key] = _decoded(value)
        found[spec["layout"]["title"]["text"].split("<br>")[0]] = spec
    return found


def trace(figure: dict, name: str | None = None, kind: str | None = None) -> dict:
    """The one trace of a figure with this name (or of this type)."""
    matches = [
        t for t in figure["data"] if (name is None or t.get("name") == name) and (kind is None or t["type"] == kind)
    ]
    assert len(matches) == 1, [t.get("name") for t in figure["data"]]
    return matches[0]


def _decoded(value):
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            array = array.reshape([int(n) for n in str(shape).split(",")])
        return array.tolist()
    return value
