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


def fingerprints(keys: pd.DataFrame | pd.Series) -> np.ndarray:
    """One 64-bit fingerprint per row; the same for the same values whatever the column dtypes."""
    columns = [keys] if isinstance(keys, pd.Series) else [keys[name] for name in keys.columns]
    combined = np.zeros(len(columns[0]), dtype=np.uint64)
    for column in columns:
        hashed = pd.util.hash_array(column.to_numpy(dtype=object, na_value=None), categorize=False)
        combined = combined * np.uint64(1_000_003) ^ hashed  # wraps modulo 2**64, as intended
    return combined


class KeySet:
    """An add-only set of fingerprints."""

    def __init__(self) -> None:
        self._segments: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(segment) for segment in self._segments)

    def add(self, prints: np.ndarray) -> None:
        """Add a sorted segment, merging neighbours of similar size (as a log-structured merge does), so
        there are only about log2(n) segments and each key is re-sorted only a few times."""
        if len(prints) == 0:
            return
        self._segments.append(np.sort(prints))
        while len(self._segments) > 1 and 2 * len(self._segments[-1]) >= len(self._segments[-2]):
            newest = self._segments.pop()
            self._segments[-1] = np.sort(np.concatenate([self._segments[-1], newest]))

    def contains(self, prints: np.ndarray) -> np.ndarray:
        found = np.zeros(len(prints), dtype=bool)
        for segment in self._segments:
            positions = np.minimum(np.searchsorted(segment, prints), len(segment) - 1)
            found |= segment[positions] == prints
        return found
