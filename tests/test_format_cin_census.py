"""The DfE children in need census XML loads into seven tables, every element accounted for.

The census below is synthetic and small enough to work out by hand: three children, four referrals
(two with no further action), two assessments with four factors (including "21", no factors), two
section 47 enquiries, two initial conferences (one after an enquiry, one recorded only on the
episode) and one child protection plan with two reviews.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from data_connectors import schema
from data_connectors.__main__ import main
from data_connectors.cin_records import key
from data_connectors.formats import cin_census, source_parts
from data_connectors.pipeline import run_load
from data_connectors.pseudonymise import Pseudonymiser
from tests.store_snapshot import snapshot, table_frame
from tests.stores import TEST_KEY

CENSUS = """\
<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2024</Year>
      <ReferenceDate>2024-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>999</LEA>
      <SoftwareCode>Synthetic</SoftwareCode>
      <Release>1</Release>
      <SerialNo>001</SerialNo>
      <DateTime>2024-04-20T09:00:00</DateTime>
    </Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>TST001</LAchildID>
        <UPN>A123456789012</UPN>
        <PersonBirthDate>2012-06-15</PersonBirthDate>
        <Sex>F</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>NONE</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2023-05-02</CINreferralDate>
        <ReferralSource>6</ReferralSource>
        <PrimaryNeedCode>N9</PrimaryNeedCode>
        <CINclosureDate>2023-05-03</CINclosureDate>
        <ReasonForClosure>RC7</ReasonForClosure>
        <ReferralNFA>true</ReferralNFA>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2023-09-10</CINreferralDate>
        <ReferralSource>2A</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <DateOfInitialCPC>2023-10-02</DateOfInitialCPC>
        <Assessments>
          <AssessmentActualStartDate>2023-09-11</AssessmentActualStartDate>
          <AssessmentInternalReviewDate>2023-10-01</AssessmentInternalReviewDate>
          <AssessmentAuthorisationDate>2023-10-20</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>4A</AssessmentFactors>
            <AssessmentFactors>3B</AssessmentFactors>
            <AssessmentFactors>16A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <CINPlanDates>
          <CINPlanStartDate>2023-10-20</CINPlanStartDate>
        </CINPlanDates>
        <Section47>
          <S47ActualStartDate>2023-09-12</S47ActualStartDate>
          <InitialCPCtarget>2023-10-03</InitialCPCtarget>
          <DateOfInitialCPC>2023-10-02</DateOfInitialCPC>
          <ICPCnotRequired>false</ICPCnotRequired>
        </Section47>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2023-10-02</CPPstartDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2023-12-20</CPPreviewDate>
            <CPPreviewDate>2024-03-15</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>TST002</LAchildID>
        <PersonBirthDate>2009-11-30</PersonBirthDate>
        <GenderCurrent>1</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>BAFR</Ethnicity>
        <Disabilities>
          <Disability>HAND</Disability>
          <Disability>LD</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2023-11-20</CINreferralDate>
        <ReferralSource>3E</ReferralSource>
        <PrimaryNeedCode>N2</PrimaryNeedCode>
        <CINclosureDate>2024-02-28</CINclosureDate>
        <ReasonForClosure>RC8</ReasonForClosure>
        <DateOfInitialCPC>2024-01-15</DateOfInitialCPC>
        <Assessments>
          <AssessmentActualStartDate>2023-11-21</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2024-01-10</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>21</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <Section47>
          <S47ActualStartDate>2023-11-22</S47ActualStartDate>
          <ICPCnotRequired>true</ICPCnotRequired>
        </Section47>
        <ReferralNFA>false</ReferralNFA>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>TST003</LAchildID>
        <ExpectedPersonBirthDate>2024-06-01</ExpectedPersonBirthDate>
        <Sex>U</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>NOBT</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-02-05</CINreferralDate>
        <ReferralSource>3B</ReferralSource>
        <ReferralNFA>1</ReferralNFA>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""

