"""Prefect task for the EDA profile stage, and the one place its outputs are written.

``run_profile`` is plain Python (the CLI calls it too); ``profile_task`` wraps it for flows.
Outputs in ``out_dir``: ``eda.html`` (self-contained), ``eda.json`` (the `Profile` model) and
``eda.md`` (short summary, also published as the ``eda-profile`` markdown artifact).

Prefect is imported only when ``profile_task`` is first looked up (module ``__getattr__``), so
the CLI, which uses ``run_profile`` directly, starts without paying Prefect's ~2 s import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.parquet_input import is_parquet, read_parquet_input
from pipelines.ingest.models import IngestReport
from pipelines.profile import Profile, ProfileError, ProfileOptions, profile
from reports.eda import render_eda_html, render_eda_markdown

__all__ = [
    "ProfileOutputs",
    "load_data",
    "load_reference",
    "load_reference_source",
    "profile_task",
    "run_profile",
    "write_profile",
]

ARTIFACT_KEY = "eda-profile"
_STREAM_PARQUET_BYTES = 256 * 1024 * 1024
_STREAM_TEXT_BYTES = 128 * 1024 * 1024  # in-memory ingest peaks near 8x the text size


@dataclass(frozen=True)
class ProfileOutputs:
    """The profile and where its files are."""

    profile: Profile
    html: Path
    json: Path
    markdown: Path

    def summary(self) -> dict[str, Any]:
        """Small JSON-able summary for the flow."""
        return {
            "rows": self.profile.dataset.rows,
            "columns": self.profile.dataset.columns,
            "alerts": len(self.profile.alerts),
            "high_alerts": sum(a.severity == "high" for a in self.profile.alerts),
            "drift": self.profile.drift.verdict if self.profile.drift else None,
            "report": str(self.html),
            "json": str(self.json),
        }


def write_profile(result: Profile, out_dir: Path) -> ProfileOutputs:
    """Write eda.html, eda.json and eda.md into `out_dir` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html, data, markdown = out_dir / "eda.html", out_dir / "eda.json", out_dir / "eda.md"
    html.write_text(render_eda_html(result), encoding="utf-8")
    data.write_text(
        json.dumps(result.to_json_dict(), indent=1, sort_keys=True, allow_nan=False),
        encoding="utf-8",
    )
    markdown.write_text(render_eda_markdown(result), encoding="utf-8")
    return ProfileOutputs(result, html, data, markdown)


def load_reference(path: Path) -> Profile:
    """Read a saved `eda.json` back into a `Profile` (usable as `reference=`)."""
    return Profile.model_validate_json(path.read_text(encoding="utf-8"))


def load_data(
    data: str, scratch: Path, *, stream: bool | None = None
) -> tuple[pl.DataFrame | pl.LazyFrame, IngestReport | None]:
    """Read DATA for profiling; returns the frame (lazy when streaming) and the ingest report.

    A `.parquet` file is read directly (scanned when streaming); anything else goes through
    ingest (in memory, or `ingest_to_parquet` into `scratch` when streaming). `stream=None`
    streams Parquet over 256 MB and other files over 128 MB. Ingest is imported lazily.
    """
    path = Path(data)
    parquet = is_parquet(data)
    limit = _STREAM_PARQUET_BYTES if parquet else _STREAM_TEXT_BYTES
    big = path.is_file() and path.stat().st_size > limit
    streaming = big if stream is None else stream
    if parquet:
        return read_parquet_input(data, lazy=streaming, error=ProfileError), None
    if streaming:
        from pipelines.ingest import ingest_to_parquet

        scratch.mkdir(parents=True, exist_ok=True)
        staged = scratch / "ingested.parquet"
        result = ingest_to_parquet(data, staged)
        return pl.scan_parquet(staged), result.report
    from pipelines.ingest import ingest

    result = ingest(data)
    return result.data, result.report


def load_reference_source(reference: str, scratch: Path) -> pl.DataFrame | pl.LazyFrame | Profile:
    """A reference for compare mode: a saved `eda.json`, a Parquet file or any ingest source."""
    if reference.endswith(".json"):
        return load_reference(Path(reference))
    frame, _ = load_data(reference, scratch)
    return frame


def run_profile(
    frame: pl.DataFrame | pl.LazyFrame,
    out_dir: Path,
    *,
    target: str | None = None,
    reference: pl.DataFrame | pl.LazyFrame | Profile | None = None,
    options: ProfileOptions | None = None,
    ingest_report: IngestReport | None = None,
) -> ProfileOutputs:
    """Profile `frame` and write the three outputs into `out_dir`."""
    result = profile(
        frame, target=target, reference=reference, options=options, ingest_report=ingest_report
    )
    return write_profile(result, out_dir)


def _publish_artifact(result: Profile) -> None:
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:  # called via .fn() outside a run: nothing to attach to
        return
    create_markdown_artifact(markdown=render_eda_markdown(result), key=ARTIFACT_KEY)


def _profile_task_fn(
    frame: pl.DataFrame | pl.LazyFrame,
    run_dir: Path,
    target: str | None = None,
    reference: pl.DataFrame | pl.LazyFrame | Profile | None = None,
    options: ProfileOptions | None = None,
    ingest_report: IngestReport | None = None,
) -> dict[str, Any]:
    """Profile the data into `run_dir` (eda.html/json/md) and publish the summary artifact."""
    outputs = run_profile(
        frame,
        run_dir,
        target=target,
        reference=reference,
        options=options,
        ingest_report=ingest_report,
    )
    _publish_artifact(outputs.profile)
    summary = outputs.summary()
    print(
        f"profile: {summary['rows']:,} rows x {summary['columns']} columns, "
        f"{summary['alerts']} alerts ({summary['high_alerts']} high); {outputs.html}"
    )
    return summary


if TYPE_CHECKING:
    from prefect import Task

    profile_task: Task[..., dict[str, Any]]


def __getattr__(name: str) -> Any:
    """Build the Prefect task on first use (keeps `import prefect` off the CLI path)."""
    if name != "profile_task":
        raise AttributeError(name)
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    built = task(name="profile", cache_policy=NO_CACHE, log_prints=True)(_profile_task_fn)
    globals()["profile_task"] = built
    return built
