"""DfE children in need (CIN) census return: the XML file a local authority submits to DfE COLLECT.

One file holds seven canonical tables, so it is a Bundle of parts, one per table, each labelled with
the census module its rows come from (`cin.xml [CINdetails]`). How elements become rows and keys is
in `data_connectors.cin_records`; the element names are DfE's (CIN XSD, e.g. liia-tools
`liiatools/spec/cin_census/cin-2022.xsd`), and the load report names them.

- Row numbers are the line each module element starts on. A file written on one line (no line
  breaks) would put every row on line 1, so such a file is numbered by position instead (row 12 =
  the twelfth element of that module in the file) and its part labels say so.
- The file is read once: the first part to load (children, as the pipeline loads parents first)
  streams it and keeps the other tables' rows in a temporary spool until their turn.
- Each census year is its own source: the header's Year is added to the file's source label
  (`returns/cin_census (census 2025)`), so next year's return (whose episodes reach back years) never
  replaces this year's rows, while a resubmitted return of the same year does. An episode in several
  years' returns, or in the local authority's own extracts too, is one row (children's social care
  tables are merged: see `data_connectors.writer`).
- Refused with one line naming the file and the line (exit 2, store untouched): XML that is not
  well-formed, a document type declaration (never in a return; refused so no entity is expanded),
  a root other than <Message>, a <Message> of another DfE collection, a <Message> with no <Child>.
- Every `.xml` file is claimed (no other connector reads XML), so a stray XML file is refused with a
  clear reason rather than being read as CSV; so is any file whose root element is <Message>.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa

from data_connectors import schema
from data_connectors.cin_records import COLUMNS, child_rows
from data_connectors.formats.base import Bundle, Part, TableFormat
from data_connectors.readers import CHUNK_ROWS, ROW_NUMBER, ROW_PROBLEM, TEXT, UnusableFile
from data_connectors.spool import BatchSpool
from data_connectors.xml_records import XmlProblem, XmlRecords

HEAD_BYTES = 65_536
SNIFF_BYTES = 4_096
BLOCK_BYTES = 1 << 20
ROOT = "Message"
RECORD = "Child"
BY_POSITION = " by position"
SPOOL_ROWS = 25_000  # rows of the tables waiting their turn, gathered before they go to disk


def _format(
    table_name: str, name: str, element: str, renames: dict[str, str], description: str, note: str = ""
) -> tuple[str, str, TableFormat]:
    """A part's layout (census element names) with its template renames; required = what the table needs."""
    table = schema.metadata.tables[table_name]
    needed = {c.info.get("template_name", c.name) for c in schema.content_columns(table) if not c.nullable}
    columns = COLUMNS[table_name]
    required = tuple(c for c in columns if renames.get(c, c) in needed)
    layout = TableFormat(name, table, description, columns, required, renames=renames, note=note)
    return table_name, element, layout


# table, the element a row comes from (its line is the row number; also the part's label), layout
MODULES = (
    _format(
        "children",
        "cin_child",
        "Child",
        {
            "LAchildID": "child_id",
            "PersonBirthDate": "date_of_birth",
            "Sex": "sex",
            "Ethnicity": "ethnicity",
            "Disabilities": "has_disability",
        },
        "CIN census ChildIdentifiers and ChildCharacteristics, one row per Child",
        "only the month of birth is kept; UPN, former UPN, expected birth date and death date are not",
    ),
    _format(
        "referrals",
        "cin_details",
        "CINdetails",
        {
            "LAchildID": "child_id",
            "CINreferralDate": "referral_date",
            "ReferralSource": "source_code",
            "PrimaryNeedCode": "primary_need_code",
            "CINclosureDate": "closure_date",
            "ReasonForClosure": "closure_reason",
            "ReferralNFA": "nfa",
        },
        "CIN census CINdetails, one referral (CIN episode) per element",
        "not kept (the store has no place for them): CINPlanDates, AssessmentInternalReviewDate, "
        "InitialCPCtarget, CPPreviewDate",
    ),
    _format(
        "assessments",
        "cin_assessments",
        "Assessments",
        {
            "LAchildID": "child_id",
            "AssessmentActualStartDate": "start_date",
            "AssessmentAuthorisationDate": "authorised_date",
        },
        "CIN census Assessments, one per element",
    ),
    _format(
        "assessment_factors",
        "cin_assessment_factors",
        "AssessmentFactors",
        {"AssessmentFactors": "factor_code"},
        "CIN census FactorsIdentifiedAtAssessment, one row per AssessmentFactors code",
    ),
    _format(
        "s47_enquiries",
        "cin_section47",
        "Section47",
        {"LAchildID": "child_id", "S47ActualStartDate": "start_date", "ICPCnotRequired": "icpc_not_required"},
        "CIN census Section47, one enquiry per element",
    ),
    _format(
        "icpcs",
        "cin_initial_cpc",
        "DateOfInitialCPC",
        {"LAchildID": "child_id", "DateOfInitialCPC": "icpc_date"},
        "CIN census DateOfInitialCPC of Section47 and CINdetails, one conference per date; enquiries and "
        "episodes with no conference date hold no row of this table",
        "a conference made a plan when a plan of the same episode starts that day",
    ),
    _format(
        "cp_plans",
        "cin_cp_plans",
        "ChildProtectionPlans",
        {
            "LAchildID": "child_id",
            "CPPstartDate": "start_date",
            "CPPendDate": "end_date",
            "InitialCategoryOfAbuse": "initial_category",
            "LatestCategoryOfAbuse": "latest_category",
            "NumberOfPreviousCPP": "previous_plans",
        },
        "CIN census ChildProtectionPlans, one plan per element",
    ),
)


