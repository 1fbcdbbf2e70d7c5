"""DfE published statistics (EES layout) and statistical neighbours, loaded from the real files.

Figures are checked against the files themselves and data-standards section 4 (England 2025 and
Cheshire West and Chester, LA 896 / E06000050). Most tests load a slice of a real file, written in its real
layout; one loads every real file whole.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.formats.published_statistics import (
    FILTERS,
    SYMBOLS,
    file_values,
    filter_columns,
    publication_name,
    to_long,
)
from data_connectors.pipeline import plan_load, run_load
from data_connectors.readers import TEXT, open_tabular
from data_connectors.store import make_engine
from tests.reference_data import DFE  # noqa: E402
from tests.store_snapshot import snapshot, table_frame

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
B1 = "b1_children_in_need_2013_to_2025.csv"
C3 = "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
D3 = "d3_cpps_subsequent_plan_2013_to_2025.csv"
D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
POPULATION = "ons_mid-year_population_estimates_2012_to_2024.csv"
ABSENCE = "absence_la.csv"
SN_2025 = "sn_model_2025_wide.csv"
SN_2021 = "New_Statistical_Neighbour_Groupings_April_2021.csv"
CSC_FILES = (B1, C1, C3, D3, D5, POPULATION)  # absence_la.csv (206,640 figures) is loaded as a slice
ENGLAND, NORTH_WEST, CWAC, NORTH_TYNESIDE = "E92000001", "E12000002", "E06000050", "E08000022"
BEDFORDSHIRE = "E06000056"  # Central Bedfordshire
REFERRALS = "c1_children_in_need_referrals_and_rereferrals"
CWAC_NEIGHBOURS = {  # Cheshire West and Chester's row (896) in each neighbour file, SN1 to SN10
    "2025": ["334", "356", "895", "937", "885", "916", "877", "878", "938", "929"],
    "2021": ["877", "937", "811", "895", "885", "356", "860", "891", "334", "881"],
}
NOT_A_NUMBER = f"is not a number or an EES symbol ({', '.join(SYMBOLS)})"
BAD_PERIOD = (
    'time_period is not an EES time period ("{}"): expected YYYY, or YYYYYY for two consecutive years such as 202425'
)
ONLY_LEVELS = "only National, Regional and Local authority rows are"

pytestmark = pytest.mark.skipif(not DFE.is_dir(), reason=f"the published DfE files are not at {DFE}")


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DFE / name).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _c1_slice(folder: Path, name: str = C1, drop: str | None = None) -> tuple[Path, list[dict[str, str]]]:
    """England, the North West, Cheshire West and Chester and North Tyneside in 2025 and 2024, as DfE
    wrote them (header and rows copied from the real file); the rows are returned for editing."""
    header, rows = _read(C1)
    kept = [
        row
        for row in rows
        if row["time_period"] in ("2025", "2024")
        and (
            row["geographic_level"] == "National"
            or (row["geographic_level"] == "Regional" and row["region_code"] == NORTH_WEST)
            or row["new_la_code"] in (CWAC, NORTH_TYNESIDE)
        )
    ]
    assert len(kept) == 8
    return _write(folder / name, [c for c in header if c != drop], kept), kept


def _stored(
    url: str, *conditions: sa.ColumnElement[bool], select: list | None = None, group_by: sa.ColumnElement | None = None
) -> pd.DataFrame:
    """Rows of published_statistics (or `select` of them) that meet the conditions, read with SQL so the
    test never reads the whole table back."""
    statement = sa.select(*(select or [schema.published_statistics])).where(*conditions)
    if group_by is not None:
        statement = statement.group_by(group_by)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(statement)
            return pd.DataFrame(result.all(), columns=list(result.keys()))
    finally:
        engine.dispose()


def _figures(url: str) -> pd.DataFrame:
    frame = table_frame(url, schema.published_statistics)
    return frame.set_index(["publication", "time_period", "area_code", "indicator"]).sort_index()


def test_referrals_become_one_row_per_indicator_with_the_published_figures(store_url: str, tmp_path: Path) -> None:
    path, _ = _c1_slice(tmp_path / "dfe")

    result = run_load([path], store_url)

    outcome = result.files[0]
    assert outcome.format == "ees_published_statistics" and outcome.ignored_columns == []
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (8, 8, 0)
    figures = _figures(store_url)
    assert len(figures) == 8 * 10  # ten indicator columns
    england = figures.loc[(REFERRALS, "2025", ENGLAND)]
    assert england.loc["referral_count", "value"] == 632830
    assert england.loc["rereferral_percent", "value"] == 22.6
    assert england.loc["no_further_action_percent", "value"] == 6.5
    assert england.loc["referral_count", "geographic_level"] == "National"
    assert england.loc["referral_count", "area_name"] == "England"
    assert england.loc["referral_count", "breakdown"] == "category=Referrals and Re-referrals"
    assert pd.isna(england.loc["referral_count", "old_la_code"]) and pd.isna(england.loc["referral_count", "marker"])
    assert figures.loc[(REFERRALS, "2024", ENGLAND, "referral_count"), "value"] == 621880
    assert figures.loc[(REFERRALS, "2025", NORTH_WEST, "referral_count"), "value"] == 86120
    assert figures.loc[(REFERRALS, "2025", NORTH_WEST, "referral_count"), "geographic_level"] == "Regional"
    cwac = figures.loc[(REFERRALS, "2025", CWAC)]  # data-standards 4.5
    shown = ["referral_count", "rereferral_percent", "no_further_action_percent", "not_in_need_percent"]
    assert cwac["value"][shown].tolist() == [3529, 23.0, 10.8, 34.5]
    assert (cwac.loc["referral_count", "old_la_code"], cwac.loc["referral_count", "area_name"]) == (
        "896",
        "Cheshire West and Chester",
    )
    assert figures.loc[(REFERRALS, "2024", CWAC)]["value"][shown].tolist() == [3550, 21.3, 6.9, 33.4]
    suppressed = figures.loc[(REFERRALS, "2025", NORTH_TYNESIDE, "no_further_action_count")]
    assert suppressed["marker"] == "c" and pd.isna(suppressed["value"])
    assert figures.loc[(REFERRALS, "2025", NORTH_TYNESIDE, "referral_count"), "value"] == 1893


def test_every_real_file_loads_whole(store_url: str, tmp_path: Path) -> None:
    """All the published files at once: every input row is loaded (the 2021 neighbour file's note and blank
    rows are reported), each gives one table row per indicator, and the data-standards figures hold."""
    result = run_load([DFE / name for name in (*CSC_FILES, SN_2025, SN_2021)], store_url)

    outcomes = {Path(outcome.path).name: outcome for outcome in result.files}
    table = schema.published_statistics
    counts = _stored(
        store_url,
        select=[table.c.publication, sa.func.count(), sa.func.count(sa.distinct(table.c.indicator))],
        group_by=table.c.publication,
    ).set_index("publication")
    for name in CSC_FILES:
        rows = len(_read(name)[1])
        outcome = outcomes[name]
        assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (rows, rows, 0), name
        assert outcome.ignored_columns == [], name
        stored, indicators = counts.loc[publication_name(Path(name))]
        assert stored == rows * indicators, name
    assert counts.loc["c3_factors_identified_at_end_of_assessment"].iloc[1] == 40
    assert (outcomes[SN_2025].rows_read, outcomes[SN_2025].rows_loaded) == (153, 153)
    sn_2021 = outcomes[SN_2021]
    assert (sn_2021.rows_read, sn_2021.rows_loaded, sn_2021.rows_rejected) == (159, 156, 3)

    figures = (
        _stored(store_url, table.c.time_period.in_(["2025", "2024"]), table.c.area_code.in_([ENGLAND, CWAC]))
        .set_index(["publication", "time_period", "area_code", "indicator"])
        .sort_index()
    )

    def value(publication: str, period: str, area: str, indicator: str) -> float:
        return figures.loc[(publication, period, area, indicator), "value"]

    # data-standards 4.1 and 4.3 (England) and 4.5 (Cheshire West and Chester)
    assert value("b1_children_in_need", "2025", ENGLAND, "at31_episodes") == 402400
    assert value("d5_cpps_at31march_by_duration", "2025", ENGLAND, "cpp_at31") == 49420
    assert value("d3_cpps_subsequent_plan", "2025", ENGLAND, "cpp_start") == 61840
    assert value("d3_cpps_subsequent_plan", "2025", ENGLAND, "cpp_subsequent_percent") == 24.5
    assert value("c3_factors_identified_at_end_of_assessment", "2025", ENGLAND, "mental_health_parent") == 171780
    population = value("ons_mid_year_population_estimates", "2024", ENGLAND, "population_estimate")
    assert population == 12183016
    assert round(402400 / population * 10000, 1) == 330.3  # the published CIN rate
    assert value("b1_children_in_need", "2025", CWAC, "at31_episodes") == 2251
    assert value("d5_cpps_at31march_by_duration", "2025", CWAC, "cpp_at31") == 297
    assert value("d3_cpps_subsequent_plan", "2025", CWAC, "cpp_subsequent_percent") == 26.6
    assert value("c3_factors_identified_at_end_of_assessment", "2025", CWAC, "episodes_with_assessment_factor") == 3156
    assert value("c3_factors_identified_at_end_of_assessment", "2025", CWAC, "mental_health_parent") == 1537
    assert value("ons_mid_year_population_estimates", "2024", CWAC, "population_estimate") == 71565
    longest = figures.loc[("d5_cpps_at31march_by_duration", "2025", CWAC, "1_year_less_than_2_years")]
    assert longest["marker"] == "c" and pd.isna(longest["value"])


def test_absence_rows_keep_their_three_filters_and_symbols(store_url: str, tmp_path: Path) -> None:
    """A slice of the absence file: England's and Central Bedfordshire's rows (its 2021/22 looked-after primary
    pupils' unauthorised absence is published as "k")."""
    header, rows = _read(ABSENCE)
    kept = [row for row in rows if row["geographic_level"] == "National" or row["new_la_code"] == BEDFORDSHIRE]
    path = _write(tmp_path / "dfe" / ABSENCE, header, kept)

    result = run_load([path], store_url)

    outcome = result.files[0]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.ignored_columns) == (len(kept), len(kept), [])
    table = schema.published_statistics
    figures = _stored(store_url).set_index(["time_period", "area_code", "breakdown", "indicator"]).sort_index()
    assert len(figures) == len(kept) * 12
    cino = "absence_terms=six half terms; phase_type_grouping=Total; social_care_group=CINO at 31 March"
    england = figures.loc[("202425", ENGLAND, cino)]
    assert england.loc["pt_overall", "value"] == 17.4 and england.loc["t_pupils", "value"] == 120250
    assert set(england["time_identifier"]) == {"Academic year"} and set(england["publication"]) == {"absence_la"}
    primary = (
        "absence_terms=six half terms; phase_type_grouping=State-funded primary; "
        "social_care_group=CLA 12 months at 31 March"
    )
    rounded = figures.loc[("202122", BEDFORDSHIRE, primary, "pt_sess_unauthorised")]
    assert rounded["marker"] == "k" and pd.isna(rounded["value"]) and rounded["old_la_code"] == "823"
    markers = _stored(store_url, table.c.marker.is_not(None), select=[table.c.marker]).value_counts()
    assert set(markers.index.get_level_values(0)) <= set(SYMBOLS)


