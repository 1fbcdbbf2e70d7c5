"""The command line a data owner uses: formats, templates, the load report and its file."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from data_connectors import config
from data_connectors.__main__ import main
from data_connectors.dictionary import data_dictionary
from data_connectors.formats import FORMATS
from tests.canonical_world import WORLD, write_table, write_world


def test_formats_lists_every_kind_with_its_columns(capsys) -> None:
    assert main(["formats"]) == 0
    out = capsys.readouterr().out
    for name in FORMATS:
        assert f"\n{name} -> {FORMATS[name].table.name}: " in "\n" + out
    assert "contact_id*, child_id*, contact_date*, source_code*, referrer_need_level, school_urn, outcome" in out


def test_csv_template_has_the_template_columns(tmp_path: Path) -> None:
    path = tmp_path / "children.csv"
    assert main(["template", "children", "--out", str(path)]) == 0
    with path.open() as handle:
        assert next(csv.reader(handle)) == [
            "child_id",
            "date_of_birth",
            "sex",
            "ethnicity",
            "has_disability",
            "home_postcode",
            "home_area_code",
        ]


def test_unknown_template_kind_is_a_plain_error(tmp_path: Path, capsys) -> None:
    assert main(["template", "pupils", "--out", str(tmp_path / "x.csv")]) == 1
    assert capsys.readouterr().err.startswith("error: \"unknown kind 'pupils'")


def test_dictionary_command_writes_the_generated_text(tmp_path: Path) -> None:
    out = tmp_path / "dictionary.md"
    assert main(["dictionary", "--out", str(out)]) == 0
    assert out.read_text() == data_dictionary()


def test_load_prints_the_report_and_writes_the_rejected_rows(tmp_path: Path, capsys) -> None:
    url = "duckdb:///" + str(tmp_path / "store.duckdb")
    assert main(["load", str(write_world(tmp_path / "world")), "--store", url]) == 0
    capsys.readouterr()
    rows = [{**WORLD["contacts"], "contact_id": "K2"}, {**WORLD["contacts"], "contact_id": "K3", "source_code": "99"}]
    path = write_table(tmp_path / "front-door", "contacts", rows)

    assert main(["load", str(path), "--store", url]) == 0

    out = capsys.readouterr().out.splitlines()
    report_path = config.data_dir() / "load-reports" / "load-2-rejected.csv"
    assert out[0] == f"Load 2 into {url}"
    assert out[2].split() == ["contacts", "2", "1", "1"]
    assert out[-1] == f"1 row was not loaded; it is listed with its reason in {report_path}"
    report = pd.read_csv(report_path, dtype=str)
    assert report.to_dict("records") == [
        {
            "source_file": str(path),
            "table": "contacts",
            "row_number": "3",
            "field": "source_code",
            "reason": "is not a code in the referral_source list",
            "value": "99",
        }
    ]
