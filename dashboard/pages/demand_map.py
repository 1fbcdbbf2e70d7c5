"""Where is demand and risk? A map of any area-level rate or share, with schools and police incidents
(counted into hexagons in the store, never drawn one by one), readable with no internet: the boundaries,
schools and names carry the map; a base map appears only when one is configured and reachable.

Clicking an area opens its figures below the map; clicking a school leads to the school drill-down.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboard.metrics.catalogue import metric
from dashboard.metrics.compute import Filters
from dashboard.metrics.definitions import Metric
from dashboard.metrics.disclosure import REASON_SMALL
from dashboard.metrics.maps import INCIDENT_KINDS, LEVEL_NAMES, map_metric_ids
from dashboard.metrics.presentation import disclosed
from dashboard.metrics.radius import metres_text
from dashboard.shell.charts import value_text
from dashboard.shell.geo import (
    HEXAGON_WIDTHS,
    PrebuiltDeck,
    base_map,
    deck_json,
    fit_view,
    geo_read,
    hexagon_width,
    reference_latitude,
    school_labels,
    school_link,
    snapped_note,
    view_query,
)
from dashboard.shell.guard import NothingToShow, page_guard
from dashboard.shell.page import page_header
from dashboard.shell.store_facts import data_version
from dashboard.shell.tables import shown_table
from dashboard.shell.view import View
from dashboard.store_access import current_store_url
from data_connectors.config import suppression_threshold

TITLE = "Where is demand and risk?"
MAP_KEY = "demand_map"
AREA_KEY = "map_area"
SCHOOL_KEY = "map_school"
DEFAULT_METRIC = "referral_rate_per_10k"
NO_INCIDENTS = "none"
MOST_LABELS = 60  # more area names than this would cover the map: the tooltips carry them
PANEL_METRICS = ("referral_rate_per_10k", "s47_rate_per_10k", "cp_plan_rate_per_10k")
# ColorBrewer sequential Blues for the areas and YlOrBr for incident hexagons (both read by colour-blind
# viewers, and apart from each other); greys for hidden areas and areas without data
AREA_COLOURS = ((239, 243, 255), (189, 215, 231), (107, 174, 214), (49, 130, 189), (8, 81, 156))
HIDDEN_COLOUR = (150, 150, 150)
NO_DATA_COLOUR = (235, 235, 235)
HEX_COLOURS = ((254, 217, 142), (254, 153, 41), (217, 95, 14), (153, 52, 4))
NOUNS = {
    "referrals": "referrals",
    "contacts": "contacts",
    "assessments": "assessments",
    "assessments_authorised": "assessments",
    "assessment_factors": "assessments",
    "s47_enquiries": "section 47 enquiries",
    "icpcs": "conferences",
    "cp_plans": "plans",
    "cp_plans_ended": "plans",
    "early_help_episodes": "early help episodes",
    "early_help_ended": "early help episodes",
    "neglect_assessments": "neglect assessments",
    "health_events": "events",
    "school_attendance": "pupils",
}


def _noun(chosen: Metric) -> str:
    return NOUNS.get(chosen.numerator.source, "events")


def _bound(value: float, chosen: Metric) -> str:
    """An interval limit: the number alone, with % for shares."""
    return value_text(value, chosen) if chosen.kind == "ratio" else f"{value:,.1f}"


def value_words(chosen: Metric, value: float) -> str:
    """A map value as people read it: rates are per 10,000 children a year over the period."""
    return value_text(value, chosen) + (" a year" if chosen.kind == "rate_per_10k" else "")


def hidden_words(row: pd.Series, chosen: Metric, threshold: int) -> str | None:
    """Why an area's figures are hidden, or None when they are shown."""
    flag = row.get("value_suppressed")
    if flag is None or pd.isna(flag) or not flag:
        return None
    parts = str(row.get("suppression_reason", "")).split("; ")
    if any(part in (f"numerator: {REASON_SMALL}", f"denominator: {REASON_SMALL}") for part in parts):
        return f"fewer than {threshold} {_noun(chosen)}: figures hidden to protect the children concerned"
    return "figures hidden so that other areas' small counts cannot be worked out"