def test_statistical_neighbours_of_one_authority_match_the_files(store_url: str, tmp_path: Path) -> None:
    result = run_load([DFE / SN_2025, DFE / SN_2021], store_url)

    frame = table_frame(store_url, schema.statistical_neighbours)
    cwac = frame[frame["la_code"] == "896"].sort_values(["model", "rank"])
    newest = cwac[cwac["model"] == "2025"]
    assert newest["neighbour_la_code"].tolist() == CWAC_NEIGHBOURS["2025"]
    assert newest["rank"].tolist() == list(range(1, 11))
    assert newest["closeness"].tolist() == ["Very close"] * 8 + ["Close"] * 2  # "Close " in the file
    assert set(newest["la_name"]) == {"Cheshire West and Chester"}
    older = cwac[cwac["model"] == "2021"]
    assert older["neighbour_la_code"].tolist() == CWAC_NEIGHBOURS["2021"]
    assert older["closeness"].isna().all()
    assert len(frame) == (153 + 156) * 10
    dorset = frame[(frame["model"] == "2021") & (frame["la_code"] == "835")]  # an authority that reorganised
    assert dorset["la_name"].iloc[0] == "Dorset (Pre LG)" and len(dorset) == 10
    lines = result.rejections[["__row_number", "field", "reason"]].values.tolist()
    assert lines == [
        [154, "(row)", "the row is blank"],
        [155, "(row)", "la_num is empty"],
        [156, "(row)", "the row is blank"],
    ]


