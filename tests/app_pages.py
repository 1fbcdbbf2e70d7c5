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

from dashboard.shell.page import SECTIONS

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


class SectionRuns:
    """A page opened at each of its sections by the section's own link (`sections[label]` is that run), read as
    one page where a test wants the whole of it: the elements of a kind from every section in turn."""

    def __init__(self, runs: dict[str, AppTest]) -> None:
        self._runs = runs

    def __getitem__(self, label: str) -> AppTest:
        return self._runs[label]

    def items(self):
        return self._runs.items()

    def values(self):
        return self._runs.values()

    def get(self, kind: str) -> list:
        return [element for run in self._runs.values() for element in run.get(kind)]

    def __getattr__(self, kind: str) -> list:  # markdown, caption, info, dataframe, metric, ...
        if kind.startswith("_"):
            raise AttributeError(kind)
        return [element for run in self._runs.values() for element in getattr(run, kind)]

    @property
    def session_state(self):
        return next(iter(self._runs.values())).session_state


def run_sections(page: str, query: dict[str, list[str] | str] | None = None) -> SectionRuns:
    """The page opened at each of its sections (`shell.page.SECTIONS`), as a link to each opens it."""
    sections = SECTIONS[Path(page).stem]
    return SectionRuns({label: run_page(page, {**(query or {}), sections.key: label}) for label in sections.labels})


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