def area_tooltip(row: pd.Series, chosen: Metric, threshold: int) -> str:
    """The tooltip of one area (plain text, a line per fact), built only from disclosed figures."""
    head = f"{row['name']}\n{chosen.label}"
    hidden = hidden_words(row, chosen, threshold)
    if hidden:
        return f"{head}\n{hidden}"
    if pd.isna(row["value"]):
        return f"{head}\nno data for this period"
    interval = f"95% interval {_bound(row['lower'], chosen)} to {_bound(row['upper'], chosen)}"
    counts = (
        f"{row['numerator']:,.0f} of {row['denominator']:,.0f} {_noun(chosen)}"
        if chosen.kind == "ratio"
        else f"{row['numerator']:,.0f} {_noun(chosen)}; {row['denominator']:,.0f} children aged 0-17"
    )
    return f"{head}: {value_words(chosen, row['value'])}\n{interval}\n{counts}"


def colour_classes(values: pd.Series) -> list[float]:
    """Class breaks (lower bounds of the classes after the first): each value its own class when there are
    five or fewer, else the quintiles of the values shown."""
    shown = np.unique(values.dropna().to_numpy(dtype=float))
    if len(shown) <= len(AREA_COLOURS):
        return [float(v) for v in shown[1:]]
    return sorted(set(np.round(np.quantile(shown, [0.2, 0.4, 0.6, 0.8]), 6).tolist()) - {float(shown.min())})


def class_spans(values: pd.Series, breaks: list[float]) -> list[tuple[int, float, float]]:
    """(class, lowest, highest) of the values actually in each class, for the legend."""
    shown = values.dropna().to_numpy(dtype=float)
    positions = np.searchsorted(breaks, shown, side="right")
    return [
        (int(k), float(shown[positions == k].min()), float(shown[positions == k].max()))
        for k in sorted(set(positions.tolist()))
    ]


