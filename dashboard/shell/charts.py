"""Plotly charts in one style: titled with the question they answer, exact values and intervals on hover,
suppressed values visibly marked, and the Okabe-Ito palette so colour-blind viewers read them too.
Making Data Count colours: blue for improvement, orange for concern, purple for neither, grey otherwise.

Each figure is built from plain dicts in one call (`_figure`): adding traces, lines and axes one call at a
time goes through plotly's update path and took ~10-20 ms a chart. Words go in as lists; numbers as numpy
arrays, which plotly sends as binary blocks (quicker to write than lists, and a hidden value stays NaN, a
gap)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from dashboard.metrics.definitions import Metric
from dashboard.metrics.disclosure import HIDDEN_LABEL
from dashboard.metrics.frames import without_attrs

BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, GREY = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#7F7F7F",
)
BLUES = get_colorscale("Blues")  # ColorBrewer's, as plotly.py names it (plotly.js's own "Blues" differs)
POINT_COLOURS = {
    "common_cause": GREY,
    "improvement": BLUE,
    "concern": ORANGE,
    "neutral_high": PURPLE,
    "neutral_low": PURPLE,
    "missing": GREY,
}
UNITS = {"ratio": "%", "rate_per_10k": " per 10,000", "count": ""}
FUNNEL_NAMES_ALL = 8  # a funnel plot with more units names only those outside the limits (all on hover)


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """The figure from its traces and layout, without plotly checking every property against its schema, which
    was 5 of the 6 ms a chart took to build (plotly's `_validate` switch, as plotly builds its own templates;
    plotly is pinned). The builders here are fixed code, and every page test holds each chart a page draws
    equal to plotly's checked version of it (`tests/app_pages.run_page`)."""
    return go.Figure(data=data, layout=layout, _validate=False)


def value_text(value: float, chosen: Metric) -> str:
    """A value as people read it: 22.6%, 519.4 per 10,000, 1,234."""
    if value is None or pd.isna(value):
        return "suppressed"
    if chosen.unit:
        return f"{value:,.1f}{chosen.unit}"
    if chosen.kind == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}{UNITS[chosen.kind]}"


def p_value_text(value: float, hidden: bool = False) -> str:
    """A p-value as a reader takes it in: '0.012', '<0.001'; 'c' when disclosure control hid it, blank when
    there is none."""
    if hidden:
        return HIDDEN_LABEL
    if value is None or pd.isna(value):
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _line(
    value: float, line: dict, label: str | None = None, side: str = "right", vertical: bool = False
) -> tuple[dict, list[dict]]:
    """A line across the whole plot at `value` (on the x axis when `vertical`) and its label at the top, at
    the `side` end, as layout items: the fields `add_hline`/`add_vline(annotation_text=label,
    annotation_position=f"top {side}")` write, without their trip through plotly's update path (6-20 ms)."""
    if vertical:
        shape = {"xref": "x", "x0": value, "x1": value, "yref": "y domain", "y0": 0, "y1": 1}
        place = {"xref": "x", "x": value, "xanchor": "left" if side == "right" else "right"}
        place |= {"yref": "y domain", "y": 1, "yanchor": "top"}
    else:
        shape = {"xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": value, "y1": value}
        place = {"xref": "x domain", "x": 0 if side == "left" else 1, "xanchor": side}
        place |= {"yref": "y", "y": value, "yanchor": "bottom"}
    notes = [] if label is None else [{"text": label, "showarrow": False, **place}]
    return {"type": "line", **shape, "line": line}, notes


def _layout(
    title: str, caption: str, height: int = 380, lines: Sequence[tuple[dict, list[dict]]] = (), **axes: dict
) -> dict:
    """The layout every chart shares (the question as title, the view as its subtitle, legend below) with
    the chart's reference `lines` and axes, as one dict for the figure's constructor: each
    `update_layout`/`update_xaxes` call on a built figure goes through plotly's update path (~5 ms a call)."""
    layout = {
        "title": {"text": f"{title}<br><sup>{caption}</sup>", "x": 0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.15},
        "font": {"size": 14},
        **axes,
    }
    if lines:
        layout["shapes"] = [shape for shape, _ in lines]
        notes = [note for _, labels in lines for note in labels]
        if notes:
            layout["annotations"] = notes
    return layout


