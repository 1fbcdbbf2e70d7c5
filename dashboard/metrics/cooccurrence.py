"""Which factors identified at assessment turn up together more often than chance would explain?

Input is the long table of factors at the end of assessment (CIN census ``AssessmentFactors``, one row per
assessment and factor code, e.g. 4A = the child's mental health, 15A = self-harm; codes in
``shared/reference/data-standards.md`` section 1.1). For every pair of factors the result gives:

* ``n_both``, ``n_a``, ``n_b`` and ``n_assessments``: assessments with both, with each, and in all;
* ``expected_both``: how many would have both if the factors were unrelated (n_a x n_b / n_assessments);
* ``lift``: n_both / expected_both. 2 means seen together twice as often as chance would give;
* ``odds_ratio`` with its 95% (Woolf, logit) interval ``or_lower``..``or_upper``. When any cell of the 2x2
  table is 0 the odds ratio is 0 or infinite, so 0.5 is added to every cell first (Haldane-Anscombe
  correction; ``zero_cell_corrected`` says where);
* ``p_value`` from Fisher's exact test when any expected cell of the 2x2 table is below 5 (Cochran's rule),
  otherwise Pearson's chi-square test without continuity correction (the two agree closely there and the
  chi-square test is quick for many pairs); ``test`` says which;
* ``p_adjusted``: Benjamini-Hochberg adjusted p-values across all the pairs, because testing hundreds of pairs
  will throw up some "significant" ones by chance. Read p_adjusted < 0.05 as "worth a look", at an expected
  5% share of false leads among those flagged.

Code 21 ("no factors identified") cannot co-occur with anything, so it is left out of the pairs, but its
assessments still count in ``n_assessments``. The counts here are counts of children's assessments: pass the
result through ``disclosure.suppress`` before showing it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse, special

from dashboard.metrics.intervals import z_value

NO_FACTORS = "21"
"""CIN census factor code for "no factors identified"."""

COLUMNS = [
    "factor_a",
    "factor_b",
    "n_assessments",
    "n_a",
    "n_b",
    "n_both",
    "expected_both",
    "lift",
    "odds_ratio",
    "or_lower",
    "or_upper",
    "zero_cell_corrected",
    "test",
    "p_value",
    "p_adjusted",
]


def factor_pairs(
    factors: pd.DataFrame,
    assessment: str = "assessment_id",
    factor: str = "factor_code",
    n_assessments: int | None = None,
    exclude: Iterable[str] = (NO_FACTORS,),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per pair of factors with counts, lift, odds ratio and interval, test and adjusted p-value.

    ``n_assessments`` is the number of assessments in the period; it defaults to the distinct assessments in
    ``factors``. Give it when assessments with no factor row at all are not in the table.
    Pairs are sorted by p-value (most surprising first), then by factor codes.
    """
    codes = factors[factor].astype("string").str.strip().str.upper()
    ids = factors[assessment]
    total = ids.nunique(dropna=True)
    if n_assessments is None:
        n_assessments = total
    elif n_assessments < total:
        raise ValueError(f"n_assessments ({n_assessments}) is below the {total} assessments in the table")
    keep = codes.notna() & ids.notna() & ~codes.isin([str(code).strip().upper() for code in exclude])
    rows, _ = pd.factorize(ids[keep])
    columns, names = pd.factorize(codes[keep], sort=True)
    if len(names) < 2:
        return pd.DataFrame(columns=COLUMNS)
    present = sparse.coo_matrix((np.ones(len(rows)), (rows, columns))).tocsr()
    present.data[:] = 1  # a factor recorded twice on one assessment counts once
    together = np.rint((present.T @ present).toarray()).astype(np.int64)
    return pair_statistics(np.asarray(names, dtype=str), together, int(n_assessments), confidence)


