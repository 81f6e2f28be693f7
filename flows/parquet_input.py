"""Read a Parquet file given on the command line, with the one-line errors every command uses."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.errors import SourceError, ThresherError

__all__ = ["is_parquet", "read_parquet_input"]


def is_parquet(data: str) -> bool:
    """Whether `data` names a Parquet file (read directly, not through ingest)."""
    return Path(data).suffix.lower() == ".parquet"


def read_parquet_input(
    data: str, *, lazy: bool = False, error: type[ThresherError] = SourceError
) -> pl.DataFrame | pl.LazyFrame:
    """Read (or scan, when `lazy`) a Parquet file; failures raise `error` with one line."""
    path = Path(data)
    if not path.is_file():
        msg = f"data file `{data}` not found: pass a Parquet file or a source ingest reads"
        raise error(msg)
    try:
        return pl.scan_parquet(path) if lazy else pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        msg = f"data file `{data}` is not readable Parquet ({type(exc).__name__}: {exc})"
        raise error(msg.replace("\n", " ")) from exc
