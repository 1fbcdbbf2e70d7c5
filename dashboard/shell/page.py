"""What every page starts with: its title, the view it is filtered to, and a plain stop when the store
is not ready (the Data > What is loaded page explains and, on first start, builds the demo)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from dashboard.shell.guard import NothingToShow
from dashboard.shell.view import VIEW_KEY, View


def page_header(title: str, question: str) -> View:
    """Title, the question the page answers, and the view; NothingToShow when there is no store yet."""
    st.title(title)
    st.caption(question)
    view = st.session_state.get(VIEW_KEY)
    if view is None:
        st.page_link("pages/home.py", label="See what is loaded", icon=":material/database:")
        raise NothingToShow("The store holds no data yet, or cannot be opened: see Data › What is loaded.")
    with st.container(key="view_caption"):  # a fixed place a reader (and a browser test) finds the view
        st.markdown(f"**Showing:** {view.caption()}")
    return view


@dataclass(frozen=True)
class PageSections:
    """The questions a page answers one at a time (tabs), and the name the URL gives the chosen one."""

    key: str
    labels: tuple[str, ...]


SECTIONS = {
    "front_door": PageSections("front_door_section", ("Over time", "By agency")),
    "thresholds": PageSections("thresholds_section", ("Agreement", "By agency", "Contact to plan")),
    "neglect": PageSections("neglect_section", ("By area", "Over time")),
}
"""By page (its file's name): what the pages draw, and what tests and the benchmark open each section by."""


def draw_sections(page: str, sections: Sequence[Callable[[], None]]) -> None:
    """A page's questions as tabs (`SECTIONS[page]`, with a function drawing each, in order), the chosen one in
    the URL (a copied link opens it) and only the chosen one worked out (`tab.open`): a page answering three
    questions reran all three after every change of filter, most of it for sections nobody was looking at."""
    names = SECTIONS[page]
    tabs = st.tabs(list(names.labels), key=names.key, bind="query-params", on_change="rerun")
    for tab, draw in zip(tabs, sections, strict=True):
        with tab:
            if tab.open:
                draw()
