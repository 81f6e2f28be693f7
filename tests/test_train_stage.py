"""train() on small literal tables: splits, accounting, determinism, train-only fitting, report."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from pipelines.task import TaskSpec
from pipelines.train import TrainError, TrainOptions, TrainReport, train
from pipelines.train.options import TuneOptions
from tests.train_support import FAST, table


@pytest.fixture(scope="module")
def binary_result():
    return train(table(), task=TaskSpec(target="label"), options=FAST)


def test_rows_add_up_and_missing_targets_are_set_aside() -> None:
    frame = table().with_columns(
        pl.when(pl.int_range(pl.len()) % 10 == 0)
        .then(None)
        .otherwise(pl.col("label"))
        .alias("label")
    )
    result = train(frame, task=TaskSpec(target="label"), options=FAST)
    rows = result.report.rows
    assert rows.set_aside == 24 and rows.set_aside_reasons == {"missing_target": 24}
    assert rows.rows_in == frame.height == rows.train + rows.test + rows.set_aside
    assert result.set_aside.height == 24
    assert result.holdout.height == rows.test
    assert set(result.holdout["_row"]) | set(result.set_aside["_row"]) <= set(range(frame.height))
    assert any("24 rows set aside" in n for n in result.report.notes)


def test_binary_report_has_leaderboard_threshold_curves(binary_result) -> None:
    report = binary_result.report
    assert report.task.kind == "binary" and report.task.positive_label == "yes"
    models = {e.model for e in report.leaderboard}
    assert models == {"lightgbm", "dummy", "linear"}
    board = {e.model: e for e in report.leaderboard}
    assert board["lightgbm"].primary.mean > board["dummy"].primary.mean + 0.2
    assert report.test["roc_auc"] > 0.8
    assert set(report.test) == {
        "accuracy",
        "balanced_accuracy",
        "brier",
        "f1",
        "log_loss",
        "pr_auc",
        "roc_auc",
    }
    assert report.threshold is not None and 0 < report.threshold.threshold < 1
    assert binary_result.threshold == report.threshold.threshold
    assert len(report.curves) == 4 and report.curves[-1].fold is None
    assert all(len(c.valid) >= c.best_iteration for c in report.curves[:3])
    assert report.learning_curve is not None and len(report.learning_curve.rows) == 2
    assert report.learning_curve.reading
    assert report.imbalance is not None and report.imbalance.method == "none"
    assert report.importance[0].gain >= report.importance[-1].gain


def test_prediction_frames_keep_row_keys(binary_result) -> None:
    oof, test = binary_result.oof_predictions, binary_result.test_predictions
    assert oof.columns == ["_row", "y_true", "prediction", "proba_no", "proba_yes"]
    assert test.height == binary_result.report.rows.test
    assert sorted(test["_row"]) == sorted(binary_result.holdout["_row"])
    assert not set(oof["_row"]) & set(test["_row"])
    assert test["proba_no"].to_numpy() + test["proba_yes"].to_numpy() == pytest.approx(1.0)


def test_report_round_trips_and_is_deterministic(binary_result) -> None:
    again = train(table(), task=TaskSpec(target="label"), options=FAST)
    first = json.dumps(binary_result.report.to_json_dict(), sort_keys=True)
    assert first == json.dumps(again.report.to_json_dict(), sort_keys=True)
    assert TrainReport.model_validate_json(first) == binary_result.report
    x = binary_result.model.matrix(binary_result.holdout)
    np.testing.assert_array_equal(
        binary_result.booster.predict(x.to_numpy()), again.booster.predict(x.to_numpy())
    )
    assert '"training_seconds"' not in first and '"latency"' not in first


def _colour_code(result, colour: str) -> float:
    row = result.holdout.head(1).with_columns(pl.lit(colour).alias("colour"))
    return float(result.model.matrix(row)["colour"][0])


def test_features_are_fitted_on_training_rows_only() -> None:
    options = FAST.model_copy(update={"baselines": False})
    first = train(table(), task=TaskSpec(target="label"), options=options)
    test_rows = first.holdout["_row"].to_list()
    # `violet` appears in test rows only: the fitted pipeline must not know it
    marked = table().with_columns(
        pl.when(pl.int_range(pl.len()).is_in(test_rows))
        .then(pl.lit("violet"))
        .otherwise(pl.col("colour"))
        .alias("colour")
    )
    result = train(marked, task=TaskSpec(target="label"), options=options)
    assert sorted(result.holdout["_row"].to_list()) == sorted(test_rows)
    assert result.features_report.decision("colour").action == "native_categorical"
    assert _colour_code(result, "violet") == -1.0  # unseen
    assert _colour_code(result, "red") >= 0.0
    # control: when violet is in training rows it gets a real code
    seen = table().with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0)
        .then(pl.lit("violet"))
        .otherwise(pl.col("colour"))
        .alias("colour")
    )
    assert _colour_code(train(seen, task=TaskSpec(target="label"), options=options), "violet") >= 0


def test_repeated_entity_warns_unless_group_split(binary_result) -> None:
    profile_free = train(table(), task=TaskSpec(target="label"), options=FAST)
    assert any("`bird_id`" in w and "--group" in w for w in profile_free.report.warnings)
    grouped = train(table(), task=TaskSpec(target="label", group="bird_id"), options=FAST)
    assert grouped.report.split.kind == "group" and not grouped.report.split.overlaps
    assert not any("--group" in w for w in grouped.report.warnings)
    train_ids = set(grouped.holdout["bird_id"]) & set(
        table()["bird_id"].gather(np.setdiff1d(np.arange(240), grouped.holdout["_row"].to_numpy()))
    )
    assert not train_ids
    assert any(
        d.column == "bird_id" and d.action == "dropped_group" for d in grouped.report.decisions
    )


def test_time_split_holds_out_latest_days() -> None:
    result = train(table(), task=TaskSpec(target="label", time="day"), options=FAST)
    assert result.report.split.kind == "time"
    frame = table().with_row_index("_row")
    test_days = frame.filter(pl.col("_row").is_in(result.holdout["_row"].to_list()))["day"]
    train_days = frame.filter(~pl.col("_row").is_in(result.holdout["_row"].to_list()))["day"]
    assert test_days.min() >= train_days.max()


@pytest.mark.parametrize("kind", ["multiclass", "regression"])
def test_other_kinds_beat_the_dummy(kind: str) -> None:
    result = train(table(300, kind), task=TaskSpec(target="label"), options=FAST)
    board = {e.model: e for e in result.report.leaderboard}
    assert result.report.task.kind == kind
    assert board["lightgbm"].vs_dummy is not None and board["lightgbm"].vs_dummy > 0.2
    if kind == "regression":
        assert {"rmse", "mae", "r2", "rmsle"} <= set(result.report.test)
        assert result.threshold is None
    else:
        assert result.test_predictions.columns[-3:] == ["proba_high", "proba_low", "proba_mid"]


def test_imbalance_is_weighted_and_reported() -> None:
    frame = table(300).with_columns(
        pl.when(pl.col("x2") > 1.2).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("label")
    )
    result = train(frame, task=TaskSpec(target="label"), options=FAST)
    assert result.report.imbalance is not None
    assert result.report.imbalance.method == "balanced_weights"
    assert "balanced class weights" in result.report.imbalance.note


def test_tuning_records_trials() -> None:
    options = FAST.model_copy(update={"tune": TuneOptions(trials=3), "baselines": False})
    result = train(table(), task=TaskSpec(target="label"), options=options)
    tuning = result.report.tuning
    assert tuning is not None and len(tuning.trials) == 3 and tuning.best_params
    assert result.report.params["learning_rate"] == pytest.approx(
        tuning.best_params["learning_rate"], rel=1e-5
    )


def test_errors_are_one_line() -> None:
    with pytest.raises(TrainError, match="a group split needs an entity column"):
        train(table(), task=TaskSpec(target="label"), options=TrainOptions(split="group"))
    with pytest.raises(TrainError, match="only 4 rows have a target"):
        train(table().head(4), task=TaskSpec(target="label", kind="binary"), options=FAST)
