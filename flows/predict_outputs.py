"""Predict with a saved model and write predictions (+ quarantine) atomically; no Prefect."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.train_outputs import atomic_write
from pipelines.errors import ConfigError
from pipelines.predict import PredictOptions, PredictResult, predict

__all__ = ["PredictOutputs", "run_predict"]


@dataclass(frozen=True)
class PredictOutputs:
    """The prediction result and where its files are."""

    result: PredictResult
    predictions: Path
    quarantine: Path | None


def _writer(frame: pl.DataFrame, path: Path):  # type: ignore[no-untyped-def]
    if path.suffix.lower() == ".csv":
        return lambda p: frame.write_csv(p)
    return lambda p: frame.write_parquet(p)


def run_predict(
    model_dir: Path, frame: pl.DataFrame, out_file: Path, *, options: PredictOptions | None = None
) -> PredictOutputs:
    """Predict `frame`; write `out_file` and, when rows were quarantined, `<stem>.quarantine.*`."""
    if out_file.suffix.lower() not in (".csv", ".parquet"):
        msg = f"--out `{out_file}` must end in .parquet or .csv"
        raise ConfigError(msg)
    result = predict(model_dir, frame, options=options or PredictOptions())
    out_file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out_file, _writer(result.predictions, out_file))
    quarantine = None
    if result.quarantine.height:
        quarantine = out_file.with_name(f"{out_file.stem}.quarantine{out_file.suffix}")
        atomic_write(quarantine, _writer(result.quarantine, quarantine))
    return PredictOutputs(result, out_file, quarantine)
