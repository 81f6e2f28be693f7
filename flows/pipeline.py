"""The train flow (thresher's main one): ingest -> validate -> profile -> train -> errors.

With a target (`task.target`) and the features/train sections enabled it trains LightGBM on
the valid rows, profiles the training rows against the held-out test rows (`train-vs-test`)
and analyses the model's errors; without one it stops after the profile. Every stage is one
task from `flows.tasks` called through `FlowRun.stage` (timing, cache hits, the run page), and
every output lands in one run folder `runs/<name>/<run-id>/`. Import `flows.runtime` first (the
CLI does) so Prefect picks up thresher's settings.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.dask_map import on_dask_runner
from flows.files import PROFILE
from flows.run_context import FlowRun
from flows.run_record import RunRecord
from flows.run_steps import ingest_json, ingest_step, source_lines_of, validate_step
from flows.tasks import compare_task, errors_task, profile_task, train_task
from pipelines.config import PipelineConfig
from pipelines.profile import ProfileOptions

__all__ = ["profile_options", "thresher_pipeline", "train_flow"]


@flow(name="thresher-train", flow_run_name="train-{config.name}", log_prints=True)
def train_flow(config: PipelineConfig) -> RunRecord:
    """Run every enabled stage of `config` into a new run folder; return its `run.json`."""
    run = FlowRun(config, "train")
    data = validate_step(run, ingest_step(run))
    report_names = ingest_json(run)
    target = config.task.target
    parallel = on_dask_runner()  # profile slices and CV folds as Dask tasks
    if config.profile.enabled:
        reference = config.profile.reference
        run.stage(
            "profile",
            profile_task,
            data,
            run.run_dir,
            task=config.task if target else None,
            reference=Path(reference) if reference else None,
            options=profile_options(config),
            ingest_json=report_names,
            parallel=parallel,
        )
    if target and config.features.enabled and config.train.enabled:
        run.stage(
            "train",
            train_task,
            data,
            run.run_dir,
            task=config.task,
            options=config.train.options,
            features=config.features.options,
            ingest_json=report_names,
            source=config.source,
            parallel=parallel,
        )
        model_dir = Path(run.done["train"].folder)
        if config.profile.enabled:
            run.stage(
                "train-vs-test",
                compare_task,
                data,
                model_dir / "holdout.parquet",
                run.run_dir,
                task=config.task,
                options=profile_options(config),
                ingest_json=report_names,
            )
        if config.errors.enabled:
            options = config.errors.options
            if "title" not in options.model_fields_set:
                options = options.model_copy(update={"title": f"{config.name} · error analysis"})
            if config.task.sensitive and not options.sensitive:
                options = options.model_copy(update={"sensitive": tuple(config.task.sensitive)})
            run.stage(
                "errors",
                errors_task,
                model_dir,
                data,
                run.run_dir,
                options=options,
                ingest_json=report_names,
                source_lines=source_lines_of(run, data),
            )
    return run.finish()


thresher_pipeline = train_flow
"""The name the first version of the flow had."""


def profile_options(config: PipelineConfig) -> ProfileOptions:
    """The profile section's options, titled after the run unless the config sets a title."""
    options = config.profile.options
    if "title" in options.model_fields_set:
        return options
    return options.model_copy(update={"title": f"{config.name} · EDA"})


REFERENCE_FILE = f"{PROFILE.folder}/{PROFILE.report}"
"""Where a run's profile report is, relative to its folder (the monitor flow's reference)."""
