"""Every Prefect task of thresher: thin wrappers over the Prefect-free `flows/<stage>_outputs`.

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
from typing import Any

import polars as pl
from prefect import task
from prefect.context import TaskRunContext

from flows.dask_map import cluster_map, distributed_fit, partitioned_profile_input
from flows.decisions import (
    errors_decisions,
    ingest_decisions,
    profile_decisions,
    train_decisions,
    validate_decisions,
)
from flows.files import INGEST, PROFILE, VALIDATE, write_parquet
from flows.fingerprints import cache_key, is_remote_source, source_files
from flows.ingest_outputs import run_ingest
from flows.profile_outputs import load_reference_source, run_profile
from flows.run_record import StageDone
from flows.validate_outputs import run_validate
from pipelines.columns import ColumnNames
from pipelines.error_analysis import ErrorAnalysisOptions
from pipelines.features import FeaturesOptions
from pipelines.ingest import IngestOptions, IngestReport
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

_PERSIST: dict[str, Any] = {"persist_result": True, "result_serializer": "json"}


def publish_markdown(markdown: str, key: str) -> None:
    """Publish `markdown` as the Prefect artifact `key`; a no-op outside a flow or task run."""
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:  # called via .fn() outside a run: nothing to attach to
        return
    create_markdown_artifact(markdown=markdown, key=key)


def _keyed_on(*files: str, settings: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """A `cache_key_fn` over the fingerprints of the path parameters `files` and `settings`."""

    def key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
        paths = {
            name: None if parameters.get(name) is None else Path(parameters[name]) for name in files
        }
        chosen = {name: parameters.get(name) for name in settings}
        return cache_key(context.task.name, paths, chosen)

    return key


def _ingest_key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
    source = str(parameters["source"])
    if is_remote_source(source):
        return None  # a table can change under the same URI: never cached
    files: dict[str, Path | None] = {
        f"source:{i}": path for i, path in enumerate(source_files(source))
    }
    if not files:
        return None
    return cache_key(context.task.name, files, {"source": source, "options": parameters["options"]})


def _names(frame: pl.DataFrame, ingest_json: Path | None) -> ColumnNames:
    if ingest_json is None or not ingest_json.is_file():
        return ColumnNames(tuple(frame.columns))
    report = IngestReport.model_validate_json(ingest_json.read_text(encoding="utf-8"))
    return ColumnNames.from_header_mapping(frame.columns, report.header_mapping)


def _ingest_report(ingest_json: Path | None) -> IngestReport | None:
    if ingest_json is None or not ingest_json.is_file():
        return None
    return IngestReport.model_validate_json(ingest_json.read_text(encoding="utf-8"))


@task(name="ingest", cache_key_fn=_ingest_key, log_prints=True, **_PERSIST)
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
    cache_key_fn=_keyed_on("data", "source_lines", "policy", settings=("schema", "options")),
    log_prints=True,
    **_PERSIST,
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
    cache_key_fn=_keyed_on(
        "data", "ingest_json", "reference", settings=("task", "options", "parallel")
    ),
    log_prints=True,
    **_PERSIST,
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
            ingest_report=_ingest_report(ingest_json),
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
    cache_key_fn=_keyed_on("data", "holdout", "ingest_json", settings=("task", "options")),
    log_prints=True,
    **_PERSIST,
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
        ingest_report=_ingest_report(ingest_json),
    )


@task(
    name="train",
    cache_key_fn=_keyed_on(
        "data", "ingest_json", settings=("task", "options", "features", "parallel")
    ),
    log_prints=True,
    **_PERSIST,
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
            names=_names(frame, ingest_json),
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
    cache_key_fn=_keyed_on("model_dir", "data", "ingest_json", settings=("options",)),
    log_prints=True,
    **_PERSIST,
)
def errors_task(
    model_dir: Path,
    data: Path,
    run_dir: Path,
    *,
    options: ErrorAnalysisOptions,
    ingest_json: Path | None = None,
) -> StageDone:
    """Error analysis of the model on its held-out rows into `run_dir/errors`."""
    from flows.errors_outputs import run_errors
    from reports.errors import render_errors_markdown

    frame = pl.read_parquet(data)
    out_dir = run_dir / "errors"
    outputs = run_errors(
        model_dir, frame, out_dir, options=options, names=_names(frame, ingest_json)
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
    cache_key_fn=_keyed_on("model_dir", "data", settings=()),
    log_prints=True,
    **_PERSIST,
)
def predict_task(model_dir: Path, data: Path, run_dir: Path) -> StageDone:
    """Predict `data` with the saved model (input checked against its training schema)."""
    from flows.score_outputs import run_score

    return run_score(model_dir, data, run_dir)
