"""Settings from the secrets file, and the analysts' notebook running against a real store."""

from __future__ import annotations

import json
from pathlib import Path

from data_connectors import config
from data_connectors.pipeline import run_load
from tests.canonical_world import WORLD, write_world

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore_store.ipynb"


def test_store_url_and_key_come_from_the_environment_then_secrets(tmp_path: Path, monkeypatch) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('LOS_STORE_URL = "postgresql+psycopg://reader@db.internal/los"\n'
                       '[pseudonymisation]\nkey = "from the secrets file"\n')
    monkeypatch.setattr(config, "SECRETS_PATH", secrets)
    monkeypatch.delenv("LOS_PSEUDONYM_KEY")
    assert config.store_url() == "postgresql+psycopg://reader@db.internal/los"
    assert config.pseudonym_key() == "from the secrets file"
    monkeypatch.setenv("LOS_STORE_URL", "duckdb:////srv/los.duckdb")
    monkeypatch.setenv("LOS_PSEUDONYM_KEY", "from the environment")
    assert config.store_url() == "duckdb:////srv/los.duckdb"
    assert config.pseudonym_key() == "from the environment"
    assert config.store_url("sqlite:///explicit.db") == "sqlite:///explicit.db"


def test_the_default_store_is_the_embedded_file_in_the_data_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LOS_DATA_DIR", str(tmp_path / "somewhere"))
    assert config.store_url() == "duckdb:///" + str(tmp_path / "somewhere" / "line_of_sight.duckdb")


def test_the_notebook_runs_against_a_store(tmp_path: Path, monkeypatch) -> None:
    url = "duckdb:///" + str(tmp_path / "store.duckdb")
    run_load([write_world(tmp_path / "world")], url)
    monkeypatch.setenv("LOS_STORE_URL", url)
    namespace: dict = {}
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), namespace)  # noqa: S102 - our own notebook, run as a script
    assert int(namespace["tables"]["rows"].sum()) == len(WORLD)  # one row in every table
    assert list(namespace["history"]["rows_loaded"].unique()) == [1]
