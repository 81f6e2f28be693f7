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

from pipelines.profile.errors import ProfileError

__all__ = ["load_data", "register"]

_STREAM_PARQUET_BYTES = 256 * 1024 * 1024
_STREAM_TEXT_BYTES = 128 * 1024 * 1024  # in-memory ingest peaks near 8x the text size


def load_data(
    data: str, scratch: Path, *, stream: bool | None = None
) -> tuple[pl.DataFrame | pl.LazyFrame, object]:
    """Read DATA for profiling; returns the frame (lazy when streaming) and the ingest report.

    `stream=None` streams Parquet over 256 MB and other files over 128 MB. Ingest is imported
    lazily, so this module loads even where ingest is unavailable.
    """
    path = Path(data)
    is_file = path.is_file()
    parquet = path.suffix.lower() == ".parquet"
    limit = _STREAM_PARQUET_BYTES if parquet else _STREAM_TEXT_BYTES
    big = is_file and path.stat().st_size > limit
    streaming = big if stream is None else stream
    if parquet:
        if not is_file:
            msg = f"data file `{data}` not found: pass a Parquet file or a source ingest reads"
            raise ProfileError(msg)
        try:
            return (pl.scan_parquet(path) if streaming else pl.read_parquet(path)), None
        except (OSError, pl.exceptions.PolarsError) as exc:
            msg = f"data file `{data}` is not readable Parquet ({type(exc).__name__}: {exc})"
            raise ProfileError(msg.replace("\n", " ")) from exc
    if streaming:
        from pipelines.ingest import ingest_to_parquet

        staged = scratch / "ingested.parquet"
        result = ingest_to_parquet(data, staged)
        return pl.scan_parquet(staged), result.report
    from pipelines.ingest import ingest

    result = ingest(data)
    return result.data, result.report


def profile_command(
    data: Annotated[str, typer.Argument(help="Parquet file, or any source ingest reads.")],
    target: Annotated[
        str | None, typer.Option("--target", help="Target column (as named after ingest).")
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option("--reference", help="Reference data (or a saved eda.json) to compare."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for eda.html/json/md.")] = Path(
        "eda"
    ),
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
    from flows.profile_tasks import load_reference, run_profile
    from pipelines.profile import Profile, ProfileOptions

    started = time.perf_counter()
    options = ProfileOptions(title=title or f"EDA · {Path(data).name}", sample_rows=sample_rows)
    with tempfile.TemporaryDirectory(prefix="thresher-profile-") as scratch:
        frame, report = load_data(data, Path(scratch), stream=stream)
        ref: pl.DataFrame | pl.LazyFrame | Profile | None = None
        if reference is not None:
            if reference.endswith(".json"):
                ref = load_reference(Path(reference))
            else:
                ref_scratch = Path(scratch) / "reference"
                ref_scratch.mkdir()
                ref, _ = load_data(reference, ref_scratch, stream=stream)
        outputs = run_profile(
            frame, out, target=target, reference=ref, options=options,
            ingest_report=report,  # type: ignore[arg-type]
        )
    result = outputs.profile
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
