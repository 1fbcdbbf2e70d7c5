"""Factor co-occurrence on 20 hand-built assessments, with every figure worked by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.metrics.cooccurrence import COLUMNS, factor_pairs

# CIN census codes (shared/reference/data-standards.md 1.1): 4A = mental health of the child, 15A = self-harm,
# 3B = domestic abuse with a parent or carer as the subject, 21 = no factors identified.
#   4A on assessments 1-8; 15A on 1-5 and 9; 3B on 6, 7 and 10-13; 21 on 14-20 (nothing else).
ROWS = (
    [(i, "4A") for i in range(1, 9)]
    + [(i, "15A") for i in [1, 2, 3, 4, 5, 9]]
    + [(i, "3B") for i in [6, 7, 10, 11, 12, 13]]
    + [(i, "21") for i in range(14, 21)]
    + [(1, " 4a")]  # the same factor typed again, in lower case: still one 4A on assessment 1
)


@pytest.fixture
def pairs() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=["assessment_id", "factor_code"])
    return factor_pairs(frame).set_index(["factor_a", "factor_b"])


def test_pairs_leave_out_no_factors_but_count_its_assessments(pairs):
    assert list(pairs.reset_index().columns) == COLUMNS
    assert sorted(pairs.index) == [("15A", "3B"), ("15A", "4A"), ("3B", "4A")]
    assert (pairs["n_assessments"] == 20).all()


def test_mental_health_and_self_harm_by_hand(pairs):
    row = pairs.loc[("15A", "4A")]
    # 2x2 table: both 5, 15A only 1, 4A only 3, neither 20 - 6 - 8 + 5 = 11.
    assert (row["n_a"], row["n_b"], row["n_both"]) == (6, 8, 5)
    assert row["expected_both"] == pytest.approx(6 * 8 / 20)  # 2.4
    assert row["lift"] == pytest.approx(5 / 2.4)  # 2.083
    assert row["odds_ratio"] == pytest.approx(5 * 11 / (1 * 3))  # 18.33
    assert not row["zero_cell_corrected"]
    # Woolf interval: exp(ln 18.33 -/+ 1.959964 sqrt(1/5 + 1/1 + 1/3 + 1/11)) = 1.508 .. 222.9
    spread = 1.959964 * math.sqrt(1 / 5 + 1 / 1 + 1 / 3 + 1 / 11)
    assert row["or_lower"] == pytest.approx(math.exp(math.log(55 / 3) - spread), rel=1e-5)
    assert row["or_upper"] == pytest.approx(math.exp(math.log(55 / 3) + spread), rel=1e-5)
    assert round(row["or_lower"], 3) == 1.508
    # Expected "both" is 2.4 < 5, so Fisher's exact test. Hypergeometric counts C(6,k) C(14,8-k) out of
    # C(20,8) = 125,970 for k = 0..6: 3003, 20592, 45045, 40040, 15015, 2184, 91. The two-sided p-value sums
    # the tables no more likely than the one seen (k = 5: 2184, k = 6: 91): 2275 / 125970 = 0.01806.
    assert row["test"] == "Fisher exact"
    assert row["p_value"] == pytest.approx(2275 / 125970)


def test_a_zero_cell_uses_the_haldane_anscombe_correction(pairs):
    row = pairs.loc[("15A", "3B")]
    # Never together: both 0, 15A only 6, 3B only 6, neither 8. Add 0.5 to each: (0.5 x 8.5) / (6.5 x 6.5).
    assert row["n_both"] == 0 and row["lift"] == 0.0
    assert row["zero_cell_corrected"]
    assert row["odds_ratio"] == pytest.approx(0.5 * 8.5 / (6.5 * 6.5))  # 0.1006
    spread = 1.959964 * math.sqrt(1 / 0.5 + 1 / 6.5 + 1 / 6.5 + 1 / 8.5)
    assert row["or_upper"] == pytest.approx(math.exp(math.log(4.25 / 42.25) + spread), rel=1e-5)


def test_domestic_abuse_and_mental_health_by_hand(pairs):
    row = pairs.loc[("3B", "4A")]
    # both 2 (assessments 6, 7), 3B only 4, 4A only 6, neither 20 - 6 - 8 + 2 = 8.
    assert row["n_both"] == 2
    assert row["lift"] == pytest.approx(2 / (6 * 8 / 20))  # 0.833: less often together than chance
    assert row["odds_ratio"] == pytest.approx(2 * 8 / (4 * 6))


def test_benjamini_hochberg_by_hand(pairs):
    # Sort the m = 3 p-values; adjusted p(i) = min over j >= i of p(j) x m / j, capped at 1.
    p = np.sort(pairs["p_value"].to_numpy())
    third = min(p[2] * 3 / 3, 1.0)
    second = min(p[1] * 3 / 2, third)
    first = min(p[0] * 3 / 1, second)
    assert sorted(pairs["p_adjusted"]) == pytest.approx([first, second, third])
    assert (pairs["p_adjusted"] >= pairs["p_value"]).all()


def test_results_are_sorted_most_surprising_first():
    frame = pd.DataFrame(ROWS, columns=["assessment_id", "factor_code"])
    result = factor_pairs(frame)
    assert result["p_value"].is_monotonic_increasing
    assert (result.loc[0, "factor_a"], result.loc[0, "factor_b"]) == ("15A", "4A")


def test_large_counts_use_the_chi_square_test():
    # 400 assessments: A on 1-200, B on 101-300, so 100 together; every expected cell is 100 (>= 5).
    # Pearson chi-square: 400 (100 x 100 - 100 x 100)^2 / ... = 0, p = 1; lift 100 / (200 x 200 / 400) = 1.
    rows = [(i, "2B") for i in range(1, 201)] + [(i, "3B") for i in range(101, 301)]
    rows += [(i, "21") for i in range(301, 401)]
    result = factor_pairs(pd.DataFrame(rows, columns=["assessment_id", "factor_code"])).iloc[0]
    assert result["test"] == "chi-square"
    assert result["n_assessments"] == 400
    assert result["lift"] == pytest.approx(1.0) and result["odds_ratio"] == pytest.approx(1.0)
    assert result["p_value"] == pytest.approx(1.0)


def test_chi_square_statistic_by_hand():
    # 100 assessments: A and B together 30, A only 10, B only 10, neither 50 (all expected cells >= 16).
    # chi-square = 100 (30 x 50 - 10 x 10)^2 / (40 x 60 x 40 x 60) = 100 x 1400^2 / 5,760,000 = 34.03.
    rows = [(i, "1B") for i in range(1, 41)] + [(i, "2B") for i in list(range(1, 31)) + list(range(41, 51))]
    result = factor_pairs(pd.DataFrame(rows, columns=["assessment_id", "factor_code"]), n_assessments=100).iloc[0]
    statistic = 100 * 1400**2 / (40 * 60 * 40 * 60)
    assert result["test"] == "chi-square"
    assert result["p_value"] == pytest.approx(math.erfc(math.sqrt(statistic / 2)))  # chi-square 1 df tail


def test_fewer_than_two_factors_and_bad_totals():
    one = pd.DataFrame({"assessment_id": [1, 2], "factor_code": ["4A", "21"]})
    assert factor_pairs(one).empty
    with pytest.raises(ValueError, match="n_assessments"):
        factor_pairs(one, n_assessments=1)


def test_fisher_for_many_tables_equals_scipy_table_by_table():
    """The vectorised exact test gives scipy's two-sided p-value on every table of one size at once, from
    empty cells to large ones, and the hand-worked value above."""
    from scipy import stats

    from dashboard.metrics.cooccurrence import fisher_two_sided

    n = 1_000
    generator = np.random.default_rng(7)
    tables = [(0, 6, 6, 988), (3, 0, 0, 997), (1, 2, 300, 697), (40, 10, 10, 940)]
    for _ in range(200):
        a, b, c = (int(x) for x in generator.integers(0, [8, 120, 300]))
        tables.append((a, b, c, n - a - b - c))
    a, b, c, _ = (np.array(column, dtype=float) for column in zip(*tables, strict=True))
    ours = fisher_two_sided(a, a + b, a + c, n)
    theirs = [stats.fisher_exact([[w, x], [y, z]]).pvalue for w, x, y, z in tables]
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-300)
    # by hand (the mental health and self-harm table above): 2275 / 125970
    assert fisher_two_sided(np.array([5.0]), np.array([6.0]), np.array([8.0]), 20)[0] == pytest.approx(2275 / 125970)