def _scale(breaks: list[float]) -> tuple[tuple[int, int, int], ...]:
    """The colours for as many classes as there are breaks plus one, spread across the whole ramp."""
    return AREA_COLOURS if len(breaks) >= 4 else AREA_COLOURS[:: max(1, 4 // max(len(breaks), 1))]


def area_colour(value: float, hidden: bool, breaks: list[float]) -> list[int]:
    if hidden:
        return [*HIDDEN_COLOUR, 230]
    if pd.isna(value):
        return [*NO_DATA_COLOUR, 200]
    scale = _scale(breaks)
    return [*scale[min(int(np.searchsorted(breaks, value, side="right")), len(scale) - 1)], 200]


def hexagon_breaks(counts: pd.Series) -> list[float]:
    """Class breaks for the hexagons shown: each count its own class when there are four or fewer, else
    the quartiles (classes follow the view, so a locality's hotspots stand out as a region's do)."""
    shown = np.unique(counts.dropna().to_numpy(dtype=float))
    if len(shown) <= len(HEX_COLOURS):
        return [float(v) for v in shown[1:]]
    return sorted(set(np.round(np.quantile(shown, [0.25, 0.5, 0.75])).tolist()) - {float(shown.min())})


def _hex_scale(breaks: list[float]) -> tuple[tuple[int, int, int], ...]:
    return HEX_COLOURS if len(breaks) >= 3 else HEX_COLOURS[:: max(1, 3 // max(len(breaks), 1))]


def hexagon_colour(count: int, breaks: list[float]) -> list[int]:
    scale = _hex_scale(breaks)
    return [*scale[min(int(np.searchsorted(breaks, count, side="right")), len(scale) - 1)], 170]


def drawn(shapes: pd.DataFrame, values: pd.DataFrame, level: str) -> pd.DataFrame:
    """The disclosed figures of the areas that have a boundary, with their shapes."""
    table = shapes.merge(values, left_on="code", right_on=level, how="left")
    table["value_suppressed"] = table["value_suppressed"].astype("boolean").fillna(False).astype(bool)
    return table


def area_rows(table: pd.DataFrame, breaks: list[float], chosen: Metric, threshold: int) -> list[dict]:
    """One row per polygon (an area in several parts gives several rows, each with the area's figures)."""
    rows = []
    for _, row in table.iterrows():
        hidden = bool(row["value_suppressed"])
        fill = area_colour(row["value"], hidden, breaks)
        tooltip = area_tooltip(row, chosen, threshold)
        for polygon in row["polygons"]:
            rows.append(
                {
                    "kind": "area",
                    "code": row["code"],
                    "name": row["name"],
                    "polygon": polygon,
                    "fill": fill,
                    "suppressed": hidden,
                    "value": None if hidden or pd.isna(row["value"]) else round(float(row["value"]), 4),
                    "tooltip": tooltip,
                }
            )
    return rows


def legend(
    chosen: Metric, values: pd.Series, breaks: list[float], hexagon_counts: pd.Series | None, threshold: int
) -> str:
    """The colour key: each class of the areas with the range of values in it, hidden and no-data areas,
    schools and hexagons."""
    scale = _scale(breaks)
    items = []
    for position, low, high in class_spans(values, breaks):
        span = value_text(low, chosen) if low == high else f"{_bound(low, chosen)} to {value_text(high, chosen)}"
        items.append(_swatch(scale[min(position, len(scale) - 1)], span))
    items.append(_swatch(HIDDEN_COLOUR, f"fewer than {threshold}: hidden"))
    items.append(_swatch(NO_DATA_COLOUR, "no data"))
    items.append(_dot("school"))
    if hexagon_counts is not None and not hexagon_counts.empty:
        cuts = hexagon_breaks(hexagon_counts)
        for position, low, high in class_spans(hexagon_counts, cuts):
            span = f"{low:,.0f}" if low == high else f"{low:,.0f} to {high:,.0f}"
            items.append(_swatch(_hex_scale(cuts)[min(position, len(_hex_scale(cuts)) - 1)], f"{span} incidents"))
    return " &nbsp; ".join(items)


def _swatch(colour: tuple[int, int, int], text: str) -> str:
    r, g, b = colour
    return (
        f'<span style="display:inline-block;width:14px;height:14px;background:rgb({r},{g},{b});'
        f'border:1px solid #555;vertical-align:middle"></span> {text}'
    )


def _dot(text: str) -> str:
    return (
        '<span style="display:inline-block;width:12px;height:12px;border-radius:50%;background:#fff;'
        f'border:2px solid #000;vertical-align:middle"></span> {text}'
    )


def hexagon_rows(hexagons: pd.DataFrame, kind_label: str, period: str) -> list[dict]:
    breaks = hexagon_breaks(hexagons["incidents"])
    return [
        {
            "kind": "incidents",
            "polygon": polygon,
            "incidents": int(count),
            "fill": hexagon_colour(int(count), breaks),
            "tooltip": f"{count:,} incidents in this hexagon\n{kind_label}\n{period}",
        }
        for polygon, count in zip(hexagons["polygon"], hexagons["incidents"], strict=True)
    ]


def school_rows(schools: pd.DataFrame, labels: dict[str, str]) -> list[dict]:
    rows = []
    for school in schools.itertuples(index=False):
        if pd.isna(school.latitude) or pd.isna(school.longitude):
            continue
        pupils = "" if pd.isna(school.pupils) else f"\n{int(school.pupils):,} pupils"
        rows.append(
            {
                "kind": "school",
                "urn": school.urn,
                "name": labels[school.urn],
                "position": [float(school.longitude), float(school.latitude)],
                "tooltip": f"{school.name}\n{school.phase_name} school{pupils}\nClick to open the school",
            }
        )
    return rows


TOOLTIP = {"text": "{tooltip}", "style": {"backgroundColor": "white", "color": "black", "fontSize": "13px"}}
"""Plain text, one line per fact (Streamlit escapes values put into an HTML tooltip)."""


def build_deck(
    areas: list[dict],
    labels: list[dict],
    hexagons: list[dict],
    schools: list[dict],
    view: dict,
    style: str | None = None,
    provider: str | None = None,
) -> str:
    """The map's spec (JSON): layers bottom to top areas, incident hexagons, area names, schools."""
    data = {"areas": areas, "incident_hexagons": hexagons, "area_names": labels, "schools": schools}
    layers = [
        pdk.Layer(
            "PolygonLayer",
            id="areas",
            get_polygon="polygon",
            get_fill_color="fill",
            get_line_color=[60, 60, 60, 220],
            line_width_min_pixels=1,
            stroked=True,
            filled=True,
            pickable=True,
            auto_highlight=True,
        ),
        pdk.Layer(
            "PolygonLayer",
            id="incident_hexagons",
            get_polygon="polygon",
            get_fill_color="fill",
            get_line_color=[120, 60, 0, 200],
            line_width_min_pixels=1,
            stroked=True,
            filled=True,
            pickable=True,
        ),
        pdk.Layer(
            "TextLayer",
            id="area_names",
            get_position="position",
            get_text="name",
            get_size=16,
            get_color=[20, 20, 20, 255],
            get_text_anchor="'middle'",
            get_alignment_baseline="'center'",
            background=True,
            get_background_color=[255, 255, 255, 210],
            background_padding=[3, 1],
            pickable=False,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="schools",
            get_position="position",
            get_radius=60,
            radius_min_pixels=4 if len(schools) <= 300 else 2,
            radius_max_pixels=10,
            get_fill_color=[255, 255, 255, 255],
            get_line_color=[0, 0, 0, 255],
            line_width_min_pixels=2,
            stroked=True,
            pickable=True,
            auto_highlight=True,
        ),
    ]
    return deck_json(
        data,
        layers=layers,
        initial_view_state=pdk.ViewState(**view),
        map_style=style,
        map_provider=provider,
        tooltip=TOOLTIP,
    )


@st.cache_data(max_entries=200, ttl=6 * 3600, show_spinner=False)
def map_spec(
    url: str,
    version: int,
    metric_id: str,
    filters: Filters,
    level: str,
    kind: str,
    width: float,
    threshold: int,
    style: str | None,
    provider: str | None,
) -> str:
    """The map for a view, as the JSON spec the browser draws (cached: a region's map is megabytes, and a
    rerun that changes nothing on the map should not write it again). Reads are the page's cached reads."""
    chosen = metric(metric_id)
    geography = Filters(locality=filters.locality, ward=filters.ward)
    shapes = geo_read(url, version, "area_boundaries", level, geography)
    raw = geo_read(url, version, "area_values", metric_id, filters, level)
    table = drawn(shapes, disclosed(raw, threshold), level)
    breaks = colour_classes(table.loc[~table["value_suppressed"], "value"])
    schools = geo_read(url, version, "schools_in_view", geography)
    period = str(raw["period"].iloc[0]) if not raw.empty else ""
    hexagons: list[dict] = []
    if kind != NO_INCIDENTS:
        found = geo_read(url, version, "incident_hexagons", filters, kind, width, reference_latitude(shapes), threshold)
        hexagons = hexagon_rows(found, INCIDENT_KINDS[kind].label, period)
    areas = area_rows(table, breaks, chosen, threshold)
    names = (
        [
            {"name": name, "position": [float(lon), float(lat)]}
            for name, lon, lat in zip(
                shapes["name"], shapes["centroid_longitude"], shapes["centroid_latitude"], strict=True
            )
        ]
        if level in ("locality", "ward") and len(shapes) <= MOST_LABELS
        else []
    )
    outline = [point for row in areas for point in row["polygon"][0]]
    view = fit_view([p[0] for p in outline], [p[1] for p in outline])
    return build_deck(areas, names, hexagons, school_rows(schools, school_labels(schools)), view, style, provider)


def _on_select() -> None:
    """A click on the map: an area opens its panel, a school its link (the other closes)."""
    state = st.session_state.get(MAP_KEY) or {}
    objects = (state.get("selection") or {}).get("objects") or {}
    if objects.get("areas"):
        st.session_state[AREA_KEY] = objects["areas"][0]["code"]
        st.session_state[SCHOOL_KEY] = None
    elif objects.get("schools"):
        st.session_state[SCHOOL_KEY] = objects["schools"][0]["urn"]


def area_panel(
    code: str,
    shapes: pd.DataFrame,
    level: str,
    chosen: Metric,
    shown: pd.DataFrame,
    figures: dict,
    threshold: int,
    view: View,
) -> None:
    """The chosen area's figures (each disclosed with every area, so no total gives one away) and a link
    to the board overview for that place."""
    place = shapes[shapes["code"] == code].iloc[0]
    with st.container(border=True, key="area_panel"):
        st.markdown(f"#### {place['name']}")
        st.caption(f"{LEVEL_NAMES[level]} · figures over the period of the view")
        lines = []
        for metric_id, frame in {chosen.id: shown, **figures}.items():
            other = metric(metric_id)
            row = frame[frame[level] == code]
            if row.empty:
                continue
            row = row.iloc[0]
            hidden = hidden_words(row, other, threshold)
            if hidden:
                lines.append(f"- **{other.label}**: {hidden}")
            elif pd.isna(row["value"]):
                lines.append(f"- **{other.label}**: no data for this period")
            else:
                lines.append(
                    f"- **{other.label}**: {value_words(other, row['value'])} "
                    f"(95% interval {_bound(row['lower'], other)} to {_bound(row['upper'], other)})"
                )
        st.markdown("\n".join(lines))
        if level == "locality":
            target, label = {"locality": place["name"]}, f"Board overview for {place['name']}"
        elif level == "ward":
            target, label = {"ward": place["name"]}, f"Board overview for {place['name']}"
        else:
            target, label = {"ward": place["ward_name"]}, f"Board overview for {place['ward_name']} (its ward)"
        st.page_link(
            "pages/overview.py",
            label=label,
            icon=":material/dashboard:",
            query_params=view_query(view, place=False, **target),
        )


def school_panel(urn: str, schools: pd.DataFrame, labels: dict[str, str], view: View) -> None:
    school = schools[schools["urn"] == urn]
    if school.empty:
        return
    school = school.iloc[0]
    with st.container(border=True, key="school_panel"):
        pupils = "" if pd.isna(school["pupils"]) else f", {int(school['pupils']):,} pupils"
        st.markdown(f"#### {school['name']}\n{school['phase_name']} school{pupils}, {school['locality_name']}")
        school_link(view, labels[urn], f"Open the drill-down for {school['name']}")


def main() -> None:
    with page_guard("Demand map"):
        view = page_header(
            TITLE,
            "Which areas carry the most demand and risk, where do police incidents cluster, and which schools "
            "sit among them?",
        )
        url = current_store_url()
        version = data_version(url)
        threshold = suppression_threshold()
        filters = view.filters
        geography = Filters(locality=filters.locality, ward=filters.ward)

        levels = ["ward", "area"] if filters.ward else ["locality", "ward", "area"]
        left, middle, right, far = st.columns([1.2, 2, 2, 1.3])
        level = left.radio("Areas", levels, index=0, format_func=LEVEL_NAMES.get, key="map_level", bind="query-params")
        options = map_metric_ids(level)
        metric_id = middle.selectbox(
            "Measure",
            options,
            index=options.index(DEFAULT_METRIC) if DEFAULT_METRIC in options else 0,
            format_func=lambda m: metric(m).label,
            key="map_metric",
            bind="query-params",
        )
        kinds = [NO_INCIDENTS, *INCIDENT_KINDS]
        kind = right.selectbox(
            "Police incidents",
            kinds,
            index=0,
            format_func=lambda k: "None" if k == NO_INCIDENTS else INCIDENT_KINDS[k].label,
            key="map_incidents",
            bind="query-params",
        )
        width = far.select_slider(
            "Hexagon size",
            HEXAGON_WIDTHS,
            value=500,
            format_func=metres_text,
            key="map_hexagon",
            bind="query-params",
        )
        chosen = metric(metric_id)

        shapes = geo_read(url, version, "area_boundaries", level, geography)
        if shapes.empty:
            raise NothingToShow(
                f"No {LEVEL_NAMES[level].lower()} boundaries are loaded for this view: load a boundary file "
                "(GeoJSON, see Data › What is loaded), or choose another level."
            )
        raw = geo_read(url, version, "area_values", metric_id, filters, level)
        shown = disclosed(raw, threshold)
        schools = geo_read(url, version, "schools_in_view", geography)
        labels = school_labels(schools)
        period = str(raw["period"].iloc[0]) if not raw.empty else view.period_name
        hexagons = pd.DataFrame(columns=["polygon", "incidents"])
        incidents = {"any": False, "snapped": False, "area_centres": False}
        drawn_width = hexagon_width(float(width), shapes)
        if kind != NO_INCIDENTS:
            incidents = geo_read(url, version, "incident_overview", filters, kind)
            hexagons = geo_read(
                url, version, "incident_hexagons", filters, kind, drawn_width, reference_latitude(shapes), threshold
            )

        st.caption(
            f"Each area is coloured by **{chosen.label.lower()}** over {period}"
            + (" (per 10,000 children a year)" if chosen.kind == "rate_per_10k" else "")
            + ": darker means higher. Hover for the value and its 95% interval (the range the true value "
            "probably lies in: wide intervals mean small numbers, so compare with care). White dots are "
            "schools. Click an area to see its figures, or a school to open its drill-down."
            + (
                " Choose a kind of police incident above to see where incidents cluster."
                if kind == NO_INCIDENTS
                else ""
            )
        )
        table = drawn(shapes, shown, level)
        visible_values = table.loc[~table["value_suppressed"], "value"]
        breaks = colour_classes(visible_values)
        style, provider, _ = base_map()
        deck = PrebuiltDeck(
            map_spec(url, version, metric_id, filters, level, kind, drawn_width, threshold, style, provider),
            TOOLTIP,
        )
        st.pydeck_chart(
            deck,
            on_select=_on_select,
            selection_mode="single-object",
            key=MAP_KEY,
            height=600,
            alt=f"Map of {chosen.label.lower()} by {LEVEL_NAMES[level].lower()}, with schools and police incidents",
        )
        counts = hexagons["incidents"] if kind != NO_INCIDENTS else None
        st.markdown(legend(chosen, visible_values, breaks, counts, threshold), unsafe_allow_html=True)
        _incident_notes(kind, incidents, hexagons, filters, threshold, drawn_width, float(width))
        if level in ("locality", "ward") and len(shapes) > MOST_LABELS:
            st.caption("Too many areas to name on the map: hover for names, or choose a locality.")
        _base_map_note()

        st.subheader("Look closer at an area")
        st.caption(
            "Click an area on the map, or choose it here: its figures over the period, and a link to the "
            "board overview for that place."
        )
        codes = shapes["code"].tolist()
        names = dict(zip(shapes["code"], shapes["name"], strict=True))
        if st.session_state.get(AREA_KEY) not in (None, *codes):
            st.session_state[AREA_KEY] = None
        code = st.selectbox(
            "Area",
            codes,
            index=None,
            format_func=names.get,
            key=AREA_KEY,
            bind="query-params",
            placeholder="Click the map or choose an area",
        )
        school_urn = st.session_state.get(SCHOOL_KEY)
        if school_urn:
            school_panel(school_urn, schools, labels, view)
        if code:
            figures = {
                other: disclosed(geo_read(url, version, "area_values", other, filters, level), threshold)
                for other in PANEL_METRICS
                if other != metric_id and level in metric(other).dimensions
            }
            area_panel(code, shapes, level, chosen, shown, figures, threshold, view)

        st.subheader(f"{chosen.label} by {LEVEL_NAMES[level].lower()}")
        st.caption(chosen.description)
        listed = shown.assign(name=[names.get(c, c) for c in shown[level]])
        listed = listed[listed[level].isin(codes)].sort_values("name")
        if chosen.kind == "rate_per_10k":
            listed["denominator"] = listed["denominator"].round().astype("Int64")
        shown_table(
            listed,
            f"{metric_id}_by_{level}",
            "map_table",
            formats={
                "value": "{:.1f}",
                "lower": "{:.1f}",
                "upper": "{:.1f}",
                "numerator": "{:,.0f}",
                "denominator": "{:,.0f}",
            },
            labels={
                "name": LEVEL_NAMES[level],
                "period": "Period",
                "value": chosen.label + (" a year" if chosen.kind == "rate_per_10k" else ""),
                "lower": "95% interval from",
                "upper": "95% interval to",
                "numerator": _noun(chosen).capitalize(),
                "denominator": "Children aged 0-17" if chosen.kind == "rate_per_10k" else "Out of",
            },
        )


def _incident_notes(
    kind: str, incidents: dict, hexagons: pd.DataFrame, filters: Filters, threshold: int, width: float, chosen: float
) -> None:
    if kind == NO_INCIDENTS:
        return
    if not incidents["any"]:
        st.info("No police incidents of this kind with a location in this view (or no police data is loaded yet).")
        return
    size = metres_text(width)
    st.caption(
        f"Police incidents ({INCIDENT_KINDS[kind].label.lower()}) are counted into hexagons about {size} across in "
        f"the store; hexagons with fewer than {threshold} are not drawn, so no single incident can be placed. "
        + (
            "Smaller hexagons would be too small to see over an area this size: choose a locality for finer ones. "
            if width > chosen
            else ""
        )
        + ("Agency and age filters do not apply to police incidents." if filters.agency or filters.age_band else "")
    )
    if hexagons.empty:
        st.caption(f"No hexagon holds {threshold} or more such incidents in this view.")
    if incidents["snapped"]:
        snapped_note("read the hexagons as approximate.")
    if incidents["area_centres"]:
        st.caption("Some incidents are known only to their small area and are counted at its centre.")


def _base_map_note() -> None:
    _, _, note = base_map()
    if note:
        st.caption(note)


main()
