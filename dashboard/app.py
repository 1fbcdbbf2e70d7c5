"""Line of Sight: the entrypoint registers every page and frames them (`streamlit run dashboard/app.py`)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(REPO_ROOT))

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="Line of Sight", page_icon=":material/visibility:", layout="wide")

navigation = st.navigation(
    {
        "Overview": [
            st.Page(PAGES / "home.py", title="What is loaded", icon=":material/database:", default=True),
        ],
    }
)
navigation.run()