def test_bad_values_reject_their_row_naming_the_column(store_url: str, tmp_path: Path) -> None:
    path, rows = _c1_slice(tmp_path / "dfe")
    header = list(rows[0])
    rows[0]["rereferral_percent"] = "22,6"  # England 2025: a decimal comma is not a number
    rows[1]["time_period"] = "2025Q1"  # the North West
    rows[2]["referral_count"] = ""  # a blank cell, where EES puts a symbol
    rows[3]["geographic_level"] = "Ward"
    rows[3]["time_period"] = "202426"
    _write(path, header, rows)

    result = run_load([path], store_url)

    outcome = result.files[0]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (8, 4, 4)
    lines = result.rejections[["__row_number", "field", "reason"]].values.tolist()
    assert lines == [
        [2, "(row)", f'rereferral_percent {NOT_A_NUMBER}: "22,6"'],
        [3, "(row)", BAD_PERIOD.format("2025Q1")],
        [4, "(row)", "referral_count is empty (EES marks a missing figure with a symbol such as x or z)"],
        [5, "(row)", BAD_PERIOD.format("202426") + '; geographic_level "Ward" is not kept: ' + ONLY_LEVELS],
    ]
    assert result.rejections["value"].isna().all()  # each reason quotes the value itself
    figures = table_frame(store_url, schema.published_statistics)
    assert len(figures) == 4 * 10  # the rejected rows are rejected whole
    assert ENGLAND in set(figures["area_code"])  # England 2024 loaded; England 2025 did not
    assert set(figures.loc[figures["area_code"] == ENGLAND, "time_period"]) == {"2024"}


