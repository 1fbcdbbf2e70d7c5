"""Reading an Annex A workbook's list sheets, and what only the whole workbook can tell.

Annex A is small (a six-month window: thousands of rows, not millions), so each list sheet is read whole
when the load is planned. That lets the load say before it starts what it will do: one row per child
across all lists (with any disagreement between lists named), and which List 6 episodes match a List 3
referral.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from data_connectors.annex_a import answers
from data_connectors.annex_a.lists import (
    CHILD_ID,
    CIN_CLOSURE,
    CLOSURE_REASON,
    DATE_OF_BIRTH,
    DISABILITY,
    ETHNICITY,
    GENDER,
    PRIMARY_NEED,
    Column,
    Match,
)
from data_connectors.codelists import ETHNICITY as ETHNICITY_CODES
from data_connectors.codelists import SEX
from data_connectors.readers import ROW_NUMBER, ROW_PROBLEM, TEXT, TabularFile, as_mask, iter_chunks

SEQUENCE = "__sequence"  # a row's place among the same child's rows on the same date (see answers.occurrence)
EXAMPLES = 3


@dataclass
class ListSheet:
    """One sheet (or CSV file) read as an Annex A list: every data row, as text, under the sheet's own
    (normalised) column names, with row numbers, problems and each row's sequence."""

    tabular: TabularFile
    match: Match
    frame: pd.DataFrame

    @property
    def number(self) -> int:
        return self.match.annex_list.number

    @property
    def label(self) -> str:
        """The file, and the sheet for a workbook: what a person opens."""
        return sheet_label(self.tabular)

    @property
    def short(self) -> str:
        """The sheet's name (or the list's, for a CSV file), for notes."""
        return self.tabular.sheet or self.match.annex_list.label

    def column(self, column: Column) -> pd.Series:
        """The column's values, or empty values when the sheet does not have it."""
        name = self.match.name(column)
        if name is None or name not in self.frame:
            return pd.Series(None, index=self.frame.index, dtype=TEXT)
        return self.frame[name]

    def children(self) -> pd.Series:
        return self.column(CHILD_ID).str.strip()

    def event_dates(self) -> pd.Series:
        return answers.iso_dates(self.column(self.match.annex_list.event))


def sheet_label(tabular: TabularFile) -> str:
    return f"{tabular.path} [{tabular.sheet}]" if tabular.container == "xlsx" else str(tabular.path)


def read_list(tabular: TabularFile, match: Match) -> ListSheet:
    """Every data row of a list sheet. Trailing blank rows are dropped (templates are often formatted far
    below the data); blank rows between data rows stay, and validation reports them."""
    frame = pd.concat(list(iter_chunks(tabular)), ignore_index=True)
    filled = pd.Series(False, index=frame.index)
    for name in frame.columns:
        if name not in (ROW_NUMBER, ROW_PROBLEM):
            filled |= as_mask(frame[name].str.strip().str.len() > 0)
    filled |= frame[ROW_PROBLEM].notna()
    last = filled[filled].index.max()
    frame = frame.iloc[: 0 if pd.isna(last) else last + 1].reset_index(drop=True)
    sheet = ListSheet(tabular, match, frame)
    frame[SEQUENCE] = answers.occurrence(sheet.children(), sheet.event_dates()).to_numpy()
    return sheet


# --- One row per child -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Trait:
    """A child's characteristic held on every list: how to read it and which readings are valid."""

    column: Column
    label: str
    read: Callable[[pd.Series], pd.Series]  # to canonical text
    valid: Callable[[pd.Series], pd.Series]  # canonical text -> mask


def _in(codes: set[str]) -> Callable[[pd.Series], pd.Series]:
    return lambda values: as_mask(values.isin(list(codes)))


TRAITS = (
    Trait(GENDER, "gender", answers.sexes, _in(set(SEX.codes))),
    Trait(ETHNICITY, "ethnicity", answers.ethnicities, _in(set(ETHNICITY_CODES.codes))),
    Trait(DATE_OF_BIRTH, "date of birth", answers.iso_dates, lambda v: as_mask(v.str.match(r"^\d{4}-\d{2}-\d{2}$"))),
    Trait(DISABILITY, "disability", answers.yes_no, _in({answers.YES, answers.NO})),
)


@dataclass
class Children:
    """The children of a workbook: frames (one per sheet, holding the children first seen there) under the
    canonical Annex A column names, and what the load should say about them."""

    chunks: list[pd.DataFrame] = field(default_factory=list)
    count: int = 0
    sources: list[str] = field(default_factory=list)
    disagreements: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self) -> str:
        said = (
            f"one row per child ({self.count:,}) from the common columns of {', '.join(self.sources)}; "
            "a child's row number is the row where it first appears (lists in order)"
        )
        if self.disagreements:
            who = "1 child has" if self.disagreements == 1 else f"{self.disagreements:,} children have"
            said += (
                f"; {who} a different gender, ethnicity, date of birth or disability on different rows: the first "
                "readable value (lists in order) was kept, e.g. " + "; ".join(self.examples)
            )
        return said


