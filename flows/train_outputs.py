"""Train and write the model directory (+ train.html); no Prefect. The only writer of models.

`run_train` is what the CLI calls (and a Prefect task will wrap). Every file is written
atomically through `flows.files` (a temporary file in the same folder, then a rename), so a
crash never leaves a half-written artifact under its real name.

Model directory (`out_dir`): model.txt, features.skops, model.onnx, input_schema.json,
task.json, metrics.json, model_card.json, model_card.md, holdout.parquet,
oof_predictions.parquet, test_predictions.parquet, set_aside.parquet, train_report.json,
train.html.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from flows.files import atomic_path, write_json, write_parquet, write_text
from pipelines.columns import ColumnNames
from pipelines.features import FeaturesOptions, save_feature_pipeline
from pipelines.predict.latency import measure_latency
from pipelines.profile.models import Profile, ProfileResult
from pipelines.stage import StageSummary
from pipelines.task import TaskSpec
from pipelines.train import TrainOptions, TrainResult, train
from pipelines.train.booster import FinalFit, numeric_matrix, predict_booster
from pipelines.train.card import (
    ArtifactSize,
    ModelCard,
    OnnxSummary,
    build_model_card,
    data_fingerprint,
)
from pipelines.train.cv import FoldMap
from pipelines.train.model import task_payload
from pipelines.train.onnx_export import ONNX_INPUT, ONNX_OPSET, booster_to_onnx, onnx_predict
from reports.train import headline, render_card_markdown, render_train_html

__all__ = [
    "ONNX_TOLERANCE",
    "TrainOutputs",
    "metrics_payload",
    "run_train",
    "write_model_dir",
]

ONNX_TOLERANCE = 1e-5
"""ONNX vs LightGBM: absolute for probabilities, relative to max(1, |value|) for regression."""

_ONNX_CHECK_ROWS = 2000


@dataclass(frozen=True)
class TrainOutputs:
    """The training result, its card, and where the files are."""

    result: TrainResult
    card: ModelCard
    model_dir: Path
    html: Path

    @property
    def rows_in(self) -> int:
        """Rows given to training."""
        return self.result.report.rows.rows_in

    @property
    def rows_out(self) -> int:
        """Rows used: train + test."""
        rows = self.result.report.rows
        return rows.train + rows.test

    @property
    def rows_set_aside(self) -> int:
        """Rows set aside (missing target, ...), in `set_aside.parquet`."""
        return self.result.report.rows.set_aside

    @property
    def headline(self) -> str:
        """One line for the run page."""
        return headline(self.result.report)

    def stage_summary(self, run_dir: Path) -> StageSummary:
        """Training's line on the run page (links relative to `run_dir`)."""
        links = {
            "Training report": self.html.relative_to(run_dir).as_posix(),
            "Model card": (self.model_dir / "model_card.md").relative_to(run_dir).as_posix(),
        }
        return StageSummary(
            name="train",
            rows_in=self.rows_in,
            rows_out=self.rows_out,
            rows_set_aside=self.rows_set_aside,
            headline=self.headline.replace("`", "") + ".",
            links=links,
        )

    def summary(self) -> dict[str, Any]:
        """Small JSON-able summary for a flow."""
        return {
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rows_set_aside": self.rows_set_aside,
            "headline": self.headline,
            "model_dir": str(self.model_dir),
            "report": str(self.html),
        }


def _write_bytes(path: Path, data: bytes) -> Path:
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
    return path


def metrics_payload(result: TrainResult) -> dict[str, Any]:
    """metrics.json: `task`, `test` (name -> value), `cv`, `leaderboard`, plus baselines."""
    report = result.report
    return {
        "task": report.task.model_dump(mode="json"),
        "primary_metric": report.primary_metric,
        "test": report.test,
        "cv": {k: v.model_dump() for k, v in report.cv.items()},
        "leaderboard": [e.model_dump() for e in report.leaderboard],
        "test_baselines": report.test_baselines,
        "threshold": result.threshold,
    }