def spc_chart(
    frame: pd.DataFrame,
    chosen: Metric,
    title: str,
    caption: str,
    reference: tuple[float | None, str] | None = None,
) -> go.Figure:
    """A series with its XmR mean and process limits; points coloured by Making Data Count type, the 95%
    interval on hover; suppressed periods drawn as hollow markers on the axis and labelled. `reference` is
    a value to read the series against (England's published one, say) and its label, drawn as a dotted line
    (nothing when the value is missing)."""
    frame = without_attrs(frame)
    x = frame["period"].tolist()
    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": frame[column].to_numpy(),
            "name": name,
            "mode": "lines",
            "line": {"color": GREY, **dash, "width": 1},
        }
        for column, name, dash in (
            ("mean", "mean", {}),
            ("upl", "upper process limit", {"dash": "dash"}),
            ("lpl", "lower process limit", {"dash": "dash"}),
        )
    ]
    hover = [
        f"{period}: {value_text(v, chosen)}<br>95% interval {value_text(lo, chosen)} to {value_text(hi, chosen)}"
        f"<br>{int(n):,} of {int(d):,}"
        if chosen.kind == "ratio" and pd.notna(v)
        else f"{period}: {value_text(v, chosen)}<br>95% interval {value_text(lo, chosen)} to {value_text(hi, chosen)}"
        for period, v, lo, hi, n, d in zip(
            x,
            frame["value"].tolist(),
            frame["lower"].tolist(),
            frame["upper"].tolist(),
            frame["numerator"].fillna(0).tolist(),
            frame["denominator"].fillna(0).tolist(),
            strict=True,
        )
    ]
    traces.append(
        {
            "type": "scatter",
            "x": x,
            "y": frame["value"].to_numpy(),
            "name": chosen.label,
            "mode": "lines+markers",
            "line": {"color": BLUE, "width": 2},
            "marker": {"color": [POINT_COLOURS.get(t, GREY) for t in frame["point_type"].tolist()], "size": 9},
            "hovertext": hover,
            "hoverinfo": "text",
        }
    )
    # months hidden by disclosure control (a month with nothing to count is simply a gap)
    hidden = frame["value_suppressed"].astype(bool) if "value_suppressed" in frame else frame["value"].isna()
    if hidden.any():
        floor = np.nanmin(frame[["value", "lpl"]].to_numpy(dtype=float)) if frame["value"].notna().any() else 0
        periods = frame["period"][hidden].tolist()
        traces.append(
            {
                "type": "scatter",
                "x": periods,
                "y": [floor] * len(periods),
                "name": "hidden (small numbers)",
                "mode": "markers",
                "marker": {"symbol": "circle-open", "color": VERMILLION, "size": 10},
                "hovertext": [f"{p}: suppressed to protect the children concerned" for p in periods],
                "hoverinfo": "text",
            }
        )
    lines = []
    if chosen.target is not None:
        lines.append(_line(chosen.target, {"color": GREEN, "dash": "dot"}, "target"))
    if reference is not None and pd.notna(reference[0]):
        lines.append(_line(reference[0], {"color": VERMILLION, "dash": "dot", "width": 1}, reference[1], "left"))
    return _figure(traces, _layout(title, caption, lines=lines))


def _sorted_labels(
    frame: pd.DataFrame, category: str, value: str, names: dict | None, hover: list[str] | None
) -> tuple[pd.DataFrame, list[str]]:
    """Rows in ascending order (so the largest is drawn at the top), suppressed first (at the foot), with the
    names people read and "(suppressed)" where the value is hidden."""
    shown = frame.assign(
        label=frame[category].map(lambda c: (names or {}).get(c, c)), hover=hover if hover is not None else ""
    )
    shown = shown.sort_values(value, ascending=True, na_position="first")
    labels = [
        f"{label} (suppressed)" if pd.isna(v) else label
        for label, v in zip(shown["label"].tolist(), shown[value].tolist(), strict=True)
    ]
    return shown, labels


def ranked_bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    title: str,
    caption: str,
    names: dict | None = None,
    hover: list[str] | None = None,
    value_title: str = "",
) -> go.Figure:
    """Signed scores (above or below an average of 0) one bar per category, highest at the top: orange
    above the average, blue below. Suppressed categories are listed at the foot with no bar."""
    shown, labels = _sorted_labels(frame, category, value, names, hover)
    values = shown[value].tolist()
    texts = [
        f"{label}: suppressed to protect the children concerned" if pd.isna(v) else (extra or f"{label}: {v:+.2f}")
        for label, v, extra in zip(labels, values, shown["hover"].tolist(), strict=True)
    ]
    bars = {
        "type": "bar",
        "x": shown[value].to_numpy(),
        "y": labels,
        "orientation": "h",
        "marker": {"color": [ORANGE if v > 0 else BLUE for v in values]},  # a hidden value (NaN) is not > 0
        "hovertext": texts,
        "hoverinfo": "text",
    }
    layout = _layout(
        title,
        caption,
        height=max(300, 28 * len(shown) + 140),
        lines=(_line(0, {"color": GREY, "width": 1}, vertical=True),),
        xaxis={"title": {"text": value_title}},
        yaxis={"type": "category"},
    )
    return _figure([bars], layout)


