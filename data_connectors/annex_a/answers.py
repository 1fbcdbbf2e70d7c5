"""Annex A answers as the canonical template's text.

Ofsted's template offers lettered answers ("a) Male", "q) 6: Police", "a) Neglect", "b) No"); systems
and people also write them plainly ("Male", "6: Police", "6", "1B", "Yes"). The letter is dropped and
the answer read by what follows it, never by the letter alone (letters shift between template years:
"NOBT" has been both "s)" and "t)"). An answer that cannot be read is handed on as written, so validation
rejects the row naming the column and showing the value; an answer that means "not known" becomes empty.

Accepted spellings, beyond the canonical codes themselves (case and spacing ignored):
- gender: Male, M; Female, F; Not stated/recorded, Not stated, Not recorded, Unknown, U; Neither,
  Indeterminate, I (CIN codes 1, 2, 0 and 9 also)
- ethnicity: the DfE code at the start ("WBRI", "WBRI - White British") or the code list's own label;
  "UNKNOWN" (the SSD extract's catch-all) becomes empty
- referral and contact source: the CIN code at the start ("6", "6: Police", "1B - acquaintance"), or
  one of the Annex A group words that name a single code: Police, Schools, Education services,
  Housing, Other legal agency, Other, Anonymous, Unknown
- yes/no: Yes, Y, True, 1 / No, N, False, 0; Unknown and Not known become empty
- category of abuse: Neglect, Physical abuse, Sexual abuse, Emotional abuse, Multiple/not recommended
  (or Physical, Sexual, Emotional, Multiple)
- primary need "N1 - Abuse or neglect" -> N1; reason for closure "RC8 - Case closed ..." -> RC8
- dates: DD/MM/YYYY, YYYY-MM-DD and real Excel dates (a time of day is dropped)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from data_connectors.codelists import ETHNICITY, PARTNER_AGENCY, REFERRAL_SOURCE
from data_connectors.dates import parse_dates
from data_connectors.readers import TEXT, python_values

LETTER = re.compile(r"^[a-z]{1,2}\d?\)\s*", re.IGNORECASE)
SOURCE_CODE = re.compile(r"^(10|[1-9][A-F]?)(?![0-9A-Z])", re.IGNORECASE)
PRIMARY_NEED_CODE = re.compile(r"^(N[0-9])(?![0-9])", re.IGNORECASE)
CLOSURE_CODE = re.compile(r"^(RC[1-9])(?![0-9])", re.IGNORECASE)
ETHNICITY_CODE = re.compile(r"^([A-Z]{4})(?![A-Z])", re.IGNORECASE)
TIME_OF_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")

SEX = {
    **dict.fromkeys(["male", "m", "1"], "1"),
    **dict.fromkeys(["female", "f", "2"], "2"),
    **dict.fromkeys(["not stated/recorded", "not stated", "not recorded", "unknown", "u", "0"], "0"),
    **dict.fromkeys(["neither", "indeterminate", "i", "9"], "9"),
}
SOURCE_WORDS = {
    "police": "6",
    "schools": "2A",
    "education services": "2B",
    "housing": "4",
    "other legal agency": "7",
    "other": "8",
    "anonymous": "9",
    "unknown": "10",
}
YES, NO = "Y", "N"
YES_NO = {
    **dict.fromkeys(["yes", "y", "true", "1"], YES),
    **dict.fromkeys(["no", "n", "false", "0"], NO),
}
NOT_KNOWN = {"unknown", "not known", "don't know", "not recorded"}
CATEGORY = {
    **dict.fromkeys(["neglect", "neg"], "NEG"),
    **dict.fromkeys(["physical abuse", "physical", "phy"], "PHY"),
    **dict.fromkeys(["sexual abuse", "sexual", "sab"], "SAB"),
    **dict.fromkeys(["emotional abuse", "emotional", "emo"], "EMO"),
    **dict.fromkeys(["multiple/not recommended", "multiple", "not recommended", "mul"], "MUL"),
}
ETHNICITY_LABELS = {label.lower(): code for code, label in ETHNICITY.codes.items()}
AGENCIES = {
    **{code.lower(): code for code in PARTNER_AGENCY.codes},
    **{label.lower(): code for code, label in PARTNER_AGENCY.codes.items()},
}
STAND_IN_PREFIX = "annexa:"


def answer_text(value: str) -> str:
    """The answer without its letter and outer spaces: "q) 6: Police" -> "6: Police"."""
    return LETTER.sub("", value.strip()).strip()


def _words(value: str) -> str:
    return re.sub(r"\s+", " ", answer_text(value)).lower()


def _map_distinct(values: pd.Series, read: Callable[[str], str | None]) -> pd.Series:
    """Apply `read` once per distinct answer (a column holds few), keeping missing values missing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [read(value) for value in uniques.to_numpy(dtype=object, na_value=None).tolist()]
    return pd.Series(np.array([*mapped, None], dtype=object)[codes], index=values.index, dtype=TEXT)


