"""DfE statistical neighbour groupings: for each local authority its ten most similar authorities.

Two layouts are published, both one row per local authority keyed by the DfE local authority number
(three digits, e.g. 896 for Cheshire West and Chester), never by ONS code:
- the 2025 model (`sn_model_2025_wide.csv`): old_la_code, la_name, region_ind, region_name, then SN_1,
  SN_1P ... SN_10, SN_10P (neighbour number, then how close: "Very close", "Close ", ...);
- the April 2021 groupings (`New_Statistical_Neighbour_Groupings_April_2021.csv`): LA num, LA Name,
  LA number, GOInd, GOReg, then SN1, SNP ... SN10, SNP. Every closeness column is headed "SNP", and the
  reader keeps only the first of a repeated heading, so closeness is not loaded from this layout. The
  file also holds a note row ("Old SNs:"), blank rows (both reported) and the neighbours of authorities
  that reorganised (Dorset, Poole, Bournemouth, Northamptonshire: loaded under their own numbers).

Each input row becomes ten rows, rank 1 (most similar) to 10. The model is the one year the file name
gives (sn_model_2025_wide -> 2025); a name without exactly one year is refused before the store is
touched. Closeness is kept in sentence case ("Not Close" -> "Not close").
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from data_connectors import schema
from data_connectors.formats.base import TableFormat
from data_connectors.readers import ROW_NUMBER, ROW_PROBLEM, TEXT, TabularFile, UnusableFile, as_mask, python_values

RANKS = range(1, 11)
LA_NUMBER = r"\d{3}"
SHOWN_VALUE_CHARS = 80


def model_year(tabular: TabularFile) -> dict[str, str]:
    """The model, from the one year in the file name."""
    years = sorted(set(re.findall(r"(?<!\d)(20\d{2})(?!\d)", tabular.path.stem)))
    if len(years) != 1:
        raise UnusableFile(
            tabular.path,
            "does not say which statistical neighbour model it holds; put the model's year (and only that year) "
            "in the file name, e.g. sn_model_2025_wide.csv",
        )
    return {"model": years[0]}


def _number_problem(values: pd.Series, column: str) -> pd.Series:
    """Why a cell is not a DfE local authority number (None where it is one)."""
    text = values.fillna("").str.strip()
    empty = ~as_mask(text.str.len() > 0)
    bad = ~empty & ~as_mask(text.str.fullmatch(LA_NUMBER))
    out = pd.Series(None, index=values.index, dtype=object)
    out[empty] = f"{column} is empty"
    if bad.any():
        shown = python_values(text[bad].str.slice(0, SHOWN_VALUE_CHARS))
        out[bad] = [f'{column} is not a DfE local authority number (three digits): "{value}"' for value in shown]
    return out


def _sentence_case(values: pd.Series) -> pd.Series:
    text = values.str.strip().str.replace(r"\s+", " ", regex=True)
    return (text.str.slice(0, 1).str.upper() + text.str.slice(1).str.lower()).where(as_mask(text.str.len() > 0))


def _deriver(la_column: str, neighbour: str, closeness: str | None) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """derive for a layout: `neighbour` and `closeness` name the columns of a rank, e.g. "sn_{rank}"."""

    def to_long(frame: pd.DataFrame) -> pd.DataFrame:
        """Ten rows per input row, rank 1 to 10, each keeping its row number; a blank row stays blank."""
        layout = [name for name in frame.columns if name not in (ROW_NUMBER, ROW_PROBLEM, "model")]
        blank = pd.Series(True, index=frame.index)
        for name in layout:
            blank &= ~as_mask(frame[name].str.strip().str.len() > 0)
        keep = frame[ROW_PROBLEM].notna() | blank
        la_problem = _number_problem(frame[la_column], la_column)
        nothing = pd.Series(None, index=frame.index, dtype=TEXT)
        pieces = []
        for rank in RANKS:
            column = neighbour.format(rank=rank)
            problem = la_problem.where(la_problem.notna(), _number_problem(frame[column], column))  # one reason
            near = _sentence_case(frame[closeness.format(rank=rank)]) if closeness else None
            piece = pd.DataFrame(
                {
                    "model": frame["model"],
                    "la_code": frame[la_column].str.strip(),
                    "rank": pd.Series(str(rank), index=frame.index, dtype=TEXT),
                    "neighbour_la_code": frame[column].str.strip(),
                    "la_name": frame.get("la_name", nothing),
                    "closeness": nothing if near is None else near,
                }
            ).where(~blank)
            piece[ROW_NUMBER] = frame[ROW_NUMBER]
            piece[ROW_PROBLEM] = frame[ROW_PROBLEM].where(keep, problem)
            pieces.append(piece)
        return pd.concat(pieces, ignore_index=True)

    return to_long


SN_2025 = TableFormat(
    name="dfe_statistical_neighbours",
    table=schema.statistical_neighbours,
    description="DfE statistical neighbour model, wide (sn_model_2025_wide.csv): ten neighbours of each local "
    "authority with how close each is",
    columns=(
        "old_la_code",
        "la_name",
        "region_ind",
        "region_name",
        *(name for rank in RANKS for name in (f"sn_{rank}", f"sn_{rank}p")),
    ),
    required=("old_la_code", *(f"sn_{rank}" for rank in RANKS)),
    derive=_deriver("old_la_code", "sn_{rank}", "sn_{rank}p"),
    file_values=model_year,
)

SN_2021 = TableFormat(
    name="dfe_statistical_neighbours_2021",
    table=schema.statistical_neighbours,
    description="DfE statistical neighbour groupings, April 2021 layout (LA num, SN1, SNP, ...): ten neighbours "
    "of each local authority",
    columns=("la_num", "la_name", "la_number", "goind", "goreg", *(f"sn{rank}" for rank in RANKS), "snp"),
    required=("la_num", *(f"sn{rank}" for rank in RANKS)),
    derive=_deriver("la_num", "sn{rank}", None),
    file_values=model_year,
    note="every closeness column of this layout is headed SNP, so closeness is not loaded from it",
)

FORMATS = [SN_2025, SN_2021]
