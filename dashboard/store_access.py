"""The dashboard's way to the store: one cached engine per URL, and the first-start demo build."""

from __future__ import annotations

import threading

import streamlit as st
from sqlalchemy.engine import Engine

from data_connectors import config
from data_connectors.store import make_engine


def current_store_url() -> str:
    return config.store_url()


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    return make_engine(url)


@st.cache_resource(show_spinner=False)
def demo_build_lock() -> threading.Lock:
    """One demo build per server, however many people open the app at once."""
    return threading.Lock()
