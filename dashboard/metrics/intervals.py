"""Confidence intervals for proportions, counts and rates, as Fingertips (OHID, formerly PHE) publishes them.

A leader comparing two localities needs to know whether a gap is bigger than chance alone would make it.
Every function here is vectorised: give it numbers, lists, numpy arrays or pandas Series (the answer keeps
the Series index) and it returns an :class:`Interval` of the estimate and its lower and upper limits.

Defined behaviour for awkward inputs, so pages never show a warning or a traceback:

* a denominator (or population) of 0 or a missing value gives NaN for the estimate and both limits;
* a count of 0 gives a real interval (a 0 out of 40 still tells us the true figure is probably small);
* negative counts, or a numerator larger than its denominator, are data errors and raise ``ValueError``.

Methods (see PHE "Technical Guide: Confidence Intervals", Public Health Data Science, 25 May 2018, and the
Fingertips "Rates" page of the public health technical guidance):

* proportions: Wilson score interval (Wilson 1927; Newcombe 1998 "method 3");
* counts and rates: ``method="exact"`` (default) is the exact Poisson interval of Garwood (1936), found through
  the chi-square distribution: lower = chi2(alpha/2, 2O)/2, upper = chi2(1 - alpha/2, 2O + 2)/2.
  ``method="byar"`` is Byar's approximation (Breslow and Day 1987), which Fingertips uses for counts of 10 or
  more because it was easy to compute by hand; ``method="fingertips"`` reproduces Fingertips exactly: the exact
  interval below 10 events and Byar's from 10 up. Byar's is within 0.2% of the exact limits for counts of 10
  or more at 95% (the Technical Guide's own statement, checked in the tests), so the default stays exact: with
  scipy there is no reason to approximate, and the exact limits are right at every count.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from scipy import special

PoissonMethod = Literal["exact", "byar", "fingertips"]

FINGERTIPS_BYAR_FROM = 10
"""Fingertips switches from the exact interval to Byar's approximation at this count."""


