"""`thresher serve CONFIG --cron "0 6 * * *"`: run the pipeline on a schedule."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from flows.runtime import prepare_prefect_environment
from pipelines.errors import ConfigError

__all__ = ["register"]


def serve_command(
    config_path: Annotated[Path, typer.Argument(help="YAML pipeline config.", metavar="CONFIG")],
    cron: Annotated[str | None, typer.Option(help="Cron schedule, e.g. '0 6 * * *' (UTC).")] = None,
) -> None:
    """Serve the pipeline as a Prefect deployment, optionally on a cron schedule.

    Needs a running Prefect server: `prefect server start`, then
    `export PREFECT_API_URL=http://127.0.0.1:4200/api`.
    """
    from pipelines.config import load_config  # imports pandera: only when this command runs

    config = load_config(config_path)
    if not os.environ.get("PREFECT_API_URL"):
        msg = (
            "serving needs a Prefect server: run `prefect server start` in another shell, then "
            "`export PREFECT_API_URL=http://127.0.0.1:4200/api` and try again"
        )
        raise ConfigError(msg)
    prepare_prefect_environment()
    from flows.deployments import serve_pipeline

    serve_pipeline(config, cron)


def register(app: typer.Typer) -> None:
    """Add `serve` to the CLI."""
    app.command("serve")(serve_command)
