"""thresher's stage tasks: thin wrappers over the Prefect-free `flows/<stage>_outputs`.

A glob's per-file ingest tasks are in `flows/fanout.py`; what every task shares (result
persistence, cache keys, artifacts) is in `flows/task_support.py`.

Tasks pass **file paths**, never frames: each reads its inputs from the files an earlier stage
wrote, calls its stage's `run_<stage>` into `run_dir/<stage>/`, publishes a Markdown artifact
with a stable key, and returns a small `StageDone` (folder, `StageSummary`, facts, decisions).

Caching: each task's key is the content fingerprint of the files it reads + its options + the
code version (`flows.fingerprints.cache_key`); `run_dir` is never part of a key. `StageDone` is
persisted as JSON (no pickle), so a rerun after a failure, or on unchanged data, gets the
earlier result and the flow copies that run's stage folder. Database sources are not cached
(the table can change under the same URI) and are the only ones retried (set by the flow).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.artifacts import artifact_key
from flows.dask_map import cluster_map, distributed_fit, partitioned_profile_input
from flows.decisions import (
    errors_decisions,
    ingest_decisions,
    profile_decisions,
    train_decisions,
    validate_decisions,
)
from flows.files import INGEST, PROFILE, VALIDATE, write_parquet
from flows.ingest_outputs import run_ingest
from flows.monitor_outputs import run_alerts
from flows.profile_outputs import load_reference_source, run_profile
from flows.run_record import StageDone
from flows.task_support import (
    PERSIST,
    column_names,
    ingest_key,
    keyed_on,
    publish_markdown,
    read_ingest_report,
)
from flows.validate_outputs import run_validate
from pipelines.config import PipelineConfig
from pipelines.error_analysis import ErrorAnalysisOptions
from pipelines.features import FeaturesOptions
from pipelines.ingest import IngestOptions
from pipelines.profile import ProfileOptions
from pipelines.stage import StageSummary
from pipelines.task import TaskSpec
from pipelines.train import TrainOptions
from pipelines.validate import ValidateOptions
from reports.eda import render_eda_markdown
from reports.ingest import render_ingest_markdown
from reports.validation import render_validation_markdown

__all__ = [
    "SOURCE_LINES",
    "alerts_task",
    "compare_task",
    "errors_task",
    "ingest_task",
    "predict_task",
    "profile_task",
    "publish_markdown",
    "train_task",
    "validate_task",
]

SOURCE_LINES = "source_lines.parquet"
"""Ingest's extra file in a flow run: every row's source line, for validation to cite."""

@task(name="ingest", cache_key_fn=ingest_key, log_prints=True, **PERSIST)
def ingest_task(source: str, options: IngestOptions, run_dir: Path) -> StageDone:
    """Ingest `source` into `run_dir/ingest`, plus every row's source line (`source_lines`)."""
    out_dir = run_dir / INGEST.folder
    outputs = run_ingest(source, out_dir, options=options, source_lines=True)
    if outputs.source_lines is not None:
        write_parquet(outputs.source_lines.to_frame(), out_dir / SOURCE_LINES)
    report = outputs.report
    publish_markdown(render_ingest_markdown(report), "ingest-summary")
    print(
        f"ingest: {report.rows_read:,} rows read, {report.rows_ok:,} ok, "
        f"{report.rows_quarantined:,} quarantined, {report.cell_issues:,} cells nulled"
    )
    return StageDone(
        stage="ingest",
        folder=str(out_dir),
        summary=outputs.stage_summary(run_dir),
        facts={"read": report.rows_read, "ok": report.rows_ok},
        decisions=ingest_decisions(report),
    )


