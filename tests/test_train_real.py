"""Train and predict as a new user would, on the four real files in ../shared/data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.columns import ColumnNames
from pipelines.config import load_config
from pipelines.ingest import ingest
from pipelines.task import TaskSpec
from pipelines.train import LearningCurveOptions, LightGBMOptions, TrainOptions, train

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
BUNDLED = Path(__file__).resolve().parent / "data" / "real"
REPO = Path(__file__).resolve().parents[1]
QUICK = TrainOptions(
    folds=3,
    lightgbm=LightGBMOptions(learning_rate=0.1, early_stopping_rounds=30),
    learning_curve=LearningCurveOptions(enabled=False),
)

pytestmark = pytest.mark.slow


def _data(name: str) -> Path:
    path = SHARED / name
    if not path.is_file():
        path = BUNDLED / name
    if not path.is_file():
        pytest.skip(f"{name} is in neither ../shared/data nor tests/data/real")
    return path


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def _ingested(name: str):  # type: ignore[no-untyped-def]
    result = ingest(_data(name))
    return result.data, ColumnNames.from_header_mapping(
        result.data.columns, result.report.header_mapping
    )


def _board(report):  # type: ignore[no-untyped-def]
    return {entry.model: entry for entry in report.leaderboard}


def test_penguins_from_the_cli_warns_predicts_in_a_fresh_process_and_onnx_agrees(
    tmp_path: Path,
) -> None:
    model = tmp_path / "penguins"
    done = _cli("train", str(_data("penguins_raw.csv")), "--target", "Species", "--out", str(model))
    assert done.returncode == 0, done.stderr
    assert "Individual ID" in done.stderr and "--group" in done.stderr
    metrics = json.loads((model / "metrics.json").read_text())
    board = {e["model"]: e for e in metrics["leaderboard"]}
    assert metrics["task"]["kind"] == "multiclass"
    assert board["lightgbm"]["primary"]["mean"] < 0.3 < board["dummy"]["primary"]["mean"]
    assert metrics["test"]["accuracy"] > 0.9
    card = json.loads((model / "model_card.json").read_text())
    assert card["onnx"]["agrees"] and card["latency"]["predict_per_1k_rows_ms"] > 0
    assert {a["file"] for a in card["artifacts"]} >= {"model.txt", "features.skops", "model.onnx"}
    out = tmp_path / "predictions.csv"
    done = _cli("predict", str(model), str(_data("penguins_raw.csv")), "--out", str(out))
    assert done.returncode == 0, done.stderr
    predictions = pl.read_csv(out)
    assert predictions.height == 344 and predictions["_row"].to_list() == list(range(344))
    species = ingest(_data("penguins_raw.csv")).data["species"]
    assert (predictions["prediction"] == species).mean() > 0.95


def test_penguins_group_split_has_no_repeated_birds() -> None:
    frame, names = _ingested("penguins_raw.csv")
    result = train(
        frame, task=TaskSpec(target="Species", group="Individual ID"), options=QUICK, names=names
    )
    assert result.report.split.kind == "group"
    assert not any("--group" in w for w in result.report.warnings)
    assert not set(result.holdout["individual_id"]) & (
        set(frame["individual_id"]) - set(result.holdout["individual_id"])
    )


@pytest.mark.parametrize(
    ("name", "target"),
    [("ames_house_prices.csv", "SalePrice"), ("lending_club_loans.csv", "interest_rate")],
    ids=["ames", "lending"],
)
def test_regressions_beat_the_dummy(name: str, target: str) -> None:
    frame, names = _ingested(name)
    result = train(frame, task=TaskSpec(target=target), options=QUICK, names=names)
    board = _board(result.report)
    assert result.report.task.kind == "regression"
    assert board["lightgbm"].vs_dummy is not None and board["lightgbm"].vs_dummy > 0.5
    assert result.report.test["r2"] > 0.8
    assert result.report.test["rmse"] < 0.5 * result.report.test_baselines["dummy"]["rmse"]


def test_compas_excludes_post_outcome_columns_with_reasons() -> None:
    frame, names = _ingested("compas_two_years.csv")
    config = load_config(REPO / "examples" / "compas.yaml")
    result = train(
        frame,
        task=TaskSpec(target="two_year_recid"),
        options=QUICK.model_copy(update={"folds": 2}),
        names=names,
        features_options=config.features.options,
    )
    decisions = {d.column: d for d in result.report.decisions}
    assert (
        decisions["is_recid"].action == "dropped_leakage"
        and "leakage" in decisions["is_recid"].reason
    )
    for column in ("r_jail_in", "vr_charge_desc", "end", "event"):
        assert (
            decisions[column].action == "dropped_by_user"
            and "features.drop" in decisions[column].reason
        )
    used = set(result.report.features_used)
    assert not {f for f in used if f.startswith(("r_", "vr_", "is_recid", "event", "end"))}
    board = _board(result.report)
    assert 0.7 < board["lightgbm"].primary.mean < 0.95  # honest, not leaking
    assert result.report.test["roc_auc"] > board["dummy"].primary.mean + 0.2
    assert result.report.threshold is not None


def test_compas_without_explicit_drops_is_no_longer_near_perfect() -> None:
    # without examples/compas.yaml's drops, CV ROC AUC was 0.998 (end, event, r_jail_*, vr_*
    # leaked); the profile's leakage checks now drop those; custody dates still leak a little
    frame, names = _ingested("compas_two_years.csv")
    result = train(
        frame,
        task=TaskSpec(target="two_year_recid"),
        options=QUICK.model_copy(update={"folds": 2}),
        names=names,
    )
    decisions = {d.column: d for d in result.report.decisions}
    for column in ("end", "event", "r_jail_in", "r_jail_out", "is_violent_recid", "vr_charge_desc"):
        assert decisions[column].action == "dropped_leakage", column
    assert _board(result.report)["lightgbm"].primary.mean < 0.95
    assert not any("near perfect" in w for w in result.report.warnings)
