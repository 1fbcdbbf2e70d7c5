"""What every page starts with: its title, the view it is filtered to, and a plain stop when the store
is not ready (the Data > What is loaded page explains and, on first start, builds the demo)."""

from __future__ import annotations

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