@task(
    name="validate",
    cache_key_fn=keyed_on("data", "source_lines", "policy", settings=("schema", "options")),
    log_prints=True,
    **PERSIST,
)
def validate_task(
    data: Path,
    run_dir: Path,
    schema: str,
    options: ValidateOptions,
    *,
    source_lines: Path | None = None,
    policy: Path | None = None,
) -> StageDone:
    """Validate the ingested rows into `run_dir/validate`; raise `ValidationFailed` on policy.

    `policy` is the policy file the options were read from (only fingerprinted here).
    """
    lines = pl.read_parquet(source_lines).to_series() if source_lines is not None else None
    outputs = run_validate(
        pl.read_parquet(data),
        run_dir / VALIDATE.folder,
        schema=schema,
        options=options,
        source="ingested data",
        source_lines=lines,
    )
    report = outputs.report
    publish_markdown(render_validation_markdown(report), "validation-summary")
    print(
        f"validate: {report.outcome}, {report.rows_valid:,} valid, "
        f"{report.rows_quarantined:,} quarantined; {outputs.html}"
    )
    if outputs.failed is not None:
        raise outputs.failed
    return StageDone(
        stage="validate",
        folder=str(outputs.out_dir),
        summary=outputs.stage_summary(run_dir),
        facts={"valid": report.rows_valid, "outcome": report.outcome},
        decisions=validate_decisions(report),
    )


@task(
    name="profile",
    cache_key_fn=keyed_on(
        "data", "ingest_json", "reference", settings=("task", "options", "parallel")
    ),
    log_prints=True,
    **PERSIST,
)
def profile_task(
    data: Path,
    run_dir: Path,
    *,
    task: TaskSpec | None = None,
    reference: Path | None = None,
    options: ProfileOptions | None = None,
    ingest_json: Path | None = None,
    parallel: bool = False,
) -> StageDone:
    """Profile `data` into `run_dir/profile` (against `reference` when given: eda.json or data).

    With `parallel` on a Dask worker, slices of `data` are profiled on every worker and their
    mergeable summaries combined (`flows.dask_map.partitioned_profile_input`).
    """
    out_dir = run_dir / PROFILE.folder
    ref = None
    if reference is not None:
        ref = load_reference_source(str(reference), out_dir / PROFILE.reference_folder)
    options = options or ProfileOptions()
    with cluster_map() as mapper:
        frame: pl.DataFrame | pl.LazyFrame = pl.read_parquet(data)
        if parallel and mapper is not None:
            frame, options = partitioned_profile_input(data, options)
        outputs = run_profile(
            frame,
            out_dir,
            task=task,
            reference=ref,
            options=options,
            ingest_report=read_ingest_report(ingest_json),
            map_partitions=mapper if parallel else None,
        )
    report = outputs.report
    publish_markdown(render_eda_markdown(report), "eda-profile")
    high = sum(a.severity == "high" for a in report.alerts)
    print(f"profile: {report.dataset.rows:,} rows, {len(report.alerts)} alerts ({high} high)")
    return StageDone(
        stage="profile",
        folder=str(out_dir),
        summary=outputs.stage_summary(run_dir),
        facts={
            "alerts": len(report.alerts),
            "high_alerts": high,
            "drift": report.drift.verdict if report.drift else None,
        },
        decisions=profile_decisions(report),
    )


@task(
    name="train-vs-test",
    cache_key_fn=keyed_on("data", "holdout", "ingest_json", settings=("task", "options")),
    log_prints=True,
    **PERSIST,
)
def compare_task(
    data: Path,
    holdout: Path,
    run_dir: Path,
    *,
    task: TaskSpec,
    options: ProfileOptions,
    ingest_json: Path | None = None,
) -> StageDone:
    """Profile the training rows against the held-out test rows (does the split look alike?)."""
    from flows.split_compare import run_split_compare

    return run_split_compare(
        data,
        holdout,
        run_dir,
        task=task,
        options=options,
        ingest_report=read_ingest_report(ingest_json),
    )