def interval_dots(
    frame: pd.DataFrame,
    category: str,
    value: str,
    lower: str,
    upper: str,
    title: str,
    caption: str,
    names: dict | None = None,
    reference: float | None = 1.0,
    log: bool = True,
    highlight: str | None = None,
    value_title: str = "",
    hover: list[str] | None = None,
) -> go.Figure:
    """Estimates with their intervals as dots and whiskers (a forest plot), largest at the top, with a
    reference line (1 for a ratio: no association); rows where `highlight` is true in orange. Suppressed
    rows are listed at the foot with no dot."""
    shown, labels = _sorted_labels(frame, category, value, names, hover)
    flagged = shown[highlight].fillna(False).astype(bool).tolist() if highlight else [False] * len(shown)
    dots = {
        "type": "scatter",
        "x": shown[value].to_numpy(),
        "y": labels,
        "mode": "markers",
        "marker": {"color": [ORANGE if f else BLUE for f in flagged], "size": 10},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": (shown[upper] - shown[value]).to_numpy(),
            "arrayminus": (shown[value] - shown[lower]).to_numpy(),
            "color": GREY,
        },
        "hovertext": [
            f"{label}: suppressed to protect the children concerned"
            if pd.isna(v)
            else (extra or f"{label}: {v:.2f} (95% interval {lo:.2f} to {hi:.2f})")
            for label, v, lo, hi, extra in zip(
                labels,
                shown[value].tolist(),
                shown[lower].tolist(),
                shown[upper].tolist(),
                shown["hover"].tolist(),
                strict=True,
            )
        ],
        "hoverinfo": "text",
    }
    xaxis = {"title": {"text": value_title}}
    if log:
        ticks = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]
        xaxis |= {"type": "log", "tickvals": ticks, "ticktext": [f"{tick:g}" for tick in ticks]}
    lines = () if reference is None else (_line(reference, {"color": GREY, "dash": "dash", "width": 1}, vertical=True),)
    layout = _layout(
        title, caption, height=max(300, 28 * len(shown) + 140), lines=lines, xaxis=xaxis, yaxis={"type": "category"}
    )
    return _figure([dots], layout)


def bars_with_intervals(
    frame: pd.DataFrame,
    category: str,
    chosen: Metric,
    title: str,
    caption: str,
    names: dict | None = None,
    highlight: object = None,
) -> go.Figure:
    """One bar per category with its 95% interval, sorted, suppressed categories labelled on the axis;
    the `highlight` category (e.g. the school a page is about) drawn in orange."""
    shown = frame.assign(label=frame[category].map(lambda c: (names or {}).get(c, c)))
    shown = shown.sort_values("value", na_position="first")
    values = shown["value"].tolist()
    labels = [
        f"{label} (suppressed)" if pd.isna(v) else label
        for label, v in zip(shown["label"].tolist(), values, strict=True)
    ]
    bars = {
        "type": "bar",
        "x": shown["value"].to_numpy(),
        "y": labels,
        "orientation": "h",
        "marker": {
            "color": [ORANGE if c == highlight and highlight is not None else BLUE for c in shown[category].tolist()]
        },
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": (shown["upper"] - shown["value"]).to_numpy(),
            "arrayminus": (shown["value"] - shown["lower"]).to_numpy(),
            "color": GREY,
        },
        "hovertext": [
            f"{label}: {value_text(v, chosen)} (95% interval {value_text(lo, chosen)} to {value_text(hi, chosen)})"
            for label, v, lo, hi in zip(labels, values, shown["lower"].tolist(), shown["upper"].tolist(), strict=True)
        ],
        "hoverinfo": "text",
    }
    return _figure([bars], _layout(title, caption, height=max(300, 40 * len(shown) + 120)))


