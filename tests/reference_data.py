"""Where the real published DfE files live: beside the project (../shared/reference-data/dfe), or where
LOS_DFE_REFERENCE_DIR says. Tests that need them fail, never skip, when they are missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CANDIDATES = [
    Path(__file__).resolve().parents[2] / "shared" / "reference-data" / "dfe",
    Path("/work/shared/reference-data/dfe"),
]


def dfe_folder() -> Path:
    chosen = os.environ.get("LOS_DFE_REFERENCE_DIR")
    for folder in [Path(chosen)] if chosen else CANDIDATES:
        if (folder / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv").is_file():
            return folder
    pytest.fail("the published DfE files are missing: set LOS_DFE_REFERENCE_DIR to the reference-data/dfe folder")


DFE = dfe_folder()
