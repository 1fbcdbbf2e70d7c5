"""The threshold agreement matrix: the referrer's view of the level of need against the front door's
decision, by referring agency. The diagonal is agreement; above it the referrer saw more need than the
front door decided, below it less (the risk a referrer did not recognise)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.metrics.compute import Filters, filter_clauses
from dashboard.metrics.materialise import readable


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
