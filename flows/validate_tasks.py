"""Prefect task for the validation stage; the work and the writing are in `validate_outputs`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.validate_outputs import ValidationOutputs, find_user_suites, run_validation
from pipelines.validate import ValidationReport, load_policy
from reports.validation import render_validation_markdown

__all__ = ["ValidationOutputs", "find_user_suites", "run_validation", "validate_task"]


def _publish_artifacts(report: ValidationReport) -> None:
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:
        return
    create_markdown_artifact(markdown=render_validation_markdown(report), key="validation-summary")


@task(name="validate", cache_policy=NO_CACHE, log_prints=True)
def validate_task(
    frame: pl.DataFrame,
    run_dir: Path,
    schema_ref: str,
    policy_path: Path | None = None,
    *,
    run_gx: bool = True,
    source_lines: pl.Series | None = None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Validate the ingested frame into ``run_dir/validate``; return valid rows and a summary.

    ``source_lines`` (one per row, from ingest) lets quarantined rows name their file line.
    Raises ``ValidationFailed`` (after writing the outputs) when the policy fails.
    """
    outputs = run_validation(
        frame,
        schema_ref,
        run_dir / "validate",
        load_policy(policy_path),
        source="ingested data",
        run_gx=run_gx,
        source_lines=source_lines,
    )
    _publish_artifacts(outputs.report)
    if outputs.failed is not None:
        raise outputs.failed
    return outputs.valid, outputs.summary()
