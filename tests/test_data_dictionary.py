"""The data dictionary in docs/ is exactly what the schema generates."""

from __future__ import annotations

from data_connectors import config, schema
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.dictionary import data_dictionary
from data_connectors.format_guide import format_guide


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


def test_the_committed_format_guide_is_current() -> None:
    committed = (config.REPO_ROOT / "docs" / "formats.md").read_text()
    assert committed == format_guide(), "run: python -m data_connectors formats --guide docs/formats.md"
    # the partnership's own police extract is published with its safeguarding flags
    section = committed.split("### police_incidents", 1)[1].split("###", 1)[0]
    for flag in ("hate_crime", "cse_concern", "missing_episode", "domestic_abuse", "child_present"):
        assert flag in section
