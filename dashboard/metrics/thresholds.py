"""The threshold agreement matrix: the referrer's view of the level of need against the front door's
decision, by referring agency. The diagonal is agreement; above it the referrer saw more need than the
front door decided, below it less (the risk a referrer did not recognise)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.metrics.compute import Filters, filter_clauses
from dashboard.metrics.materialise import readable
from dashboard.metrics.presentation import disclosed_counts


def agreement_matrix(engine: Engine, filters: Filters | None = None) -> pd.DataFrame:
    """Referrals with both levels recorded, counted by agency, referrer's level and decision level, with
    every level pair present (0 where none) so a heatmap has no holes."""
    with engine.connect() as connection:
        referrals = readable(connection, "referrals")
    clauses = filter_clauses(referrals, filters or Filters(), "referrals")
    clauses += [referrals.c.referrer_need_level.is_not(None), referrals.c.decision_level.is_not(None)]
    keys = [referrals.c.agency, referrals.c.referrer_need_level, referrals.c.decision_level]
    query = sa.select(*keys, sa.func.count().label("referrals")).where(*clauses).group_by(*keys)
    with engine.connect() as connection:
        counted = pd.DataFrame(
            connection.execute(query).all(), columns=["agency", "referrer_level", "decision_level", "referrals"]
        )
    levels = ["1", "2", "3", "4"]
    agencies = sorted(counted["agency"].dropna().unique())
    grid = pd.MultiIndex.from_product([agencies, levels, levels], names=["agency", "referrer_level", "decision_level"])
    matrix = counted.set_index(["agency", "referrer_level", "decision_level"])["referrals"].reindex(grid, fill_value=0)
    frame = matrix.reset_index()
    frame["agreement"] = pd.Series(
        [
            "agree" if r == d else "referrer higher" if r > d else "referrer lower"
            for r, d in zip(frame["referrer_level"], frame["decision_level"], strict=True)
        ],
        dtype="string",
    )
    return frame


ALL_AGENCIES = "ALL"
"""The `agency` value of the rows that add up every agency in `disclosed_agreement`."""
LEVELS = ("1", "2", "3", "4")


def disclosed_agreement(matrix: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """The agreement matrix made fit to show: every agency's grid and the grid of all agencies added up
    (agency "ALL"), with disclosure control across all of them at once.

    A reader who can switch between one agency's grid and the partnership's could subtract, and each grid's
    rows and columns add up to totals that can be known (referrals at each level), so the counts are
    protected as one table: small counts hidden, and enough other cells that no row, column or sum over the
    agencies gives one away. `referrals` is NaN where hidden, with `referrals_suppressed` and the reason."""
    columns = ["agency", "referrer_level", "decision_level", "referrals"]
    whole = matrix.groupby(["referrer_level", "decision_level"], as_index=False)["referrals"].sum()
    if whole.empty:
        whole = pd.DataFrame(
            [(r, d, 0) for r in LEVELS for d in LEVELS], columns=["referrer_level", "decision_level", "referrals"]
        )
    whole.insert(0, "agency", ALL_AGENCIES)
    table = pd.concat([whole[columns], matrix[columns]], ignore_index=True)
    table["agency"] = table["agency"].astype(object)
    table["referrals"] = table["referrals"].astype("int64")
    out = disclosed_counts(
        table,
        "referrals",
        totals={"agency": ALL_AGENCIES, "referrer_level": None, "decision_level": None},
        threshold=threshold,
    )
    out["agreement"] = [
        "agree" if r == d else "referrer higher" if r > d else "referrer lower"
        for r, d in zip(out["referrer_level"], out["decision_level"], strict=True)
    ]
    return out