def test_a_file_missing_a_required_column_is_refused(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([_c1_slice(tmp_path / "first")[0]], store_url)
    before = snapshot(store_url)
    path, _ = _c1_slice(tmp_path / "dfe", drop="time_identifier")

    assert main(["load", str(path), "--store", store_url]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"{path}: is not a recognised format; the closest is ees_published_statistics "
        "(missing columns: time_identifier)"
    )
    assert snapshot(store_url) == before


def test_a_newer_release_replaces_the_figures_it_repeats(store_url: str, tmp_path: Path) -> None:
    first, rows = _c1_slice(tmp_path / "2025")
    run_load([first], store_url)
    rows[0]["referral_count"] = "632900"  # a revised figure in next year's file
    newer = _write(tmp_path / "2026" / C1.replace("2025", "2026"), list(rows[0]), rows)

    run_load([newer], store_url)

    figures = _figures(store_url)
    assert len(figures) == 8 * 10
    assert figures.loc[(REFERRALS, "2025", ENGLAND, "referral_count"), "value"] == 632900


def test_other_geography_columns_are_reported_as_not_used(tmp_path: Path) -> None:
    header, rows = _read(D3)
    path = _write(tmp_path / "d3.csv", [*header, "lad_code", "lad_name"], rows[:3])
    planned = plan_load([path])[0]
    assert planned.format.name == "ees_published_statistics"
    assert planned.part.ignored_columns == ["lad_code", "lad_name"]
    assert planned.part.shared["publication"] == "d3"


def test_a_neighbour_file_without_its_model_year_is_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "statistical_neighbours.csv"
    path.write_bytes((DFE / SN_2025).read_bytes())
    assert main(["load", str(path), "--store", "duckdb:///" + str(tmp_path / "s.duckdb")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{path}: does not say which statistical neighbour model it holds; put the model's year (and only that "
        "year) in the file name, e.g. sn_model_2025_wide.csv"
    )


@pytest.mark.parametrize(
    ("name", "publication"),
    [
        (C1, REFERRALS),
        (POPULATION, "ons_mid_year_population_estimates"),
        ("absence_la.csv", "absence_la"),
        ("cla_2023-24_2025-03-14.csv", "cla"),
        ("School Workforce 202425.csv", "school_workforce"),
        ("exclusions_20250314.csv", "exclusions"),
        ("ks4_2019_20_data.csv", "ks4_data"),
        ("2025.csv", "2025"),
    ],
)
def test_the_publication_is_the_file_name_without_date_stamps(name: str, publication: str) -> None:
    assert publication_name(Path(name)) == publication


@pytest.mark.parametrize(
    ("name", "filters"),
    [
        (C3, ["category"]),  # child_criminal_exploitation is mostly "x": still an indicator
        (D5, ["category"]),  # 3_months_or_less and the like are told by their numbers
        (ABSENCE, ["absence_terms", "social_care_group", "phase_type_grouping"]),
        (POPULATION, ["age_group"]),
    ],
)
def test_filters_and_indicators_are_told_apart(name: str, filters: list[str]) -> None:
    assert file_values(open_tabular(DFE / name))[FILTERS] == ",".join(filters)


def test_a_measure_name_keeps_a_column_an_indicator_even_in_a_tiny_file() -> None:
    """One row whose percentage is text must be rejected, not taken for a filter."""
    assert filter_columns(["category", "rereferral_percent", "neglect", "age"], {"rereferral_percent": (0, 1)}) == [
        "category",
        "age",
    ]


def test_blank_and_misshapen_rows_keep_one_reason() -> None:
    """Straight through derive (filters decided from the chunk): a blank row stays blank for validation to
    name, a misshapen row keeps the reader's problem."""
    columns = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "category"]
    values = [
        ["2025", "Reporting year", "National", "E92000001", "England", "All", "5"],
        ["", "", "", "", "", "", ""],
        ["2025", "Reporting year", "National", "E92000001", "England", "All", "7"],
    ]
    chunk = pd.DataFrame(values, columns=[*columns, "referral_count"]).astype(TEXT)
    chunk["publication"] = pd.Series(["c1"] * 3, dtype=TEXT)
    chunk["__row_number"] = [2, 3, 4]
    chunk["__row_problem"] = pd.Series([None, None, "has 9 fields but the header has 7"], dtype=object)

    long = to_long(chunk)

    assert long["__row_number"].tolist() == [2, 3, 4]
    assert long.loc[0, "breakdown"] == "category=All" and long.loc[0, "value"] == "5"
    assert long.loc[1, ["publication", "time_period", "indicator", "value"]].isna().all()
    assert pd.isna(long.loc[1, "__row_problem"])
    assert long.loc[2, "__row_problem"] == "has 9 fields but the header has 7"
