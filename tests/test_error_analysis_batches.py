"""Bounded memory: every part that reads all rows gives, batch by batch, the whole-frame result.

Each test runs a part with tiny batches and with one batch and compares; the spies and the
tracemalloc checks fail if a part goes back to building full-length copies of the rows.
"""

from __future__ import annotations

import json
import tracemalloc
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.error_analysis import ErrorAnalysisOptions, analyse_errors, evaluation_from_model
from pipelines.error_analysis.all_rows import all_row_values
from pipelines.error_analysis.batches import row_batches
from pipelines.error_analysis.binning import BinSpec, bin_column, bin_spec
from pipelines.error_analysis.cohorts import cohort_counts, cohort_ids, error_cohorts
from pipelines.error_analysis.evaluation import EvaluationSet, row_error_and_loss
from pipelines.error_analysis.fairness import fairness
from pipelines.error_analysis.metrics import (
    _classifier_metrics,
    _regression_metrics,
    calibration,
    confusion,
    headline_metrics,
    threshold_sweep,
)
from pipelines.error_analysis.model_input import ModelMatrix
from pipelines.error_analysis.quality import data_quality, imputed_flags
from pipelines.error_analysis.residuals import residuals
from pipelines.error_analysis.slices import feature_slices
from pipelines.error_analysis.worst import worst_examples
from pipelines.task import TaskSpec, resolve_task
from tests.support.evaluations import (
    compas_evaluation,
    compas_model,
    lending_evaluation,
    penguins_evaluation,
)

OPTIONS = ErrorAnalysisOptions(bootstrap=20, permutation_rows=100, shap_rows=100)


class _SpyModel:
    """A trained model that records how many rows each `matrix` call was given."""

    def __init__(self, model: object) -> None:
        self._model = model
        self.heights: list[int] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._model, name)

    def matrix(self, frame: pl.DataFrame) -> pl.DataFrame:
        self.heights.append(frame.height)
        return self._model.matrix(frame)  # type: ignore[attr-defined]


def _evaluations() -> list[EvaluationSet]:
    return [compas_evaluation(40)[0], lending_evaluation()[0], penguins_evaluation()]


def test_row_batches_cover_every_row_once_and_refuse_an_empty_batch():
    assert list(row_batches(5, 2)) == [(0, 2), (2, 2), (4, 1)]
    assert list(row_batches(3, 10)) == [(0, 3)]
    assert list(row_batches(0, 10)) == []
    with pytest.raises(ValueError, match="at least 1"):
        list(row_batches(3, 0))


def test_prediction_in_batches_equals_one_batch_and_never_builds_the_whole_matrix():
    model, _, test_rows, oof = compas_model()
    whole = evaluation_from_model(model, test_rows, oof=oof, batch_rows=test_rows.height)
    spy = _SpyModel(model)
    batched = evaluation_from_model(spy, test_rows, oof=oof, batch_rows=97)  # type: ignore[arg-type]
    assert max(spy.heights) == 97
    assert sum(spy.heights) == test_rows.height
    for name in ("y_true", "predicted", "probabilities", "oof_probabilities", "oof_y_true"):
        np.testing.assert_array_equal(
            getattr(batched.evaluation, name), getattr(whole.evaluation, name)
        )
    matrix = batched.evaluation.transformed
    assert isinstance(matrix, ModelMatrix)  # not an n x p array kept for the sampled parts
    assert len(matrix) == test_rows.height
    rows = np.array([5, 0, 1803, 17])
    full = model.matrix(test_rows).select(pl.all().cast(pl.Float32)).to_numpy().astype(np.float64)
    np.testing.assert_array_equal(matrix[rows], full[rows])


