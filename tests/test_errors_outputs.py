"""`run_errors` and `thresher errors`: files written, rows accounted for, JSON keys as promised."""

from __future__ import annotations

import json

import polars as pl
import pytest

from flows.cli import main
from flows.errors_outputs import run_errors
from pipelines.error_analysis import ErrorAnalysisOptions, ErrorAnalysisReport
from tests.support.evaluations import SHARED, compas_model

FAST = ErrorAnalysisOptions(bootstrap=30, permutation_rows=800, shap_rows=400)
COMPAS = SHARED / "compas_two_years.csv"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A model directory as train writes it (holdout and out-of-fold predictions)."""
    _, _, test_rows, oof = compas_model()
    folder = tmp_path_factory.mktemp("model")
    test_rows.drop("_source_line").write_parquet(folder / "holdout.parquet")
    oof.write_parquet(folder / "oof_predictions.parquet")
    return folder


@pytest.fixture(scope="module")
def outputs(model_dir, tmp_path_factory):
    model = compas_model()[0]
    out = tmp_path_factory.mktemp("errors")
    return run_errors(model_dir, COMPAS, out, sensitive=("race", "Sex"), options=FAST, model=model)


def test_the_training_file_is_scored_on_its_held_out_rows_only(outputs):
    _, _, test_rows, _ = compas_model()
    assert outputs.rows_in == test_rows.height == outputs.rows_out + outputs.rows_set_aside
    rows = pl.read_parquet(outputs.rows_file)
    assert sorted(rows["_row"].to_list()) == sorted(test_rows["_row"].to_list())
    assert rows["_source_line"].to_list() == test_rows.sort("_row")["_source_line"].to_list()
    assert "held-out test rows" in outputs.report.notes[0]
    aside = pl.read_parquet(outputs.rows_file.parent / "errors_set_aside.parquet")
    assert aside.height == outputs.rows_set_aside


def test_errors_json_has_the_promised_keys_and_loads_back(outputs):
    payload = json.loads(outputs.json.read_text())
    assert {"metrics", "slices", "cohorts", "label_suspects", "importance", "fairness"} <= set(
        payload
    )
    assert [f["column"] for f in payload["fairness"]] == ["race", "sex"]
    assert ErrorAnalysisReport.model_validate(payload) == outputs.report
    assert outputs.html.stat().st_size < 5 * 1024 * 1024
    assert outputs.markdown.read_text().startswith("# Error analysis")
    suspects = payload["label_suspects"]["suspects"]
    assert suspects and all(s["source_line"] is not None for s in suspects)


def test_without_sensitive_columns_there_is_no_fairness_key(model_dir, tmp_path):
    model = compas_model()[0]
    outputs = run_errors(model_dir, COMPAS, tmp_path, options=FAST, model=model)
    assert "fairness" not in json.loads(outputs.json.read_text())


def test_other_labelled_data_is_scored_whole(model_dir, tmp_path):
    model, train_rows, _, _ = compas_model()
    other = train_rows.head(500).drop("_row")
    outputs = run_errors(model_dir, other, tmp_path, options=FAST, model=model)
    assert outputs.rows_in == 500
    assert "not the data the model was trained on" in outputs.report.notes[0]


def test_cli_errors_are_one_line_with_exit_2(tmp_path, capsys):
    code = main(["errors", str(tmp_path / "nope"), str(COMPAS), "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("thresher: error: model directory") and "\n" not in err
