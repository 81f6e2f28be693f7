"""`thresher validate` and `thresher infer-schema`: check data against a model, or write one.

DATA is a Parquet file (read as is) or any source ingest reads (ingested first).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import polars as pl
import typer

__all__ = ["register"]


def _load(data: str) -> tuple[pl.DataFrame, pl.Series | None]:
    """Read `data` (Parquet directly, anything else through ingest) and its source lines."""
    from flows.parquet_input import is_parquet, read_parquet_input
    from pipelines.ingest import IngestOptions, ingest
    from pipelines.validate.errors import ValidateError

    if is_parquet(data):
        return cast("pl.DataFrame", read_parquet_input(data, error=ValidateError)), None
    frame = ingest(data, options=IngestOptions(add_line_numbers=True)).data
    lines = frame.get_column("_source_line")
    return frame.drop("_source_line"), lines


def validate_command(
    data: Annotated[str, typer.Argument(help="Parquet file, or any source ingest reads.")],
    schema: Annotated[str, typer.Option("--schema", help="pandera model, `module:Model`.")],
    policy: Annotated[
        Path | None, typer.Option("--policy", help="YAML/JSON validation policy.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the outputs.")] = Path(
        "validation"
    ),
    suite: Annotated[
        list[Path] | None, typer.Option("--suite", help="Extra GX suite JSON (repeatable).")
    ] = None,
    gx: Annotated[
        bool, typer.Option("--gx/--no-gx", help="Run Great Expectations, build Data Docs.")
    ] = True,
) -> None:
    """Validate DATA; write valid/quarantine Parquet, validation.json/.html and Data Docs."""
    from flows.validate_outputs import run_validate
    from pipelines.validate import ValidateOptions, load_policy

    options = ValidateOptions(policy=load_policy(policy), great_expectations=gx)
    frame, lines = _load(data)
    outputs = run_validate(
        frame,
        out,
        schema=schema,
        options=options,
        source=f"`{data}`",
        suite_paths=list(suite or []),
        source_lines=lines,
    )
    report = outputs.report
    typer.echo(
        f"{report.outcome}: {report.rows_in} rows in, {report.rows_valid} valid, "
        f"{report.rows_quarantined} quarantined; report {outputs.html}"
    )
    if outputs.failed is not None:
        raise outputs.failed


def infer_schema_command(
    data: Annotated[str, typer.Argument(help="Parquet file, or any source ingest reads.")],
    name: Annotated[str, typer.Option("--name", help="Model class name, e.g. PenguinsRaw.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the module here (else stdout).")
    ] = None,
    margin: Annotated[
        float, typer.Option("--margin", min=0.0, help="Range margin, share of the span.")
    ] = 0.1,
) -> None:
    """Write a pandera model module describing DATA (dtypes, nulls, ranges, sets, keys)."""
    from pipelines.validate.infer import InferOptions, infer_model_source

    frame, _ = _load(data)
    source = infer_model_source(
        frame, name, source=Path(data).name, options=InferOptions(margin=margin)
    )
    if out is None:
        typer.echo(source, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(source, encoding="utf-8")
    typer.echo(f"wrote {out}: model `{name}` with {frame.width} columns")


def register(app: typer.Typer) -> None:
    """Add `validate` and `infer-schema` to the thresher CLI."""
    app.command("validate")(validate_command)
    app.command("infer-schema")(infer_schema_command)
