"""Plotly charts in one style: titled with the question they answer, exact values and intervals on hover,
suppressed values visibly marked, and the Okabe-Ito palette so colour-blind viewers read them too.
Making Data Count colours: blue for improvement, orange for concern, purple for neither, grey otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.metrics.definitions import Metric
from dashboard.metrics.disclosure import HIDDEN_LABEL

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
FUNNEL_NAMES_ALL = 8  # a funnel plot with more units names only those outside the limits (all on hover)


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
    # months hidden by disclosure control (a month with nothing to count is simply a gap)
    hidden = frame["value_suppressed"].astype(bool) if "value_suppressed" in frame else frame["value"].isna()
    if hidden.any():
        floor = np.nanmin(frame[["value", "lpl"]].to_numpy(dtype=float)) if frame["value"].notna().any() else 0
        figure.add_trace(
            go.Scatter(
                x=x[hidden],
                y=[floor] * int(hidden.sum()),
                name="hidden (small numbers)",
                mode="markers",
                marker={"symbol": "circle-open", "color": VERMILLION, "size": 10},
                hovertext=[f"{p}: suppressed to protect the children concerned" for p in x[hidden]],
                hoverinfo="text",
            )
        )
    if chosen.target is not None:
        figure.add_hline(y=chosen.target, line={"color": GREEN, "dash": "dot"}, annotation_text="target")
    return _layout(figure, title, caption)


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
        f"{label} (suppressed)" if pd.isna(v) else label for label, v in zip(shown["label"], shown[value], strict=True)
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
    texts = [
        f"{label}: suppressed to protect the children concerned" if pd.isna(v) else (extra or f"{label}: {v:+.2f}")
        for label, v, extra in zip(labels, shown[value], shown["hover"], strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            x=shown[value],
            y=labels,
            orientation="h",
            marker={"color": [ORANGE if v > 0 else BLUE for v in shown[value].fillna(0)]},
            hovertext=texts,
            hoverinfo="text",
        )
    )
    figure.add_vline(x=0, line={"color": GREY, "width": 1})
    figure.update_xaxes(title=value_title)
    figure.update_yaxes(type="category")
    return _layout(figure, title, caption, height=max(300, 28 * len(shown) + 140))


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
    flagged = shown[highlight].fillna(False).astype(bool) if highlight else pd.Series(False, index=shown.index)
    figure = go.Figure(
        go.Scatter(
            x=shown[value],
            y=labels,
            mode="markers",
            marker={"color": [ORANGE if f else BLUE for f in flagged], "size": 10},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": shown[upper] - shown[value],
                "arrayminus": shown[value] - shown[lower],
                "color": GREY,
            },
            hovertext=[
                f"{label}: suppressed to protect the children concerned"
                if pd.isna(v)
                else (extra or f"{label}: {v:.2f} (95% interval {lo:.2f} to {hi:.2f})")
                for label, v, lo, hi, extra in zip(
                    labels, shown[value], shown[lower], shown[upper], shown["hover"], strict=True
                )
            ],
            hoverinfo="text",
        )
    )
    if reference is not None:
        figure.add_vline(x=reference, line={"color": GREY, "dash": "dash", "width": 1})
    if log:
        ticks = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]
        figure.update_xaxes(type="log", tickvals=ticks, ticktext=[f"{tick:g}" for tick in ticks])
    figure.update_xaxes(title=value_title)
    figure.update_yaxes(type="category")
    return _layout(figure, title, caption, height=max(300, 28 * len(shown) + 140))


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
    figure = go.Figure()
    for column, name, dash in (
        ("lower_99_8", "99.8% limits", "dash"),
        ("upper_99_8", None, "dash"),
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
    outside = ["above" in str(p) or "below" in str(p) for p in visible["funnel_position"]]
    colours = [ORANGE if out else BLUE for out in outside]
    # a few units are all named on the plot; many would be unreadable, so then only those outside the limits
    names = [
        n if out or len(visible) <= FUNNEL_NAMES_ALL else "" for n, out in zip(visible[label], outside, strict=True)
    ]
    figure.add_trace(
        go.Scatter(
            x=visible[denominator],
            y=visible["value"],
            mode="markers+text",
            text=names,
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
    figure.update_xaxes(title=x_title or denominator, rangemode="tozero")
    figure.update_yaxes(title=chosen.label + (UNITS[chosen.kind] and f" ({UNITS[chosen.kind].strip()})"))
    return _layout(figure, title, caption, height=460)


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


def reference_line(figure: go.Figure, value: float | None, label: str) -> go.Figure:
    """A labelled horizontal line (England's published value, say) for reading a chart against."""
    if value is not None and pd.notna(value):
        figure.add_hline(
            y=value,
            line={"color": VERMILLION, "dash": "dot", "width": 1},
            annotation_text=label,
            annotation_position="top left",
        )
    return figure


def path_chart(steps: pd.DataFrame, title: str, caption: str) -> go.Figure:
    """Counts along a path (contacts to plans), one bar per step in order, each labelled with its count
    (or "<5" where hidden: the bar is then left out, so its length cannot be read off the axis)."""
    figure = go.Figure(
        go.Bar(
            x=steps["count"],
            y=steps["step"],
            orientation="h",
            marker={"color": BLUE},
            text=steps["shown"],
            textposition="outside",
            hovertext=[f"{step}: {shown}" for step, shown in zip(steps["step"], steps["shown"], strict=True)],
            hoverinfo="text",
            cliponaxis=False,
        )
    )
    figure.update_yaxes(type="category", autorange="reversed")
    figure.update_xaxes(title="over the period", rangemode="tozero")
    return _layout(figure, title, caption, height=max(300, 45 * len(steps) + 120))