def _claims(target: str) -> bool:
    """Any .xml file, or a file whose root element is a DfE <Message> (a cheap look at its first bytes)."""
    path = Path(target)
    if "://" in target or not path.is_file():
        return False
    if path.suffix.lower() == ".xml":
        return True
    records = XmlRecords(path, set())
    try:
        for _ in records.read(SNIFF_BYTES):
            pass
    except (XmlProblem, OSError):
        return False
    return records.root == ROOT


def _parts(target: str) -> list[Part]:
    path = Path(target)
    if not path.is_file():
        raise UnusableFile(path, "does not exist")
    if path.stat().st_size == 0:
        raise UnusableFile(path, "is empty (0 bytes)")
    by_line, year = _check_head(path)
    digest, counts = _scan(path)
    census = _CensusFile(path, by_line)
    return [
        Part(
            f"{path} [{element}{'' if by_line else BY_POSITION}]",
            path,
            layout,
            lambda table_name=table_name: census.chunks(table_name),
            max(counts[element], 1),
            digest,
            edition=f"census {year}" if year else None,
        )
        for table_name, element, layout in MODULES
    ]


def _malformed(problem: XmlProblem) -> str:
    if problem.refused:
        return f"{problem.reason} (line {problem.line})"
    return f"is not well-formed XML (line {problem.line}, column {problem.column}: {problem.reason})"


def _check_head(path: Path) -> tuple[bool, str | None]:
    """Refuse what is plainly not a CIN census from the file's head; say whether rows can be numbered by
    line (the file has line breaks between elements) and which census year the header gives, if any."""
    records = XmlRecords(path, {"Header"})
    try:  # the whole head is read, so a small file is checked to its end before anything is loaded
        header = next(iter(list(records.read(HEAD_BYTES))), None)
    except XmlProblem as problem:
        raise UnusableFile(path, _malformed(problem)) from None
    if records.root is None:
        raise UnusableFile(path, f"has no XML element in its first {HEAD_BYTES:,} bytes")
    if records.root != ROOT:
        raise UnusableFile(
            path,
            f"is not a DfE children in need census: its root element is <{records.root}> "
            f"(line {records.root_line}), not <{ROOT}>",
        )
    details = header.find("CollectionDetails") if header is not None else None
    collection = details.find("Collection") if details is not None else None
    if collection is not None and collection.text and collection.text.upper() != "CIN":
        raise UnusableFile(
            path,
            f"is a DfE return for the {collection.text} collection (line {collection.line}), "
            "not the children in need census (CIN)",
        )
    year = details.find("Year") if details is not None else None
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    elements = head.count(b"<") - head.count(b"</") - head.count(b"<?") - head.count(b"<!")
    return elements <= 4 * (head.count(b"\n") + 1), _census_year(year.text if year is not None else None)


def _census_year(text: str | None) -> str | None:
    """The header's Year when it is a year (it names the census, e.g. 2025 for the year to 31 March 2025)."""
    text = (text or "").strip()
    return text if len(text) == 4 and text.isdigit() else None


def _scan(path: Path) -> tuple[str, Counter[str]]:
    """The file's fingerprint and how many of each module element it holds (for progress), in one read."""
    digest = hashlib.sha256()
    counts: Counter[str] = Counter()
    tags = {element: f"<{element}>".encode() for _, element, _ in MODULES}
    tail = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            digest.update(block)
            joined = tail + block
            for element, tag in tags.items():
                counts[element] += joined.count(tag) - tail.count(tag)  # a tag split across blocks counts once
            tail = block[-64:]
    return digest.hexdigest(), counts


