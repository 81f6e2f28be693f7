"""Fingerprints of input files and of thresher's code: what a stage's cache key is made of.

A key never includes the run folder (each run has a new one) nor a frame (hashing a frame is
slow): it is the content hash of the files a stage reads, its options as sorted JSON, and the
code version (a hash of thresher's own source files), so a code change invalidates every key.
"""

from __future__ import annotations

import glob
import hashlib
import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel

__all__ = [
    "CODE_VERSION_ROOTS",
    "cache_key",
    "code_version",
    "file_fingerprint",
    "is_remote_source",
    "path_fingerprint",
    "source_files",
    "source_fingerprints",
]

_CHUNK = 1024 * 1024
_ROOT = Path(__file__).resolve().parent.parent
CODE_VERSION_ROOTS = ("pipelines", "schemas", "reports", "flows")
"""Packages whose source makes up the code version."""


def is_remote_source(source: str) -> bool:
    """Whether `source` is a database or network URI (not files on this machine)."""
    return "://" in source or source.startswith("sqlite:")


def file_fingerprint(path: Path) -> str:
    """`sha256:<hex>` of a file's bytes (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def path_fingerprint(path: Path) -> str:
    """A file's fingerprint, or for a folder the hash of its files' names and fingerprints."""
    if path.is_file():
        return file_fingerprint(path)
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.name.startswith("."):
                continue
            digest.update(child.relative_to(path).as_posix().encode())
            digest.update(file_fingerprint(child).encode())
        return f"sha256:{digest.hexdigest()}"
    return "missing"


def source_files(source: str) -> list[Path]:
    """The files a local `source` (a path or a glob) names, sorted; empty for a remote one."""
    if is_remote_source(source):
        return []
    if any(ch in source for ch in "*?["):
        matches = glob.glob(source, recursive=True)  # noqa: PTH207 (absolute patterns)
        return sorted(Path(p) for p in matches if Path(p).is_file())
    path = Path(source)
    return [path] if path.is_file() else []


def source_fingerprints(source: str) -> dict[str, str]:
    """File -> fingerprint for every file of a local `source` (empty for a database)."""
    return {str(path): file_fingerprint(path) for path in source_files(source)}


@cache
def code_version() -> str:
    """Hash of every `.py`/`.j2` file of thresher's packages (computed once per process)."""
    digest = hashlib.sha256()
    for root in CODE_VERSION_ROOTS:
        for path in sorted((_ROOT / root).rglob("*")):
            if path.suffix in (".py", ".j2") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(_ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _jsonable(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def cache_key(stage: str, files: dict[str, Path | None], settings: dict[str, object]) -> str:
    """`<stage>-<hash>` over the files' fingerprints, the settings as JSON and the code version."""
    payload = {
        "stage": stage,
        "code": code_version(),
        "files": {
            name: None if path is None else path_fingerprint(path)
            for name, path in sorted(files.items())
        },
        "settings": _jsonable(settings),
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return f"{stage}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"
