"""`analyse_errors` over a trained model (C's feature pipeline + LightGBM), keyed by `_row`."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.columns import ColumnNames
from pipelines.error_analysis import (
    ErrorAnalysisOptions,
    EvaluationDataError,
    analyse_errors,
    cohort_expression,
)
from pipelines.errors import ColumnNotFoundError
from pipelines.task import TaskSpec
from tests.support.evaluations import compas_model

FAST = ErrorAnalysisOptions(bootstrap=30, permutation_rows=800, shap_rows=400)


@pytest.fixture(scope="module")
def analysed():
    model, train_rows, test_rows, oof = compas_model()
    lines = dict(
        zip(train_rows["_row"].to_list(), train_rows["_source_line"].to_list(), strict=True)
    )
    result = analyse_errors(
        model,
        test_rows,
        task=TaskSpec(sensitive=("Race", "sex")),
        options=FAST,
        oof=oof,
        names=ColumnNames.from_header_mapping(test_rows.columns, {"Race": "race"}),
        oof_source_lines=lines,
    )
    return model, test_rows, result


def test_predictions_match_the_booster_and_the_threshold(analysed):
    model, test_rows, result = analysed
    evaluation = result.evaluation
    raw = model.booster.predict(model.matrix(test_rows).to_numpy().astype(float))
    assert evaluation.probabilities is not None
    np.testing.assert_allclose(evaluation.probabilities[:, 1], raw)
    np.testing.assert_array_equal(evaluation.predicted, (raw >= 0.5).astype(int))
    assert evaluation.rows is not None
    assert evaluation.rows.tolist() == test_rows["_row"].to_list()


def test_one_hot_and_categorical_columns_add_up_to_their_raw_column(analysed):
    _, test_rows, result = analysed
    importance = result.report.importance
    assert importance is not None
    names = {f.feature for f in importance.features}
    assert {"race", "sex", "priors_count", "c_charge_desc"} <= names
    assert names <= set(test_rows.columns)


def test_sensitive_columns_given_as_in_the_file_are_resolved(analysed):
    _, test_rows, result = analysed
    assert result.report.fairness is not None
    assert [f.column for f in result.report.fairness] == ["race", "sex"]
    counts = test_rows.group_by("sex").len().sort("sex")
    sex = result.report.fairness[1]
    assert [g.rows for g in sex.groups] == counts["len"].to_list()


def test_label_suspects_point_at_training_rows_and_their_source_lines(analysed):
    _, _, result = analysed
    _, train_rows, _, _ = compas_model()
    suspects = result.report.label_suspects
    assert suspects.available and suspects.suspects
    first = suspects.suspects[0]
    row = train_rows.filter(pl.col("_row") == first.row)
    assert row["_source_line"][0] == first.source_line
    assert str(row["two_year_recid"][0]) == first.given


def test_cohort_rules_hold_on_the_raw_columns(analysed):
    _, test_rows, result = analysed
    errors = result.row_errors
    frame = test_rows.join(errors.select("_row", "error"), on="_row")
    for cohort in result.report.cohorts:
        subset = frame.filter(cohort_expression(cohort.conditions))
        assert subset.height == cohort.rows
        assert subset["error"].mean() == pytest.approx(cohort.error, abs=1e-6)


def test_rows_without_a_target_are_set_aside_and_counted():
    model, _, test_rows, _ = compas_model()
    blanked = test_rows.with_columns(
        pl.when(pl.col("_row") < 40)
        .then(None)
        .otherwise(pl.col("two_year_recid"))
        .alias("two_year_recid")
    )
    result = analyse_errors(model, blanked, options=FAST)
    missing = blanked["two_year_recid"].null_count()
    assert result.report.rows_set_aside == missing > 0
    assert result.report.rows + missing == blanked.height
    assert any("set aside" in n for n in result.report.notes)
    aside = result.set_aside
    assert aside["_reason"].to_list() == ["missing_target"] * missing
    assert set(aside["_row"].to_list()) == set(
        blanked.filter(pl.col("two_year_recid").is_null())["_row"].to_list()
    )
    assert set(aside["_row"].to_list()).isdisjoint(result.row_errors["_row"].to_list())


def test_wrong_inputs_are_one_line_errors():
    model, _, test_rows, _ = compas_model()
    with pytest.raises(EvaluationDataError, match=r"lacks `two_year_recid`"):
        analyse_errors(model, test_rows.drop("two_year_recid"), options=FAST)
    with pytest.raises(EvaluationDataError, match=r"not the model's target"):
        analyse_errors(model, test_rows, task=TaskSpec(target="age"), options=FAST)
    with pytest.raises(ColumnNotFoundError, match=r"sensitive column `religion`"):
        analyse_errors(model, test_rows, task=TaskSpec(sensitive=("religion",)), options=FAST)
