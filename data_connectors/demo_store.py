"""Building a store from the demo partnership through the real load pipeline."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from data_connectors.pipeline import LoadResult, run_load


def build_demo_store(
    store_url: str,
    tier: str = "local",
    seed: int = 7,
    progress: Callable[[float, str], None] | None = None,
) -> LoadResult:
    """Write the demo partnership's source files to a temporary folder and load them.

    Progress runs 0 to 1: the first third for writing the files, the rest for loading them.
    """
    from data_connectors.demo import write_demo

    def report(fraction: float, label: str) -> None:
        if progress:
            progress(min(max(fraction, 0.0), 1.0), label)

    with tempfile.TemporaryDirectory(prefix="los-demo-") as folder:
        write_demo(
            Path(folder),
            tier=tier,
            seed=seed,
            progress=lambda label, fraction: report(fraction / 3, f"Writing the demo partnership: {label}"),
        )
        return run_load(
            [Path(folder)],
            store_url,
            progress=lambda done, total, label: report(1 / 3 + 2 / 3 * done / max(total, 1), f"Loading {label}"),
        )