class Interval(NamedTuple):
    """An estimate with its lower and upper confidence limits (floats, arrays or Series, as given)."""

    estimate: object
    lower: object
    upper: object

    def to_frame(self, name: str = "value") -> pd.DataFrame:
        """The interval as columns ``name``, ``name_lower``, ``name_upper`` (for tables and charts)."""
        return pd.DataFrame(
            {name: self.estimate, f"{name}_lower": self.lower, f"{name}_upper": self.upper},
            index=self.estimate.index if isinstance(self.estimate, pd.Series) else None,
        )


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile: 1.959964 for 95%, 3.090232 for 99.8%."""
    _check_confidence(confidence)
    return float(special.ndtri(1 - (1 - confidence) / 2))


def wilson(numerator, denominator, confidence: float = 0.95) -> Interval:
    """Proportion numerator/denominator with its Wilson score interval.

    Wilson's interval stays inside 0..1 and behaves well for small groups and for 0% or 100%, where the
    textbook "p plus or minus 1.96 standard errors" collapses to a zero-width interval.
    """
    z = z_value(confidence)
    num, den, wrap = _inputs(numerator, denominator)
    if np.any(num < 0) or np.any(den < 0):
        raise ValueError("numerators and denominators must not be negative")
    if np.any(num > den):
        raise ValueError("a numerator is larger than its denominator")
    usable = den > 0
    with np.errstate(all="ignore"):
        estimate = np.where(usable, num / den, np.nan)
        centre = (num + z * z / 2) / (den + z * z)
        half = z * np.sqrt(num * (den - num) / den + z * z / 4) / (den + z * z)
        lower = np.where(usable, np.clip(centre - half, 0.0, 1.0), np.nan)
        upper = np.where(usable, np.clip(centre + half, 0.0, 1.0), np.nan)
    return Interval(wrap(estimate), wrap(lower), wrap(upper))


def poisson_count(count, confidence: float = 0.95, method: PoissonMethod = "exact") -> Interval:
    """A count of events with its Poisson interval (for example 10 events: 4.795 to 18.390 at 95%)."""
    counts, wrap = _inputs(count)
    lower, upper = _poisson_limits(counts, confidence, method)
    return Interval(wrap(counts), wrap(lower), wrap(upper))


def rate_interval(
    count, population, per: float = 10_000, confidence: float = 0.95, method: PoissonMethod = "exact"
) -> Interval:
    """Rate per ``per`` people (count / population * per) with its Poisson interval.

    The population is treated as people (or person-years) at risk; the count is assumed to follow a Poisson
    distribution, which holds when the event is uncommon in the population (Fingertips "Rates" guidance).
    """
    counts, pop, wrap = _inputs(count, population)
    if np.any(pop < 0):
        raise ValueError("populations must not be negative")
    lower, upper = _poisson_limits(counts, confidence, method)
    usable = pop > 0
    with np.errstate(all="ignore"):
        scale = np.where(usable, per / pop, np.nan)
        return Interval(wrap(counts * scale), wrap(lower * scale), wrap(upper * scale))


def rate_per_10k(count, population, confidence: float = 0.95, method: PoissonMethod = "exact") -> Interval:
    """Rate per 10,000 children (the usual unit in children's services statistics) with its interval."""
    return rate_interval(count, population, per=10_000, confidence=confidence, method=method)


def _poisson_limits(counts: np.ndarray, confidence: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    if method not in ("exact", "byar", "fingertips"):
        raise ValueError(f"unknown method {method!r}: use 'exact', 'byar' or 'fingertips'")
    _check_confidence(confidence)
    if np.any(counts < 0):
        raise ValueError("counts must not be negative")
    alpha = 1 - confidence
    with np.errstate(all="ignore"):
        # chi-square quantiles with 2k and 2k + 2 degrees of freedom, halved: the gamma quantiles (scipy.special
        # alone, so the first page does not wait for scipy.stats to import)
        exact_lower = np.where(counts > 0, special.gammaincinv(np.maximum(counts, 1), alpha / 2), 0.0)
        exact_upper = special.gammaincinv(counts + 1, 1 - alpha / 2)
        if method == "exact":
            lower, upper = exact_lower, exact_upper
        else:
            z = z_value(confidence)
            byar_lower = np.where(counts > 0, counts * (1 - 1 / (9 * counts) - z / (3 * np.sqrt(counts))) ** 3, 0.0)
            byar_upper = (counts + 1) * (1 - 1 / (9 * (counts + 1)) + z / (3 * np.sqrt(counts + 1))) ** 3
            byar_lower = np.maximum(byar_lower, 0.0)  # Byar's formula can dip below 0 for tiny counts
            if method == "byar":
                lower, upper = byar_lower, byar_upper
            else:
                small = counts < FINGERTIPS_BYAR_FROM
                lower = np.where(small, exact_lower, byar_lower)
                upper = np.where(small, exact_upper, byar_upper)
    missing = np.isnan(counts)
    return np.where(missing, np.nan, lower), np.where(missing, np.nan, upper)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), not {confidence!r}")


def _inputs(*values):
    """Float arrays broadcast together, plus a function that gives results back in the caller's shape."""
    index = next((value.index for value in values if isinstance(value, pd.Series)), None)
    scalar = all(np.ndim(value) == 0 for value in values)
    arrays = np.broadcast_arrays(*(np.asarray(_numeric(value), dtype=float) for value in values))

    def wrap(result: np.ndarray):
        if scalar:
            return float(result)
        if index is not None:
            return pd.Series(result, index=index)
        return result

    return (*arrays, wrap)


def _numeric(value):
    """Series of nullable integers (pd.NA) become floats with NaN, so missing values stay missing."""
    if isinstance(value, pd.Series):
        return pd.to_numeric(value, errors="raise").astype("float64")
    return value