def _onnx_check(result: TrainResult, onnx_bytes: bytes) -> OnnxSummary:
    """ONNX Runtime vs LightGBM on (up to 2,000) held-out rows."""
    model = result.model
    rows = result.holdout.head(_ONNX_CHECK_ROWS)
    x = numeric_matrix(model.matrix(rows))
    expected = predict_booster(model.booster, x, model.task.kind)
    got = onnx_predict(onnx_bytes, x, model.task.kind)
    difference = np.abs(got - expected)
    if model.task.kind == "regression":
        difference = difference / np.maximum(1.0, np.abs(expected))
    worst = float(difference.max()) if difference.size else 0.0
    outputs = ["variable"] if model.task.kind == "regression" else ["label", "probabilities"]
    return OnnxSummary(
        file="model.onnx",
        opset=ONNX_OPSET,
        input_name=ONNX_INPUT,
        input_shape=["N", str(len(model.feature_names))],
        input_dtype="float32",
        input_columns=list(model.feature_names),
        outputs=outputs,
        rows_checked=rows.height,
        max_abs_difference=worst,
        tolerance=ONNX_TOLERANCE,
        agrees=worst <= ONNX_TOLERANCE,
    )


def write_model_dir(
    result: TrainResult,
    out_dir: Path,
    *,
    training_seconds: float,
    fingerprint_frame: pl.DataFrame,
    source: str | None = None,
    num_threads: int = 1,
    onnx: bool = True,
    latency: bool = True,
) -> TrainOutputs:
    """Write every artifact, then measure sizes and latency and write the card and the page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model = result.model
    write_text(result.booster.model_to_string(), out_dir / "model.txt")
    with atomic_path(out_dir / "features.skops") as temporary:
        save_feature_pipeline(result.pipeline, temporary)
    write_text(result.input_schema.to_json() + "\n", out_dir / "input_schema.json")
    write_json(task_payload(model, result.report.categorical_features), out_dir / "task.json")
    write_json(metrics_payload(result), out_dir / "metrics.json")
    write_json(result.report.to_json_dict(), out_dir / "train_report.json")
    write_parquet(result.holdout, out_dir / "holdout.parquet")
    write_parquet(result.oof_predictions, out_dir / "oof_predictions.parquet")
    write_parquet(result.test_predictions, out_dir / "test_predictions.parquet")
    write_parquet(result.set_aside, out_dir / "set_aside.parquet")
    onnx_summary = None
    if onnx:
        onnx_bytes = booster_to_onnx(result.booster)
        _write_bytes(out_dir / "model.onnx", onnx_bytes)
        onnx_summary = _onnx_check(result, onnx_bytes)
    timing = None
    if latency and result.holdout.height:
        timing = measure_latency(model, result.holdout.drop(result.task.target))
    sizes = [
        ArtifactSize(file=p.name, bytes=p.stat().st_size)
        for p in sorted(out_dir.iterdir())
        if p.is_file()
        and not p.name.startswith(".")
        and p.name not in ("model_card.json", "model_card.md", "train.html")
    ]
    card = build_model_card(
        result.report,
        fingerprint=data_fingerprint(fingerprint_frame, source),
        input_columns=len(result.input_schema.columns),
        training_seconds=training_seconds,
        artifacts=sizes,
        latency=timing,
        onnx=onnx_summary,
        num_threads=num_threads,
    )
    write_json(card.model_dump(mode="json"), out_dir / "model_card.json")
    write_text(render_card_markdown(card), out_dir / "model_card.md")
    html = write_text(render_train_html(result.report, card), out_dir / "train.html")
    return TrainOutputs(result=result, card=card, model_dir=out_dir, html=html)


def run_train(
    frame: pl.DataFrame,
    out_dir: Path,
    *,
    task: TaskSpec,
    options: TrainOptions | None = None,
    features_options: FeaturesOptions | None = None,
    profile: Profile | ProfileResult | None = None,
    names: ColumnNames | None = None,
    source: str | None = None,
    map_folds: FoldMap | None = None,
    final_fit: FinalFit | None = None,
) -> TrainOutputs:
    """Train on `frame` and write the model directory plus train.html into `out_dir`.

    `map_folds` / `final_fit` come from the flow on a Dask cluster (see `flows.dask_map`).
    """
    options = options or TrainOptions()
    started = time.perf_counter()
    result = train(
        frame,
        task=task,
        options=options,
        profile=profile,
        names=names,
        features_options=features_options,
        map_folds=map_folds,
        final_fit=final_fit,
    )
    seconds = time.perf_counter() - started
    return write_model_dir(
        result,
        out_dir,
        training_seconds=seconds,
        fingerprint_frame=frame,
        source=source,
        num_threads=options.num_threads,
    )
