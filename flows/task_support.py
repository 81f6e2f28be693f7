"""What every Prefect task shares: result persistence, cache keys, artifacts, column names.

`PERSIST` stores a task's `StageDone` as JSON (no pickle); `keyed_on` and `ingest_key` build
cache keys from file fingerprints (`flows.fingerprints.cache_key`), never from the run folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from prefect.context import TaskRunContext

from flows.fingerprints import cache_key, is_remote_source, source_files
from pipelines.columns import ColumnNames
from pipelines.ingest import IngestReport

__all__ = [
    "PERSIST",
    "column_names",
    "ingest_key",
    "keyed_on",
    "publish_markdown",
    "read_ingest_report",
]

PERSIST: dict[str, Any] = {"persist_result": True, "result_serializer": "json"}


def publish_markdown(markdown: str, key: str) -> None:
    """Publish `markdown` as the Prefect artifact `key`; a no-op outside a flow or task run."""
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:  # called via .fn() outside a run: nothing to attach to
        return
    create_markdown_artifact(markdown=markdown, key=key)


def keyed_on(*files: str, settings: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """A `cache_key_fn` over the fingerprints of the path parameters `files` and `settings`."""

    def key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
        paths = {
            name: None if parameters.get(name) is None else Path(parameters[name]) for name in files
        }
        chosen = {name: parameters.get(name) for name in settings}
        return cache_key(context.task.name, paths, chosen)

    return key


def ingest_key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
    """The ingest task's key: every source file's fingerprint + the options; None for a DB."""
    source = str(parameters["source"])
    if is_remote_source(source):
        return None  # a table can change under the same URI: never cached
    files: dict[str, Path | None] = {
        f"source:{i}": path for i, path in enumerate(source_files(source))
    }
    if not files:
        return None
    return cache_key(context.task.name, files, {"source": source, "options": parameters["options"]})


def column_names(frame: pl.DataFrame, ingest_json: Path | None) -> ColumnNames:
    """Source-file names of `frame`'s columns, from the run's `ingest.json` when there is one."""
    if ingest_json is None or not ingest_json.is_file():
        return ColumnNames(tuple(frame.columns))
    report = IngestReport.model_validate_json(ingest_json.read_text(encoding="utf-8"))
    return ColumnNames.from_header_mapping(frame.columns, report.header_mapping)


def read_ingest_report(ingest_json: Path | None) -> IngestReport | None:
    """The run's ingest report, or None when there is none."""
    if ingest_json is None or not ingest_json.is_file():
        return None
    return IngestReport.model_validate_json(ingest_json.read_text(encoding="utf-8"))
