"""police.uk street-level crime files load as approximate incidents, with every row accounted for."""

from __future__ import annotations

from pathlib import Path

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.pipeline import run_load
from data_connectors.pseudonymise import Pseudonymiser
from tests.canonical_world import write_world
from tests.store_snapshot import table_frame
from tests.stores import TEST_KEY

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)
ROWS = [
    # an anti-social behaviour report has no crime ID
    ",2024-03,Testshire Police,Testshire Police,-2.100377,53.100412,On or near Mill Lane,E01990001,Area 001A,"
    "Anti-social behaviour,,",
    # the same place, month and type again: a second, distinct report
    ",2024-03,Testshire Police,Testshire Police,-2.100377,53.100412,On or near Mill Lane,E01990001,Area 001A,"
    "Anti-social behaviour,,",
    "a1b2c3,2024-03,Testshire Police,Testshire Police,-2.101,53.101,On or near Park Road,E01990001,Area 001A,"
    "Violence and sexual offences,Under investigation,",
    # outside the partnership's small areas: reported, not lost
    "d4e5f6,2024-03,Testshire Police,Testshire Police,-2.2,53.2,On or near High Street,E01000001,Elsewhere 001A,"
    "Burglary,Under investigation,",
    # a legacy category police.uk no longer uses
    "g7h8i9,2024-03,Testshire Police,Testshire Police,-2.101,53.101,On or near Park Road,E01990001,Area 001A,"
    "Public disorder and weapons,,",
    # no snap point within 20 km: coordinates blank, the row still loads
    "j1k2l3,2024-04,Testshire Police,Testshire Police,,,No location,E01990001,Area 001A,Drugs,,",
]


def _write(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "2024-03-testshire-street.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def test_street_level_crime_loads_as_snapped_incidents(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    path = _write(tmp_path / "policeuk", ROWS)

    assert main(["load", str(path), "--store", store_url]) == 0

    out = capsys.readouterr().out
    assert "police_incidents           6           4          2" in out
    assert "police.uk locations are anonymous snap points" in out
    frame = table_frame(store_url, schema.police_incidents)
    loaded = frame[frame["location_precision"] == "SNAPPED"].sort_values(["incident_date", "category"])
    assert loaded["category"].tolist() == ["ANTI_SOCIAL_BEHAVIOUR", "ANTI_SOCIAL_BEHAVIOUR",
                                           "VIOLENCE_SEXUAL_OFFENCES", "DRUGS"]
    assert [str(d) for d in loaded["incident_date"]] == ["2024-03-01"] * 3 + ["2024-04-01"]
    assert loaded["incident_id"].nunique() == 4
    assert Pseudonymiser(TEST_KEY).hash_one("a1b2c3") in set(loaded["incident_id"])
    assert loaded["hate_crime"].isna().all() and loaded["cse_concern"].isna().all()
    drugs = loaded[loaded["category"] == "DRUGS"].iloc[0]
    assert drugs["latitude"] != drugs["latitude"]  # NaN: no snap point


def test_rejections_name_the_police_uk_columns(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    result = run_load([_write(tmp_path / "policeuk", ROWS)], store_url)
    lines = result.rejections[["__row_number", "field", "reason"]].values.tolist()
    assert lines == [
        [5, "lsoa_code", "refers to a small_areas area_code that is not in the store or this load"],
        [6, "crime_type", "is not a code in the police_category list"],
    ]


def test_reloading_the_month_changes_nothing(store_url: str, tmp_path: Path) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    path = _write(tmp_path / "policeuk", ROWS[:3])
    run_load([path], store_url)
    first = table_frame(store_url, schema.police_incidents).sort_values("incident_id").reset_index(drop=True)
    again = run_load([path], store_url)
    assert again.files[0].unchanged_since_load is not None
    assert table_frame(store_url, schema.police_incidents).sort_values("incident_id").reset_index(drop=True).equals(
        first
    )


def test_police_uk_crime_ids_of_64_hex_characters_load(store_url: str, tmp_path: Path) -> None:
    """Real Crime IDs are 64-character digests: the first 40 characters stand for them; other long IDs are refused."""
    digest = "d9c18219e8966eb55934bdad8509d12cff7d420a4818a8c722956445ac663529"
    run_load([write_world(tmp_path / "world")], store_url)
    rows = [
        f"{digest},2024-03,Testshire Police,Testshire Police,-2.101,53.101,On or near Park Road,E01990001,"
        "Area 001A,Burglary,Under investigation,",
        f"{'x' * 41},2024-03,Testshire Police,Testshire Police,-2.101,53.101,On or near Park Road,E01990001,"
        "Area 001A,Burglary,Under investigation,",
    ]
    result = run_load([_write(tmp_path / "policeuk", rows)], store_url)
    assert (result.files[0].rows_loaded, result.files[0].rows_rejected) == (1, 1)
    assert result.rejections[["__row_number", "field", "reason"]].values.tolist() == [
        [3, "incident_id", "is 41 characters long; the most allowed is 40"]
    ]
    loaded = table_frame(store_url, schema.police_incidents)
    assert Pseudonymiser(TEST_KEY).hash_one(digest[:40]) in set(loaded["incident_id"])


def test_a_file_missing_police_uk_columns_is_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "street.csv"
    path.write_text("Crime ID,Month,Longitude,Latitude,Crime type\nx,2024-03,-2.1,53.1,Drugs\n")
    url = "duckdb:///" + str(tmp_path / "store.duckdb")
    assert main(["load", str(path), "--store", url, "--kind", "police_uk_street"]) == 2
    assert capsys.readouterr().err.strip() == f"{path}: is missing columns that police_uk_street needs: lsoa_code"


def test_the_approximate_locations_note_is_said_once_for_many_months(store_url: str, tmp_path: Path, capsys) -> None:
    run_load([write_world(tmp_path / "world")], store_url)
    folder = tmp_path / "policeuk"
    for month in ("2024-03", "2024-04", "2024-05"):
        path = folder / month / f"{month}-testshire-street.csv"
        path.parent.mkdir(parents=True)
        path.write_text(HEADER + "\n" + ROWS[0].replace("2024-03", month) + "\n")
    assert main(["load", str(folder), "--store", store_url]) == 0
    out = capsys.readouterr().out
    assert out.count("police.uk locations are anonymous snap points") == 1
    assert "2024-03-testshire-street.csv and 2 more police_uk_street files: police.uk locations" in out