def test_the_whole_stage_in_tiny_batches_gives_the_same_report_and_rows():
    model, _, test_rows, oof = compas_model()
    options = OPTIONS.model_copy(update={"sensitive": ("race", "sex")})
    whole = analyse_errors(model, test_rows, oof=oof, options=options)
    spy = _SpyModel(model)
    batched = analyse_errors(
        spy,  # type: ignore[arg-type]
        test_rows,
        oof=oof,
        options=options.model_copy(update={"batch_rows": 150}),
    )
    # prediction in batches of 150; permutation and SHAP ask for their 100-row samples only
    assert max(spy.heights) <= 150
    assert json.dumps(batched.report.to_json_dict(), sort_keys=True) == json.dumps(
        whole.report.to_json_dict(), sort_keys=True
    )
    assert_frame_equal(batched.row_errors, whole.row_errors)
    assert batched.row_errors.get_column("cohort").null_count() < test_rows.height


@pytest.mark.parametrize("batch_rows", [7, 100, 10**9], ids=["7", "100", "one-batch"])
def test_all_row_metric_values_in_batches_equal_the_whole_frame_formulas(batch_rows):
    for evaluation in _evaluations():
        build = _classifier_metrics if evaluation.is_classifier else _regression_metrics
        every = build(evaluation, np.arange(evaluation.size))
        whole = {name: f(np.ones(evaluation.size)) for name, (f, _) in every.items()}
        got = all_row_values(evaluation, batch_rows)
        assert list(got) == list(whole)
        for name, value in whole.items():
            assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def test_headline_values_stay_on_all_rows_when_the_bootstrap_samples():
    evaluation = compas_evaluation(40)[0]  # 2,165 rows: bootstrap_rows=1,000 samples
    whole, whole_note = headline_metrics(evaluation, OPTIONS)
    sampled, note = headline_metrics(
        evaluation, OPTIONS.model_copy(update={"bootstrap_rows": 1000, "batch_rows": 64})
    )
    assert whole_note.rows_used == evaluation.size
    assert note.rows_used == 1000 and note.rows_available == evaluation.size
    assert [m.value for m in sampled] == [m.value for m in whole]
    assert [m.name for m in sampled] == [m.name for m in whole]


@pytest.mark.parametrize("column", ["age", "priors_count", "race", "c_charge_degree"])
def test_bin_codes_per_batch_equal_the_whole_column(column):
    series = compas_evaluation()[0].features.get_column(column)
    series = series.scatter([3, 50], None)  # a missing bin too
    whole = bin_column(series, bins=5, categories=3)
    spec = bin_spec(series, bins=5, categories=3, batch_rows=11)
    assert (spec.labels, spec.kinds, spec.lows, spec.highs) == (
        whole.labels,
        whole.kinds,
        whole.lows,
        whole.highs,
    )
    parts = [spec.codes(series.slice(o, n)) for o, n in row_batches(len(series), 11)]
    np.testing.assert_array_equal(np.concatenate(parts), whole.codes)