@task(
    name="train",
    cache_key_fn=keyed_on(
        "data", "ingest_json", settings=("task", "options", "features", "parallel")
    ),
    log_prints=True,
    **PERSIST,
)
def train_task(
    data: Path,
    run_dir: Path,
    *,
    task: TaskSpec,
    options: TrainOptions,
    features: FeaturesOptions,
    ingest_json: Path | None = None,
    source: str | None = None,
    parallel: bool = False,
) -> StageDone:
    """Fit features + LightGBM on `data`; write the model directory `run_dir/train`.

    With `parallel` on a Dask worker the CV folds run as parallel Dask tasks, and
    `options.distributed: dask` fits the final model with lightgbm.dask on the cluster.
    """
    from flows.train_outputs import run_train

    frame = pl.read_parquet(data)
    with cluster_map() as mapper:
        if parallel and mapper is not None:
            print(f"train: {options.folds} CV folds as Dask tasks, final fit {options.distributed}")
        outputs = run_train(
            frame,
            run_dir / "train",
            task=task,
            options=options,
            features_options=features,
            names=column_names(frame, ingest_json),
            source=source,
            map_folds=mapper if parallel else None,
            final_fit=distributed_fit(options) if mapper is not None else None,
        )
    report = outputs.result.report
    publish_markdown(Path(outputs.model_dir / "model_card.md").read_text("utf-8"), "model-card")
    print(f"train: {outputs.headline}")
    summary = StageSummary(
        name="train",
        rows_in=outputs.rows_in,
        rows_out=outputs.rows_out,
        rows_set_aside=outputs.rows_set_aside,
        headline=outputs.headline,
        links={"Training report": "train/train.html", "Model card": "train/model_card.md"},
    )
    facts: dict[str, int | float | str | None] = {
        "train": report.rows.train,
        "test": report.rows.test,
        "primary_metric": report.primary_metric,
    }
    facts.update({f"test_{k}": v for k, v in report.test.items()})
    return StageDone(
        stage="train",
        folder=str(outputs.model_dir),
        summary=summary,
        facts=facts,
        decisions=train_decisions(report),
    )


@task(
    name="errors",
    cache_key_fn=keyed_on(
        "model_dir", "data", "ingest_json", "source_lines", settings=("options",)
    ),
    log_prints=True,
    **PERSIST,
)
def errors_task(
    model_dir: Path,
    data: Path,
    run_dir: Path,
    *,
    options: ErrorAnalysisOptions,
    ingest_json: Path | None = None,
    source_lines: Path | None = None,
) -> StageDone:
    """Error analysis of the model on its held-out rows into `run_dir/errors`.

    `source_lines` (one line number per row of `data`) lets the report cite each row's line.
    """
    from flows.errors_outputs import run_errors
    from reports.errors import render_errors_markdown

    frame = pl.read_parquet(data)
    if source_lines is not None:
        frame = frame.with_columns(pl.read_parquet(source_lines).to_series().alias("_source_line"))
    out_dir = run_dir / "errors"
    outputs = run_errors(
        model_dir, frame, out_dir, options=options, names=column_names(frame, ingest_json)
    )
    publish_markdown(render_errors_markdown(outputs.report), "error-analysis")
    print(f"errors: {outputs.headline}")
    summary = StageSummary(
        name="errors",
        rows_in=outputs.rows_in,
        rows_out=outputs.rows_out,
        rows_set_aside=outputs.rows_set_aside,
        headline=outputs.headline,
        links={"Error analysis": "errors/errors.html"},
    )
    return StageDone(
        stage="errors",
        folder=str(out_dir),
        summary=summary,
        facts={"scored": outputs.rows_out, "findings": len(outputs.report.findings)},
        decisions=errors_decisions(outputs.report),
    )


@task(
    name="score",
    cache_key_fn=keyed_on("model_dir", "data", settings=()),
    log_prints=True,
    **PERSIST,
)
def predict_task(model_dir: Path, data: Path, run_dir: Path) -> StageDone:
    """Predict `data` with the saved model (input checked against its training schema)."""
    from flows.score_outputs import run_score

    return run_score(model_dir, data, run_dir)


@task(name="alerts", cache_policy=NO_CACHE, log_prints=True)
def alerts_task(run_dir: Path, ledger: dict[str, int], config: PipelineConfig) -> StageDone:
    """Monitor alerts of this run against the previous one into `run_dir/monitor`."""
    outputs = run_alerts(run_dir, ledger, config)
    publish_markdown(outputs.markdown, artifact_key(config.name, "monitor-alerts"))
    print(f"monitor: {outputs.headline}")
    return StageDone(
        stage="alerts",
        folder=str(outputs.out_dir),
        summary=outputs.stage_summary(),
        facts={"alerts": len(outputs.alerts)},
        decisions=outputs.decisions(),
    )
