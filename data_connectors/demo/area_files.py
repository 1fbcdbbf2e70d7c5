"""The demo's geography, population and deprivation in the national layouts the connectors read.

* The ONS LSOA (2021) -> ward (2024) -> LAD (2024) lookup, `LSOA21_WD24_LAD24_EW_LU.csv` (UTF-8 with a
  byte-order mark, as ONS's Open Geography Portal writes it), with the partnership's `locality` and
  `locality_name` added: it fills localities, wards and small areas.
* ONS small-area mid-year estimates by single year of age and sex, one CSV per mid-year saved from the ONS
  workbook (`sapelsoasyoa-mid-2024.csv`: the mid-year is told by the file name), every age 0 to 90+ for
  females and males. The children (0-17) are the demo's population; the adults are filled in so the
  totals look like a real small area's (about 1,500 people).
* The English Indices of Deprivation 2025, File 7: every index, domain and sub-domain score, rank and decile
  and the population denominators. IMD and IDACI are the demo's own (they drive its signals); the other
  domains are plausible values that follow IMD, and the denominators are the mid-2022 estimates above.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from data_connectors.demo.context import Partnership
from data_connectors.demo.geography import SMALL_AREAS_IN_ENGLAND, Place, decile
from data_connectors.formats.deprivation_iod import DECILE, EDITIONS, IDACI, IMD, INDICES, RANK
from data_connectors.formats.ons_population import HEADER as POPULATION_HEADER
from data_connectors.formats.ons_population import OLDEST

LOOKUP_FILE = "LSOA21_WD24_LAD24_EW_LU.csv"
IOD_FILE = "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"
DENOMINATOR_YEAR = 2022  # IoD2025's denominators are mid-2022 estimates
ADULT_AGES = np.arange(18, OLDEST + 1)


def population_file(year: int) -> str:
    return f"sapelsoasyoa-mid-{year}.csv"


def lookup_frame(place: Place, p: Partnership) -> pd.DataFrame:
    """One row per small area: its ward, the authority, and the partnership's locality."""
    ward = place.ward_of_area
    frame = pd.DataFrame(
        {
            "LSOA21CD": place.area_codes,
            "LSOA21NM": place.areas["area_name"].to_numpy(),
            "WD24CD": place.wards["ward_code"].to_numpy()[ward],
            "WD24NM": place.wards["ward_name"].to_numpy()[ward],
            "LAD24CD": p.la_code,
            "LAD24NM": place.la_name,
            "locality": place.localities["locality_code"].to_numpy()[place.locality_of_area],
            "locality_name": place.localities["locality_name"].to_numpy()[place.locality_of_area],
        }
    )
    return frame


def people_by_age_and_sex(place: Place, p: Partnership) -> np.ndarray:
    """(areas, years, ages 0..90, sex) with sex 0 = female, 1 = male. Children split the demo's own counts,
    so F + M is exactly its population at every age 0-17; adults are about 3.5 to 5.5 per child, fewer at
    older ages, more women among the oldest. Drawn from their own stream: nothing else shifts."""
    rng = p.rng("population-age-sex")
    children = place.population  # (areas, years, 18)
    n_areas, n_years, _ = children.shape
    out = np.zeros((n_areas, n_years, OLDEST + 1, 2), dtype=np.int64)
    out[:, :, :18, 0] = rng.binomial(children, 0.488)
    out[:, :, :18, 1] = children - out[:, :, :18, 0]
    shape = np.where(ADULT_AGES < 60, 1.0, np.exp(-(ADULT_AGES - 60) / 14.0))
    shape[-1] = 2.2  # "90" is everyone aged 90 and over
    share = shape / shape.sum()
    adults = children.sum(axis=2) * rng.uniform(3.5, 5.5, n_areas)[:, None]  # (areas, years)
    expected = adults[:, :, None] * share[None, None, :]
    counts = rng.poisson(expected)
    female_share = np.where(ADULT_AGES < 70, 0.505, 0.505 + (ADULT_AGES - 70) * 0.008)
    female = rng.binomial(counts, female_share[None, None, :])
    out[:, :, 18:, 0] = female
    out[:, :, 18:, 1] = counts - female
    return out


