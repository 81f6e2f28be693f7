"""The model card: what the model is, what it was trained on, how good, how big, how fast.

Unlike the `TrainReport` the card holds measured figures (training time, latency, sizes), so
it is not golden-tested; `build_model_card` only assembles numbers it is given.
"""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from pipelines.task import ResolvedTask
from pipelines.train.models import FeatureDecision, MeanStd, RowCounts, ThresholdChoice, TrainReport

__all__ = [
    "ArtifactSize",
    "DataFingerprint",
    "Latency",
    "ModelCard",
    "OnnxSummary",
    "build_model_card",
    "data_fingerprint",
    "library_versions",
]

_LIBRARIES = (
    "lightgbm",
    "polars",
    "scikit-learn",
    "numpy",
    "skops",
    "onnx",
    "onnxmltools",
    "onnxruntime",
    "optuna",
)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DataFingerprint(_Model):
    """Which data trained the model: shape, column types and a content hash."""

    rows: int
    columns: int
    sha256: str = Field(..., description="SHA-256 over the schema and polars row hashes (seed 0).")
    source: str | None = None


class ArtifactSize(_Model):
    """One file of the model directory and its size on disk."""

    file: str
    bytes: int


class Latency(_Model):
    """Measured prediction time (median of repeats) on this machine, at measurement time."""

    predict_one_row_ms: float
    predict_per_1k_rows_ms: float
    booster_one_row_ms: float
    booster_per_1k_rows_ms: float
    repeats: int
    note: str


class OnnxSummary(_Model):
    """The ONNX twin of the booster: its input and how closely it agrees with LightGBM."""

    file: str
    opset: int
    input_name: str
    input_shape: list[str]
    input_dtype: str
    input_columns: list[str]
    outputs: list[str]
    rows_checked: int
    max_abs_difference: float
    tolerance: float
    agrees: bool


class ModelCard(_Model):
    """Everything a reader needs to trust (or not) the model; serialised as model_card.json."""

    schema_version: int = 1
    model: str
    task: ResolvedTask
    target: str
    data: DataFingerprint
    rows: RowCounts
    input_schema: str
    input_columns: int
    features_used: list[str]
    features_dropped: list[FeatureDecision]
    decisions: list[FeatureDecision]
    params: dict[str, float | int | str | bool]
    final_rounds: int
    seed: int
    num_threads: int
    primary_metric: str
    cv: dict[str, MeanStd]
    test: dict[str, float | None]
    test_dummy: dict[str, float | None]
    threshold: ThresholdChoice | None
    training_seconds: float
    artifacts: list[ArtifactSize]
    latency: Latency | None
    onnx: OnnxSummary | None
    versions: dict[str, str]
    warnings: list[str]


def data_fingerprint(frame: pl.DataFrame, source: str | None = None) -> DataFingerprint:
    """Shape, schema and a SHA-256 over polars row hashes (stable for one polars version)."""
    digest = hashlib.sha256()
    digest.update(repr([(name, str(dtype)) for name, dtype in frame.schema.items()]).encode())
    digest.update(frame.hash_rows(seed=0).to_numpy().tobytes())
    return DataFingerprint(
        rows=frame.height, columns=frame.width, sha256=digest.hexdigest(), source=source
    )


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries a model depends on."""
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_model_card(
    report: TrainReport,
    *,
    fingerprint: DataFingerprint,
    input_columns: int,
    training_seconds: float,
    artifacts: list[ArtifactSize],
    latency: Latency | None,
    onnx: OnnxSummary | None,
    num_threads: int,
) -> ModelCard:
    """Assemble the card from the report and the figures measured around it."""
    kind = report.task.kind
    dropped = [d for d in report.decisions if d.action.startswith("dropped")]
    return ModelCard(
        model=f"LightGBM {kind} ({report.final_rounds} trees"
        + (f" x {len(report.task.classes)} classes" if kind == "multiclass" else "")
        + ")",
        task=report.task,
        target=report.task.target,
        data=fingerprint,
        rows=report.rows,
        input_schema="input_schema.json",
        input_columns=input_columns,
        features_used=report.features_used,
        features_dropped=dropped,
        decisions=report.decisions,
        params=report.params,
        final_rounds=report.final_rounds,
        seed=int(report.split.seed),
        num_threads=num_threads,
        primary_metric=report.primary_metric,
        cv=report.cv,
        test=report.test,
        test_dummy=report.test_baselines.get("dummy", {}),
        threshold=report.threshold,
        training_seconds=round(training_seconds, 3),
        artifacts=artifacts,
        latency=latency,
        onnx=onnx,
        versions=library_versions(),
        warnings=report.warnings,
    )
