"""Turning Standard Safeguarding Dataset values into the canonical templates' codes.

The SSD keeps outcomes as JSON objects of Y/N flags (`*_outcome_json`), assessment factors as a JSON
list (or an object of code: Yes/No), categories of abuse as words, and some local free text (early help
reasons). These helpers read each distinct value once (a column repeats few distinct values) and give
text for validation: a value no rule knows is passed on unchanged, so validation rejects it with its
field and value, never silently. JSON that cannot be read becomes a row problem without its text,
because outcome JSON may carry practitioners' comments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

import pandas as pd

from data_connectors.codelists import CodeList
from data_connectors.readers import TEXT, python_values

TRUE_TEXTS = {"Y", "YES", "TRUE", "T", "1"}
ISO_DATETIME = r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"


def words(value: str) -> str:
    """A spelling-insensitive key: upper case, runs of anything but letters and digits as one space."""
    return re.sub(r"[^0-9A-Z]+", " ", value.upper()).strip()


def is_true(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return value is not None and str(value).strip().upper() in TRUE_TEXTS


def date_part(values: pd.Series) -> pd.Series:
    """ISO date-times (as SQL Server and others write a datetime) cut to their date; other text as it is."""
    return values.str.replace(ISO_DATETIME, r"\1", regex=True)


def per_distinct(values: pd.Series, convert: Callable[[str], object]) -> list:
    """`convert` applied once to each distinct non-missing value; missing stays None."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    converted = [convert(value) for value in python_values(pd.Series(uniques, dtype=object))]
    return [converted[code] if code >= 0 else None for code in codes]


def read_json(text: str) -> tuple[bool, object]:
    """(readable, value): JSON text, or (False, None)."""
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


def flags_set(value: object) -> set[str] | None:
    """The flags a JSON outcome sets: keys whose value is yes-like (an object), or the names listed (a
    list); None when the value is neither."""
    if isinstance(value, dict):
        return {str(key).strip().upper() for key, flag in value.items() if is_true(flag)}
    if isinstance(value, list):
        return {str(item).strip().upper() for item in value if isinstance(item, str)}
    return None


OutcomeRules = tuple[tuple[str, tuple[str, ...]], ...]  # (code, flags that give it), first match wins


def outcome_codes(
    texts: pd.Series, rules: OutcomeRules, code_list: CodeList, field: str
) -> tuple[pd.Series, pd.Series]:
    """Codes from SSD outcome JSON (by `rules`), and a problem for each value that is not readable JSON.
    A plain code of `code_list` written instead of JSON is taken as it is."""

    def convert(text: str) -> tuple[str | None, str | None]:
        stripped = text.strip()
        if not stripped:
            return None, None
        readable, value = read_json(stripped)
        if readable and value is None:
            return None, None
        flags = flags_set(value) if readable else None
        if flags is not None:
            return next((code for code, wanted in rules if flags & set(wanted)), None), None
        plain = (value if isinstance(value, str) else stripped).strip().upper()
        if plain in code_list.codes:
            return plain, None
        return None, f"{field} is not an SSD outcome (a JSON object of flags)"

    pairs = per_distinct(texts, convert)
    codes = pd.Series([p[0] if p else None for p in pairs], index=texts.index, dtype=TEXT)
    problems = pd.Series([p[1] if p else None for p in pairs], index=texts.index, dtype=object)
    return codes, problems


def flag_value(texts: pd.Series, flag: str) -> pd.Series:
    """Y or N for one flag of SSD outcome JSON when the JSON sets any flag at all; otherwise missing
    (an outcome not yet recorded says nothing about this flag)."""

    def convert(text: str) -> str | None:
        readable, value = read_json(text.strip())
        flags = flags_set(value) if readable else None
        if not flags:
            return None
        return "Y" if flag in flags else "N"

    return pd.Series(per_distinct(texts, convert), index=texts.index, dtype=TEXT)


def factor_codes(text: str) -> list[str] | None:
    """Assessment factor codes from `cinf_assessment_factors_json`: a JSON list of codes (the SSD's
    current form), a JSON object of code: Yes/No (its planned form), or codes separated by commas;
    each code once, in the order written. None when the text is JSON of another shape or broken JSON."""
    stripped = text.strip()
    readable, value = read_json(stripped)
    if readable and (value is None or isinstance(value, bool | float)):
        return None
    if readable and isinstance(value, dict):
        found = [str(code) for code, answer in value.items() if is_true(answer)]
    elif readable and isinstance(value, list):
        found = [str(code) for code in value if code is not None and not isinstance(code, dict | list)]
    elif readable and isinstance(value, str | int):
        found = [str(value)]
    elif readable or stripped.startswith(("[", "{")):  # other JSON, or JSON cut short
        return None
    else:
        found = re.split(r"[,;|\s]+", stripped)
    codes = [code.strip().upper() for code in found if code.strip()]
    return list(dict.fromkeys(codes))


def lookup(values: pd.Series, table: Mapping[str, str], keep_unknown: bool = True) -> pd.Series:
    """Each value mapped through `table` (keyed by `words`); one it lacks is kept as written (for
    validation to reject with its value) or, with keep_unknown=False, left empty."""

    def convert(value: str) -> str | None:
        return table.get(words(value), value if keep_unknown else None)

    return pd.Series(per_distinct(values, convert), index=values.index, dtype=TEXT)


def code_list_words(code_list: CodeList) -> dict[str, str]:
    """A code list's codes and labels, as `words` keys, to the code."""
    table = {words(code): code for code in code_list.codes}
    table.update({words(label): code for code, label in code_list.codes.items()})
    return table
