"""The one storage module: every file thresher writes goes through an atomic writer here.

Each writer writes a temporary file in the target's own folder and renames it over the
target (`Path.replace`, atomic within one file system), so a reader never sees half a file and a
crash leaves the previous version in place. JSON is written strictly: no `default=str`
fallback and no NaN, so a payload that is not JSON-native fails loudly where it is made.

Every stage's file names are constants here (`INGEST`, `VALIDATE`, `PROFILE`, `RUN`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "INGEST",
    "PROFILE",
    "RUN",
    "VALIDATE",
    "IngestFiles",
    "ProfileFiles",
    "RunFiles",
    "ValidateFiles",
    "atomic_path",
    "write_html",
    "write_json",
    "write_parquet",
    "write_text",
]


@dataclass(frozen=True)
class IngestFiles:
    """File names of the ingest stage, inside `folder` of a run."""

    folder: str = "ingest"
    data: str = "data.parquet"
    quarantine: str = "quarantine.parquet"
    cell_issues: str = "cell_issues.parquet"
    report: str = "ingest.json"


@dataclass(frozen=True)
class ValidateFiles:
    """File names of the validation stage."""

    folder: str = "validate"
    valid: str = "valid.parquet"
    valid_lines: str = "valid_lines.parquet"
    quarantine: str = "quarantine.parquet"
    report: str = "validation.json"
    html: str = "validation.html"
    data_docs: str = "data_docs"
    data_docs_index: str = "data_docs/index.html"


@dataclass(frozen=True)
class ProfileFiles:
    """File names of the profile (EDA) stage."""

    folder: str = "profile"
    html: str = "eda.html"
    report: str = "eda.json"
    markdown: str = "eda.md"
    reference_folder: str = "reference"
    staged_input: str = "ingested.parquet"


@dataclass(frozen=True)
class RunFiles:
    """Files at the top of a run folder."""

    config: str = "config.json"
    summary: str = "run.json"
    index: str = "index.html"


def _process_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask


# mkstemp creates files as 0600; finished files get the mode a plain `open()` would give them
_FILE_MODE = 0o666 & ~_process_umask()

INGEST = IngestFiles()
VALIDATE = ValidateFiles()
PROFILE = ProfileFiles()
RUN = RunFiles()


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, else it is removed.

    The parent folder is created if needed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    temporary.chmod(_FILE_MODE)
    try:
        yield temporary
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_with(path: Path, write: Callable[[Path], object]) -> Path:
    with atomic_path(path) as temporary:
        write(temporary)
    return path


def write_text(text: str, path: Path) -> Path:
    """Write UTF-8 text atomically; return `path`."""
    return _write_with(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_html(html: str, path: Path) -> Path:
    """Write a rendered HTML page atomically; return `path`."""
    return write_text(html, path)


def write_json(payload: object, path: Path, *, sort_keys: bool = True, indent: int = 2) -> Path:
    """Write JSON-native `payload` (keys sorted unless their order matters) plus a newline.

    Raises `TypeError`/`ValueError` for anything not JSON-native (no `str()` fallback, no NaN).
    """
    text = json.dumps(payload, indent=indent, sort_keys=sort_keys, allow_nan=False)
    return write_text(text + "\n", path)


def write_parquet(frame: pl.DataFrame, path: Path) -> Path:
    """Write `frame` as Parquet atomically; return `path`."""
    return _write_with(path, frame.write_parquet)
