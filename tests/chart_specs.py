"""Plotly charts as a page drew them under AppTest, with numeric arrays decoded to plain lists (plotly writes
numpy arrays as base64 "bdata" in its JSON)."""

from __future__ import annotations

import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest


def _decoded(value):
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            return array.reshape(value["shape"]).tolist() if "shape" in value else array.tolist()
        return {key: _decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


def chart_specs(app: AppTest) -> list[dict]:
    """Every plotly chart on the page, in page order, as a dict with "data" and "layout"."""
    return [_decoded(json.loads(chart.proto.spec)) for chart in app.get("plotly_chart")]


def chart_titled(app: AppTest, title: str) -> dict:
    """The chart whose title (before its subtitle) is `title`."""
    for spec in chart_specs(app):
        if spec["layout"]["title"]["text"].split("<br>")[0] == title:
            return spec
    raise AssertionError(f"no chart titled {title!r}")


def trace(spec: dict, name: str | None = None) -> dict:
    """A chart's trace by name (the first trace when no name is given)."""
    if name is None:
        return spec["data"][0]
    return next(t for t in spec["data"] if t.get("name") == name)
