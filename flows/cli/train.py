"""`thresher train DATA --target COL` and `thresher predict MODEL_DIR DATA`.

DATA is a Parquet file (read directly) or any source ingest reads. Column names may be given
as in the source file (`"Individual ID"`) or as normalised by ingest (`individual_id`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def _load(data: str, config: Path | None):  # type: ignore[no-untyped-def]
    """The frame, its column names (with ingest's header mapping) and the config, if any."""
    import polars as pl

    from flows.parquet_input import is_parquet, read_parquet_input
    from pipelines.columns import ColumnNames
    from pipelines.config import load_config
    from pipelines.ingest import IngestOptions, ingest

    loaded = load_config(config) if config is not None else None
    if is_parquet(data):
        frame = read_parquet_input(data)
        assert isinstance(frame, pl.DataFrame)
        return frame, ColumnNames(tuple(frame.columns)), loaded
    result = ingest(data, options=loaded.ingest if loaded is not None else IngestOptions())
    names = ColumnNames.from_header_mapping(result.data.columns, result.report.header_mapping)
    return result.data, names, loaded


def train_command(
    data: Annotated[str, typer.Argument(help="Parquet file, or any source ingest reads.")],
    target: Annotated[
        str | None, typer.Option("--target", help="Target column (as in the file, or normalised).")
    ] = None,
    task: Annotated[
        str, typer.Option("--task", help="auto | binary | multiclass | regression.")
    ] = "auto",
    group: Annotated[
        str | None,
        typer.Option("--group", help="Entity column: its rows stay on one side of every split."),
    ] = None,
    time_column: Annotated[
        str | None, typer.Option("--time", help="Date column for a time-ordered split.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Pipeline YAML: its ingest, features and train sections."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")] = Path("model"),
    tune: Annotated[
        int | None, typer.Option("--tune", help="Optuna trials (overrides train.tune.trials).")
    ] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="LightGBM threads.")] = None,
) -> None:
    """Train LightGBM + baselines on DATA; write the model directory and OUT/train.html."""
    from flows.train_outputs import run_train
    from pipelines.errors import ConfigError
    from pipelines.features import FeaturesOptions
    from pipelines.task import TaskSpec
    from pipelines.train import TrainOptions

    if task not in ("auto", "binary", "multiclass", "regression"):
        msg = f"--task `{task}` is not known: use auto, binary, multiclass or regression"
        raise ConfigError(msg)
    frame, names, loaded = _load(data, config)
    config_task = loaded.task if loaded is not None else None
    if target is None and config_task is not None:
        target = config_task.target
    if target is None:
        msg = "no target: pass `--target COLUMN` (as in the file's header, or normalised)"
        raise ConfigError(msg)
    options = loaded.train.options if loaded is not None else TrainOptions()
    updates: dict[str, object] = {}
    if tune is not None:
        updates["tune"] = options.tune.model_copy(update={"trials": tune})
    if threads is not None:
        updates["num_threads"] = threads
    options = options.model_copy(update=updates) if updates else options
    features_options = loaded.features.options if loaded is not None else FeaturesOptions()
    spec = TaskSpec(
        target=target,
        kind=task if task != "auto" or config_task is None else config_task.kind,  # type: ignore[arg-type]
        group=group or (config_task.group if config_task else None),
        time=time_column or (config_task.time if config_task else None),
        positive_label=config_task.positive_label if config_task else None,
        sensitive=config_task.sensitive if config_task else (),
    )
    outputs = run_train(
        frame,
        out,
        task=spec,
        options=options,
        features_options=features_options,
        names=names,
        source=data,
    )
    report = outputs.result.report
    typer.echo(outputs.headline)
    typer.echo(
        f"rows: {report.rows.rows_in:,} in = {report.rows.train:,} train + {report.rows.test:,} "
        f"test + {report.rows.set_aside:,} set aside; {len(report.features_used)} features"
    )
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"model directory {outputs.model_dir}; report {outputs.html}")


def predict_command(
    model_dir: Annotated[Path, typer.Argument(help="Folder written by `thresher train`.")],
    data: Annotated[str, typer.Argument(help="Parquet file, or any source ingest reads.")],
    out: Annotated[Path, typer.Option("--out", help="Predictions file (.parquet or .csv).")] = Path(
        "predictions.parquet"
    ),
) -> None:
    """Predict DATA with a saved model; rows that do not fit its schema are quarantined."""
    from flows.predict_outputs import run_predict

    frame, _, _ = _load(data, None)
    outputs = run_predict(model_dir, frame, out)
    report = outputs.result.report
    typer.echo(
        f"predicted {report.rows_predicted:,} of {report.rows_in:,} rows"
        + (
            f"; {report.rows_quarantined:,} quarantined ({outputs.quarantine})"
            if report.rows_quarantined
            else ""
        )
        + f"; predictions {outputs.predictions}"
    )
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)


def register(app: typer.Typer) -> None:
    """Add `thresher train` and `thresher predict` to the CLI."""
    app.command("train")(train_command)
    app.command("predict")(predict_command)
