"""Plotly charts in one style: titled with the question they answer, exact values and intervals on hover,
suppressed values visibly marked, and the Okabe-Ito palette so colour-blind viewers read them too.
Making Data Count colours: blue for improvement, orange for concern, purple for neither, grey otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.metrics.definitions import Metric

BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, GREY = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#7F7F7F",
)
POINT_COLOURS = {
    "common_cause": GREY,
    "improvement": BLUE,
    "concern": ORANGE,
    "neutral_high": PURPLE,
    "neutral_low": PURPLE,
    "missing": GREY,
}
UNITS = {"ratio": "%", "rate_per_10k": " per 10,000", "count": ""}


def value_text(value: float, chosen: Metric) -> str:
    """A value as people read it: 22.6%, 519.4 per 10,000, 1,234."""
    if value is None or pd.isna(value):
        return "suppressed"
    if chosen.unit:
        return f"{value:,.1f}{chosen.unit}"
    if chosen.kind == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}{UNITS[chosen.kind]}"


def _layout(figure: go.Figure, title: str, caption: str, height: int = 380) -> go.Figure:
    figure.update_layout(
        title={"text": f"{title}<br><sup>{caption}</sup>", "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        hovermode="closest",
        legend={"orientation": "h", "y": -0.15},
        font={"size": 14},
    )
    return figure


def spc_chart(frame: pd.DataFrame, chosen: Metric, title: str, caption: str) -> go.Figure:
    """A series with its XmR mean and process limits; points coloured by Making Data Count type, the 95%
    interval on hover; suppressed periods drawn as hollow markers on the axis and labelled."""
    figure = go.Figure()
    x = frame["period"]
    figure.add_trace(go.Scatter(x=x, y=frame["mean"], name="mean", mode="lines", line={"color": GREY, "width": 1}))
    for column, name in (("upl", "upper process limit"), ("lpl", "lower process limit")):
        figure.add_trace(
            go.Scatter(x=x, y=frame[column], name=name, mode="lines", line={"color": GREY, "dash": "dash", "width": 1})
        )
    hover = [
        f"{period}: {value_text(v, chosen)}<br>95% interval {value_text(lo, chosen)} to {value_text(hi, chosen)}"
        f"<br>{int(n):,} of {int(d):,}"
        if chosen.kind == "ratio" and pd.notna(v)
        else f"{period}: {value_text(v, chosen)}<br>95% interval {value_text(lo, chosen)} to {value_text(hi, chosen)}"
        for period, v, lo, hi, n, d in zip(
            x,
            frame["value"],
            frame["lower"],
            frame["upper"],
            frame["numerator"].fillna(0),
            frame["denominator"].fillna(0),
            strict=True,
        )
    ]
    colours = [POINT_COLOURS.get(t, GREY) for t in frame["point_type"]]
    figure.add_trace(
        go.Scatter(
            x=x,
            y=frame["value"],
            name=chosen.label,
            mode="lines+markers",
            line={"color": BLUE, "width": 2},
            marker={"color": colours, "size": 9},
            hovertext=hover,
            hoverinfo="text",
        )
    )
    hidden = frame["value"].isna()
    if hidden.any():
        floor = np.nanmin(frame[["value", "lpl"]].to_numpy(dtype=float)) if frame["value"].notna().any() else 0
        figure.add_trace(
            go.Scatter(
                x=x[hidden],
                y=[floor] * int(hidden.sum()),
                name="suppressed (fewer than 5)",
                mode="markers",
                marker={"symbol": "circle-open", "color": VERMILLION, "size": 10},
                hovertext=[f"{p}: suppressed to protect the children concerned" for p in x[hidden]],
                hoverinfo="text",
            )
        )
    if chosen.target is not None:
        figure.add_hline(y=chosen.target, line={"color": GREEN, "dash": "dot"}, annotation_text="target")
    return _layout(figure, title, caption)


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
    labels = [
        f"{label} (suppressed)" if pd.isna(v) else label
        for label, v in zip(shown["label"], shown["value"], strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            x=shown["value"],
            y=labels,
            orientation="h",
            marker={"color": [ORANGE if c == highlight and highlight is not None else BLUE for c in shown[category]]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": shown["upper"] - shown["value"],
                "arrayminus": shown["value"] - shown["lower"],
                "color": GREY,
            },
            hovertext=[
                f"{label}: {value_text(v, chosen)} (95% interval {value_text(lo, chosen)} to {value_text(hi, chosen)})"
                for label, v, lo, hi in zip(labels, shown["value"], shown["lower"], shown["upper"], strict=True)
            ],
            hoverinfo="text",
        )
    )
    return _layout(figure, title, caption, height=max(300, 40 * len(shown) + 120))


def funnel_chart(
    frame: pd.DataFrame, label: str, denominator: str, limits: pd.DataFrame, chosen: Metric, title: str, caption: str
) -> go.Figure:
    """Each unit against its size, with 95% and 99.8% limits around the partnership value: a small unit far
    from the line may be chance, a large one is not."""
    figure = go.Figure()
    for column, name, dash in (
        ("lower_998", "99.8% limits", "dash"),
        ("upper_998", None, "dash"),
        ("lower_95", "95% limits", "dot"),
        ("upper_95", None, "dot"),
    ):
        figure.add_trace(
            go.Scatter(
                x=limits["denominator"],
                y=limits[column],
                mode="lines",
                name=name or column,
                showlegend=name is not None,
                line={"color": GREY, "dash": dash, "width": 1},
                hoverinfo="skip",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=limits["denominator"],
            y=limits["target"],
            mode="lines",
            name="partnership",
            line={"color": GREEN, "width": 1},
            hoverinfo="skip",
        )
    )
    visible = frame[frame["value"].notna()]
    colours = [ORANGE if "above" in str(p) or "below" in str(p) else BLUE for p in visible["funnel_position"]]
    figure.add_trace(
        go.Scatter(
            x=visible[denominator],
            y=visible["value"],
            mode="markers+text",
            text=visible[label],
            textposition="top center",
            marker={"color": colours, "size": 11},
            name="units",
            hovertext=[
                f"{n}: {value_text(v, chosen)} of {int(d):,} ({p})"
                for n, v, d, p in zip(
                    visible[label], visible["value"], visible[denominator], visible["funnel_position"], strict=True
                )
            ],
            hoverinfo="text",
        )
    )
    return _layout(figure, title, caption, height=460)


def heatmap(
    matrix: pd.DataFrame, x: str, y: str, z: str, title: str, caption: str, x_title: str, y_title: str
) -> go.Figure:
    """Counts in a grid with the numbers written in each cell (suppressed cells say so)."""
    table = matrix.pivot(index=y, columns=x, values=z)
    text = table.map(lambda v: "<5" if pd.isna(v) else f"{v:,.0f}")
    figure = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=list(table.columns),
            y=list(table.index),
            text=text.to_numpy(),
            texttemplate="%{text}",
            colorscale="Blues",
            hovertemplate=f"{y_title} %{{y}}<br>{x_title} %{{x}}<br>%{{text}}<extra></extra>",
        )
    )
    figure.update_xaxes(title=x_title, type="category")
    figure.update_yaxes(title=y_title, type="category", autorange="reversed")
    return _layout(figure, title, caption, height=420)
