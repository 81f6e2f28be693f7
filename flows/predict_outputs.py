"""Predict with a saved model and write predictions (+ quarantine) atomically; no Prefect."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.files import atomic_path
from pipelines.errors import ConfigError
from pipelines.predict import PredictOptions, PredictResult, predict

__all__ = ["PredictOutputs", "run_predict"]


@dataclass(frozen=True)
class PredictOutputs:
    """The prediction result and where its files are."""

    result: PredictResult
    predictions: Path
    quarantine: Path | None


def _write(frame: pl.DataFrame, path: Path) -> Path:
    with atomic_path(path) as temporary:
        if path.suffix.lower() == ".csv":
            frame.write_csv(temporary)
        else:
            frame.write_parquet(temporary)
    return path


def run_predict(
    model_dir: Path, frame: pl.DataFrame, out_file: Path, *, options: PredictOptions | None = None
) -> PredictOutputs:
    """Predict `frame`; write `out_file` and, when rows were quarantined, `<stem>.quarantine.*`."""
    if out_file.suffix.lower() not in (".csv", ".parquet"):
        msg = f"--out `{out_file}` must end in .parquet or .csv"
        raise ConfigError(msg)
    result = predict(model_dir, frame, options=options or PredictOptions())
    out_file.parent.mkdir(parents=True, exist_ok=True)
    _write(result.predictions, out_file)
    quarantine = None
    if result.quarantine.height:
        quarantine = out_file.with_name(f"{out_file.stem}.quarantine{out_file.suffix}")
        _write(result.quarantine, quarantine)
    return PredictOutputs(result, out_file, quarantine)
