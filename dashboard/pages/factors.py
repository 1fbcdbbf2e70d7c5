"""Assessment factors: which needs lie behind completed assessments, how often compared with England, and which
factors turn up together more often than chance would give (a question for audit, not a finding)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.metrics.catalogue import metric
from dashboard.metrics.cooccurrence import NO_FACTORS
from dashboard.metrics.disclosure import render
from dashboard.metrics.england import FACTOR_EPISODES_2025
from dashboard.metrics.factors import (
    FACTOR_NAMES,
    SIGNIFICANT,
    FactorCounts,
    disclosed_comparison,
    disclosed_pairs,
    disclosed_prevalence,
    england_comparison,
    factor_name,
    pairs_with,
    prevalence_over_period,
)
from dashboard.shell.charts import bars_with_intervals, interval_dots
from dashboard.shell.guard import NothingToShow, page_guard
from dashboard.shell.page import page_header
from dashboard.shell.results import cooccurrence_result, factor_counts_result, metric_result, tables_loaded
from dashboard.shell.store_facts import data_version
from dashboard.shell.tables import shown_table
from dashboard.store_access import current_store_url
from data_connectors.config import suppression_threshold

TITLE = "Which risks travel together?"
PREVALENCE = "assessment_factor_prevalence"
DEFAULT_FACTOR = "15A"


def main() -> None:
    with page_guard("Assessment factors"):
        view = page_header(
            TITLE,
            "Which needs lie behind our assessments, how that compares with England, and which factors turn up "
            "together more often than chance: where joint work and audit should look.",
        )
        url = current_store_url()
        version = data_version(url)
        threshold = suppression_threshold()
        prevalence = prevalence_over_period(metric_result(url, version, PREVALENCE, view.filters, by="factor"))
        completed = int(prevalence["denominator"].max()) if not prevalence.empty else 0
        counts = factor_counts_result(url, version, view.filters)
        if not tables_loaded(url, version, ("assessment_factors",)):
            raise NothingToShow(
                "No data loaded yet for the factors identified at assessment (the CIN census AssessmentFactors "
                "list): load assessment_factors to see this page."
            )
        if completed == 0 or not counts.per_factor:
            raise NothingToShow(
                "No completed assessments with factors in this view: widen the period, or choose another "
                "locality or agency."
            )
        _prevalence(prevalence, threshold, view.caption())
        _england(prevalence, counts.with_any, threshold)
        _explorer(url, version, view, counts, completed, threshold)


def _prevalence(prevalence: pd.DataFrame, threshold: int, caption: str) -> None:
    st.subheader("Which needs lie behind our assessments?")
    st.caption(
        "The share of completed assessments in this view at which each factor was identified, with its 95% "
        "interval (the range the true share is likely to lie in). One assessment often records several "
        "factors, so the shares add up to more than 100%."
    )
    shown = disclosed_prevalence(prevalence, threshold)
    names = {code: factor_name(code) for code in shown["factor"]}
    figure = bars_with_intervals(
        shown, "factor", metric(PREVALENCE), "Which factors are identified most often at assessment?", caption, names
    )
    st.plotly_chart(figure, key="factor-prevalence-chart")


def _england(prevalence: pd.DataFrame, with_any: int, threshold: int) -> None:
    st.subheader("How does that compare with England?")
    comparison = disclosed_comparison(england_comparison(prevalence, with_any), threshold)
    st.caption(
        "England publishes each factor as a share of assessments that recorded at least one factor "
        f"(DfE Children in need 2025, table C3: {FACTOR_EPISODES_2025:,} in England), so here each factor is "
        "shown on that same basis beside England's share. 'Higher' or 'lower' means England's share lies "
        "outside our 95% interval; 'similar' means the difference could be chance."
    )
    visible = render(comparison, {"share": "{:.1f}", "lower": "{:.1f}", "upper": "{:.1f}"})
    table = pd.DataFrame(
        {
            "Factor": [factor_name(code) for code in visible["factor"]],
            "Assessments with the factor": visible["numerator"],
            "Assessments with any factor": visible["with_any_factor"],
            "Share (%)": visible["share"],
            "95% interval from": visible["lower"],
            "to": visible["upper"],
            "England 2025 (%)": [f"{value:.1f}" for value in comparison["england"]],
            "Compared with England": visible["compared"],
        }
    )
    shown_table(table, "factors-compared-with-england", key="factors-england")
    st.caption(comparison.attrs["disclosure"]["note"])
    if with_any == 0:
        st.caption("No assessment in this view recorded a factor other than 'no factors identified'.")


def _explorer(url: str, version: int, view, counts: FactorCounts, completed: int, threshold: int) -> None:
    st.subheader("Which factors travel with another?")
    st.caption(
        "Pick a factor to see which others are recorded with it more often than chance. **Lift** compares how "
        "often two factors are recorded together with how often chance alone would put them together: 2 means "
        "twice as often together as chance would give, 1 means no more than chance. The **odds ratio** and its "
        "95% interval say the same on another scale (an interval that stays above 1 is unlikely to be chance). "
        "Testing every pair throws up some 'significant' ones by luck, so the p-values are adjusted for that "
        "(Benjamini-Hochberg); pairs recorded together more often than chance with an adjusted p below "
        f"{SIGNIFICANT} are marked worth a look. A significant pair is a question to audit, not a finding: it "
        "does not say one factor causes another."
    )
    present = [code for code in FACTOR_NAMES if code in counts.per_factor and code != NO_FACTORS]
    if len(present) < 2:
        st.info("Fewer than two different factors are recorded in this view, so there are no pairs to compare.")
        return
    chosen = st.selectbox(
        "Factor",
        present,
        index=present.index(DEFAULT_FACTOR) if DEFAULT_FACTOR in present else 0,
        format_func=factor_name,
        key="with_factor",
        bind="query-params",
    )
    chosen = chosen or (DEFAULT_FACTOR if DEFAULT_FACTOR in present else present[0])
    pairs = pairs_with(cooccurrence_result(url, version, view.filters, completed), chosen)
    shown = disclosed_pairs(pairs, threshold)
    n_chosen = shown["n_chosen"].iloc[0] if not shown.empty else None
    chosen_count = f"<{threshold}" if pd.isna(n_chosen) else f"{n_chosen:,.0f}"
    st.markdown(
        f"**{factor_name(chosen)}** was identified at {chosen_count} of {int(pairs['n_assessments'].iloc[0]):,} "
        "completed assessments in this view."
    )
    names = {code: factor_name(code) for code in shown["other"]}
    visible_pairs = shown[shown["odds_ratio"].notna()]
    if not visible_pairs.empty:
        figure = interval_dots(
            shown.assign(flag=shown["worth_a_look"]),
            "other",
            "odds_ratio",
            "or_lower",
            "or_upper",
            f"Which factors are recorded with {FACTOR_NAMES[chosen].lower()} more often than chance?",
            view.caption(),
            names=names,
            highlight="flag",
            value_title="odds ratio (log scale; 1 = no more often than chance)",
            hover=[
                f"{names[o]}: together at {b:,.0f} assessments, lift {lift:.2f}, odds ratio {odds:.2f} "
                f"(95% interval {lo:.2f} to {hi:.2f}), adjusted p {p:.3g}"
                if pd.notna(odds)
                else ""
                for o, b, lift, odds, lo, hi, p in zip(
                    shown["other"],
                    shown["n_both"],
                    shown["lift"],
                    shown["odds_ratio"],
                    shown["or_lower"],
                    shown["or_upper"],
                    shown["p_adjusted"],
                    strict=True,
                )
            ],
        )
        st.plotly_chart(figure, key="factor-pairs-chart")
        st.caption(
            "Orange: worth a look (together more often than chance, adjusted p below 0.05). "
            "Grey whiskers: 95% intervals."
        )
    visible = render(
        shown,
        {
            "expected_both": "{:.1f}",
            "lift": "{:.2f}",
            "odds_ratio": "{:.2f}",
            "or_lower": "{:.2f}",
            "or_upper": "{:.2f}",
            "p_value": "{:.3g}",
            "p_adjusted": "{:.3g}",
        },
    )
    table = pd.DataFrame(
        {
            "Recorded with": [factor_name(code) for code in visible["other"]],
            "Assessments with both": visible["n_both"],
            "With the other factor": visible["n_other"],
            "Expected together by chance": visible["expected_both"],
            "Lift": visible["lift"],
            "Odds ratio": visible["odds_ratio"],
            "95% interval from": visible["or_lower"],
            "to": visible["or_upper"],
            "Adjusted p (BH)": visible["p_adjusted"],
            "Worth a look": ["yes" if flag else "" for flag in shown["worth_a_look"]],
        }
    )
    shown_table(table, f"factors-with-{chosen}", key="factor-pairs")
    st.caption(shown.attrs["disclosure"]["note"])


main()
