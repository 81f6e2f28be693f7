"""Units of the train stage on numeric matrices: splits, metrics, threshold, booster, curves."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.train.booster import (
    booster_feature_names,
    booster_params,
    fit_booster,
    numeric_matrix,
    predict_booster,
)
from pipelines.train.cv import balanced_weights, leaderboard
from pipelines.train.errors import TrainError
from pipelines.train.learning import read_learning_curve
from pipelines.train.metrics import classification_metrics, regression_metrics
from pipelines.train.options import LightGBMOptions, ThresholdOptions
from pipelines.train.splits import entity_overlap, make_splits
from pipelines.train.threshold import choose_threshold


def _xy(rows: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.5, size=rows) > 0).astype(np.int64)
    return x, y


@pytest.mark.parametrize("kind", ["random", "stratified"])
def test_split_partitions_rows_and_folds_cover_train(kind: str) -> None:
    _, y = _xy()
    s = make_splits(y, kind=kind, test_size=0.25, folds=4, seed=1)
    assert len(s.train) + len(s.test) == len(y)
    assert not set(s.train) & set(s.test)
    assert len(s.folds) == 4
    valid = np.concatenate([v for _, v in s.folds])
    assert sorted(valid) == list(range(len(s.train)))


def test_stratified_split_keeps_class_shares() -> None:
    y = np.array([0] * 90 + [1] * 10)
    s = make_splits(y, kind="stratified", test_size=0.2, folds=3, seed=0)
    assert y[s.test].sum() == 2


def test_group_split_keeps_each_entity_on_one_side() -> None:
    _, y = _xy(300)
    groups = np.repeat(np.arange(100), 3).astype(str)
    s = make_splits(y, kind="group", test_size=0.2, folds=3, seed=0, groups=groups)
    assert not set(groups[s.train]) & set(groups[s.test])
    train_groups = groups[s.train]
    for fit, valid in s.folds:
        assert not set(train_groups[fit]) & set(train_groups[valid])


def test_time_split_holds_out_the_latest_rows() -> None:
    _, y = _xy(100)
    order = np.arange(100)[::-1].copy()  # row 0 is the latest
    s = make_splits(y, kind="time", test_size=0.2, folds=3, seed=0, order=order)
    assert sorted(s.test) == list(range(20))
    for fit, valid in s.folds:
        assert order[s.train][fit].max() < order[s.train][valid].min()


def test_entity_overlap_counts_shared_entities() -> None:
    groups = np.array(["a", "a", "b", "c", "c", "d"])
    assert entity_overlap(groups, np.array([0, 2, 3]), np.array([1, 4, 5])) == (4, 2, 2, 2)


def test_too_few_rows_is_one_clear_error() -> None:
    with pytest.raises(TrainError, match="only 5 rows have a target"):
        make_splits(np.zeros(5), kind="random", test_size=0.2, folds=2, seed=0)


def test_classification_metrics_perfect_and_multiclass() -> None:
    y = np.array([0, 1, 1, 0])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]])
    m = classification_metrics(y, proba)
    assert m["roc_auc"] == 1.0 and m["accuracy"] == 1.0 and m["f1"] == 1.0
    assert m["brier"] == pytest.approx(np.mean([0.01, 0.04, 0.09, 0.16]))
    y3 = np.array([0, 1, 2, 2])
    p3 = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.5, 0.3, 0.2]])
    m3 = classification_metrics(y3, p3)
    assert m3["accuracy"] == 0.75
    assert set(m3) == {
        "accuracy",
        "balanced_accuracy",
        "brier",
        "f1",
        "log_loss",
        "pr_auc",
        "roc_auc",
    }


def test_regression_metrics_rmsle_only_for_positive_targets() -> None:
    assert "rmsle" in regression_metrics(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    m = regression_metrics(np.array([-1.0, 2.0]), np.array([-1.0, 2.0]))
    assert "rmsle" not in m and m["rmse"] == 0.0 and m["r2"] == 1.0


def test_threshold_f1_and_cost() -> None:
    y = np.array([0] * 80 + [1] * 20)
    score = np.concatenate([np.linspace(0, 0.3, 80), np.linspace(0.25, 0.6, 20)])
    best = choose_threshold(y, score, ThresholdOptions())
    assert 0.2 < best.threshold < 0.32 and best.f1 >= best.f1_at_half
    costly = choose_threshold(y, score, ThresholdOptions(objective="cost", cost_ratio=50))
    assert costly.threshold <= best.threshold and costly.recall == 1.0


def test_numeric_guard_refuses_text_before_lightgbm() -> None:
    frame = pl.DataFrame(
        {"a": [1.0, 2.0], "b": ["x", "y"], "c": pl.Series(["u", "v"], dtype=pl.Categorical)}
    )
    with pytest.raises(TrainError, match=r"`b` \(String\), `c` \(Categorical\)"):
        numeric_matrix(frame)
    assert numeric_matrix(pl.DataFrame({"a": [1, None], "b": [True, False]})).dtype == np.float64


def test_booster_names_are_sanitised_and_unique() -> None:
    assert booster_feature_names(["a b", "a:b", "ok"]) == ["a_b", "a_b_2", "ok"]


def test_same_seed_same_predictions_and_early_stopping_curves() -> None:
    x, y = _xy(600)
    params = booster_params("binary", 2, LightGBMOptions(), seed=3, num_threads=1)
    runs = [
        fit_booster(
            x[:500],
            y[:500],
            params=params,
            rounds=400,
            feature_names=["a", "b", "c", "d"],
            valid=(x[500:], y[500:]),
            early_stopping_rounds=20,
        )
        for _ in range(2)
    ]
    first, second = (predict_booster(r.booster, x, "binary", rounds=r.best_iteration) for r in runs)
    np.testing.assert_array_equal(first, second)
    fit = runs[0]
    assert (
        fit.best_iteration < 400
        and len(fit.valid_curve) == len(fit.train_curve) > fit.best_iteration
    )
    assert fit.train_curve[-1] < fit.train_curve[0]


def test_balanced_weights_even_out_classes() -> None:
    y = np.array([0, 0, 0, 1])
    w = balanced_weights(y, 2)
    assert w[y == 0].sum() == pytest.approx(w[y == 1].sum())


def test_leaderboard_compares_with_dummy() -> None:
    board = leaderboard(
        {
            "dummy": [{"roc_auc": 0.5}, {"roc_auc": 0.5}],
            "lightgbm": [{"roc_auc": 0.9}, {"roc_auc": 0.8}],
        },
        "roc_auc",
        greater_is_better=True,
    )
    assert [e.model for e in board] == ["lightgbm", "dummy"]
    assert board[0].vs_dummy == pytest.approx(0.7) and board[0].primary.std == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("train", "valid", "dummy", "word"),
    [
        ([0.6, 0.62], [0.7, 0.69], 0.69, "underfitting"),
        ([0.01, 0.02], [0.5, 0.4], 0.69, "overfitting"),
        ([0.2, 0.21], [0.25, 0.24], 0.69, "good fit"),
        ([0.3, 0.34], [0.5, 0.49], 0.69, "some overfitting"),
    ],
    ids=["under", "over", "good", "moderate"],
)
def test_learning_curve_reading(
    train: list[float], valid: list[float], dummy: float, word: str
) -> None:
    assert word in read_learning_curve(train, valid, dummy)


def test_float32_thresholds_keep_predictions_and_make_onnx_exact() -> None:
    from pipelines.train.booster import float32_thresholds
    from pipelines.train.onnx_export import booster_to_onnx, onnx_predict

    rng = np.random.default_rng(0)
    # values that sit one float32 step apart: LightGBM splits between them, float32 cannot
    base = rng.normal(size=800).astype(np.float32)
    x = numeric_matrix(
        pl.DataFrame({"a": np.concatenate([base, np.nextafter(base, np.float32(1))])})
    )
    y = np.concatenate([np.zeros(800), np.ones(800) * 10]) + x[:, 0]
    params = booster_params("regression", 1, LightGBMOptions(), seed=0, num_threads=1)
    fit = fit_booster(x, y, params=params, rounds=30, feature_names=["a"])
    moved = float32_thresholds(fit.booster)
    np.testing.assert_array_equal(moved.predict(x), fit.booster.predict(x))
    got = onnx_predict(booster_to_onnx(moved), x, "regression")
    assert np.max(np.abs(got - moved.predict(x)) / np.maximum(1, np.abs(got))) < 1e-5


def test_baseline_wins_only_when_it_beats_lightgbm_in_most_folds() -> None:
    from pipelines.train.verdicts import baseline_wins

    def folds(values: list[float]) -> list[dict[str, float | None]]:
        return [{"log_loss": v} for v in values]

    clear = {
        "lightgbm": folds([0.30, 0.32, 0.31, 0.29, 0.33]),
        "linear": folds([0.20, 0.21, 0.22, 0.35, 0.19]),
        "dummy": folds([1.0] * 5),
    }
    (warning,) = baseline_wins(clear, "log_loss", greater_is_better=False)
    assert "linear baseline beats LightGBM in 4 of 5 CV folds" in warning
    mixed = {**clear, "linear": folds([0.20, 0.40, 0.22, 0.35, 0.19])}  # 3 of 5: no warning
    assert baseline_wins(mixed, "log_loss", greater_is_better=False) == []
    auc = {"lightgbm": [{"roc_auc": 0.8}] * 5, "linear": [{"roc_auc": 0.9}] * 5}
    assert baseline_wins(auc, "roc_auc", greater_is_better=True)
    assert baseline_wins(auc, "roc_auc", greater_is_better=False) == []
