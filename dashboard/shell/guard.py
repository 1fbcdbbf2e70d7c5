"""A page that fails says so plainly on that page and the other pages keep working: no traceback ever
reaches a viewer (the entrypoint also sets showErrorDetails = "none")."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import sqlalchemy as sa
import streamlit as st

from dashboard.shell.navigation import ensure_framed
from data_connectors.store import StoreError

log = logging.getLogger("line_of_sight")


class NothingToShow(Exception):
    """A page has no data for this view; the message says what is missing and what to try."""


@contextlib.contextmanager
def page_guard(page: str) -> Iterator[None]:
    """Run a page's body (inside the entrypoint's frame); turn any failure into one plain message (the detail
    goes to the server log)."""
    ensure_framed()
    try:
        yield
    except NothingToShow as nothing:
        st.info(str(nothing))
    except StoreError as problem:
        st.error(f"The store cannot be used: {problem}")
    except sa.exc.SQLAlchemyError:
        log.exception("store error on %s", page)
        st.error(f"The {page} page could not read the store. Try again; if it keeps happening, tell the data team.")
    except Exception:  # noqa: BLE001 - the last line of defence: a viewer never sees a traceback
        log.exception("unexpected error on %s", page)
        st.error(
            f"Something went wrong drawing the {page} page. The other pages still work; the data team has "
            "the details in the server log."
        )
