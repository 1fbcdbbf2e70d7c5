"""Where the store is and which pseudonymisation key to use.

Settings come from the environment first (`LOS_STORE_URL`, `LOS_PSEUDONYM_KEY`, `LOS_DATA_DIR`), then from
`.streamlit/secrets.toml`, so the command line, notebooks and the dashboard always agree.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
STORE_FILE_NAME = "line_of_sight.duckdb"
SECRETS_PATH = REPO_ROOT / ".streamlit" / "secrets.toml"

# Synthetic demo data is hashed with a published key: it protects nothing, and it keeps a demo store
# from ever being mixed with real extracts (the store remembers which key built it).
DEMO_PSEUDONYM_KEY = "line-of-sight synthetic demo data: not for real records"


def read_secrets(path: Path | None = None) -> dict[str, Any]:
    """The project's secrets file as a dict; empty when there is none."""
    path = path or SECRETS_PATH  # looked up at call time, so a deployment (or a test) can point elsewhere
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def data_dir() -> Path:
    """Where the embedded store and load reports live: data/ in the checkout, or LOS_DATA_DIR."""
    return Path(os.environ.get("LOS_DATA_DIR") or REPO_ROOT / "data")


def default_store_url() -> str:
    """The embedded store file in the data folder (an absolute path, so four slashes)."""
    return "duckdb:///" + str(data_dir().resolve() / STORE_FILE_NAME)


def store_url(explicit: str | None = None) -> str:
    """The store URL: an explicit one, else LOS_STORE_URL, else secrets, else the embedded file."""
    if explicit:
        return explicit
    if os.environ.get("LOS_STORE_URL"):
        return os.environ["LOS_STORE_URL"]
    secrets = read_secrets()
    from_secrets = secrets.get("LOS_STORE_URL") or secrets.get("store", {}).get("url")
    return from_secrets or default_store_url()


def pseudonym_key() -> str | None:
    """The pseudonymisation key for real extracts, or None when none is configured."""
    if os.environ.get("LOS_PSEUDONYM_KEY"):
        return os.environ["LOS_PSEUDONYM_KEY"]
    secrets = read_secrets()
    return secrets.get("LOS_PSEUDONYM_KEY") or secrets.get("pseudonymisation", {}).get("key")


def suppression_threshold() -> int:
    """Counts below this are shown as "<N" on every screen and export (LOS_SUPPRESSION_THRESHOLD or
    `suppression_threshold` in the secrets; 5 by default, as DfE and the NHS publish)."""
    text = os.environ.get("LOS_SUPPRESSION_THRESHOLD") or str(read_secrets().get("suppression_threshold", 5))
    try:
        threshold = int(text)
    except ValueError:
        raise ValueError(f"the suppression threshold must be a whole number, not {text!r}") from None
    if threshold < 1:
        raise ValueError("the suppression threshold must be 1 or more")
    return threshold


def map_style() -> str | None:
    """A base map under the dashboard's maps (LOS_MAP_STYLE or `map_style` in the secrets): a MapLibre
    style URL, or a Carto name such as "light". None by default: maps are drawn from their own layers
    (boundaries, schools, labels), which need no internet."""
    text = os.environ.get("LOS_MAP_STYLE") or read_secrets().get("map_style") or ""
    return text.strip() or None
