"""Turn what the user typed (path, glob, archive, database URI) into concrete sources to read."""

from __future__ import annotations

import glob
import gzip
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from pipelines.errors import SourceError, UnsupportedSourceError
from pipelines.ingest.models import IngestOptions

__all__ = ["SUPPORTED", "Source", "resolve_sources"]

SUPPORTED = (
    "CSV/TSV/delimited text (.csv .tsv .tab .psv .txt .dat, optionally .gz or inside .zip), "
    "Parquet (.parquet), NDJSON (.ndjson .jsonl), JSON records (.json), Excel and OpenDocument "
    "spreadsheets (.xlsx .xlsm .xlsb .xls .ods), "
    "SQLite (.sqlite .sqlite3 .db or sqlite:///path) and Postgres (postgresql://...)"
)
_TEXT = {".csv": None, ".txt": None, ".dat": None, ".tsv": "\t", ".tab": "\t", ".psv": "|"}
_FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".json": "json",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".xlsb": "excel",
    ".ods": "excel",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".db": "sqlite",
}
_MAGIC = (
    (b"PAR1", "parquet"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xd0\xcf\x11\xe0", "ole"),
)

Opener = Callable[[], IO[bytes]]


@dataclass(frozen=True)
class Source:
    """One readable thing: its kind, where it is, and how to open it as bytes (text kinds)."""

    kind: str
    location: str
    display: str
    opener: Opener | None = None
    default_delimiter: str | None = None


def resolve_sources(source: str | os.PathLike[str], options: IngestOptions) -> list[Source]:
    """Expand `source` into the sources to read, raising a helpful error when it cannot be."""
    text = str(source)
    if text.startswith(("postgresql://", "postgres://")):
        return [Source("postgres", text, text)]
    if text.startswith("sqlite:"):
        return [Source("sqlite", text, text)]
    if any(char in text for char in "*?[") and not Path(text).exists():
        matches = sorted(p for p in glob.glob(text, recursive=True) if Path(p).is_file())  # noqa: PTH207 - user patterns may be absolute
        if not matches:
            msg = f"{text}: no files match this pattern; check the folder and the wildcard"
            raise SourceError(msg)
        return [s for match in matches for s in _resolve_path(Path(match), options)]
    return _resolve_path(Path(text), options)


def _check_path(path: Path) -> None:
    if not path.exists():
        msg = f"{path}: file not found; check the path (relative paths start at {Path.cwd()})"
        raise SourceError(msg)
    if path.is_dir():
        msg = f"{path}: is a directory; pass a file, or a glob such as `{path}/*.csv`"
        raise SourceError(msg)
    if not os.access(path, os.R_OK):
        msg = f"{path}: permission denied; make the file readable (chmod +r) or copy it"
        raise SourceError(msg)
    if path.stat().st_size == 0:
        msg = f"{path}: file is empty (0 bytes); export the table again or pick another file"
        raise SourceError(msg)


def _magic(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except PermissionError as exc:
        msg = f"{path}: permission denied; make the file readable (chmod +r) or copy it"
        raise SourceError(msg) from exc
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


def _resolve_path(path: Path, options: IngestOptions) -> list[Source]:
    _check_path(path)
    suffixes = [s.lower() for s in path.suffixes]
    suffix = suffixes[-1] if suffixes else ""
    magic = _magic(path)
    if options.format is not None:
        kind = "text" if options.format == "csv" else options.format
        return [Source(kind, str(path), str(path), _file_opener(path))]
    if suffix == ".gz" or (magic == "gzip" and suffix not in _FORMATS):
        inner = suffixes[-2] if len(suffixes) > 1 else ".csv"
        return [Source("text", str(path), str(path), _gzip_opener(path), _TEXT.get(inner))]
    if suffix == ".zip":
        return _zip_members(path)
    if suffix in _FORMATS:
        return [Source(_FORMATS[suffix], str(path), str(path))]
    if magic in {"parquet", "sqlite"}:
        return [Source(magic, str(path), str(path))]
    if suffix in _TEXT or (not suffix and magic is None):
        return [Source("text", str(path), str(path), _file_opener(path), _TEXT.get(suffix))]
    msg = (
        f"{path}: unsupported file type `{suffix or magic}`; thresher reads {SUPPORTED} "
        "(use --format to force one)"
    )
    raise UnsupportedSourceError(msg)


def _file_opener(path: Path) -> Opener:
    def open_file() -> IO[bytes]:
        try:
            return path.open("rb")
        except PermissionError as exc:
            msg = f"{path}: permission denied; make the file readable (chmod +r) or copy it"
            raise SourceError(msg) from exc

    return open_file


def _gzip_opener(path: Path) -> Opener:
    def open_gzip() -> IO[bytes]:
        return cast("IO[bytes]", gzip.GzipFile(path, "rb"))

    return open_gzip


def _zip_members(path: Path) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i.filename for i in archive.infolist() if not i.is_dir()]
    except zipfile.BadZipFile as exc:
        msg = f"{path}: not a valid zip archive ({exc}); re-create the archive"
        raise SourceError(msg) from exc
    tables = [m for m in members if Path(m).suffix.lower() in _TEXT and "__MACOSX" not in m]
    if not tables:
        msg = f"{path}: the archive holds no delimited text file (found: {', '.join(members)})"
        raise SourceError(msg)

    def opener(member: str) -> Opener:
        return lambda: zipfile.ZipFile(path).open(member)

    return [
        Source("text", f"{path}:{m}", f"{path}:{m}", opener(m), _TEXT.get(Path(m).suffix.lower()))
        for m in tables
    ]
