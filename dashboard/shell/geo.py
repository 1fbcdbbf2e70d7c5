"""What the map and school pages share: cached reads of the geography metrics, the base map setting,
school names as the URL holds them, and fitting a map's view to what it shows."""

from __future__ import annotations

import collections
import json
import math
import urllib.error
import urllib.request
from collections.abc import Callable

import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboard.metrics import maps, near_schools, school_profile
from dashboard.metrics.maps import SNAPPED_LOCATIONS
from dashboard.shell.view import PRESET_CUSTOM, View
from dashboard.store_access import engine_for
from data_connectors.config import map_style

CACHE_ENTRIES = 1_000
CACHE_SECONDS = 6 * 3600
HEXAGON_WIDTHS = (250, 500, 1000, 2000, 5000)  # metres across, flat side to flat side
HEXAGONS_ACROSS = 60  # at most about this many hexagons across a map: smaller ones are noise at that scale
CARTO_STYLES = ("light", "dark", "road", "light_no_labels", "dark_no_labels")
READS: dict[str, Callable] = {
    "area_values": maps.area_values,
    "area_boundaries": maps.area_boundaries,
    "schools_in_view": maps.schools_in_view,
    "incident_hexagons": maps.incident_hexagons,
    "incident_overview": maps.incident_overview,
    "incidents_near_school": near_schools.incidents_near_school,
    "referral_outcomes": school_profile.referral_outcomes,
    "factors_found": school_profile.factors_found,
    "referral_rates": school_profile.referral_rates,
}


@st.cache_data(max_entries=CACHE_ENTRIES, ttl=CACHE_SECONDS, show_spinner=False)
def geo_read(url: str, version: int, name: str, *args, **kwargs) -> pd.DataFrame | dict:
    """`READS[name](engine, *args)`, cached by store, data version and arguments (filters included)."""
    return READS[name](engine_for(url), *args, **kwargs)


def view_query(view: View, *, place: bool = True, **extra: str | list[str]) -> dict[str, str | list[str]]:
    """The URL of the view as the filter bar writes it (the names people read), for a drill-down link that
    keeps the view: period (and dates), agency, age and, with `place`, locality and ward; plus `extra`."""
    params: dict[str, str | list[str]] = {}
    period = st.session_state.get("period")
    if period:
        params["period"] = str(period)
        dates = st.session_state.get("dates")
        if period == PRESET_CUSTOM and isinstance(dates, tuple | list) and len(dates) == 2:
            params["dates"] = [day.isoformat() for day in dates]
    if place and view.locality_names:
        params["locality"] = list(view.locality_names)
    if place and view.ward_names:
        params["ward"] = list(view.ward_names)
    if view.agency_names:
        params["agency"] = list(view.agency_names)
    if view.filters.age_band:
        params["age"] = list(view.filters.age_band)
    params.update(extra)
    return params


def snapped_note(consequence: str) -> None:
    """The note every page shows where police.uk incidents are drawn or counted, with what it means there."""
    st.info(f"{SNAPPED_LOCATIONS}: {consequence}", icon=":material/location_off:")


def school_link(view: View, label: str, text: str) -> None:
    """A link to the school drill-down for the school people know as `label` (see `school_labels`), in the
    same view."""
    st.page_link("pages/school.py", label=text, icon=":material/school:", query_params=view_query(view, school=label))


def school_labels(schools: pd.DataFrame) -> dict[str, str]:
    """URN -> the name people read (and the URL holds); the URN is added where two schools share a name."""
    counts = collections.Counter(schools["name"])
    return {
        urn: name if counts[name] == 1 else f"{name} (URN {urn})"
        for urn, name in zip(schools["urn"], schools["name"], strict=True)
    }


@st.cache_data(ttl=600, show_spinner=False)
def _reachable(address: str) -> bool:
    try:
        with urllib.request.urlopen(address, timeout=2):  # noqa: S310 - an address the deployment configured
            return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def base_map() -> tuple[str | None, str | None, str]:
    """(map_style, map_provider, note) for pydeck: a base map only when one is configured and the server
    can reach it; otherwise none, and the maps read from their own layers."""
    style = map_style()
    if style is None:
        return None, None, ""
    if style in CARTO_STYLES:
        address, provider = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json", "carto"
    else:
        address, provider = style, ("mapbox" if "mapbox" in style else None)
    if not _reachable(address):
        return None, None, "The configured base map cannot be reached, so the map is drawn from its own layers."
    return style, provider, ""


def hexagon_width(chosen: float, shapes: pd.DataFrame) -> float:
    """The hexagon size drawn: the one chosen, or the smallest size that puts no more than about
    HEXAGONS_ACROSS hexagons across the areas shown (a whole region in 500 m hexagons is noise)."""
    extent = [p for polygons in shapes["polygons"] for polygon in polygons for p in polygon[0]]
    if not extent:
        return chosen
    longitudes = [p[0] for p in extent]
    across = (max(longitudes) - min(longitudes)) * 111_320 * math.cos(math.radians(reference_latitude(shapes)))
    for width in HEXAGON_WIDTHS:
        if width >= chosen and across / width <= HEXAGONS_ACROSS:
            return float(width)
    return float(HEXAGON_WIDTHS[-1])


def reference_latitude(shapes: pd.DataFrame) -> float:
    """The latitude hexagons are laid out around: the areas' mean, to the degree (so the grid stays put
    as filters change)."""
    return float(round(shapes["centroid_latitude"].mean()))


def fit_view(longitudes: list[float], latitudes: list[float], width: int = 1000, height: int = 600) -> dict:
    """Centre and zoom that show every point given, with a margin (deck.gl's world is 512 pixels wide at
    zoom 0, in Web Mercator)."""
    if not longitudes:
        return {"longitude": -1.5, "latitude": 53.0, "zoom": 5}
    west, east, south, north = min(longitudes), max(longitudes), min(latitudes), max(latitudes)
    centre_lat = (south + north) / 2

    def mercator(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = max(east - west, 1e-4) / 360
    span_y = max(mercator(north) - mercator(south), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(width / 512 / span_x), math.log2(height / 512 / span_y)) - 0.3
    return {"longitude": (west + east) / 2, "latitude": centre_lat, "zoom": round(max(min(zoom, 16), 3), 2)}


def deck_json(layer_data: dict[str, list[dict]], **deck: object) -> str:
    """A pydeck spec as compact JSON, each layer's data (plain dicts of numbers and strings, keyed by the
    layer's id) put in as it is. pydeck itself writes indented JSON and converts every record on the way
    (a second and 10 MB for a region's hexagons); this is the same spec at a third of the size, several
    times faster, and ready to cache."""
    spec = json.loads(pdk.Deck(**deck).to_json())
    for layer in spec.get("layers", []):
        layer["data"] = layer_data.get(layer["id"], [])
    return json.dumps(spec, separators=(",", ":"), allow_nan=False)


class PrebuiltDeck(pdk.Deck):
    """A deck for `st.pydeck_chart` from a spec already written (and cached) by `deck_json`."""

    def __init__(self, spec: str, tooltip: dict | None = None) -> None:
        super().__init__(tooltip=tooltip or False)
        self.__dict__["_prebuilt"] = spec

    def to_json(self) -> str:
        return self.__dict__["_prebuilt"]
