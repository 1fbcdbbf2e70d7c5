"""The dashboard's charts are built without plotly's property checking (`shell.charts._figure`); every page
test holds each chart it draws equal to plotly's checked version (`app_pages.run_page`). These tests show
that check catching what it is there to catch."""

from __future__ import annotations

import json

import plotly.io
import pytest
from plotly.colors import get_colorscale

from dashboard.shell.charts import _figure
from tests.app_pages import as_plotly_checks_it


def test_a_value_plotly_would_have_changed_is_caught() -> None:
    named = plotly.io.to_json(_figure([{"type": "heatmap", "z": [[1, 2]], "colorscale": "Blues"}], {}))
    assert json.loads(named)["data"][0]["colorscale"] == "Blues"
    # plotly.py spells out its ColorBrewer Blues; sent by name, plotly.js would draw its own, different Blues
    checked = as_plotly_checks_it(named)
    assert checked["data"][0]["colorscale"] == [list(step) for step in get_colorscale("Blues")]
    assert checked != json.loads(named)


def test_a_property_plotly_does_not_know_is_refused() -> None:
    unknown = plotly.io.to_json(_figure([{"type": "scatter", "x": [1], "y": [2], "colour": "red"}], {}))
    with pytest.raises(ValueError, match="colour"):
        as_plotly_checks_it(unknown)


def test_a_well_formed_chart_passes_unchanged() -> None:
    spec = plotly.io.to_json(
        _figure([{"type": "bar", "x": ["Police", "Health"], "y": [3.5, 7.0]}], {"title": {"text": "Referrals"}})
    )
    assert as_plotly_checks_it(spec) == json.loads(spec)
