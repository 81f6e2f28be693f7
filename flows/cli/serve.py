"""`thresher serve CONFIG --cron "0 6 * * *" [--flow monitor]`: run a flow on a schedule."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.run import FlowChoice
from flows.runtime import prepare_prefect_environment
from pipelines.errors import ConfigError

__all__ = ["register"]


def serve_command(
    config_path: Annotated[Path, typer.Argument(help="YAML pipeline config.", metavar="CONFIG")],
    cron: Annotated[str | None, typer.Option(help="Cron schedule, e.g. '0 6 * * *' (UTC).")] = None,
    flow_name: Annotated[
        FlowChoice, typer.Option("--flow", help="train (default), monitor or score.")
    ] = FlowChoice.train,
    output_dir: Annotated[
        Path | None, typer.Option("--output-dir", help="Override the config's output_dir.")
    ] = None,
) -> None:
    """Serve a flow on CONFIG as a Prefect deployment, optionally on a cron schedule.

    Needs a running Prefect server: `thresher server`, then
    `export PREFECT_API_URL=http://127.0.0.1:4200/api`. Stop with Ctrl-C (SIGTERM pauses the
    deployment's schedule).
    """
    from pipelines.config import load_config  # imports pandera: only when this command runs

    config = load_config(config_path)
    if output_dir is not None:
        config = config.model_copy(update={"output_dir": output_dir.resolve()})
    if not os.environ.get("PREFECT_API_URL"):
        msg = (
            "serving needs a Prefect server: run `thresher server` (or `prefect server start`) "
            "in another shell, then `export PREFECT_API_URL=http://127.0.0.1:4200/api` and try "
            "again"
        )
        raise ConfigError(msg)
    prepare_prefect_environment(output_dir=config.output_dir)
    from flows.deployments import serve_pipeline

    typer.echo(f"serving {flow_name.value} flow `{config.name}`; Ctrl-C to stop", err=True)
    serve_pipeline(config, cron, flow=flow_name.value)


def register(app: typer.Typer) -> None:
    """Add `serve` to the CLI."""
    app.command("serve")(serve_command)
