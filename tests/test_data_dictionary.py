"""The data dictionary in docs/ is exactly what the schema generates."""

from __future__ import annotations

from data_connectors import config, schema
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.dictionary import data_dictionary


def test_the_committed_dictionary_is_current() -> None:
    committed = (config.REPO_ROOT / "docs" / "data-dictionary.md").read_text()
    assert committed == data_dictionary(), "run: python -m data_connectors dictionary"


def test_the_dictionary_describes_every_table_column_and_code() -> None:
    text = data_dictionary()
    for table in schema.metadata.sorted_tables:
        assert f"### `{table.name}`" in text
    assert "| child_id | text (40) | key |  |  | replaced by a keyed hash |" in text
    assert "| 6 | Police |" in text and "| 2A | Schools |" in text
    assert all(f"### `{name}`" in text for name in ALL_CODE_LISTS)