def pair_statistics(
    names: np.ndarray, together: np.ndarray, n_assessments: int, confidence: float = 0.95
) -> pd.DataFrame:
    """The statistics of every pair from counts alone, wherever they were counted (here from a table, or in
    the store for a page): `together[i, j]` assessments recorded both `names[i]` and `names[j]`, the diagonal
    each factor at all, out of `n_assessments`. Pairs sorted by p-value, then by factor codes."""
    first, second = np.triu_indices(len(names), k=1)
    n = float(n_assessments)
    n_a, n_b = np.diag(together)[first].astype(float), np.diag(together)[second].astype(float)
    a = together[first, second].astype(float)
    b, c = n_a - a, n_b - a
    d = n - n_a - n_b + a

    with np.errstate(all="ignore"):
        expected = n_a * n_b / n
        lift = np.where(expected > 0, a / expected, np.nan)
        corrected = (a == 0) | (b == 0) | (c == 0) | (d == 0)
        ca, cb, cc, cd = (cell + np.where(corrected, 0.5, 0.0) for cell in (a, b, c, d))
        log_or = np.log(ca * cd / (cb * cc))
        spread = z_value(confidence) * np.sqrt(1 / ca + 1 / cb + 1 / cc + 1 / cd)
        p_value, test = _p_values(a, b, c, d, n)

    result = pd.DataFrame(
        {
            "factor_a": names[first],
            "factor_b": names[second],
            "n_assessments": int(n_assessments),
            "n_a": n_a.astype(np.int64),
            "n_b": n_b.astype(np.int64),
            "n_both": a.astype(np.int64),
            "expected_both": expected,
            "lift": lift,
            "odds_ratio": np.exp(log_or),
            "or_lower": np.exp(log_or - spread),
            "or_upper": np.exp(log_or + spread),
            "zero_cell_corrected": corrected,
            "test": test,
            "p_value": p_value,
        }
    )
    if result.empty:
        return pd.DataFrame(columns=COLUMNS)
    from scipy import stats  # here, not at the top: scipy.stats takes seconds to import, and pages that never
    # test a pair (the first page a reader opens) import this module through the shared results cache

    result["p_adjusted"] = stats.false_discovery_control(result["p_value"].to_numpy(), method="bh")
    return result.sort_values(["p_value", "factor_a", "factor_b"], kind="stable", ignore_index=True)


def _p_values(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray, n: float) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's exact test where an expected cell is below 5, else Pearson's chi-square (vectorised)."""
    rows = (a + b, c + d)
    columns = (a + c, b + d)
    smallest_expected = np.minimum.reduce([r * k / n for r in rows for k in columns])
    exact = smallest_expected < 5
    margins = rows[0] * rows[1] * columns[0] * columns[1]
    statistic = np.where(margins > 0, n * (a * d - b * c) ** 2 / margins, 0.0)
    p_value = special.chdtrc(1, statistic)  # the chi-square survival function with one degree of freedom
    if exact.any():
        p_value[exact] = fisher_two_sided(a[exact], rows[0][exact], columns[0][exact], n)
    return p_value, np.where(exact, "Fisher exact", "chi-square")


def fisher_two_sided(both: np.ndarray, n_a: np.ndarray, n_b: np.ndarray, n: float) -> np.ndarray:
    """Fisher's exact two-sided p-value for many 2x2 tables at once, as `scipy.stats.fisher_exact` gives it
    table by table (which took seconds for a region's hundreds of pairs): given the margins, the count of
    "both" is hypergeometric; the p-value adds the probabilities of every count no more likely than the one
    seen (with scipy's relative tolerance of 1e-7 for ties)."""
    both, n_a, n_b = (np.asarray(x, dtype=float) for x in (both, n_a, n_b))
    low, high = np.maximum(0, n_a + n_b - n), np.minimum(n_a, n_b)
    sizes = (high - low + 1).astype(np.int64)
    table = np.repeat(np.arange(len(both)), sizes)  # which table each possible count belongs to
    count = low[table] + np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)

    def log_probability(k: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return _log_choose(n_a[rows], k) + _log_choose(n - n_a[rows], n_b[rows] - k) - _log_choose(n, n_b[rows])

    seen = log_probability(both, np.arange(len(both)))
    each = log_probability(count, table)
    no_more_likely = each <= seen[table] + np.log1p(1e-7)
    return np.minimum(np.bincount(table, weights=np.exp(each) * no_more_likely, minlength=len(both)), 1.0)


def _log_choose(n: np.ndarray | float, k: np.ndarray) -> np.ndarray:
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
