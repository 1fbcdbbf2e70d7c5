"""English Indices of Deprivation (MHCLG), "File 7": every score, rank and decile for each small area.

One row per LSOA, about 57 columns (data-standards §5.4). The edition is told by the small-area column:
IoD2025 describes 2021 small areas ("LSOA code (2021)", iod_year 2025), IoD2019 2011 ones ("LSOA code
(2011)", iod_year 2019). Only the Index of Multiple Deprivation and the Income Deprivation Affecting
Children Index (score, rank and decile of each) are kept; the domain and sub-domain columns are part of
the layout but not loaded. Ranks run to about 33,000 and some copies of the file write them with
thousands separators ("32,844"): those are removed first. A comma that is not a thousands separator
("0,31") is left alone, so the value is rejected rather than read as another number.

The file lists every small area in England: each one that is not a partnership small area is rejected
by the small-area reference check and listed in the load report against the LSOA code column. IoD2019
rows for the few areas whose code changed in 2021 are rejected the same way.
"""

from __future__ import annotations

import pandas as pd

from data_connectors import schema
from data_connectors.formats.base import TableFormat
from data_connectors.readers import TEXT, as_mask, normalise_header

RANK = "Rank (where 1 is most deprived)"
DECILE = "Decile (where 1 is most deprived 10% of LSOAs)"
IMD = "Index of Multiple Deprivation (IMD)"
IDACI = "Income Deprivation Affecting Children Index (IDACI)"

# The indices, domains and sub-domains in File 7's order, each with how its score column is headed.
INDICES = (
    (IMD, "Score"),
    ("Income", "Score (rate)"),
    ("Employment", "Score (rate)"),
    ("Education, Skills and Training", "Score"),
    ("Health Deprivation and Disability", "Score"),
    ("Crime", "Score"),
    ("Barriers to Housing and Services", "Score"),
    ("Living Environment", "Score"),
    (IDACI, "Score (rate)"),
    ("Income Deprivation Affecting Older People (IDAOPI)", "Score (rate)"),
    ("Children and Young People Sub-domain", "Score"),
    ("Adult Skills Sub-domain", "Score"),
    ("Geographical Barriers Sub-domain", "Score"),
    ("Wider Barriers Sub-domain", "Score"),
    ("Indoors Sub-domain", "Score"),
    ("Outdoors Sub-domain", "Score"),
)
INDEX_HEADER = tuple(f"{name} {part}" for name, score in INDICES for part in (score, RANK, DECILE))

# What differs between editions: the small-area and district vintages and the population denominators.
EDITIONS = {
    2025: {
        "areas": ("LSOA code (2021)", "LSOA name (2021)"),
        "districts": ("Local Authority District code (2024)", "Local Authority District name (2024)"),
        "denominators": (
            "Total population: mid 2022",
            "Dependent Children aged 0-15: mid 2022",
            "Population aged 16-59: mid 2022",
            "Older population aged 60 and over: mid 2022",
            "Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022",
        ),
    },
    2019: {
        "areas": ("LSOA code (2011)", "LSOA name (2011)"),
        "districts": ("Local Authority District code (2019)", "Local Authority District name (2019)"),
        "denominators": (
            "Total population: mid 2015 (excluding prisoners)",
            "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
            "Population aged 16-59: mid 2015 (excluding prisoners)",
            "Older population aged 60 and over: mid 2015 (excluding prisoners)",
            "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)",
        ),
    },
}

# Template column -> File 7 header (the small-area column is added per edition).
KEPT = {
    "imd_score": f"{IMD} Score",
    "imd_rank": f"{IMD} {RANK}",
    "imd_decile": f"{IMD} {DECILE}",
    "idaci_score": f"{IDACI} Score (rate)",
    "idaci_rank": f"{IDACI} {RANK}",
    "idaci_decile": f"{IDACI} {DECILE}",
}
NUMBERS = tuple(KEPT)
THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"


def without_thousands_separators(values: pd.Series) -> pd.Series:
    """'32,844' -> '32844' and '1,234.5' -> '1234.5'; any other value (including '0,31') unchanged."""
    text = values.str.strip()
    grouped = as_mask(text.str.match(THOUSANDS))
    return text.str.replace(",", "", regex=False).where(grouped, values)


def _deriver(iod_year: int):
    def derive(frame: pd.DataFrame) -> pd.DataFrame:
        """The edition from the layout, and numbers without thousands separators (after the renames)."""
        out = frame.copy()
        for name in NUMBERS:
            if name in out:
                out[name] = without_thousands_separators(out[name])
        out["iod_year"] = pd.Series(str(iod_year), index=frame.index, dtype=TEXT)
        return out

    return derive


def _file_7(iod_year: int, note: str) -> TableFormat:
    edition = EDITIONS[iod_year]
    header = (*edition["areas"], *edition["districts"], *INDEX_HEADER, *edition["denominators"])
    area = normalise_header(edition["areas"][0])
    renames = {area: "area_code", **{normalise_header(layout): name for name, layout in KEPT.items()}}
    return TableFormat(
        name=f"iod{iod_year}_file7",
        table=schema.deprivation,
        description=f"English Indices of Deprivation {iod_year}, File 7 (all scores, ranks and deciles); "
        "IMD and IDACI are kept",
        columns=tuple(normalise_header(name) for name in header),
        required=(area, normalise_header(KEPT["imd_score"]), normalise_header(KEPT["imd_decile"])),
        renames=renames,
        derive=_deriver(iod_year),
        note=note,
    )


FORMATS = [
    _file_7(2025, "loaded as IoD2025 (2021 small areas); of its indices only IMD and IDACI are kept"),
    _file_7(
        2019,
        "loaded as IoD2019, which describes 2011 small areas: areas whose code changed in 2021 are reported as "
        "unknown; of its indices only IMD and IDACI are kept",
    ),
]
