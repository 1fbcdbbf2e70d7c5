"""Factors identified at assessment, for the "Which risks travel together?" page: how often each factor is
identified (the `assessment_factor_prevalence` metric over a whole period, and on England's basis for a fair
comparison), and which factors turn up with a chosen one more often than chance (`cooccurrence.pair_statistics`
on the store's factor counts for the same view).

England publishes each factor as a share of assessment episodes with at least one factor recorded (DfE
table C3); the metric's share is of every completed assessment, including those that found no factor.
Compared with England's figure, the metric would read low wherever many assessments record none, so the
comparison uses England's basis: assessments with at least one factor other than 21 ("no factors").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.metrics.compute import Filters, connection_for, filter_clauses
from dashboard.metrics.cooccurrence import COLUMNS as PAIR_COLUMNS
from dashboard.metrics.cooccurrence import NO_FACTORS, pair_statistics
from dashboard.metrics.disclosure import suppress
from dashboard.metrics.england import england_factor_share
from dashboard.metrics.intervals import wilson
from dashboard.metrics.materialise import readable
from data_connectors.codelists import ALL_CODE_LISTS
from data_connectors.config import suppression_threshold

FACTOR_NAMES: dict[str, str] = dict(ALL_CODE_LISTS["assessment_factor"].codes)
SIGNIFICANT = 0.05
"""Benjamini-Hochberg adjusted p-value below which a pair is flagged as worth a look."""


def factor_name(code: str) -> str:
    """ "15A Self-harm": the code people look up in the CIN guidance, with its meaning."""
    return f"{code} {FACTOR_NAMES[code]}" if code in FACTOR_NAMES else str(code)


def factor_rows(engine: Engine | sa.Connection, filters: Filters | None = None) -> pd.DataFrame:
    """(assessment_id, factor_code) for every factor recorded at a completed assessment in the view: dated
    by authorisation and filtered exactly as the factor metrics are (one row per assessment and factor)."""
    with connection_for(engine) as connection:
        query = _view_rows(connection, filters).subquery()
        rows = connection.execute(sa.select(query).order_by(query.c.assessment_id, query.c.factor_code)).all()
    return pd.DataFrame(rows, columns=["assessment_id", "factor_code"])


def _view_rows(connection: sa.Connection, filters: Filters | None) -> sa.Select:
    """Distinct (assessment_id, factor_code) of the view, dated by authorisation and filtered as the metrics."""
    selectable = readable(connection, "assessment_factors")
    return (
        sa.select(selectable.c.assessment_id, selectable.c.factor_code)
        .where(*filter_clauses(selectable, filters or Filters(), "assessment_factors"))
        .distinct()
    )


@dataclass(frozen=True)
class FactorCounts:
    """What the co-occurrence explorer needs, counted in the store so a page never fetches a region's factor
    rows: assessments recording each factor, each pair of factors (21 "no factors" left out), and how many
    distinct assessments have any factor row, and any factor other than 21 (England's basis)."""

    per_factor: dict[str, int]
    per_pair: dict[tuple[str, str], int]
    assessments: int
    with_any: int


def factor_counts(engine: Engine | sa.Connection, filters: Filters | None = None) -> FactorCounts:
    """The view's factor counts, filtered exactly as `factor_rows` (three small aggregate queries)."""
    with connection_for(engine) as connection:
        rows = _view_rows(connection, filters).subquery()
        per_factor = connection.execute(
            sa.select(rows.c.factor_code, sa.func.count()).group_by(rows.c.factor_code)
        ).all()
        first, second = rows.alias("first"), rows.alias("second")
        per_pair = connection.execute(
            sa.select(first.c.factor_code, second.c.factor_code, sa.func.count())
            .join_from(first, second, first.c.assessment_id == second.c.assessment_id)
            .where(first.c.factor_code < second.c.factor_code, first.c.factor_code != NO_FACTORS)
            .where(second.c.factor_code != NO_FACTORS)
            .group_by(first.c.factor_code, second.c.factor_code)
        ).all()
        assessments, with_any = connection.execute(
            sa.select(
                sa.func.count(sa.distinct(rows.c.assessment_id)),
                sa.func.count(sa.distinct(sa.case((rows.c.factor_code != NO_FACTORS, rows.c.assessment_id)))),
            )
        ).one()
    return FactorCounts(
        per_factor={code: int(n) for code, n in per_factor},
        per_pair={(a, b): int(n) for a, b, n in per_pair},
        assessments=int(assessments),
        with_any=int(with_any),
    )


def prevalence_over_period(frame: pd.DataFrame) -> pd.DataFrame:
    """`assessment_factor_prevalence` split by factor (any grain) added up over the whole period: one row per
    factor with the assessments identifying it, the completed assessments, the share (%) and its 95% Wilson
    interval; most common first."""
    totals = frame.groupby("factor", as_index=False)[["numerator", "denominator"]].sum()
    share = wilson(totals["numerator"].to_numpy(), totals["denominator"].to_numpy())
    totals["value"], totals["lower"], totals["upper"] = 100 * share.estimate, 100 * share.lower, 100 * share.upper
    totals = totals.sort_values(["numerator", "factor"], ascending=[False, True], ignore_index=True)
    totals.attrs["metric"] = "assessment_factor_prevalence"
    return totals


def england_comparison(prevalence: pd.DataFrame, with_any: int) -> pd.DataFrame:
    """Each factor England publishes, as a share of the view's assessments with at least one factor (England's
    basis) with its 95% interval, England's 2025 share, and whether England's figure lies above, below or
    within the local interval. `with_any`: the view's assessments with a factor other than 21."""
    out = prevalence[["factor", "numerator"]].copy()
    out["with_any_factor"] = with_any
    out["england"] = [england_factor_share(code) for code in out["factor"]]
    out = out[out["england"].notna()].reset_index(drop=True)
    share = wilson(out["numerator"].to_numpy(), out["with_any_factor"].to_numpy())
    out["share"], out["lower"], out["upper"] = 100 * share.estimate, 100 * share.lower, 100 * share.upper
    out["compared"] = np.select(
        [out["lower"] > out["england"], out["upper"] < out["england"], out["share"].notna()],
        ["higher than England", "lower than England", "similar to England"],
        "",
    )
    return out


def cooccurrence(counts: FactorCounts, completed_assessments: int) -> pd.DataFrame:
    """`pair_statistics` over the view's counts, counting every completed assessment in the view (those with
    no factor row too) in `n_assessments`; every pair of the factors present, recorded together or not."""
    names = np.array(sorted(code for code in counts.per_factor if code != NO_FACTORS), dtype=str)
    index = {code: i for i, code in enumerate(names)}
    together = np.diag([counts.per_factor[code] for code in names]).astype(np.int64)
    for (a, b), n in counts.per_pair.items():
        together[index[a], index[b]] = together[index[b], index[a]] = n
    if len(names) < 2:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    return pair_statistics(names, together, max(int(completed_assessments), counts.assessments))


def pairs_with(pairs: pd.DataFrame, factor: str) -> pd.DataFrame:
    """The pairs that include `factor`, each seen from it: the other factor, how many assessments had the
    chosen one, the other, both, and the pair's statistics; most surprising first (adjusted p-value, then
    the larger lift). `worth_a_look`: recorded together more often than chance, with a Benjamini-Hochberg
    adjusted p-value below 0.05."""
    first = pairs[pairs["factor_a"] == factor].rename(
        columns={"factor_b": "other", "n_a": "n_chosen", "n_b": "n_other"}
    )
    second = pairs[pairs["factor_b"] == factor].rename(
        columns={"factor_a": "other", "n_b": "n_chosen", "n_a": "n_other"}
    )
    # the pair columns, seen from the chosen factor: the other factor, then every statistic of the pair
    columns = ["other", "n_assessments", "n_chosen", "n_other", *PAIR_COLUMNS[PAIR_COLUMNS.index("n_both") :]]
    if first.empty and second.empty:
        return pd.DataFrame(columns=[*columns, "worth_a_look"])
    out = pd.concat([first, second], ignore_index=True)[columns]
    out = out.sort_values(["p_adjusted", "lift", "other"], ascending=[True, False, True], ignore_index=True)
    out["worth_a_look"] = (out["p_adjusted"] < SIGNIFICANT) & (out["lift"] > 1)
    return out


def disclosed_prevalence(prevalence: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """Factor shares fit to show: counts of 1 to threshold-1 hidden with their share and interval. A child's
    assessment can record several factors, so the factors do not add up to a total: no secondary suppression
    is needed across them."""
    out = suppress(
        prevalence,
        ["numerator", "denominator"],
        derived_columns={column: ["numerator", "denominator"] for column in ("value", "lower", "upper")},
        threshold=threshold or suppression_threshold(),
    )
    out.attrs.update({k: v for k, v in prevalence.attrs.items() if k not in out.attrs})
    return _hidden_last(out, "numerator", "factor")


def disclosed_comparison(comparison: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """The England comparison fit to show: a small count hides its share, interval and the comparison."""
    out = suppress(
        comparison,
        ["numerator", "with_any_factor"],
        derived_columns={column: ["numerator", "with_any_factor"] for column in ("share", "lower", "upper")},
        threshold=threshold or suppression_threshold(),
    )
    out["compared"] = out["compared"].where(out["share"].notna(), "")
    return _hidden_last(out, "numerator", "factor")


def _hidden_last(frame: pd.DataFrame, count: str, code: str) -> pd.DataFrame:
    """Rows whose count is hidden moved to the end in code order, so where they stood in a sorted list
    cannot hint at their size."""
    hidden = frame[f"{count}_suppressed"].to_numpy()
    out = pd.concat([frame[~hidden], frame[hidden].sort_values(code)], ignore_index=True)
    out.attrs.update(frame.attrs)
    return out


def disclosed_pairs(pairs: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """Pairs fit to show: where fewer than `threshold` assessments had both factors, the count is hidden with
    the lift, odds ratio, interval and p-values (each would give it back); a small count of the other
    factor hides what is built on it. Pairs are not parts of one total, so no secondary suppression."""
    built_on_both = ["n_both", "n_chosen", "n_other"]
    derived = {"expected_both": ["n_chosen", "n_other"]}
    derived |= {c: built_on_both for c in ("lift", "odds_ratio", "or_lower", "or_upper", "p_value", "p_adjusted")}
    out = suppress(
        pairs,
        ["n_both", "n_chosen", "n_other"],
        derived_columns=derived,
        threshold=threshold or suppression_threshold(),
    )
    out["worth_a_look"] = out["worth_a_look"] & out["p_adjusted"].notna()
    return _hidden_last(out, "n_both", "other")