# Faults, one per line of the census they change (line numbers of the file as written):
BROKEN = (
    CENSUS.replace(  # line 34: the same element twice in one module
        "        <ReferralSource>6</ReferralSource>\n",
        "        <ReferralSource>6</ReferralSource>\n        <ReferralSource>8</ReferralSource>\n",
    )
    .replace("<AssessmentFactors>3B</AssessmentFactors>", "<AssessmentFactors>99Z</AssessmentFactors>")
    .replace(
        "<AssessmentAuthorisationDate>2024-01-10</AssessmentAuthorisationDate>",
        "<AssessmentAuthorisationDate>2024-02-30</AssessmentAuthorisationDate>",
    )
    .replace("        <CINreferralDate>2024-02-05</CINreferralDate>\n", "")
)
PER_TABLE = {
    "children": (3, 3, 0),
    "referrals": (4, 2, 2),
    "assessments": (2, 1, 1),
    "assessment_factors": (4, 2, 2),
    "s47_enquiries": (2, 2, 0),
    "icpcs": (2, 2, 0),
    "cp_plans": (1, 1, 0),
}
TODAY = dt.date(2024, 5, 1)
hashed = Pseudonymiser(TEST_KEY).hash_one


def _write(folder: Path, text: str, name: str = "cin_census_2024.xml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, snippet: str) -> int:
    """The line (from 1) of the one place `snippet` is in `text`."""
    assert text.count(snippet) == 1, snippet
    return text[: text.index(snippet)].count("\n") + 1


def _by(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    values = frame[list(columns)].astype(object).where(frame[list(columns)].notna(), None)
    return sorted((tuple(str(v) if isinstance(v, dt.date) else v for v in row) for row in values.values), key=repr)


def test_a_census_loads_into_seven_tables_with_hand_worked_values(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two rows per batch: rows are handed on and spooled in several batches, as in a big file
    monkeypatch.setattr("data_connectors.formats.cin_census.CHUNK_ROWS", 2)
    folder = tmp_path / "returns"
    _write(folder, CENSUS)

    result = run_load([folder], store_url, today=TODAY)

    assert {o.table: (o.rows_read, o.rows_loaded, o.rows_rejected) for o in result.files} == {
        "children": (3, 3, 0),
        "referrals": (4, 4, 0),
        "assessments": (2, 2, 0),
        "assessment_factors": (4, 4, 0),
        "s47_enquiries": (2, 2, 0),
        "icpcs": (2, 2, 0),
        "cp_plans": (1, 1, 0),
    }
    path = folder / "cin_census_2024.xml"
    assert {o.path for o in result.files} == {
        f"{path} [{m}]"
        for m in (
            "Child",
            "CINdetails",
            "Assessments",
            "AssessmentFactors",
            "Section47",
            "DateOfInitialCPC",
            "ChildProtectionPlans",
        )
    }
    assert {o.source for o in result.files} == {"returns/cin_census_2024 (census 2024)"}
    assert result.rejections.empty
    one, two, three = hashed("TST001"), hashed("TST002"), hashed("TST003")

    children = table_frame(store_url, schema.children)
    assert _by(children, "child_id", "birth_month", "sex", "ethnicity", "has_disability") == sorted(
        [
            (one, "2012-06-01", "2", "WBRI", False),  # Sex F; only NONE: no disability
            (two, "2009-11-01", "1", "BAFR", True),  # legacy GenderCurrent 1; HAND and LD
            (three, None, "0", "NOBT", None),  # unborn: no birth date kept; Sex U; no Disabilities
        ],
        key=repr,
    )

    referrals = table_frame(store_url, schema.referrals)
    columns = ("child_id", "referral_date", "source_code", "primary_need_code", "closure_date", "closure_reason")
    assert _by(referrals, *columns, "nfa", "outcome") == sorted(
        [
            (one, "2023-05-02", "6", "N9", "2023-05-03", "RC7", True, "NFA"),
            (one, "2023-09-10", "2A", "N1", None, None, False, None),
            (two, "2023-11-20", "3E", "N2", "2024-02-28", "RC8", False, None),
            (three, "2024-02-05", "3B", None, None, None, True, "NFA"),
        ],
        key=repr,
    )
    # an episode's key is its child, its referral date and its place among that day's episodes, hashed
    referral_id = dict(zip(referrals["referral_date"].astype(str), referrals["referral_id"], strict=True))
    assert referral_id["2023-09-10"] == hashed(key("TST001", "CINdetails", "2023-09-10", "1"))

    assessments = table_frame(store_url, schema.assessments)
    assert _by(assessments, "child_id", "referral_id", "start_date", "authorised_date") == sorted(
        [
            (one, referral_id["2023-09-10"], "2023-09-11", "2023-10-20"),
            (two, referral_id["2023-11-20"], "2023-11-21", "2024-01-10"),
        ],
        key=repr,
    )
    assessment_id = dict(zip(assessments["child_id"], assessments["assessment_id"], strict=True))
    factors = table_frame(store_url, schema.assessment_factors)
    by_assessment = factors.groupby("assessment_id")["factor_code"].agg(set).to_dict()
    assert by_assessment == {assessment_id[one]: {"4A", "3B", "16A"}, assessment_id[two]: {"21"}}

    enquiries = table_frame(store_url, schema.s47_enquiries)
    assert _by(
        enquiries, "child_id", "referral_id", "start_date", "end_date", "outcome", "icpc_not_required"
    ) == sorted(
        [
            (one, referral_id["2023-09-10"], "2023-09-12", None, "ICPC", False),
            (two, referral_id["2023-11-20"], "2023-11-22", None, None, True),
        ],
        key=repr,
    )
    s47_id = dict(zip(enquiries["child_id"], enquiries["s47_id"], strict=True))

    conferences = table_frame(store_url, schema.icpcs)
    assert _by(conferences, "child_id", "s47_id", "icpc_date", "cp_plan_made") == sorted(
        [
            # the episode repeats the enquiry's date: one conference, after the enquiry; a plan starts that day
            (one, s47_id[one], "2023-10-02", True),
            # a conference recorded on the episode only (no enquiry of the episode has its date); no plan
            (two, None, "2024-01-15", False),
        ],
        key=repr,
    )
    icpc_id = dict(zip(conferences["child_id"], conferences["icpc_id"], strict=True))

    plans = table_frame(store_url, schema.cp_plans)
    columns = ("child_id", "icpc_id", "start_date", "end_date", "initial_category", "latest_category")
    assert _by(plans, *columns, "previous_plans") == [(one, icpc_id[one], "2023-10-02", None, "NEG", "EMO", 1)]


def test_rejected_elements_are_named_with_their_line_and_nothing_is_lost(store_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "returns", BROKEN)

    result = run_load([path], store_url, today=TODAY)

    for outcome in result.files:
        assert outcome.rows_read == outcome.rows_loaded + outcome.rows_rejected
    assert {o.table: (o.rows_read, o.rows_loaded, o.rows_rejected) for o in result.files} == PER_TABLE
    lines = result.rejections.astype(object).where(result.rejections.notna(), None)
    assert lines[["file", "__row_number", "field", "reason", "value"]].values.tolist() == [
        [f"{path} [AssessmentFactors]", 52, "AssessmentFactors", "is not a code in the assessment_factor list", "99Z"],
        [
            f"{path} [AssessmentFactors]",
            102,
            "assessment_id",
            "refers to a assessments assessment_id that is not in the store or this load",
            "[withheld]",
        ],
        [
            f"{path} [Assessments]",
            98,
            "AssessmentAuthorisationDate",
            "is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)",
            "2024-02-30",
        ],
        [
            f"{path} [CINdetails]",
            32,
            "(row)",
            "<CINdetails> holds <ReferralSource> twice (lines 34 and 35)",
            None,
        ],
        [f"{path} [CINdetails]", 121, "CINreferralDate", "is required but empty", None],
    ]
    # the lines are where the faulty elements start in the file as written
    assert _line(BROKEN, "<AssessmentFactors>99Z") == 52
    assert _line(BROKEN, "<AssessmentFactors>21") == 102
    assert _line(BROKEN, "<AssessmentActualStartDate>2023-11-21") == 98 + 1
    assert _line(BROKEN, "<ReferralSource>6") == 32 + 2
    assert _line(BROKEN, "<ReferralSource>3B") == 121 + 1
    # the rest of each module loads: TST001's other factors, TST002's referral and enquiry
    factors = table_frame(store_url, schema.assessment_factors)
    assert sorted(factors["factor_code"]) == ["16A", "4A"]
    referrals = table_frame(store_url, schema.referrals)
    assert sorted(referrals["referral_date"].astype(str)) == ["2023-09-10", "2023-11-20"]


def test_the_report_names_the_census_elements(tmp_path: Path, capsys) -> None:
    url = "duckdb:///" + str(tmp_path / "store.duckdb")
    path = _write(tmp_path / "returns", BROKEN)
    report = tmp_path / "rejected.csv"

    assert main(["load", str(path), "--store", url, "--report", str(report)]) == 0

    out = capsys.readouterr().out
    assert re.search(r"\nreferrals +4 +2 +2\n", out)
    assert f"{path} [DateOfInitialCPC]: a conference made a plan when a plan of the same episode starts that day" in out
    frame = pd.read_csv(report, dtype=str)
    assert frame[["source_file", "table", "row_number", "field"]].values.tolist()[-1] == [
        f"{path} [CINdetails]",
        "referrals",
        "121",
        "CINreferralDate",
    ]


def test_a_file_on_one_line_is_numbered_by_position(store_url: str, tmp_path: Path) -> None:
    one_line = re.sub(r">\s+<", "><", BROKEN).replace("\n", "")
    path = _write(tmp_path / "returns", one_line)

    result = run_load([path], store_url, today=TODAY)

    assert {o.table: (o.rows_read, o.rows_loaded, o.rows_rejected) for o in result.files} == PER_TABLE
    # the 2nd and 4th AssessmentFactors, the 2nd Assessments, the 1st and 4th CINdetails in the file
    assert result.rejections[["file", "__row_number", "field"]].values.tolist() == [
        [f"{path} [AssessmentFactors by position]", 2, "AssessmentFactors"],
        [f"{path} [AssessmentFactors by position]", 4, "assessment_id"],
        [f"{path} [Assessments by position]", 2, "AssessmentAuthorisationDate"],
        [f"{path} [CINdetails by position]", 1, "(row)"],
        [f"{path} [CINdetails by position]", 4, "CINreferralDate"],
    ]


def test_the_file_is_read_once_for_all_seven_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = []
    real = cin_census.child_rows
    monkeypatch.setattr(cin_census, "child_rows", lambda child: read.append(child.line) or real(child))
    url = "duckdb:///" + str(tmp_path / "store.duckdb")

    result = run_load([_write(tmp_path / "returns", CENSUS)], url, today=TODAY)

    assert sum(o.rows_loaded for o in result.files) == 18
    assert read == [19, 77, 111]  # each <Child> once, by the first part loaded


def test_loading_the_same_census_again_changes_nothing(store_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "returns", CENSUS)
    first = run_load([path], store_url, today=TODAY)
    before = snapshot(store_url)

    again = run_load([path], store_url, today=TODAY)

    assert snapshot(store_url) == before
    assert [o.unchanged_since_load for o in again.files] == [first.load_id] * 7


def test_reloading_a_census_with_rejections_gives_the_same_rows(store_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "returns", BROKEN)
    run_load([path], store_url, today=TODAY)
    before = snapshot(store_url, exclude=("load_id",))

    # the children part had no rejections and is skipped: a later part reads the file this time
    again = run_load([path], store_url, today=TODAY)

    assert {o.table: o.unchanged_since_load is not None for o in again.files}["children"]
    after = snapshot(store_url, exclude=("load_id",))
    for table in [t.name for t in schema.data_tables()]:
        assert after[table] == before[table], table
    assert {o.table: (o.rows_read, o.rows_loaded, o.rows_rejected) for o in again.files if o.rows_read} == {
        name: counts for name, counts in PER_TABLE.items() if counts[2]
    }


def _refused(store_url: str, path: Path, capsys) -> str:
    """Load `path` into a store that already holds a census; the store must be unchanged. The message."""
    before = snapshot(store_url)
    assert main(["load", str(path), "--store", store_url]) == 2
    assert snapshot(store_url) == before
    return capsys.readouterr().err.strip()


@pytest.fixture
def loaded_store(store_url: str, tmp_path: Path) -> str:
    run_load([_write(tmp_path / "loaded", CENSUS)], store_url, today=TODAY)
    return store_url


def test_malformed_xml_is_refused_naming_the_line(loaded_store: str, tmp_path: Path, capsys) -> None:
    text = CENSUS.replace("<CINreferralDate>2023-11-20</CINreferralDate>", "<CINreferralDate>2023-11-20")
    path = _write(tmp_path / "returns", text)

    error = _refused(loaded_store, path, capsys)

    # expat finds the mismatch at the end tag of TST002's episode, column 8 (after its indent)
    assert error == f"{path}: is not well-formed XML (line 109, column 8: mismatched tag)"
    assert (
        _line(text, "</CINdetails>\n    </Child>\n    <Child>\n      <ChildIdentifiers>\n        <LAchildID>TST003")
        == 109
    )


def test_a_census_broken_past_its_head_is_refused_during_the_load(loaded_store: str, tmp_path: Path, capsys) -> None:
    # 1,000 more children (well past the head that is checked before loading), then the file stops short
    extra = "".join(
        f"    <Child>\n      <ChildIdentifiers>\n        <LAchildID>PAD{n:04d}</LAchildID>\n"
        "        <Sex>M</Sex>\n      </ChildIdentifiers>\n      <ChildCharacteristics>\n"
        "        <Ethnicity>WBRI</Ethnicity>\n      </ChildCharacteristics>\n      <CINdetails>\n"
        "        <CINreferralDate>2024-01-08</CINreferralDate>\n        <ReferralSource>1A</ReferralSource>\n"
        "        <ReferralNFA>true</ReferralNFA>\n      </CINdetails>\n    </Child>\n"
        for n in range(1000)
    )
    text = CENSUS.replace("  </Children>\n</Message>\n", extra)
    path = _write(tmp_path / "returns", text)
    assert path.stat().st_size > 4 * 65_536

    error = _refused(loaded_store, path, capsys)

    assert error == f"{path}: is not well-formed XML (line {text.count(chr(10)) + 1}, column 0: no element found)"


def test_xml_that_is_not_a_census_is_refused(loaded_store: str, tmp_path: Path, capsys) -> None:
    report = _write(tmp_path / "other", '<?xml version="1.0"?>\n<Report>\n  <Item>1</Item>\n</Report>\n', "r.xml")
    assert _refused(loaded_store, report, capsys) == (
        f"{report}: is not a DfE children in need census: its root element is <Report> (line 2), not <Message>"
    )
    school = _write(tmp_path / "other", CENSUS.replace("<Collection>CIN<", "<Collection>SC<"), "school.xml")
    assert _refused(loaded_store, school, capsys) == (
        f"{school}: is a DfE return for the SC collection (line 5), not the children in need census (CIN)"
    )
    text = CENSUS.split("  <Children>")[0] + "  <Children>\n  </Children>\n</Message>\n"
    empty = _write(tmp_path / "other", text, "empty.xml")
    assert _refused(loaded_store, empty, capsys) == (
        f"{empty}: holds no <Child> elements: a CIN census lists each child in one"
    )


def test_a_document_type_declaration_is_refused_before_any_entity_is_expanded(
    loaded_store: str, tmp_path: Path, capsys
) -> None:
    laughs = '<!DOCTYPE Message [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
    text = CENSUS.replace("<Message>", laughs + "<Message>", 1).replace("TST001", "&lol2;")
    path = _write(tmp_path / "returns", text)

    error = _refused(loaded_store, path, capsys)

    assert error == (
        f"{path}: declares a document type (DOCTYPE), which returns never carry; refused so no entity is expanded "
        "(line 2)"
    )


def test_a_census_is_recognised_by_its_root_whatever_its_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "returns", CENSUS, "cin_return.dat")
    parts = source_parts(path)
    assert [p.table.name for p in parts] == [
        "children",
        "referrals",
        "assessments",
        "assessment_factors",
        "s47_enquiries",
        "icpcs",
        "cp_plans",
    ]
    # progress estimates come from counting the module elements
    assert [p.estimated_rows for p in parts] == [3, 4, 2, 4, 2, 3, 1]
