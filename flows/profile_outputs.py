"""Run the profile (EDA) stage and write its outputs; no Prefect (the CLI and the task call it).

Outputs in ``out_dir``: ``eda.html`` (self-contained), ``eda.json`` (the `ProfileReport`) and
``eda.md`` (short summary, also published as the ``eda-profile`` Markdown artifact).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.files import PROFILE, write_html, write_json, write_text
from flows.parquet_input import is_parquet, read_parquet_input
from pipelines.ingest.models import IngestReport
from pipelines.profile import ProfileError, ProfileOptions, ProfileReport, profile
from pipelines.profile.models import SourceFacts
from pipelines.profile.partitions import PartitionMap
from pipelines.stage import StageSummary
from pipelines.task import TaskSpec
from reports.eda import render_eda_html, render_eda_markdown

__all__ = [
    "ProfileOutputs",
    "load_data",
    "load_reference",
    "load_reference_source",
    "run_profile",
    "source_facts",
    "write_profile",
]

_STREAM_PARQUET_BYTES = 256 * 1024 * 1024
_STREAM_TEXT_BYTES = 128 * 1024 * 1024  # in-memory ingest peaks near 5x the text size (README)
_DEFAULT_OPTIONS = ProfileOptions()


@dataclass(frozen=True)
class ProfileOutputs:
    """The profile report and where its files are."""

    report: ProfileReport
    html: Path
    json: Path
    markdown: Path

    def stage_summary(self, run_dir: Path) -> StageSummary:
        """The profile's line on the run page (links relative to `run_dir`)."""
        report = self.report
        high = sum(a.severity == "high" for a in report.alerts)
        drift = f"; drift: {report.drift.verdict}" if report.drift else ""
        rows = report.dataset.rows
        return StageSummary(
            name="profile",
            rows_in=rows,
            rows_out=rows,
            rows_set_aside=0,
            headline=(
                f"{rows:,} rows x {report.dataset.columns} columns profiled: "
                f"{len(report.alerts)} alerts ({high} high){drift}."
            ),
            links={"EDA report": _relative(self.html, run_dir)},
        )


def _relative(path: Path, run_dir: Path) -> str:
    return path.relative_to(run_dir).as_posix()


def write_profile(report: ProfileReport, out_dir: Path) -> ProfileOutputs:
    """Write eda.html, eda.json and eda.md into `out_dir` (created if needed)."""
    html = write_html(render_eda_html(report), out_dir / PROFILE.html)
    data = write_json(report.to_json_dict(), out_dir / PROFILE.report, indent=1)
    markdown = write_text(render_eda_markdown(report), out_dir / PROFILE.markdown)
    return ProfileOutputs(report, html, data, markdown)


def load_reference(path: Path) -> ProfileReport:
    """Read a saved `eda.json` back into a `ProfileReport` (usable as `reference=`)."""
    return ProfileReport.model_validate_json(path.read_text(encoding="utf-8"))


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
        staged = scratch / PROFILE.staged_input
        result = ingest_to_parquet(data, staged)
        return pl.scan_parquet(staged), result.report
    from pipelines.ingest import ingest

    result = ingest(data)
    return result.data, result.report


def load_reference_source(
    reference: str, scratch: Path
) -> pl.DataFrame | pl.LazyFrame | ProfileReport:
    """A reference for compare mode: a saved `eda.json`, a Parquet file or any ingest source."""
    if reference.endswith(".json"):
        return load_reference(Path(reference))
    frame, _ = load_data(reference, scratch)
    return frame


def source_facts(report: IngestReport) -> SourceFacts:
    """What the profile shows about where the data came from, from ingest's report."""
    return SourceFacts(
        source=report.source,
        format=report.format,
        rows_read=report.rows_read,
        rows_quarantined=report.rows_quarantined,
        cell_issues=report.cell_issues,
        header_mapping=dict(sorted(report.header_mapping.items())),
        notes=list(report.notes),
    )


def run_profile(
    frame: pl.DataFrame | pl.LazyFrame,
    out_dir: Path,
    *,
    task: TaskSpec | None = None,
    reference: pl.DataFrame | pl.LazyFrame | ProfileReport | None = None,
    options: ProfileOptions = _DEFAULT_OPTIONS,
    ingest_report: IngestReport | None = None,
    map_partitions: PartitionMap | None = None,
) -> ProfileOutputs:
    """Profile `frame` and write the three outputs into `out_dir`.

    `map_partitions` (with a LazyFrame) profiles its `batch_rows` slices in parallel.

    `ingest_report`, when the data came through ingest, supplies the per-column repair counts,
    the source facts and the original column names (so `task.target` may be `Survived`).
    """
    result = profile(
        frame,
        task=task,
        reference=reference,
        options=options,
        repairs={c.name: c.repairs for c in ingest_report.columns} if ingest_report else None,
        source=source_facts(ingest_report) if ingest_report else None,
        map_partitions=map_partitions,
    )
    return write_profile(result.report, out_dir)
