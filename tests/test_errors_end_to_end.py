"""Train with train's own writer, then `thresher errors` on the same file, as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from flows.cli import main
from flows.errors_outputs import run_errors
from flows.train_outputs import run_train
from pipelines.columns import ColumnNames
from pipelines.error_analysis import ErrorAnalysisOptions
from pipelines.ingest import ingest
from pipelines.task import TaskSpec
from pipelines.train.options import LearningCurveOptions, TrainOptions

PENGUINS = Path(__file__).resolve().parent / "data" / "real" / "penguins_raw.csv"
FAST = ErrorAnalysisOptions(bootstrap=30, permutation_rows=500, shap_rows=300)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    result = ingest(PENGUINS)
    names = ColumnNames.from_header_mapping(result.data.columns, result.report.header_mapping)
    folder = tmp_path_factory.mktemp("penguins_model")
    options = TrainOptions(
        folds=3, baselines=False, learning_curve=LearningCurveOptions(enabled=False)
    )
    run_train(result.data, folder, task=TaskSpec(target="Species"), options=options, names=names)
    return folder


def test_errors_on_the_training_file_scores_its_held_out_rows(model_dir, tmp_path):
    outputs = run_errors(model_dir, PENGUINS, tmp_path, sensitive=("Sex",), options=FAST)
    holdout = pl.read_parquet(model_dir / "holdout.parquet")
    assert outputs.rows_in == holdout.height == outputs.rows_out + outputs.rows_set_aside
    notes = outputs.report.notes
    assert "held-out test rows" in notes[0]
    assert not any("differ from test_predictions" in n for n in notes)
    saved = json.loads((model_dir / "metrics.json").read_text())["test"]
    accuracy = next(m for m in outputs.report.metrics.headline if m.name == "accuracy")
    assert accuracy.value == pytest.approx(saved["accuracy"], abs=1e-6)
    payload = json.loads(outputs.json.read_text())
    assert {"metrics", "slices", "cohorts", "label_suspects", "importance", "fairness"} <= set(
        payload
    )
    assert payload["fairness"][0]["column"] == "sex"
    rows = pl.read_parquet(outputs.rows_file)
    assert rows["_source_line"].null_count() == 0


def test_cli_writes_the_report(model_dir, tmp_path, capsys):
    out = tmp_path / "errors"
    code = main(
        ["errors", str(model_dir), str(PENGUINS), "--out", str(out), "--sensitive", "Island"]
    )
    assert code == 0, capsys.readouterr().err
    assert (out / "errors.html").is_file() and (out / "errors.json").is_file()
    assert "analysed" in capsys.readouterr().out
    code = main(["errors", str(model_dir), str(PENGUINS), "--out", str(out), "--sensitive", "Isle"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "sensitive column `Isle`" in err and "\n" not in err
