"""Invented place names, so nothing in the demo names a real place or person.

Names are built from made-up stems and common English endings, shuffled once per seed; each
partnership takes its own slice, so names do not repeat across a region.
"""

from __future__ import annotations

import numpy as np

STEMS = (
    "Brindle",
    "Quarn",
    "Tolver",
    "Marrin",
    "Skelt",
    "Vantre",
    "Orrin",
    "Pellan",
    "Corvel",
    "Dunvel",
    "Elsk",
    "Farrin",
    "Gandle",
    "Hollan",
    "Ivrel",
    "Kestle",
    "Larrow",
    "Mossel",
    "Nalder",
    "Ollan",
    "Prydel",
    "Quellin",
    "Rathe",
    "Sorrel",
    "Thurle",
    "Ulvers",
    "Wendle",
    "Yarnel",
    "Zendle",
    "Aldrin",
    "Bexlow",
    "Cardle",
    "Drennan",
    "Emble",
    "Fenner",
    "Gorran",
    "Harrel",
    "Innick",
    "Jessan",
    "Kellan",
    "Lurnel",
    "Maddle",
    "Nessel",
    "Oxlan",
    "Prenner",
    "Rillan",
    "Sallow",
    "Tavren",
    "Umbrel",
    "Vellan",
    "Wistan",
    "Yelver",
    "Ardlow",
    "Bramel",
    "Cotter",
    "Dorran",
    "Eskel",
    "Frayne",
    "Grisel",
    "Hembrel",
)
ENDINGS = (
    "mere",
    "stow",
    "wick",
    "ford",
    "ley",
    "holt",
    "by",
    "thorpe",
    "ham",
    "den",
    "field",
    "combe",
    "worth",
    "ridge",
    "brook",
    "dale",
    "hurst",
    "gate",
    "moor",
    "well",
)
SCHOOL_FEATURES = (
    "Meadow",
    "Brook",
    "Park",
    "Green",
    "Hill",
    "Vale",
    "Oak",
    "Willow",
    "Orchard",
    "Fields",
    "Beck",
    "Heath",
    "Lane",
    "Croft",
    "Rise",
    "Bank",
    "Grange",
    "Spinney",
    "Copse",
    "Wharf",
)
NAMES_PER_PARTNERSHIP = 48


def name_pool(seed: int) -> list[str]:
    """Every invented name, in an order fixed by the seed."""
    names = [stem + ending for stem in STEMS for ending in ENDINGS]
    order = np.random.default_rng([seed, 990]).permutation(len(names))
    return [names[i] for i in order]


def partnership_names(seed: int, index: int) -> list[str]:
    """A partnership's own names: the first is the authority, then localities, then wards."""
    pool = name_pool(seed)
    start = ((index - 1) * NAMES_PER_PARTNERSHIP) % len(pool)
    return (pool + pool)[start : start + NAMES_PER_PARTNERSHIP]
