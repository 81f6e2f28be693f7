"""`thresher ingest SOURCE [--out DIR]`: read any supported source and write what was read."""

from __future__ import annotations

from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from pipelines.ingest import IngestOptions

__all__ = ["register"]

_STREAM_ABOVE_BYTES = 512 * 1024 * 1024


def _should_stream(source: str, options: IngestOptions) -> bool:
    path = Path(source)
    return path.is_file() and path.stat().st_size > max(_STREAM_ABOVE_BYTES, options.chunk_bytes)


def ingest_command(
    source: Annotated[str, typer.Argument(help="File, glob, archive or database URI.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("ingest_out"),
    delimiter: Annotated[str | None, typer.Option(help="Field separator (sniffed).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (detected).")] = None,
    table: Annotated[str | None, typer.Option(help="Database table to read.")] = None,
    query: Annotated[str | None, typer.Option(help="SQL query to run.")] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (first by default).")] = None,
    null: Annotated[
        list[str] | None, typer.Option("--null", help="Extra null token (repeatable).")
    ] = None,
    stream: Annotated[
        bool | None, typer.Option("--stream/--no-stream", help="Stream to Parquet (auto).")
    ] = None,
    file_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Read as csv, parquet, ndjson, json, excel or sqlite whatever the extension.",
        ),
    ] = None,
    header: Annotated[
        bool | None,
        typer.Option(
            "--header/--no-header",
            help="First line holds column names (detected when neither is given).",
        ),
    ] = None,
) -> None:
    """Read SOURCE, repair messy values, and write data/quarantine/cell issues/ingest.json."""
    from flows.ingest_outputs import run_ingest
    from pipelines.ingest import IngestOptions
    from reports.ingest import ingest_console_table

    defaults = IngestOptions()
    formats = ("csv", "parquet", "ndjson", "json", "excel", "sqlite")
    if file_format is not None and file_format not in formats:
        msg = f"--format `{file_format}` is not one of {', '.join(formats)}"
        raise typer.BadParameter(msg)
    # only what the user gave: detection of the header (and quote) runs for fields left unset
    given: dict[str, object] = {} if header is None else {"has_header": header}
    options = IngestOptions(
        **given,  # type: ignore[arg-type]
        format=file_format,  # type: ignore[arg-type]
        delimiter=delimiter.encode().decode("unicode_escape") if delimiter else None,
        encoding=encoding,
        table=table,
        query=query,
        sheet=sheet,
        null_tokens=(*defaults.null_tokens, *(null or [])),
    )
    started = perf_counter()
    streaming = stream if stream is not None else _should_stream(source, options)
    outputs = run_ingest(source, out, options=options, stream=streaming)
    result, paths = outputs.result, outputs.paths
    console = Console(width=120)
    console.print(ingest_console_table(result.report, perf_counter() - started))
    if result.report.quarantine_reasons:
        reasons = ", ".join(f"{k} {v:,}" for k, v in result.report.quarantine_reasons.items())
        console.print(f"[yellow]quarantined:[/] {reasons}")
    console.print(f"wrote {', '.join(str(p) for p in paths.values())}")


def register(app: typer.Typer) -> None:
    """Add `ingest` to the CLI."""
    app.command("ingest")(ingest_command)
