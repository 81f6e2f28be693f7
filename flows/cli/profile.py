"""`thresher profile DATA [--target COL] [--reference DATA] [--out DIR]`: the EDA report.

DATA is a Parquet file (read directly; scanned in batches when large or with --stream) or any
source ingest reads (ingested first; streamed through a temporary Parquet file with --stream).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

__all__ = ["register"]


def profile_command(
    data: Annotated[str, typer.Argument(help="Parquet file, or any source ingest reads.")],
    target: Annotated[
        str | None,
        typer.Option("--target", help="Target column, as in the file (`Survived`) or normalised."),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option("--reference", help="Reference data (or a saved eda.json) to compare."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for eda.html/json/md.")] = Path("eda"),
    title: Annotated[str | None, typer.Option("--title", help="Report title.")] = None,
    stream: Annotated[
        bool | None,
        typer.Option(
            "--stream/--no-stream",
            help="Read in batches (default: Parquet > 256 MB, other files > 128 MB).",
        ),
    ] = None,
    sample_rows: Annotated[
        int, typer.Option("--sample-rows", help="Rows sampled for pairwise statistics.")
    ] = 100_000,
) -> None:
    """Profile DATA into OUT/eda.html (self-contained), OUT/eda.json and OUT/eda.md."""
    from flows.profile_outputs import load_data, load_reference_source, run_profile
    from pipelines.profile import ProfileOptions, ProfileReport
    from pipelines.task import TaskSpec

    started = time.perf_counter()
    options = ProfileOptions(title=title or f"EDA · {Path(data).name}", sample_rows=sample_rows)
    with tempfile.TemporaryDirectory(prefix="thresher-profile-") as scratch:
        frame, report = load_data(data, Path(scratch), stream=stream)
        ref: pl.DataFrame | pl.LazyFrame | ProfileReport | None = None
        if reference is not None:
            ref = load_reference_source(reference, Path(scratch) / "reference")
        outputs = run_profile(
            frame,
            out,
            task=TaskSpec(target=target) if target is not None else None,
            reference=ref,
            options=options,
            ingest_report=report,
        )
    result = outputs.report
    high = sum(a.severity == "high" for a in result.alerts)
    typer.echo(
        f"profiled {result.dataset.rows:,} rows x {result.dataset.columns} columns in "
        f"{time.perf_counter() - started:.1f}s: {len(result.alerts)} alerts ({high} high)"
        + (f", drift: {result.drift.verdict}" if result.drift else "")
        + f"; report {outputs.html}"
    )


def register(app: typer.Typer) -> None:
    """Add `thresher profile` to the CLI."""
    app.command("profile")(profile_command)
