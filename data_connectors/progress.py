"""A terminal progress bar for long loads (shown only when the output is a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def terminal_progress(unit: str = "rows") -> Iterator[Callable[[int, int, str], None]]:
    """Yield a callback (done, total, label) that drives a tqdm bar on stderr."""
    bar = tqdm(total=0, unit=unit, file=sys.stderr, disable=None, leave=False, dynamic_ncols=True)

    def update(done: int, total: int, label: str) -> None:
        bar.total = max(total, done)
        bar.set_description(label, refresh=False)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()
