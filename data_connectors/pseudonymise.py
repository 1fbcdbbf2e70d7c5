"""Reducing sensitive fields on the way in, so no raw identifier ever reaches the store.

Identifiers become a keyed BLAKE2b hash (a MAC: without the key the hash cannot be recomputed from a
guessed identifier, unlike a plain hash); dates of birth become the first of the month; postcodes are
looked up to a small area and dropped; incident locations are rounded to about 100 metres.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

HASH_BYTES = 10  # 20 hex characters: collisions are negligible below billions of identifiers
LOCATION_DECIMALS = 3  # about 110 m of latitude


class Pseudonymiser:
    """Keyed hashing of identifiers with one partnership key."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a pseudonymisation key is required")
        self._key = hashlib.sha256(key.encode("utf-8")).digest()
        self._keyed = hashlib.blake2b(key=self._key, digest_size=HASH_BYTES)  # copied per value: no re-keying

    def hash_one(self, identifier: str) -> str:
        hasher = self._keyed.copy()
        hasher.update(identifier.encode("utf-8"))
        return hasher.hexdigest()

    def hash_series(self, values: pd.Series) -> pd.Series:
        """Hash each non-empty value; each distinct value is hashed once, which keeps big loads fast."""
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        keyed = self._keyed
        hashed_distinct = []
        for value in uniques.to_numpy(dtype=object, na_value=None).tolist():  # the hot loop of a big load
            hasher = keyed.copy()
            hasher.update(value.encode("utf-8"))
            hashed_distinct.append(hasher.hexdigest())
        hashed = np.array(hashed_distinct + [None], dtype=object)
        return pd.Series(hashed[codes], index=values.index, dtype=values.dtype)

    def fingerprint(self) -> str:
        """A value that identifies the key without revealing it, kept in the store."""
        return hashlib.blake2b(b"line-of-sight key fingerprint", key=self._key, digest_size=8).hexdigest()


def to_month(dates: pd.Series) -> pd.Series:
    """The first day of each date's month: how a date of birth is kept (the day is dropped)."""
    months = dates.to_numpy(dtype="datetime64[s]").astype("datetime64[M]").astype("datetime64[s]")
    return pd.Series(months, index=dates.index)


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """Upper case, one space before the inward code: how the postcode lookup is keyed."""
    compact = values.str.upper().str.replace(r"\s+", "", regex=True)
    return compact.str[:-3] + " " + compact.str[-3:]


def round_locations(values: pd.Series) -> pd.Series:
    return values.round(LOCATION_DECIMALS)
