"""Line of Sight: the entrypoint frames every page (`streamlit run dashboard/app.py`).

It registers the pages in their groups and draws the one filter bar they share, so the filters stay put
while people move between pages and the URL always holds the whole view.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
import streamlit as st

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(REPO_ROOT))

from dashboard.shell.navigation import frame, page_registry  # noqa: E402
from dashboard.shell.store_facts import data_version, prepared, store_facts  # noqa: E402
from dashboard.shell.view import VIEW_KEY, filter_bar  # noqa: E402
from dashboard.store_access import current_store_url, one_open_store_per_run  # noqa: E402
from data_connectors.store import StoreError  # noqa: E402

st.set_page_config(page_title="Line of Sight", page_icon=":material/visibility:", layout="wide")


def _draw_filter_bar() -> bool:
    """The filter bar, once the store holds data (True); otherwise pages explain, and Data > What is loaded
    opens first: it says what is wrong, or on a first start builds the demo partnership."""
    st.session_state.pop(VIEW_KEY, None)
    url = current_store_url()
    try:
        version = data_version(url)  # the latest load (kept a few seconds): none yet, or no store, is 0 or an error
        if not version:
            data_version.clear()  # not kept: the first load (the demo build on Data > What is loaded) may follow now
            return False
        prepared(url, version)
        filter_bar(store_facts(url, version))
    except (StoreError, sa.exc.SQLAlchemyError, sa.exc.ArgumentError, ImportError):
        return False  # each page says plainly that the store cannot be opened
    return True


with one_open_store_per_run():
    ready = _draw_filter_bar()
    navigation = st.navigation(page_registry(ready))
    with frame():
        navigation.run()
