"""`thresher run CONFIG`: run the main Prefect flow on a YAML pipeline config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.runtime import prepare_prefect_environment

__all__ = ["register"]


def run_command(
    config_path: Annotated[Path, typer.Argument(help="YAML pipeline config.", metavar="CONFIG")],
    output_dir: Annotated[
        Path | None, typer.Option("--output-dir", help="Override the config's output_dir.")
    ] = None,
) -> None:
    """Run ingest -> validate -> profile with Prefect and print where the reports are.

    Uses Prefect's ephemeral engine unless PREFECT_API_URL points at a running server
    (`prefect server start`).
    """
    from pipelines.config import load_config  # imports pandera: only when this command runs

    config = load_config(config_path)
    if output_dir is not None:
        config = config.model_copy(update={"output_dir": output_dir.resolve()})
    prepare_prefect_environment()
    from flows.pipeline import thresher_pipeline  # imports Prefect: keep it off other commands

    summary = thresher_pipeline(config)
    typer.echo("")
    typer.echo(f"run folder: {summary.run_dir}")
    for name, path in summary.outputs.items():
        typer.echo(f"  {name:<11} {path}")
    typer.echo(f"open {summary.outputs['index']} in a browser to start")


def register(app: typer.Typer) -> None:
    """Add `run` to the CLI."""
    app.command("run")(run_command)