def _child_rows(ordered: list[ListSheet]) -> pd.DataFrame:
    """Every usable row of every list (a child identifier, no structural problem), in list then row order."""
    pieces = []
    for order, sheet in enumerate(ordered):
        usable = sheet.frame[ROW_PROBLEM].isna() & as_mask(sheet.children().str.len() > 0)
        piece = pd.DataFrame(
            {
                "child": sheet.children(),
                "order": order,
                "row": sheet.frame[ROW_NUMBER],
                **{trait.label: _filled(sheet.column(trait.column)) for trait in TRAITS},
            }
        )
        pieces.append(piece[usable])
    return pd.concat(pieces, ignore_index=True)


def _filled(values: pd.Series) -> pd.Series:
    text = values.str.strip()
    return text.mask(~as_mask(text.str.len() > 0))


def children(sheets: list[ListSheet]) -> Children:
    """Each child once, in list order (List 1 first) then row order. For each characteristic the first
    value that can be read wins, so a blank or mistyped cell on one list does not hide a good value on
    another; when no row has a readable value the first written one is kept, for validation to report."""
    ordered = sorted(sheets, key=lambda s: s.number)
    result = Children(sources=[sheet.short for sheet in ordered])
    rows = _child_rows(ordered)
    if rows.empty:
        return result
    first = rows.drop_duplicates("child", keep="first").set_index("child")
    chosen = pd.DataFrame(index=first.index)
    compared = pd.DataFrame(index=rows.index)
    disagreeing: dict[str, list[str]] = {}
    by_child = rows["child"]
    for trait in TRAITS:
        raw = rows[trait.label]
        reading = trait.read(raw)
        valid = trait.valid(reading) & raw.notna()
        first_valid = raw[valid].groupby(by_child[valid], sort=False).first().reindex(first.index)
        first_any = raw[raw.notna()].groupby(by_child[raw.notna()], sort=False).first().reindex(first.index)
        chosen[trait.label] = first_valid.fillna(first_any)
        compared[trait.label] = reading.where(valid, raw)
        distinct = compared[trait.label].groupby(by_child).nunique()
        for child in distinct[distinct > 1].index:
            disagreeing.setdefault(child, []).append(trait.label)
    result.count = len(first)
    result.disagreements = len(disagreeing)
    result.examples = [
        _example(rows, compared, child, traits, ordered) for child, traits in list(disagreeing.items())[:EXAMPLES]
    ]
    names = {trait.label: trait.column.name for trait in TRAITS}
    for order in range(len(ordered)):
        here = (first["order"] == order).to_numpy()
        if not here.any():
            continue
        chunk = pd.DataFrame({CHILD_ID.name: pd.Series(first.index[here], dtype=TEXT)})
        for trait in TRAITS:
            chunk[names[trait.label]] = chosen[trait.label][here].astype(TEXT).to_numpy()
        chunk[ROW_NUMBER] = first["row"][here].to_numpy()
        chunk[ROW_PROBLEM] = pd.Series([None] * len(chunk), dtype=object)
        result.chunks.append(chunk)
    return result


def _example(
    rows: pd.DataFrame, compared: pd.DataFrame, child: str, traits: list[str], ordered: list[ListSheet]
) -> str:
    """Where a child's rows disagree: the row of its first value and the first row that reads otherwise.
    Values are not shown (a date of birth is sensitive)."""
    own = rows["child"] == child
    places = set()
    for label in traits:
        given = compared.loc[own, label].dropna()
        other = given[given != given.iloc[0]]
        for index in (given.index[0], other.index[0]):
            places.add((int(rows.at[index, "order"]), int(rows.at[index, "row"])))
    described = " and ".join(f"{ordered[order].short} row {row}" for order, row in sorted(places))
    return f"{', '.join(traits)} on {described}"


# --- List 6 onto List 3 ----------------------------------------------------------------------------

LIST_6_COLUMNS = {
    PRIMARY_NEED: "list_6_primary_need_code",
    CIN_CLOSURE: "list_6_cin_closure_date",
    CLOSURE_REASON: "list_6_reason_for_closure",
}


@dataclass
class Joined:
    """List 3 with List 6's primary need and closure added where a CIN episode matches a referral."""

    frame: pd.DataFrame
    matched: int
    episodes: int


def join_list_6(referrals: ListSheet, episodes: ListSheet) -> Joined:
    """A CIN episode starts with its referral, so a List 6 row belongs to the List 3 row of the same child
    whose referral date is the CIN start date (the n-th such row to the n-th, should a child have two)."""
    keys = ["child", "day", SEQUENCE]
    usable = (
        episodes.frame[ROW_PROBLEM].isna()
        & as_mask(episodes.children().str.len() > 0)
        & as_mask(episodes.event_dates().str.strip().str.len() > 0)
    )
    right = pd.DataFrame(
        {
            "child": episodes.children(),
            "day": episodes.event_dates(),
            SEQUENCE: episodes.frame[SEQUENCE],
            **{name: episodes.column(column) for column, name in LIST_6_COLUMNS.items()},
        }
    )[usable]
    left = pd.DataFrame(
        {"child": referrals.children(), "day": referrals.event_dates(), SEQUENCE: referrals.frame[SEQUENCE]}
    )
    joined = left.merge(right, on=keys, how="left", validate="many_to_one", indicator=True)
    frame = referrals.frame.copy()
    for name in LIST_6_COLUMNS.values():
        frame[name] = joined[name].astype(TEXT).to_numpy()
    matched = int((joined["_merge"] == "both").sum())
    return Joined(frame, matched, int(usable.sum()))