def _blank_to_none(read: Callable[[str], str | None]) -> Callable[[str], str | None]:
    return lambda value: None if not value.strip() else read(value)


def sexes(values: pd.Series) -> pd.Series:
    return _map_distinct(values, _blank_to_none(lambda v: SEX.get(_words(v), v)))


def _ethnicity(value: str) -> str | None:
    text = answer_text(value)
    if text.upper() == "UNKNOWN":
        return None
    found = ETHNICITY_CODE.match(text)
    if found and found.group(1).upper() in ETHNICITY.codes:
        return found.group(1).upper()
    return ETHNICITY_LABELS.get(_words(value), value)


def ethnicities(values: pd.Series) -> pd.Series:
    return _map_distinct(values, _blank_to_none(_ethnicity))


def _source(value: str) -> str:
    text = answer_text(value)
    found = SOURCE_CODE.match(text)
    if found and found.group(1).upper() in REFERRAL_SOURCE.codes:
        return found.group(1).upper()
    return SOURCE_WORDS.get(_words(value), value)


def sources(values: pd.Series) -> pd.Series:
    """Contact and referral source (CIN ReferralSource codes)."""
    return _map_distinct(values, _blank_to_none(_source))


def _yes_no(value: str) -> str | None:
    words = _words(value)
    if words in NOT_KNOWN:
        return None
    return YES_NO.get(words, value)


def yes_no(values: pd.Series) -> pd.Series:
    return _map_distinct(values, _blank_to_none(_yes_no))


def categories(values: pd.Series) -> pd.Series:
    """Category of abuse (CIN codes NEG, PHY, SAB, EMO, MUL)."""
    return _map_distinct(values, _blank_to_none(lambda v: CATEGORY.get(_words(v), v)))


def _leading_code(pattern: re.Pattern) -> Callable[[str], str]:
    def read(value: str) -> str:
        found = pattern.match(answer_text(value))
        return found.group(1).upper() if found else value

    return read


def primary_needs(values: pd.Series) -> pd.Series:
    return _map_distinct(values, _blank_to_none(_leading_code(PRIMARY_NEED_CODE)))


def closure_reasons(values: pd.Series) -> pd.Series:
    return _map_distinct(values, _blank_to_none(_leading_code(CLOSURE_CODE)))


def agencies(values: pd.Series) -> pd.Series:
    """A partner agency code when the text names one (code or label); otherwise empty. Annex A's
    organisation is free text, so a name that is not an agency is not kept (the load note counts them)."""
    return _map_distinct(values, _blank_to_none(lambda v: AGENCIES.get(_words(v))))


def iso_dates(values: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD where they can be read (a time of day dropped); anything else as written,
    so validation reports it."""
    text = _map_distinct(values, lambda v: TIME_OF_DAY.sub(r"\1", v.strip()))
    parsed = parse_dates(text)
    iso = pd.Series(parsed.dt.strftime("%Y-%m-%d"), index=values.index).astype(TEXT)
    return iso.where(parsed.notna(), values.astype(TEXT))


def occurrence(child: pd.Series, day: pd.Series) -> pd.Series:
    """1 for a child's first row on a date, 2 for the second, ... in row order."""
    keys = pd.DataFrame({"child": child.fillna("").astype(str), "day": day.fillna("").astype(str)})
    return keys.groupby(["child", "day"], sort=False).cumcount() + 1


def stand_in_ids(kind: str, child: pd.Series, day: pd.Series, sequence: pd.Series) -> pd.Series:
    """Identifiers for rows Annex A gives none: made from what the row is (its kind, the child, the date,
    and its place among the child's rows that day), so an identical reload makes the same ones. The digest
    only shortens the text to fit; the load then replaces it by the partnership's keyed hash."""
    described = (
        kind
        + "|"
        + child.fillna("").astype(str).str.strip()
        + "|"
        + day.fillna("").astype(str)
        + "|"
        + sequence.astype(str)
    )
    digests = [STAND_IN_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:32] for text in python_values(described)]
    return pd.Series(digests, index=child.index, dtype=TEXT)
