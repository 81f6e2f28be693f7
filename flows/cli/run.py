"""`thresher run CONFIG [--flow train|monitor|score]`: run a flow with a live stage display.

Each stage shows as it starts and ends (rich), then a summary table (rows in/out/set aside,
seconds, cache) and the path of the run page. A failing stage ends with one line naming it.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows.runtime import prepare_prefect_environment

if TYPE_CHECKING:
    from flows.run_record import RunRecord

__all__ = ["FlowChoice", "register", "select_flow"]


class FlowChoice(StrEnum):
    """The flows `thresher run` and `thresher serve` know."""

    train = "train"
    monitor = "monitor"
    score = "score"


class RunnerChoice(StrEnum):
    """Where tasks run: threads in this process, or a Dask cluster."""

    threads = "threads"
    dask = "dask"


def select_flow(choice: FlowChoice, runner: RunnerChoice, dask_address: str | None):  # type: ignore[no-untyped-def]
    """The flow object for `choice`, with a DaskTaskRunner when `runner` is dask."""
    if choice is FlowChoice.monitor:
        from flows.monitor import monitor_flow as chosen
    elif choice is FlowChoice.score:
        from flows.score import score_flow as chosen
    else:
        from flows.pipeline import train_flow as chosen
    if runner is RunnerChoice.dask:
        from flows.dask_runner import dask_task_runner

        return chosen.with_options(task_runner=dask_task_runner(dask_address))
    return chosen


def run_command(
    config_path: Annotated[Path, typer.Argument(help="YAML pipeline config.", metavar="CONFIG")],
    flow_name: Annotated[
        FlowChoice, typer.Option("--flow", help="train (default), monitor or score.")
    ] = FlowChoice.train,
    output_dir: Annotated[
        Path | None, typer.Option("--output-dir", help="Override the config's output_dir.")
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="Model directory for --flow score.")
    ] = None,
    runner: Annotated[
        RunnerChoice, typer.Option("--runner", help="threads (default) or dask.")
    ] = RunnerChoice.threads,
    dask_address: Annotated[
        str | None,
        typer.Option("--dask-address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786."),
    ] = None,
) -> None:
    """Run a flow on CONFIG into runs/<name>/<run-id>/ and print where the reports are.

    Uses Prefect's ephemeral engine unless PREFECT_API_URL points at a running server
    (`thresher server`).
    """
    from pipelines.config import load_config  # imports pandera: only when this command runs

    config = load_config(config_path)
    if output_dir is not None:
        config = config.model_copy(update={"output_dir": output_dir.resolve()})
    prepare_prefect_environment(output_dir=config.output_dir)
    from flows.cli.progress_display import StageDisplay, print_summary, quiet_prefect_tracebacks
    from flows.progress import listening

    chosen = select_flow(flow_name, runner, dask_address)
    quiet_prefect_tracebacks()
    display = StageDisplay(flow_name.value, config.name)
    with display, listening(display.on_event):
        if flow_name is FlowChoice.score:
            record: RunRecord = chosen(config, model_dir=model.resolve() if model else None)
        else:
            record = chosen(config)
    print_summary(record)


def register(app: typer.Typer) -> None:
    """Add `run` to the CLI."""
    app.command("run")(run_command)
