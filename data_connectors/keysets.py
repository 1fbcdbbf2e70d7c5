"""Sets of keys held as 64-bit fingerprints in sorted arrays: about 8 bytes a key instead of ~100.

A regional load checks millions of keys (duplicates within the load, references to parents). Python sets
of strings cost gigabytes there; sorted NumPy segments searched with `searchsorted` cost megabytes and
answer a 100,000-row chunk in milliseconds. With 64-bit fingerprints the chance that two of ten million
keys collide is about 3 in a million per load, and a collision can only make a dangling reference pass
or report a false duplicate, never change a stored value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_SEGMENTS = 8


def fingerprints(keys: pd.DataFrame | pd.Series) -> np.ndarray:
    """One 64-bit fingerprint per row; the same for the same values whatever the column dtypes."""
    if isinstance(keys, pd.Series):
        keys = keys.to_frame()
    plain = pd.DataFrame(
        {name: keys[name].to_numpy(dtype=object, na_value=None) for name in keys.columns}, index=keys.index
    )
    return pd.util.hash_pandas_object(plain, index=False).to_numpy()


class KeySet:
    """An add-only set of fingerprints."""

    def __init__(self) -> None:
        self._segments: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(segment) for segment in self._segments)

    def add(self, prints: np.ndarray) -> None:
        if len(prints) == 0:
            return
        self._segments.append(np.unique(prints))
        if len(self._segments) > MAX_SEGMENTS:
            self._segments = [np.unique(np.concatenate(self._segments))]

    def contains(self, prints: np.ndarray) -> np.ndarray:
        found = np.zeros(len(prints), dtype=bool)
        for segment in self._segments:
            positions = np.minimum(np.searchsorted(segment, prints), len(segment) - 1)
            found |= segment[positions] == prints
        return found
