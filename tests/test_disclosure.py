"""Disclosure control: primary, derived and secondary suppression, worked out by hand."""

import warnings

import numpy as np
import pandas as pd
import pytest

from dashboard.metrics.disclosure import (
    REASON_COLUMN,
    REASON_DERIVED,
    REASON_SECONDARY,
    REASON_SMALL,
    disclosure_note,
    render,
    suppress,
)


def hidden(result: pd.DataFrame, column: str) -> list:
    return result.index[result[column + "_suppressed"]].tolist()


def test_primary_hides_1_to_4_keeps_zeros_and_missing_values():
    frame = pd.DataFrame({"area": list("ABCDEF"), "referrals": [0, 3, 4, 5, 12, np.nan]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = suppress(frame, "referrals")
    assert hidden(result, "referrals") == [1, 2]
    assert result["referrals"].isna().tolist() == [False, True, True, False, False, True]
    assert result["referrals"].dtype == "float64"  # still numeric for charts
    assert result.loc[0, "referrals"] == 0  # zeros are shown (DfE practice)
    assert result.loc[1, REASON_COLUMN] == f"referrals: {REASON_SMALL}"
    assert result.loc[0, REASON_COLUMN] == ""
    assert render(result)["referrals"].tolist() == ["0", "<5", "<5", "5", "12", ""]
    assert result.attrs["disclosure"]["small"] == 2 and result.attrs["disclosure"]["secondary"] == 0


def test_threshold_is_configurable():
    frame = pd.DataFrame({"n": [1, 2, 3, 9, 10]})
    assert hidden(suppress(frame, "n", threshold=3), "n") == [0, 1]
    ten = suppress(frame, "n", threshold=10)
    assert hidden(ten, "n") == [0, 1, 2, 3]
    assert render(ten)["n"].tolist() == ["<10", "<10", "<10", "<10", "10"]
    assert ten.attrs["disclosure"]["note"].startswith("Counts from 1 to 9 are shown as <10")
    assert hidden(suppress(frame, "n", threshold=1), "n") == []
    with pytest.raises(ValueError, match="threshold"):
        suppress(frame, "n", threshold=0)


def test_rates_and_intervals_built_on_a_hidden_count_are_hidden_too():
    frame = pd.DataFrame(
        {
            "locality": ["North", "South"],
            "referrals": [3, 40],
            "children": [2_000, 8_000],
            "rate": [15.0, 50.0],
            "rate_lower": [3.1, 35.7],
            "rate_upper": [43.8, 68.1],
        }
    )
    result = suppress(
        frame, "referrals", derived_columns={"rate": "referrals", "rate_lower": "referrals", "rate_upper": "referrals"}
    )
    assert result.loc[0, ["rate", "rate_lower", "rate_upper"]].isna().all()
    assert result.loc[1, "rate"] == 50.0
    assert result.loc[0, "children"] == 2_000  # the denominator is not a count of the children concerned
    assert result.loc[0, REASON_COLUMN].endswith(f"rate_upper: {REASON_DERIVED}")
    shown = render(result, formats={"rate": "{:.1f}"})
    assert shown.loc[0, "rate"] == "c" and shown.loc[1, "rate"] == "50.0"
    assert result.attrs["disclosure"]["derived"] == 3
    # A plain list of derived columns means "built on every count column".
    listed = suppress(frame, "referrals", derived_columns=["rate"])
    assert hidden(listed, "rate") == [0]


def test_one_hidden_cell_in_a_group_with_a_total_row_hides_the_next_smallest():
    # Category A = 3 is small. With the total 20 shown, 20 - 10 - 7 would give A back, so the next smallest
    # figure, C = 7, is hidden too: now the reader only knows A + C = 10.
    frame = pd.DataFrame({"category": ["A", "B", "C", "Total"], "children": [3, 10, 7, 20]})
    result = suppress(frame, "children", totals={"category": "Total"})
    assert hidden(result, "children") == [0, 2]
    assert result.loc[2, REASON_COLUMN] == f"children: {REASON_SECONDARY}"
    assert render(result)["children"].tolist() == ["<5", "10", "c", "20"]


def test_groups_are_protected_separately():
    frame = pd.DataFrame(
        {
            "month": ["Jan"] * 3 + ["Feb"] * 3,
            "category": ["A", "B", "Total"] * 2,
            "children": [2, 30, 32, 11, 12, 23],
        }
    )
    result = suppress(frame, "children", totals={"category": "Total"}, group_by="month")
    # January: A = 2 hidden; B is the only other part, so it is hidden (not February's figures).
    assert hidden(result, "children") == [0, 1]


def test_group_by_alone_means_the_rows_add_up_to_a_total_shown_elsewhere():
    frame = pd.DataFrame({"school": ["X", "Y", "Z"], "exclusions": [4, 25, 9]})
    assert hidden(suppress(frame, "exclusions"), "exclusions") == [0]  # rows unrelated: primary only
    result = suppress(frame, "exclusions", group_by=[])  # the partnership total is on the home page
    assert hidden(result, "exclusions") == [0, 2]


def test_two_way_table_with_total_row_and_column_hides_a_rectangle():
    # Localities by age band, with totals both ways. North 0-4 = 2 is small. Row North and column 0-4 each
    # need a second hidden cell; choosing South 0-4 (8) and then North 5-9 (10) leaves column 5-9 with one
    # hidden cell, closed by South 5-9, which also completes row South: the usual rectangle of four.
    table = pd.DataFrame(
        {"locality": ["North", "South", "East", "Total"], "0-4": [2, 8, 9, 19], "5-9": [10, 12, 11, 33]}
    )
    table["10-17"] = [15, 20, 25, 60]
    table["Total"] = table[["0-4", "5-9", "10-17"]].sum(axis=1)
    columns = ["0-4", "5-9", "10-17", "Total"]
    result = suppress(table, columns, totals={"locality": "Total"}, total_column="Total")
    shown = render(result).set_index("locality")[columns]
    assert shown.to_dict("index") == {
        "North": {"0-4": "<5", "5-9": "c", "10-17": "15", "Total": "27"},
        "South": {"0-4": "c", "5-9": "c", "10-17": "20", "Total": "40"},
        "East": {"0-4": "9", "5-9": "11", "10-17": "25", "Total": "45"},
        "Total": {"0-4": "19", "5-9": "33", "10-17": "60", "Total": "112"},
    }
    # What a reader can work out: North 0-4 = t gives North 5-9 = 27 - 15 - t, South 0-4 = 19 - 9 - t and
    # South 5-9 = 40 - 20 - (10 - t); every t from 1 to 4 fits all the totals, so t stays unknown.
    fits = [t for t in range(1, 5) if min(12 - t, 10 - t, 10 + t) >= 0 and (12 - t) + (10 + t) == 33 - 11]
    assert fits == [1, 2, 3, 4]
    assert result.attrs["disclosure"]["secondary"] == 3


def test_long_two_way_table_with_margins_gives_the_same_cells():
    wide = pd.DataFrame(
        {"locality": ["North", "South", "East", "Total"], "0-4": [2, 8, 9, 19], "5-9": [10, 12, 11, 33]}
    )
    wide["10-17"] = [15, 20, 25, 60]
    wide["Total"] = wide[["0-4", "5-9", "10-17"]].sum(axis=1)
    long = wide.melt(id_vars="locality", var_name="age", value_name="children")
    result = suppress(long, "children", totals={"locality": "Total", "age": "Total"})
    cells = set(map(tuple, result.loc[result["children_suppressed"], ["locality", "age"]].to_numpy()))
    assert cells == {("North", "0-4"), ("North", "5-9"), ("South", "0-4"), ("South", "5-9")}


def test_a_small_total_is_hidden_as_a_small_count():
    # A = 3, B = 0, Total = 3: the total is itself a small count, so it is hidden as one; the reader learns
    # only that A equals the total, both somewhere from 1 to 4.
    frame = pd.DataFrame({"category": ["A", "B", "Total"], "children": [3, 0, 3]})
    result = suppress(frame, "children", totals={"category": "Total"})
    assert render(result)["children"].tolist() == ["<5", "0", "<5"]
    assert result.attrs["disclosure"]["secondary"] == 0


def test_a_zero_is_hidden_only_when_nothing_else_can_protect_the_cell():
    # The total (3) is published elsewhere, so A = 3 - 0; the zero has to go: A + B = 3 leaves A open.
    frame = pd.DataFrame({"category": ["A", "B"], "children": [3, 0]})
    result = suppress(frame, "children", group_by=[])
    assert render(result)["children"].tolist() == ["<5", "c"]


def test_small_cells_whose_known_sum_gives_them_away_get_company():
    # A = 1 and B = 1 are both hidden, but the total shows A + B = 12 - 10 = 2, and two counts of at least 1
    # adding to 2 must both be 1. So C = 10 is hidden as well.
    frame = pd.DataFrame({"category": ["A", "B", "C", "Total"], "children": [1, 1, 10, 12]})
    result = suppress(frame, "children", totals={"category": "Total"})
    assert hidden(result, "children") == [0, 1, 2]
    # Two small cells with an uninformative sum (1 + 3 = 4) need nothing more.
    other = pd.DataFrame({"category": ["A", "B", "C", "Total"], "children": [1, 3, 10, 14]})
    assert hidden(suppress(other, "children", totals={"category": "Total"}), "children") == [0, 1]


def test_derived_values_follow_secondary_suppression():
    frame = pd.DataFrame({"category": ["A", "B", "C", "Total"], "children": [3, 10, 7, 20]})
    frame["percent"] = frame["children"] / 20 * 100
    result = suppress(frame, "children", derived_columns={"percent": "children"}, totals={"category": "Total"})
    assert hidden(result, "percent") == [0, 2]  # C's 35% would give back its hidden 7


def test_unprotectable_totals_are_reported():
    frame = pd.DataFrame({"team": ["Only"], "children": [2]})
    result = suppress(frame, "children", group_by="team")
    assert result.attrs["disclosure"]["unprotected"] == ["children: rows [0]"]


def test_render_needs_a_suppressed_frame_and_inputs_are_checked():
    frame = pd.DataFrame({"n": [1, 2]})
    with pytest.raises(ValueError, match="suppress"):
        render(frame)
    with pytest.raises(ValueError, match="negative"):
        suppress(pd.DataFrame({"n": [-1]}), "n")
    with pytest.raises(ValueError, match="not in the table"):
        suppress(frame, "referrals")
    with pytest.raises(ValueError, match="not count columns"):
        suppress(frame.assign(rate=1.0), "n", derived_columns={"rate": "population"})
    with pytest.raises(ValueError, match="more than one"):
        suppress(pd.DataFrame({"c": ["T", "T"], "n": [1, 2]}), "n", totals={"c": "T"})


def test_footnote_wording():
    assert disclosure_note(5) == (
        "Counts from 1 to 4 are shown as <5 to protect the children concerned; zeros are shown. "
        "c marks a figure hidden so that totals or rates cannot reveal a small count."
    )
    assert (
        disclosure_note(2, any_hidden=False)
        == "A count of 1 is shown as <2 to protect the children concerned; zeros are shown."
    )


@pytest.mark.parametrize("seed", range(20))
def test_random_two_way_tables_never_leave_a_total_with_one_hidden_cell(seed):
    # Independent check of the rule on random tables with margins and many small counts: in every row and
    # every column (totals included), the number of hidden cells is never exactly one.
    rng = np.random.default_rng(seed)
    body = rng.poisson(rng.uniform(2, 12), size=(rng.integers(2, 7), rng.integers(2, 6)))
    full = np.zeros((body.shape[0] + 1, body.shape[1] + 1), dtype=int)
    full[:-1, :-1] = body
    full[-1, :] = full[:-1, :].sum(axis=0)
    full[:, -1] = full[:, :-1].sum(axis=1)
    columns = [f"c{j}" for j in range(body.shape[1])] + ["Total"]
    table = pd.DataFrame(full, columns=columns)
    table.insert(0, "row", [f"r{i}" for i in range(body.shape[0])] + ["Total"])
    result = suppress(table, columns, totals={"row": "Total"}, total_column="Total")
    mask = result[[c + "_suppressed" for c in columns]].to_numpy()
    assert np.all(mask[(full > 0) & (full < 5)])
    assert not np.any(mask.sum(axis=0) == 1) and not np.any(mask.sum(axis=1) == 1)
    assert result.attrs["disclosure"]["unprotected"] == []


def test_spc_limits_rest_only_on_the_months_shown():
    """A month hidden as "<5" is a gap in the SPC chart, not part of its mean: with it, the mean times the
    months less the months shown would give the hidden count back."""
    from dashboard.shell.results import with_spc

    counts = [10, 12, 3, 14, 12, 10]
    frame = pd.DataFrame(
        {
            "period_start": pd.date_range("2025-04-01", periods=6, freq="MS"),
            "numerator": counts,
            "value": [float(n) for n in counts],
            "lower": [float(n) for n in counts],
            "upper": [float(n) for n in counts],
        }
    )
    frame.attrs["metric"] = "contacts"
    chart = with_spc(frame)
    assert chart["value"].isna().tolist() == [False, False, True, False, False, False]
    assert chart.loc[2, "point_type"] == "missing"
    # by hand: mean of 10, 12, 14, 12, 10 = 11.6; moving ranges 2, (none across the gap), 2, 2 -> mean 2,
    # so the limits are 11.6 +/- 2.66 x 2 = 6.28 .. 16.92 (with the hidden 3: mean 10.17, limits wider)
    assert chart["mean"].iloc[0] == pytest.approx(11.6)
    assert chart["upl"].iloc[0] == pytest.approx(11.6 + 2.66 * 2)
    assert chart["lpl"].iloc[0] == pytest.approx(11.6 - 2.66 * 2)