def test_slices_fairness_and_cohorts_count_in_batches_what_one_batch_counts(monkeypatch):
    lengths: list[int] = []
    codes = BinSpec.codes

    def spied(self: BinSpec, series: pl.Series) -> np.ndarray:
        lengths.append(len(series))
        return codes(self, series)

    monkeypatch.setattr(BinSpec, "codes", spied)
    for evaluation in _evaluations():
        error, loss = row_error_and_loss(evaluation)
        small = OPTIONS.model_copy(update={"batch_rows": 13})
        sensitive = tuple(
            c
            for c in ("race", "sex", "homeownership", "island")
            if c in evaluation.features.columns
        )
        lengths.clear()
        assert feature_slices(evaluation, error, loss, small, []) == feature_slices(
            evaluation, error, loss, OPTIONS, []
        )
        assert lengths and max(lengths) <= evaluation.size  # the one-batch run
        assert min(lengths) < 13 and sorted(lengths)[len(lengths) // 2] == 13
        with_sensitive = {"sensitive": sensitive}
        assert fairness(
            evaluation, evaluation.features, small.model_copy(update=with_sensitive)
        ) == fairness(evaluation, evaluation.features, OPTIONS.model_copy(update=with_sensitive))
        cohorts, _ = error_cohorts(evaluation, error, small)
        assert cohorts == error_cohorts(evaluation, error, OPTIONS)[0]
        rules = [c.conditions for c in cohorts] + [[]]  # `[]` is every row
        counts = cohort_counts(evaluation.features, error, rules, 13)
        whole = cohort_counts(evaluation.features, error, rules, 10**9)
        np.testing.assert_allclose(np.array(counts), np.array(whole), rtol=1e-12)
        assert counts[-1][0] == evaluation.size
        ids = cohort_ids(evaluation.features, cohorts, 13)
        assert ids.equals(cohort_ids(evaluation.features, cohorts, 10**9))


def test_confusion_calibration_thresholds_worst_quality_and_residuals_in_batches():
    for evaluation in _evaluations():
        small = OPTIONS.model_copy(update={"batch_rows": 13})
        if evaluation.is_classifier:
            assert confusion(evaluation, 13) == confusion(evaluation, 10**9)
            assert calibration(evaluation, small) == calibration(evaluation, OPTIONS)
        if evaluation.task.kind == "binary":
            assert threshold_sweep(evaluation, small) == threshold_sweep(evaluation, OPTIONS)
        error, loss = row_error_and_loss(evaluation)
        assert worst_examples(evaluation, loss, 25, [], 13) == worst_examples(
            evaluation, loss, 25, [], 10**9
        )
        every_7th = pl.Series("every_7th", np.arange(evaluation.size) % 7 == 0)
        flags = pl.DataFrame([imputed_flags(evaluation.features), every_7th])
        flagged = replace(evaluation, quality_flags=flags)
        assert data_quality(flagged, error, small) == data_quality(flagged, error, OPTIONS)
        if not evaluation.is_classifier:
            top = ["interest_rate", *evaluation.features.columns[:3]]
            assert residuals(evaluation, top, 13) == residuals(evaluation, top, 10**9)


def _large_binary(n: int) -> EvaluationSet:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    # scores on a grid, as a tree model's are: the AUC's table holds one row per distinct score
    p = np.round(np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1), 3)
    features = pl.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b", "c"], n)})
    task = resolve_task(pl.DataFrame({"t": [0, 1] * 10}), TaskSpec(target="t"))
    return EvaluationSet(
        task=task,
        y_true=y,
        predicted=(p >= 0.5).astype(np.int64),
        probabilities=np.column_stack([1 - p, p]),
        features=features,
    )


def _traced_peak(function, *args) -> int:  # type: ignore[no-untyped-def]
    """Peak numpy/Python allocation of one call (after a first call, so imports are done)."""
    function(*args)
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_slices_and_headline_metrics_hold_no_full_length_copies():
    """numpy allocations are traced: one float64 copy of the rows is 8 bytes a row.

    Whole-frame code held several at once (codes, weights, sorted scores, one-hot classes);
    in batches, slices hold about one (the quantile's copy of one column) and the headline
    metrics hold arrays of the bootstrap sample, one permutation of the row positions (the
    sample) and a table per distinct score (the AUC).
    """
    n = 400_000
    evaluation = _large_binary(n)
    error, loss = row_error_and_loss(evaluation)
    options = OPTIONS.model_copy(update={"batch_rows": 10_000, "bootstrap": 10})
    one_copy = 8 * n
    assert _traced_peak(feature_slices, evaluation, error, loss, options, []) < 1.5 * one_copy
    sampled = options.model_copy(update={"bootstrap_rows": 20_000})
    # one copy: numpy's sampling without replacement permutes the n row positions
    assert _traced_peak(headline_metrics, evaluation, sampled) < 1.3 * one_copy
    # the checks can fail: one batch of every row holds two copies, no sample many
    one_batch = options.model_copy(update={"batch_rows": n})
    assert _traced_peak(feature_slices, evaluation, error, loss, one_batch, []) > 1.5 * one_copy
    whole = options.model_copy(update={"bootstrap_rows": n})
    assert _traced_peak(headline_metrics, evaluation, whole) > 4 * one_copy


def test_evaluation_sets_with_an_array_matrix_still_work():
    evaluation, _ = compas_evaluation()
    assert isinstance(evaluation.transformed, np.ndarray)
    again = replace(evaluation, transformed=evaluation.transformed.copy())
    assert again.size == evaluation.size