def funnel_chart(
    frame: pd.DataFrame,
    label: str,
    denominator: str,
    limits: pd.DataFrame,
    chosen: Metric,
    title: str,
    caption: str,
    x_title: str | None = None,
) -> go.Figure:
    """Each unit against its size, with 95% and 99.8% limits around the partnership value (the columns
    `proportion_limits` gives): a small unit far from the line may be chance, a large one is not."""
    sizes = limits["denominator"].to_numpy()
    traces = [
        {
            "type": "scatter",
            "x": sizes,
            "y": limits[column].to_numpy(),
            "mode": "lines",
            "name": name or column,
            "showlegend": name is not None,
            "line": {"color": GREY, "dash": dash, "width": 1},
            "hoverinfo": "skip",
        }
        for column, name, dash in (
            ("lower_99_8", "99.8% limits", "dash"),
            ("upper_99_8", None, "dash"),
            ("lower_95", "95% limits", "dot"),
            ("upper_95", None, "dot"),
        )
    ]
    traces.append(
        {
            "type": "scatter",
            "x": sizes,
            "y": limits["target"].to_numpy(),
            "mode": "lines",
            "name": "partnership",
            "line": {"color": GREEN, "width": 1},
            "hoverinfo": "skip",
        }
    )
    visible = frame[frame["value"].notna()]
    units, positions = visible[label].tolist(), visible["funnel_position"].tolist()
    outside = ["above" in str(p) or "below" in str(p) for p in positions]
    # a few units are all named on the plot; many would be unreadable, so then only those outside the limits
    named = [n if out or len(visible) <= FUNNEL_NAMES_ALL else "" for n, out in zip(units, outside, strict=True)]
    traces.append(
        {
            "type": "scatter",
            "x": visible[denominator].to_numpy(),
            "y": visible["value"].to_numpy(),
            "mode": "markers+text",
            "text": named,
            "textposition": "top center",
            "marker": {"color": [ORANGE if out else BLUE for out in outside], "size": 11},
            "name": "units",
            "hovertext": [
                f"{n}: {value_text(v, chosen)} of {int(d):,} ({p})"
                for n, v, d, p in zip(
                    units, visible["value"].tolist(), visible[denominator].tolist(), positions, strict=True
                )
            ],
            "hoverinfo": "text",
        }
    )
    layout = _layout(
        title,
        caption,
        height=460,
        xaxis={"title": {"text": x_title or denominator}, "rangemode": "tozero"},
        yaxis={"title": {"text": chosen.label + (UNITS[chosen.kind] and f" ({UNITS[chosen.kind].strip()})")}},
    )
    return _figure(traces, layout)


def heatmap(
    matrix: pd.DataFrame,
    x: str,
    y: str,
    z: str,
    title: str,
    caption: str,
    x_title: str,
    y_title: str,
    text: str | None = None,
) -> go.Figure:
    """Counts in a grid with the numbers written in each cell (suppressed cells say so); `text` names a
    column holding each cell's words (e.g. "<5" or "c" from `render`) instead of the plain number."""
    table = matrix.pivot(index=y, columns=x, values=z)
    if text is None:
        text = table.map(lambda v: "<5" if pd.isna(v) else f"{v:,.0f}")
    else:
        text = matrix.pivot(index=y, columns=x, values=text).reindex(index=table.index, columns=table.columns)
    cells = {
        "type": "heatmap",
        "z": table.to_numpy(),
        "x": list(table.columns),
        "y": list(table.index),
        "text": text.to_numpy().tolist(),
        "texttemplate": "%{text}",
        "colorscale": BLUES,
        "hovertemplate": f"{y_title} %{{y}}<br>{x_title} %{{x}}<br>%{{text}}<extra></extra>",
    }
    layout = _layout(
        title,
        caption,
        height=420,
        xaxis={"title": {"text": x_title}, "type": "category"},
        yaxis={"title": {"text": y_title}, "type": "category", "autorange": "reversed"},
    )
    return _figure([cells], layout)


def path_chart(steps: pd.DataFrame, title: str, caption: str) -> go.Figure:
    """Counts along a path (contacts to plans), one bar per step in order, each labelled with its count
    (or "<5" where hidden: the bar is then drawn at no length, so its length cannot be read off the axis,
    and the label sits at the start of the axis)."""
    names, shown = steps["step"].tolist(), steps["shown"].tolist()
    bars = {
        "type": "bar",
        "x": np.nan_to_num(steps["count"].to_numpy(dtype=float)),
        "y": names,
        "orientation": "h",
        "marker": {"color": BLUE},
        "text": shown,
        "textposition": "outside",
        "hovertext": [f"{step}: {words}" for step, words in zip(names, shown, strict=True)],
        "hoverinfo": "text",
        "cliponaxis": False,
    }
    layout = _layout(
        title,
        caption,
        height=max(300, 45 * len(steps) + 120),
        xaxis={"title": {"text": "over the period"}, "rangemode": "tozero"},
        yaxis={"type": "category", "autorange": "reversed"},
    )
    return _figure([bars], layout)
