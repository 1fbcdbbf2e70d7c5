"""The default view worked out as the server starts, so the first visitor does not wait for it.

`python -m dashboard` calls `warm_when_serving` before it starts the server. Once Streamlit's runtime (and
with it the cache every session shares) is up, a background thread fills the caches the frame and the board
overview read for a link without filters: the store's facts, the newly loaded data prepared, and the
overview's results. A visitor's browser spends over a second loading the app's scripts before it asks for
the page, which is time enough. A store that does not exist yet is left alone: the first start builds the
demo partnership on the page, with its progress bar.
"""

from __future__ import annotations

import logging
import threading
import time

from dashboard.shell.results import overview_results
from dashboard.shell.store_facts import data_version, prepared, store_facts
from dashboard.shell.view import default_filters
from dashboard.store_access import current_store_url, engine_for, one_open_store_per_run
from data_connectors.store import store_exists

LOGGER = logging.getLogger(__name__)
RUNTIME_WAIT_SECONDS = 60
# Streamlit warns that cached functions called outside a page run have no page to draw a spinner on
QUIET_LOGGERS = ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_utils")


def warm_default_view() -> bool:
    """Fill the caches the default view reads (True), or leave a missing or empty store alone (False)."""
    url = current_store_url()
    with one_open_store_per_run():
        if not store_exists(engine_for(url)):
            return False
        version = data_version(url)
        prepared(url, version)
        overview_results(url, version, default_filters(store_facts(url, version)))
    return True


def warm_when_serving() -> threading.Thread:
    """Start a daemon thread that waits for Streamlit's runtime and then warms the default view; a failure is
    logged, never raised (the pages report any problem with the store themselves)."""
    thread = threading.Thread(target=_warm_once_serving, name="warm-default-view", daemon=True)
    thread.start()
    return thread


def _warm_once_serving() -> None:
    from streamlit.runtime import Runtime, RuntimeState

    deadline = time.monotonic() + RUNTIME_WAIT_SECONDS
    while not (Runtime.exists() and Runtime.instance().state != RuntimeState.INITIAL):
        if time.monotonic() > deadline:
            return
        time.sleep(0.02)
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        started = time.perf_counter()
        if warm_default_view():
            LOGGER.info("default view ready in %.2f s", time.perf_counter() - started)
    except Exception:  # noqa: BLE001 - a warm-up must never stop the server; pages report store problems
        LOGGER.warning("could not work out the default view in advance", exc_info=True)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
