"""What a metric is: a declaration an analyst can read, and the checks that catch a broken one early.

A metric counts events from a source (see `sources.py`) that meet conditions, and for ratios divides by
another count; a rate divides by the children aged 0-17 living in the same area. Conditions are data, not
SQL text: each becomes a bound comparison, so no filter is ever formatted into a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from dashboard.metrics.sources import DIMENSIONS, SOURCE_DIMENSIONS, SOURCES, source

Kind = Literal["count", "ratio", "rate_per_10k"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Grain = Literal["month", "quarter", "year"]
KINDS = ("count", "ratio", "rate_per_10k")
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
GRAINS = ("month", "quarter", "year")
OPERATORS = ("=", "!=", "in", "not in", "<", "<=", ">", ">=", "is null", "not null", "is true", "is false")


class DefinitionError(ValueError):
    """A metric definition that cannot work; the message names the metric and the field."""


@dataclass(frozen=True)
class Condition:
    """`column operator value`, e.g. Condition("nfa", "is true") or Condition("outcome", "in", ("A", "B"));
    `other_column` compares two columns (referrer's level > decision level)."""

    column: str
    operator: str
    value: object = None
    other_column: str | None = None

    def clause(self, selectable: sa.FromClause) -> sa.ColumnElement[bool]:
        column = selectable.c[self.column]
        value = selectable.c[self.other_column] if self.other_column else self.value
        match self.operator:
            case "=":
                return column == value
            case "!=":
                return column != value
            case "in":
                return column.in_(list(self.value))  # type: ignore[arg-type]
            case "not in":
                return column.not_in(list(self.value))  # type: ignore[arg-type]
            case "<":
                return column < value
            case "<=":
                return column <= value
            case ">":
                return column > value
            case ">=":
                return column >= value
            case "is null":
                return column.is_(None)
            case "not null":
                return column.is_not(None)
            case "is true":
                return column.is_(True)
            case "is false":
                return column.is_(False)
        raise DefinitionError(f"unknown operator {self.operator!r}")


@dataclass(frozen=True)
class Measure:
    """Events counted from one source: rows meeting every condition (weighted where the source counts)."""

    source: str
    where: tuple[Condition, ...] = ()
    total: str | None = None  # a column to add up instead of counting rows (pupils on roll, events)
    # a column whose distinct values are counted (assessments with a factor, not factor rows); events of
    # one value must fall in one month so that months add up
    distinct: str | None = None


@dataclass(frozen=True)
class Metric:
    """One metric. `id` is a public interface: notebooks and the command line use it."""

    id: str
    label: str
    description: str  # what it means for children, in a leader's words
    kind: Kind
    numerator: Measure
    denominator: Measure | None = None  # ratios only; rates divide by the 0-17 population
    polarity: Polarity = "neutral"
    dimensions: tuple[str, ...] = ("locality", "ward", "area")
    # dimensions that split the numerator only: a share of all referrals by source divides by every referral
    numerator_only: tuple[str, ...] = ()
    grains: tuple[str, ...] = GRAINS
    target: float | None = None
    interval: str = ""  # filled from the kind: Wilson for ratios, exact Poisson for counts and rates
    reference: str = ""  # statutory or national reference
    england: tuple[str, str] | None = None  # (publication, indicator) in published statistics
    unit: str = field(default="")

    @property
    def interval_method(self) -> str:
        return (
            self.interval or {"ratio": "wilson", "count": "poisson_exact", "rate_per_10k": "poisson_exact"}[self.kind]
        )

    @property
    def source_tables(self) -> tuple[str, ...]:
        names = [self.numerator.source] + ([self.denominator.source] if self.denominator else [])
        if self.kind == "rate_per_10k":
            names.append("population")
        return tuple(dict.fromkeys(names))


def validate(metric: Metric) -> Metric:
    """Check a definition against the sources it names; DefinitionError naming the metric and field."""

    def fail(field_name: str, problem: str) -> None:
        raise DefinitionError(f"metric {metric.id or '(no id)'}: {field_name}: {problem}")

    if not metric.id or not metric.id.replace("_", "").isalnum() or metric.id != metric.id.lower():
        fail("id", "must be lower case letters, digits and underscores")
    if not metric.label:
        fail("label", "is empty")
    if metric.kind not in KINDS:
        fail("kind", f"{metric.kind!r} is not one of {', '.join(KINDS)}")
    if metric.polarity not in POLARITIES:
        fail("polarity", f"{metric.polarity!r} is not one of {', '.join(POLARITIES)}")
    if metric.kind == "ratio" and metric.denominator is None:
        fail("denominator", "a ratio needs one")
    if metric.kind != "ratio" and metric.denominator is not None:
        fail("denominator", f"a {metric.kind} takes none (rates divide by the 0-17 population)")
    for grain in metric.grains:
        if grain not in GRAINS:
            fail("grains", f"{grain!r} is not one of {', '.join(GRAINS)}")
    for dimension in (*metric.dimensions, *metric.numerator_only):
        if dimension not in DIMENSIONS:
            fail("dimensions", f"{dimension!r} is not one of {', '.join(DIMENSIONS)}")
    for role, measure in (("numerator", metric.numerator), ("denominator", metric.denominator)):
        if measure is None:
            continue
        if measure.source not in SOURCES:
            fail(f"{role}.source", f"{measure.source!r} is not a known source ({', '.join(SOURCES)})")
        columns = source(measure.source).c
        for condition in measure.where:
            if condition.column not in columns:
                fail(f"{role}.where", f"{measure.source} has no column {condition.column!r}")
            if condition.other_column and condition.other_column not in columns:
                fail(f"{role}.where", f"{measure.source} has no column {condition.other_column!r}")
            if condition.operator not in OPERATORS:
                fail(f"{role}.where", f"unknown operator {condition.operator!r}")
        for name, value in (("total", measure.total), ("distinct", measure.distinct)):
            if value and value not in columns:
                fail(f"{role}.{name}", f"{measure.source} has no column {value!r}")
        for dimension in metric.dimensions:
            if role == "denominator" and dimension in metric.numerator_only:
                continue
            if dimension not in SOURCE_DIMENSIONS[measure.source]:
                fail("dimensions", f"{dimension!r} is not available on {measure.source}")
    return metric
