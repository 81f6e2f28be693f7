"""`thresher errors MODEL_DIR DATA [--sensitive COL ...] [--out DIR]`: the error analysis.

DATA is labelled data: the file the model was trained on (then only its held-out rows are
scored) or new labelled rows. Columns may be named as in the file or as normalised.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def errors_command(
    model_dir: Annotated[Path, typer.Argument(help="Model directory written by `thresher train`.")],
    data: Annotated[str, typer.Argument(help="Labelled data: Parquet or any source ingest reads.")],
    sensitive: Annotated[
        list[str] | None,
        typer.Option("--sensitive", help="Column describing people (repeat for several)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for errors.html/json/md.")] = Path(
        "errors"
    ),
    title: Annotated[str | None, typer.Option("--title", help="Report title.")] = None,
) -> None:
    """Where and why the model fails: OUT/errors.html (self-contained), errors.json, errors.md."""
    from flows.errors_outputs import run_errors
    from pipelines.error_analysis import ErrorAnalysisOptions

    started = time.perf_counter()
    options = ErrorAnalysisOptions(title=title or f"Error analysis · {Path(data).name}")
    outputs = run_errors(model_dir, data, out, sensitive=tuple(sensitive or ()), options=options)
    typer.echo(
        f"analysed {outputs.rows_out:,} rows ({outputs.rows_set_aside:,} set aside) in "
        f"{time.perf_counter() - started:.1f}s: {outputs.headline}; report {outputs.html}"
    )


def register(app: typer.Typer) -> None:
    """Add `thresher errors` to the CLI."""
    app.command("errors")(errors_command)
