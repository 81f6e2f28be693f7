"""Train vs test: profile the rows train fitted on against its held-out rows (compare mode).

A split that put different data on each side (a drifted test set) makes the test metrics
mean little; the profile's drift summary says so. Written to `run_dir/compare/`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.files import write_text
from flows.profile_outputs import run_profile
from flows.run_record import StageDone
from pipelines.ingest import IngestReport
from pipelines.profile import ProfileOptions
from pipelines.runs import Decision
from pipelines.stage import StageSummary
from pipelines.task import TaskSpec

__all__ = ["COMPARE_FOLDER", "run_split_compare", "split_frames"]

COMPARE_FOLDER = "compare"
_KEYS = ("_row", "_source_line", "_source_file")


def split_frames(
    data: pl.DataFrame, holdout: pl.DataFrame, set_aside: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(training rows, test rows) of `data` by train's `_row` positions; set-aside rows left out."""
    keyed = data.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    test_rows = holdout.get_column("_row").cast(pl.Int64)
    excluded = test_rows
    if set_aside is not None and "_row" in set_aside.columns:
        excluded = pl.concat([test_rows, set_aside.get_column("_row").cast(pl.Int64)])
    train = keyed.filter(~pl.col("_row").is_in(excluded.implode()))
    test = keyed.filter(pl.col("_row").is_in(test_rows.implode()))
    drop = [c for c in _KEYS if c in keyed.columns]
    return train.drop(drop), test.drop(drop)


def run_split_compare(
    data: Path,
    holdout: Path,
    run_dir: Path,
    *,
    task: TaskSpec,
    options: ProfileOptions,
    ingest_report: IngestReport | None = None,
) -> StageDone:
    """Profile the training rows with the test rows as reference into `run_dir/compare`."""
    frame = pl.read_parquet(data)
    set_aside_path = holdout.parent / "set_aside.parquet"
    set_aside = pl.read_parquet(set_aside_path) if set_aside_path.is_file() else None
    train, test = split_frames(frame, pl.read_parquet(holdout), set_aside)
    out_dir = run_dir / COMPARE_FOLDER
    title = options.model_copy(update={"title": f"{options.title} · train vs test"})
    outputs = run_profile(
        train, out_dir, task=task, reference=test, options=title, ingest_report=ingest_report
    )
    drift = outputs.report.drift
    verdict = drift.verdict if drift else "not compared"
    drifted = drift.drifted if drift else []
    write_text(
        f"train {train.height:,} rows vs test {test.height:,} rows: {verdict}\n",
        out_dir / "split.txt",
    )
    headline = f"{train.height:,} training rows vs {test.height:,} test rows: {verdict}" + (
        f" ({', '.join(f'`{c}`' for c in drifted[:5])})" if drifted else ""
    )
    decisions = []
    if drifted:
        decisions.append(
            Decision(
                stage="train-vs-test",
                kind="surprise",
                text=f"the test rows differ from the training rows in {len(drifted)} columns",
            )
        )
    summary = StageSummary(
        name="train-vs-test",
        rows_in=train.height + test.height,
        rows_out=train.height + test.height,
        rows_set_aside=0,
        headline=headline + ".",
        links={"Train vs test profile": f"{COMPARE_FOLDER}/eda.html"},
    )
    return StageDone(
        stage="train-vs-test",
        folder=str(out_dir),
        summary=summary,
        facts={"drift": verdict},
        decisions=decisions,
    )
