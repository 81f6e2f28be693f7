"""The model directory: files, no pickle, ONNX twin, card, refusing bad artifacts, predict."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import skops.io

from flows.train_outputs import ONNX_TOLERANCE, run_train
from pipelines.predict import predict
from pipelines.predict.errors import MissingColumnsError
from pipelines.task import TaskSpec
from pipelines.train import ModelLoadError, load_model
from pipelines.train.booster import numeric_matrix, predict_booster
from pipelines.train.onnx_export import onnx_predict
from tests.train_support import FAST, table

MODEL_FILES = {
    "model.txt",
    "features.skops",
    "model.onnx",
    "input_schema.json",
    "task.json",
    "metrics.json",
    "model_card.json",
    "model_card.md",
    "holdout.parquet",
    "oof_predictions.parquet",
    "test_predictions.parquet",
    "set_aside.parquet",
    "train_report.json",
    "train.html",
}


@pytest.fixture(scope="module", params=["binary", "regression"])
def outputs(request, tmp_path_factory):
    kind = request.param
    out = tmp_path_factory.mktemp(f"model-{kind}")
    return run_train(table(240, kind), out, task=TaskSpec(target="label"), options=FAST)


def test_model_directory_holds_exactly_the_files(outputs) -> None:
    files = {p.name for p in outputs.model_dir.iterdir()}
    assert files == MODEL_FILES
    assert not [
        p for p in outputs.model_dir.rglob("*") if p.suffix in (".pkl", ".pickle", ".joblib")
    ]
    assert outputs.rows_in == outputs.rows_out + outputs.rows_set_aside == 240
    metrics = json.loads((outputs.model_dir / "metrics.json").read_text())
    assert {"task", "test", "cv", "leaderboard"} <= set(metrics)
    assert metrics["test"] == outputs.result.report.test


def test_card_tells_sizes_latency_and_onnx_inputs(outputs) -> None:
    card = json.loads((outputs.model_dir / "model_card.json").read_text())
    sizes = {a["file"]: a["bytes"] for a in card["artifacts"]}
    for name in ("model.txt", "features.skops", "model.onnx"):
        assert sizes[name] == (outputs.model_dir / name).stat().st_size > 0
    assert (
        card["latency"]["predict_one_row_ms"] > 0 and card["latency"]["predict_per_1k_rows_ms"] > 0
    )
    assert card["onnx"]["input_columns"] == outputs.result.feature_names
    assert card["onnx"]["agrees"] and card["training_seconds"] > 0
    assert card["versions"]["lightgbm"] == "4.7.0" and card["seed"] == 42
    markdown = (outputs.model_dir / "model_card.md").read_text()
    assert "## Latency" in markdown and "## ONNX" in markdown and "features.skops" in markdown


def test_onnx_runtime_matches_lightgbm_on_held_out_rows(outputs) -> None:
    model = load_model(outputs.model_dir)
    holdout = pl.read_parquet(outputs.model_dir / "holdout.parquet")
    x = numeric_matrix(model.matrix(holdout))
    expected = predict_booster(model.booster, x, model.task.kind)
    got = onnx_predict((outputs.model_dir / "model.onnx").read_bytes(), x, model.task.kind)
    scale = np.maximum(1.0, np.abs(expected)) if model.task.kind == "regression" else 1.0
    assert np.max(np.abs(got - expected) / scale) <= ONNX_TOLERANCE


def test_loaded_model_reproduces_test_predictions(outputs) -> None:
    holdout = pl.read_parquet(outputs.model_dir / "holdout.parquet")
    saved = pl.read_parquet(outputs.model_dir / "test_predictions.parquet")
    result = predict(outputs.model_dir, holdout.drop("label"))
    assert result.report.rows_in == result.report.rows_predicted == holdout.height
    assert result.predictions["_row"].to_list() == saved["_row"].to_list()
    value = "prediction" if outputs.result.task.kind == "regression" else "proba_yes"
    np.testing.assert_allclose(
        result.predictions[value].to_numpy(), saved[value].to_numpy(), rtol=1e-12
    )


def test_predict_quarantines_rows_that_do_not_fit_and_names_missing_columns(outputs) -> None:
    frame = table(240, outputs.result.task.kind).drop("label").head(6)
    as_text = frame.with_columns(pl.col("x2").cast(pl.String))
    as_text = as_text.with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit("not a number"))
        .otherwise(pl.col("x2"))
        .alias("x2")
    )
    result = predict(outputs.model_dir, as_text)
    assert (
        result.report.rows_in == 6 == result.report.rows_predicted + result.report.rows_quarantined
    )
    assert result.quarantine["_row"].to_list() == [2] and "x2" in result.quarantine["_reason"][0]
    assert result.predictions["_row"].to_list() == [0, 1, 3, 4, 5]
    with pytest.raises(MissingColumnsError, match="`x1`, `colour`"):
        predict(outputs.model_dir, frame.drop("x1", "colour"))


def test_loading_refuses_unexpected_or_damaged_artifacts(outputs, tmp_path: Path) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    for p in outputs.model_dir.iterdir():
        (broken / p.name).write_bytes(p.read_bytes())
    skops.io.dump({"payload": np.random.default_rng(0)}, broken / "features.skops")
    with pytest.raises(ModelLoadError, match=r"features\.skops` was refused"):
        load_model(broken)
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    skops.io.dump(LogisticRegression(), broken / "features.skops")
    with pytest.raises(ModelLoadError, match="holds a LogisticRegression"):
        load_model(broken)
    skops.io.dump(StandardScaler(), broken / "features.skops")  # allowed type, wrong object
    with pytest.raises(ModelLoadError, match="FeaturePipeline"):
        load_model(broken)
    (broken / "model.txt").write_text("not a model")
    with pytest.raises(ModelLoadError, match="not a LightGBM text model"):
        load_model(broken)
    (broken / "task.json").unlink()
    with pytest.raises(ModelLoadError, match=r"lacks `task\.json`"):
        load_model(broken)


def test_cli_predicts_in_a_fresh_process(outputs, tmp_path: Path) -> None:
    data = tmp_path / "new.csv"
    table(240, outputs.result.task.kind).drop("label").head(20).write_csv(data)
    out = tmp_path / "pred.parquet"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "predict",
            str(outputs.model_dir),
            str(data),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "predicted 20 of 20 rows" in done.stdout
    predictions = pl.read_parquet(out)
    assert predictions["_row"].to_list() == list(range(20))
    direct = predict(load_model(outputs.model_dir), pl.read_csv(data, try_parse_dates=True))
    column = "prediction" if outputs.result.task.kind == "regression" else "proba_yes"
    np.testing.assert_allclose(
        predictions[column].to_numpy(), direct.predictions[column].to_numpy()
    )


def test_stage_summary_accounts_for_every_row(outputs) -> None:
    summary = outputs.stage_summary(outputs.model_dir.parent)
    assert summary.rows_in == summary.rows_out + summary.rows_set_aside == 240
    assert summary.name == "train" and "LightGBM" in summary.headline
    assert summary.links["Training report"].endswith("train.html")
