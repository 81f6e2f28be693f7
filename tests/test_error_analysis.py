"""Error analysis on small LightGBM models over real data: every number recomputed by hand."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from pipelines.error_analysis import (
    ErrorAnalysisOptions,
    ErrorAnalysisReport,
    EvaluationDataError,
    EvaluationSet,
    analyse_evaluation,
    cohort_expression,
    quality_flags,
)
from tests.support.evaluations import compas_evaluation, lending_evaluation, penguins_evaluation

FAST = ErrorAnalysisOptions(bootstrap=50, permutation_rows=1000, shap_rows=500)


@pytest.fixture(scope="module")
def compas():
    evaluation, rows = compas_evaluation()
    options = FAST.model_copy(update={"sensitive": ("race", "sex")})
    return evaluation, rows, analyse_evaluation(evaluation, options=options)


@pytest.fixture(scope="module")
def lending():
    evaluation, rows = lending_evaluation()
    return evaluation, rows, analyse_evaluation(evaluation, options=FAST)


def _with_error(evaluation: EvaluationSet) -> pl.DataFrame:
    if evaluation.is_classifier:
        error = (evaluation.predicted != evaluation.y_true).astype(float)
    else:
        error = np.abs(evaluation.y_true - evaluation.predicted)
    return evaluation.features.with_columns(pl.Series("err", error))


@pytest.mark.parametrize("which", ["compas", "lending"])
def test_every_cohort_rule_is_true_when_the_data_is_filtered_by_it(which, request):
    evaluation, _, result = request.getfixturevalue(which)
    frame = _with_error(evaluation)
    assert result.report.cohorts, "the tree found no cohorts"
    for cohort in result.report.cohorts:
        subset = frame.filter(cohort_expression(cohort.conditions))
        assert subset.height == cohort.rows, cohort.rule
        assert subset.get_column("err").mean() == pytest.approx(cohort.error, abs=1e-6)
        assert cohort.coverage == pytest.approx(subset.height / frame.height, abs=1e-6)
    # the rules come from the leaves of one tree: they cover every row exactly once
    assert sum(c.rows for c in result.report.cohorts) == frame.height
    ids = result.row_errors.get_column("cohort")
    assert ids.null_count() == 0


def test_a_cohort_rule_written_by_hand_reads_as_its_filter(compas):
    evaluation, _, result = compas
    frame = _with_error(evaluation)
    for cohort in result.report.cohorts:
        parts = []
        for c in cohort.conditions:
            if c.op in ("<=", ">"):
                part = pl.col(c.column) <= c.value if c.op == "<=" else pl.col(c.column) > c.value
            else:
                text = pl.col(c.column).cast(pl.String)
                part = text == c.value if c.op == "==" else text != c.value
            if c.missing or c.op == "!=":
                part = part.fill_null(True) if c.missing else part.fill_null(False)
            parts.append(part.fill_null(False))
        expression = pl.all_horizontal(parts) if parts else pl.lit(True)
        assert frame.filter(expression).height == cohort.rows, cohort.rule
        for c in cohort.conditions:
            assert evaluation.label(c.column) in cohort.rule


def test_fairness_matches_a_hand_computation_in_polars(compas):
    evaluation, _, result = compas
    assert result.report.fairness is not None
    frame = evaluation.features.with_columns(
        y=pl.Series(evaluation.y_true), p=pl.Series(evaluation.predicted)
    )
    for column in ("race", "sex"):
        report = next(f for f in result.report.fairness if f.column == column)
        by_hand = (
            frame.group_by(pl.col(column).fill_null("missing").alias("g"))
            .agg(
                n=pl.len(),
                selection=pl.col("p").mean(),
                tpr=pl.col("p").filter(pl.col("y") == 1).mean(),
                fpr=pl.col("p").filter(pl.col("y") == 0).mean(),
                accuracy=(pl.col("p") == pl.col("y")).mean(),
            )
            .sort("g")
        )
        assert [g.group for g in report.groups] == by_hand.get_column("g").to_list()
        for group, row in zip(report.groups, by_hand.iter_rows(named=True), strict=True):
            assert group.rows == row["n"]
            assert group.metrics["selection_rate"] == pytest.approx(row["selection"], abs=1e-6)
            assert group.metrics["accuracy"] == pytest.approx(row["accuracy"], abs=1e-6)
            if row["tpr"] is not None:
                assert group.metrics["true_positive_rate"] == pytest.approx(row["tpr"], abs=1e-6)
            if row["fpr"] is not None:
                assert group.metrics["false_positive_rate"] == pytest.approx(row["fpr"], abs=1e-6)
        big = by_hand.filter(pl.col("n") >= FAST.min_slice_rows)
        gap = big.get_column("fpr").max() - big.get_column("fpr").min()
        assert report.gaps["false_positive_rate"] == pytest.approx(gap, abs=1e-6)
        assert column in report.sentence


def test_metrics_confusion_and_calibration_match_hand_counts(compas):
    evaluation, _, result = compas
    metrics = result.report.metrics
    y, p = evaluation.y_true, evaluation.predicted
    accuracy = next(m for m in metrics.headline if m.name == "accuracy")
    assert accuracy.value == pytest.approx((y == p).mean(), abs=1e-6)
    assert accuracy.low is not None and accuracy.high is not None
    assert accuracy.low < accuracy.value < accuracy.high
    auc = next(m for m in metrics.headline if m.name == "roc_auc")
    from sklearn.metrics import roc_auc_score

    assert evaluation.probabilities is not None
    assert auc.value == pytest.approx(roc_auc_score(y, evaluation.probabilities[:, 1]), abs=1e-6)
    assert metrics.confusion is not None
    assert metrics.confusion.counts[1][0] == int(((y == 1) & (p == 0)).sum())
    assert sum(map(sum, metrics.confusion.counts)) == evaluation.size
    calibration = metrics.calibration
    assert calibration is not None
    assert sum(b.rows for b in calibration.bins) == evaluation.size
    ece = sum(
        b.rows / evaluation.size * abs(b.observed - b.mean_predicted) for b in calibration.bins
    )
    assert calibration.ece == pytest.approx(ece, abs=1e-5)
    at_half = next(t for t in metrics.thresholds if t.threshold == 0.5)
    assert at_half.accuracy == pytest.approx(accuracy.value, abs=1e-6)


def test_slices_count_every_row_and_recompute(compas):
    evaluation, _, result = compas
    frame = _with_error(evaluation)
    race = next(s for s in result.report.slices if s.feature == "race")
    assert sum(s.rows for s in race.slices) == evaluation.size
    caucasian = next(s for s in race.slices if s.label == "Caucasian")
    subset = frame.filter(pl.col("race") == "Caucasian")
    assert caucasian.rows == subset.height
    assert caucasian.error == pytest.approx(subset.get_column("err").mean(), abs=1e-6)
    assert caucasian.low_interval <= caucasian.error <= caucasian.high_interval
    age = next(s for s in result.report.slices if s.feature == "age")
    first = age.slices[0]
    assert first.high is not None
    assert frame.filter(pl.col("age") <= first.high).height == first.rows
    assert any(s.small for f in result.report.slices for s in f.slices)
    worst = result.report.worst_slices
    assert worst and all(s.gap > 0 for s in worst)


def test_worst_examples_are_the_highest_loss_rows_with_their_source_line(compas):
    evaluation, rows, result = compas
    worst = result.report.worst_examples
    losses = [w.loss for w in worst]
    assert losses == sorted(losses, reverse=True)
    assert evaluation.probabilities is not None
    p_true = evaluation.probabilities[np.arange(evaluation.size), evaluation.y_true]
    assert worst[0].loss == pytest.approx(float(-np.log(p_true.min())), abs=1e-6)
    top = rows.filter(pl.col("_source_line") == worst[0].source_line)
    assert top.height == 1
    assert str(top.get_column("two_year_recid")[0]) == worst[0].actual
    assert worst[0].values["age"] == str(top.get_column("age")[0])


def test_importance_has_three_measures_and_a_shap_summary(compas):
    _, _, result = compas
    importance = result.report.importance
    assert importance is not None
    names = [f.feature for f in importance.features]
    assert "priors_count" in names[:3]
    for measure in ("gain", "permutation", "mean_abs_shap"):
        assert sum(getattr(f, measure) for f in importance.features) == pytest.approx(1, abs=1e-4)
    assert importance.shap_summary[0].feature == names[0]
    assert len(importance.dependence) == 3
    top = names[0]
    bins = importance.dependence[top]
    assert sum(b.rows for b in bins) == FAST.shap_rows
    assert all(b.low <= b.mean_shap <= b.high for b in bins)


def test_shap_values_add_up_to_the_booster_output():
    evaluation, _ = compas_evaluation()
    assert evaluation.booster is not None and evaluation.transformed is not None
    contributions = evaluation.booster.predict(evaluation.transformed[:50], pred_contrib=True)
    raw = evaluation.booster.predict(evaluation.transformed[:50], raw_score=True)
    np.testing.assert_allclose(contributions.sum(axis=1), raw, atol=1e-6)


def test_planted_label_flips_are_found_by_cleanlab():
    evaluation, _ = compas_evaluation(flip_labels=0)
    assert evaluation.oof_y_true is not None and evaluation.oof_probabilities is not None
    y = evaluation.oof_y_true.copy()
    # rows whose label the out-of-fold model confidently agrees with, then flipped
    agrees = np.abs(evaluation.oof_probabilities[np.arange(len(y)), y] - 1) < 0.2
    confident = np.flatnonzero(agrees)[:40]
    y[confident] = 1 - y[confident]
    flipped = replace(evaluation, oof_y_true=y)
    options = FAST.model_copy(update={"label_suspects": 1000})
    labels = analyse_evaluation(flipped, options=options).report.label_suspects
    assert labels.available and labels.issues >= 30
    assert evaluation.oof_rows is not None
    planted = set(evaluation.oof_rows[confident].tolist())
    found = {s.row for s in labels.suspects}
    assert len(planted & found) >= 36
    first = labels.suspects[0]
    assert first.given != first.suggested and first.probability_suggested > 0.5
    assert first.source_line is not None


def test_data_quality_compares_flagged_rows_with_the_rest(compas):
    evaluation, _, result = compas
    frame = _with_error(evaluation)
    imputed = next(g for g in result.report.data_quality if g.kind == "imputed")
    missing = frame.filter(pl.any_horizontal(pl.col(evaluation.features.columns).is_null()))
    assert imputed.rows_flagged == missing.height > 0
    assert imputed.error_flagged == pytest.approx(missing.get_column("err").mean(), abs=1e-6)
    kinds = {g.kind for g in result.report.data_quality}
    assert {"imputed", "drift"} <= kinds
    assert all(g.sentence for g in result.report.data_quality)


def test_regression_has_residuals_heteroscedasticity_and_no_label_suspects(lending):
    evaluation, _, result = lending
    residuals = result.report.metrics.residuals
    assert residuals is not None
    assert sum(b.rows for b in residuals.by_prediction) == evaluation.size
    assert residuals.heteroscedasticity_p_value is not None
    assert len(residuals.by_feature) == 3
    mae = next(m for m in result.report.metrics.headline if m.name == "mae")
    assert mae.value == pytest.approx(np.abs(evaluation.y_true - evaluation.predicted).mean(), 1e-6)
    assert not result.report.label_suspects.available
    assert result.report.metrics.confusion is None


def test_multiclass_report_and_json_round_trip():
    result = analyse_evaluation(penguins_evaluation(), options=FAST)
    report = result.report
    assert report.metrics.confusion is not None and len(report.metrics.confusion.labels) == 3
    assert report.metrics.calibration is not None
    assert report.metrics.calibration.kind == "top_label"
    text = json.dumps(report.to_json_dict(), sort_keys=True, allow_nan=False)
    assert ErrorAnalysisReport.model_validate_json(text) == report


def test_same_data_gives_byte_identical_json(compas):
    evaluation, _, result = compas
    again = analyse_evaluation(
        evaluation, options=FAST.model_copy(update={"sensitive": ("race", "sex")})
    )
    first = json.dumps(result.report.to_json_dict(), sort_keys=True)
    assert json.dumps(again.report.to_json_dict(), sort_keys=True) == first
    assert "seconds" not in first


def test_every_finding_has_a_sentence_and_sampling_is_stated(compas):
    _, _, result = compas
    report = result.report
    assert report.findings and all(f.sentence.endswith(".") for f in report.findings)
    parts = {s.part for s in report.sampling}
    assert "permutation importance" in parts and "SHAP values (pred_contrib)" in parts
    shap = next(s for s in report.sampling if s.part.startswith("SHAP"))
    assert shap.rows_used == FAST.shap_rows < shap.rows_available


def test_mismatched_arrays_are_one_clear_error():
    evaluation, _ = compas_evaluation()
    with pytest.raises(EvaluationDataError, match=r"one entry per row .*predicted has 3"):
        replace(evaluation, predicted=np.zeros(3))
    with pytest.raises(EvaluationDataError, match=r"probabilities of shape"):
        replace(evaluation, probabilities=None)
    with pytest.raises(EvaluationDataError, match=r"sensitive column\(s\) `religion`"):
        analyse_evaluation(evaluation, options=FAST.model_copy(update={"sensitive": ("religion",)}))


def test_bootstrap_on_a_sample_scales_its_interval_to_the_full_data():
    evaluation, _ = compas_evaluation()
    full = analyse_evaluation(evaluation, options=FAST.model_copy(update={"bootstrap": 200}))
    sampled = analyse_evaluation(
        evaluation, options=FAST.model_copy(update={"bootstrap": 200, "bootstrap_rows": 1000})
    )
    for exact, scaled in zip(
        full.report.metrics.headline, sampled.report.metrics.headline, strict=True
    ):
        assert exact.value == scaled.value
        assert scaled.low is not None and scaled.high is not None
        assert scaled.low <= scaled.value <= scaled.high
        assert exact.low is not None and exact.high is not None
        width, scaled_width = exact.high - exact.low, scaled.high - scaled.low
        assert 0.6 < scaled_width / width < 1.6, exact.name
    note = next(s for s in sampled.report.sampling if s.part == "metric intervals")
    assert note.rows_used == 1000 and "scaled by sqrt" in note.method


def test_regression_fairness_is_mae_and_mean_prediction_per_group():
    evaluation, _ = lending_evaluation()
    options = FAST.model_copy(update={"sensitive": ("homeownership",)})
    report = analyse_evaluation(evaluation, options=options).report
    assert report.fairness is not None
    frame = evaluation.features.with_columns(
        err=pl.Series(np.abs(evaluation.y_true - evaluation.predicted)),
        pred=pl.Series(evaluation.predicted),
    )
    by_hand = (
        frame.group_by("homeownership")
        .agg(n=pl.len(), mae=pl.col("err").mean(), pred=pl.col("pred").mean())
        .sort("homeownership")
    )
    groups = report.fairness[0].groups
    assert [g.group for g in groups] == by_hand["homeownership"].to_list()
    for group, row in zip(groups, by_hand.iter_rows(named=True), strict=True):
        assert group.rows == row["n"]
        assert group.metrics["mae"] == pytest.approx(row["mae"], abs=1e-6)
        assert group.metrics["mean_prediction"] == pytest.approx(row["pred"], abs=1e-6)


def test_ingest_nulled_and_validation_warned_rows_are_attributed_by_source_line():
    evaluation, _ = compas_evaluation()
    assert evaluation.source_lines is not None
    lines = evaluation.source_lines
    wrong = np.flatnonzero(evaluation.predicted != evaluation.y_true)
    nulled_lines = lines[wrong[:30]].tolist()  # 30 misclassified rows "had a nulled cell"
    warned_lines = lines[:50].tolist()
    flags = quality_flags(
        evaluation.features,
        source_lines=lines,
        cell_issue_lines=nulled_lines,
        warned_lines=warned_lines,
    )
    flagged = replace(evaluation, quality_flags=flags)
    groups = {g.kind: g for g in analyse_evaluation(flagged, options=FAST).report.data_quality}
    nulled = groups["ingest_nulled"]
    assert nulled.rows_flagged == 30 and nulled.error_flagged == 1.0
    assert "reliably worse" in nulled.sentence and "cell_issues" in nulled.sentence
    warned = groups["validation_warned"]
    error = (evaluation.predicted != evaluation.y_true).astype(float)
    assert warned.rows_flagged == 50
    assert warned.error_flagged == pytest.approx(error[:50].mean(), abs=1e-6)
    assert warned.error_rest == pytest.approx(error[50:].mean(), abs=1e-6)
