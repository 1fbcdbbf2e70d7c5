"""The pages, in their groups, and how each runs inside the entrypoint's frame (its navigation and the
filter bar that holds the view).

Streamlit 1.67 answers the first request a freshly started server gets the old way when a `pages/` folder
sits beside the entrypoint: a deep link (a shared `/thresholds?locality=North`) runs that page's script on
its own, with the folder's file names as navigation and no filter bar, until some session has run the
entrypoint once. A page that finds itself outside the frame registers the pages (which tells Streamlit the
app registers them, not the folder, and resolves the link to its page) and reruns: the rerun runs the
entrypoint, which draws the page framed, with the link's view.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent.parent / "pages"
_inside_frame: ContextVar[bool] = ContextVar("inside_frame", default=False)


def page_registry(ready: bool) -> dict[str, list[st.Page]]:
    """Every page by group; the board overview opens first once the store is ready, else what is loaded."""
    return {
        "Overview": [
            st.Page(PAGES / "overview.py", title="Board overview", icon=":material/dashboard:", default=ready),
        ],
        "Front door": [
            st.Page(PAGES / "front_door.py", title="Front door and referral quality", icon=":material/door_front:"),
        ],
        "Thresholds": [
            st.Page(PAGES / "thresholds.py", title="Thresholds", icon=":material/rule:"),
        ],
        "Neglect": [
            st.Page(PAGES / "neglect.py", title="Where does neglect concentrate?", icon=":material/home_health:"),
        ],
        "Assessment": [
            st.Page(PAGES / "factors.py", title="Which risks travel together?", icon=":material/hub:"),
        ],
        "Geography": [
            st.Page(PAGES / "demand_map.py", title="Demand map", icon=":material/map:", url_path="demand_map"),
            st.Page(PAGES / "hotspots.py", title="Hotspots near schools", icon=":material/radar:", url_path="hotspots"),
            st.Page(PAGES / "school.py", title="School drill-down", icon=":material/school:", url_path="school"),
        ],
        "Data": [
            st.Page(
                PAGES / "home.py",
                title="What is loaded",
                icon=":material/database:",
                url_path="loaded",
                default=not ready,
            ),
            st.Page(PAGES / "data_quality.py", title="Data quality", icon=":material/fact_check:"),
        ],
    }


@contextmanager
def frame() -> Iterator[None]:
    """The entrypoint runs the chosen page within this."""
    token = _inside_frame.set(True)
    try:
        yield
    finally:
        _inside_frame.reset(token)


def ensure_framed() -> None:
    """Hand over to the entrypoint when this page was started on its own (nothing of it is drawn yet)."""
    if _inside_frame.get():
        return
    st.navigation(page_registry(ready=True))
    st.rerun()