class _CensusFile:
    """A census file's rows for every table, made in one pass when a part first asks for its rows."""

    def __init__(self, path: Path, by_line: bool) -> None:
        self.path = path
        self.by_line = by_line
        self.spool: BatchSpool | None = None
        self.waiting: set[str] = set()  # tables whose rows were made and have not been read yet

    def chunks(self, table_name: str) -> Iterator[pd.DataFrame]:
        if table_name not in self.waiting:
            yield from self._read_file(table_name)
            return
        self.waiting.discard(table_name)
        frames = 0
        if self.spool is not None and self.spool.holds(table_name):
            for batch in self.spool.read_once(table_name):
                frames += 1
                yield _frame(batch)
        if not frames:
            yield _frame(_Rows(COLUMNS[table_name]).take())

    def _read_file(self, wanted: str) -> Iterator[pd.DataFrame]:
        """Stream the file: `wanted` rows are handed on as they come, the other tables' rows spooled."""
        if self.spool is not None:
            self.spool.close()
        self.spool, self.waiting = None, set()
        spool = BatchSpool()
        rows = {table_name: _Rows(columns) for table_name, columns in COLUMNS.items()}
        positions: Counter[str] = Counter()
        children = yielded = 0
        try:
            for child in XmlRecords(self.path, {RECORD}).read():
                children += 1
                for table_name, element, values, problem in child_rows(child):
                    positions[table_name] += 1
                    table_rows = rows[table_name]
                    table_rows.add(values, element.line if self.by_line else positions[table_name], problem)
                    if table_name == wanted and len(table_rows) >= CHUNK_ROWS:
                        yielded += 1
                        yield _frame(table_rows.take())
                    elif table_name != wanted and len(table_rows) >= min(SPOOL_ROWS, CHUNK_ROWS):
                        spool.write(table_name, table_rows.take())
        except XmlProblem as problem:
            spool.close()
            raise UnusableFile(self.path, _malformed(problem)) from None
        if not children:
            spool.close()
            raise UnusableFile(self.path, f"holds no <{RECORD}> elements: a CIN census lists each child in one")
        for table_name, table_rows in rows.items():
            if table_name == wanted:
                if len(table_rows) or not yielded:
                    yield _frame(table_rows.take())
            elif len(table_rows):
                spool.write(table_name, table_rows.take())
        spool.finish()
        self.spool, self.waiting = spool, set(COLUMNS) - {wanted}


class _Rows:
    """Rows of one table gathered column by column, until there are enough for a batch."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.clear()

    def clear(self) -> None:
        self.values: dict[str, list[str | None]] = {column: [] for column in self.columns}
        self.numbers: list[int] = []
        self.problems: list[str | None] = []

    def __len__(self) -> int:
        return len(self.numbers)

    def add(self, values: dict[str, str | None], number: int, problem: str | None) -> None:
        for column in self.columns:
            self.values[column].append(values.get(column))
        self.numbers.append(number)
        self.problems.append(problem)

    def take(self) -> pa.RecordBatch:
        arrays = [pa.array(self.values[column], pa.string()) for column in self.columns]
        arrays += [pa.array(self.numbers, pa.int64()), pa.array(self.problems, pa.string())]
        batch = pa.RecordBatch.from_arrays(arrays, names=[*self.columns, ROW_NUMBER, ROW_PROBLEM])
        self.clear()
        return batch


def _frame(batch: pa.RecordBatch) -> pd.DataFrame:
    """A batch as the pipeline takes rows: text columns, row numbers, row problems (None when none)."""
    data = {name: pd.Series(batch.column(name), dtype=TEXT) for name in batch.schema.names[:-2]}
    frame = pd.DataFrame(data, index=pd.RangeIndex(batch.num_rows))
    frame[ROW_NUMBER] = batch.column(ROW_NUMBER).to_numpy()
    frame[ROW_PROBLEM] = pd.Series(batch.column(ROW_PROBLEM).to_pylist(), dtype=object)
    return frame


CIN_CENSUS = Bundle(
    name="cin_census",
    description="DfE children in need census return (XML, one file per year): children, referrals, assessments "
    "and their factors, section 47 enquiries, initial conferences, child protection plans; columns are census "
    "elements, and the *_id columns are made from LAchildID and dates (the census carries no such identifiers)",
    claims=_claims,
    parts=_parts,
    suffixes=(".xml",),
    formats=tuple(layout for _, _, layout in MODULES),
)

FORMATS: list[TableFormat] = []
BUNDLES = [CIN_CENSUS]