def population_frames(place: Place, p: Partnership, people: np.ndarray) -> dict[str, pd.DataFrame]:
    """File name -> rows, one file per mid-year, one row per small area, in the ONS sheet's layout."""
    frames = {}
    for k, year in enumerate(place.years):
        counts = people[:, k]  # (areas, ages, sex)
        frame = pd.DataFrame(
            {
                "LAD 2023 Code": p.la_code,
                "LAD 2023 Name": place.la_name,
                "LSOA 2021 Code": place.area_codes,
                "LSOA 2021 Name": place.areas["area_name"].to_numpy(),
                "Total": counts.sum(axis=(1, 2)),
                **{f"F{age}": counts[:, age, 0] for age in range(OLDEST + 1)},
                **{f"M{age}": counts[:, age, 1] for age in range(OLDEST + 1)},
            }
        )
        frames[population_file(int(year))] = frame[list(POPULATION_HEADER)]
    return frames


# How each of the other indices' scores is written: (kind, centre, spread, correlation with IMD).
# "rate" and "score" are log-normal around the centre; "z" domains are scored around 0 as IoD's are.
OTHER_INDICES = {
    "Income": ("rate", 0.10, 0.6, 0.95),
    "Employment": ("rate", 0.08, 0.5, 0.9),
    "Education, Skills and Training": ("score", 15.0, 0.75, 0.85),
    "Health Deprivation and Disability": ("z", 0.0, 0.85, 0.8),
    "Crime": ("z", 0.0, 0.7, 0.6),
    "Barriers to Housing and Services": ("score", 20.0, 0.35, 0.25),
    "Living Environment": ("score", 18.0, 0.5, 0.5),
    "Income Deprivation Affecting Older People (IDAOPI)": ("rate", 0.12, 0.55, 0.85),
    "Children and Young People Sub-domain": ("z", 0.0, 0.8, 0.8),
    "Adult Skills Sub-domain": ("z", 0.0, 0.8, 0.8),
    "Geographical Barriers Sub-domain": ("z", 0.0, 0.9, -0.2),
    "Wider Barriers Sub-domain": ("z", 0.0, 0.9, 0.5),
    "Indoors Sub-domain": ("z", 0.0, 0.8, 0.4),
    "Outdoors Sub-domain": ("z", 0.0, 0.8, 0.5),
}


def _rank_of(z: np.ndarray) -> np.ndarray:
    """National rank (1 = most deprived) of a standard normal deprivation measure."""
    return np.clip(1 + np.floor((1 - ndtr(z)) * (SMALL_AREAS_IN_ENGLAND - 1)), 1, SMALL_AREAS_IN_ENGLAND).astype(int)


def _other_index(kind: str, centre: float, spread: float, z: np.ndarray) -> np.ndarray:
    if kind == "z":
        return (z * spread).round(3)
    value = centre * np.exp(spread * z)
    return (np.clip(value, 0.004, 0.95) if kind == "rate" else np.clip(value, 0.1, 99.0)).round(3)


def iod_frame(place: Place, p: Partnership, people: np.ndarray) -> pd.DataFrame:
    """IoD 2025 File 7 for the partnership's small areas."""
    rng = p.rng("iod-file-7")
    edition = EDITIONS[2025]
    dep = place.deprivation
    columns: dict[str, object] = {
        edition["areas"][0]: place.area_codes,
        edition["areas"][1]: place.areas["area_name"].to_numpy(),
        edition["districts"][0]: p.la_code,
        edition["districts"][1]: place.la_name,
    }
    for name, score in INDICES:
        if name == IMD:
            values = (dep["imd_score"], dep["imd_rank"], dep["imd_decile"])
        elif name == IDACI:
            values = (dep["idaci_score"], dep["idaci_rank"], dep["idaci_decile"])
        else:
            kind, centre, spread, correlation = OTHER_INDICES[name]
            z = correlation * place.deprivation_z + np.sqrt(1 - correlation**2) * rng.normal(0, 1, len(dep))
            rank = _rank_of(z)
            values = (_other_index(kind, centre, spread, z), rank, decile(rank))
        for part, value in zip((score, RANK, DECILE), values, strict=True):
            columns[f"{name} {part}"] = np.asarray(value)
    year = int(np.clip(DENOMINATOR_YEAR, place.years[0], place.years[-1]))
    counts = people[:, list(place.years).index(year)].sum(axis=2)  # (areas, ages)
    ages = np.arange(OLDEST + 1)
    for heading, low, high in zip(
        edition["denominators"], (0, 0, 16, 60, 18), (OLDEST, 15, 59, OLDEST, 66), strict=True
    ):
        columns[heading] = counts[:, (ages >= low) & (ages <= high)].sum(axis=1)
    return pd.DataFrame(columns)
