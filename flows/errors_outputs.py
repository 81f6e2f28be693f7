"""Write the error analysis of a model directory: errors.html, errors.json, errors.md, rows.

``run_errors`` is plain Python (the CLI calls it; the flow's task wraps it). DATA is the
labelled data: when it is the data the model was trained on (its rows match
``holdout.parquet``), only the held-out rows are scored and the out-of-fold label suspects
get their source lines; otherwise every row of DATA is scored (new labelled data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.files import write_html, write_json, write_parquet, write_text
from flows.parquet_input import is_parquet, read_parquet_input
from pipelines.columns import ColumnNames
from pipelines.error_analysis import (
    ErrorAnalysisOptions,
    ErrorAnalysisReport,
    ErrorAnalysisResult,
    ModelDirectoryError,
    ModelLike,
    analyse_errors,
)
from reports.errors import render_errors_html, render_errors_markdown

if TYPE_CHECKING:
    from pipelines.ingest import IngestReport

__all__ = ["ERRORS_FILES", "ErrorsOutputs", "errors_json", "run_errors"]

ERRORS_FILES = (
    "errors.html",
    "errors.json",
    "errors.md",
    "errors_rows.parquet",
    "errors_set_aside.parquet",
)
_KEYS = ("_row", "_source_line", "_source_file")


@dataclass(frozen=True)
class ErrorsOutputs:
    """The analysis, where its files are, and the row account (in = out + set aside)."""

    result: ErrorAnalysisResult
    html: Path
    json: Path
    markdown: Path
    rows_file: Path
    rows_in: int
    rows_out: int

    @property
    def report(self) -> ErrorAnalysisReport:
        """The report model."""
        return self.result.report

    @property
    def rows_set_aside(self) -> int:
        """Evaluation rows not scored (no target, or a class the model never saw)."""
        return self.rows_in - self.rows_out

    @property
    def headline(self) -> str:
        """One line for the run page and the CLI."""
        report = self.report
        first = report.metrics.headline[0]
        worst = report.cohorts[0] if report.cohorts else None
        text = f"{first.name} {first.value:.4g} on {report.rows:,} rows"
        if worst is not None and worst.low_interval > report.metrics.overall_error:
            text += f"; worst cohort: {worst.rule} ({worst.rows:,} rows)"
        return text

    def summary(self) -> dict[str, Any]:
        """Small JSON-able summary for the flow."""
        return {
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rows_set_aside": self.rows_set_aside,
            "headline": self.headline,
            "findings": len(self.report.findings),
            "report": str(self.html),
            "json": str(self.json),
        }


def errors_json(report: ErrorAnalysisReport) -> dict[str, object]:
    """The `errors.json` payload: the report, without `fairness` when no column was sensitive."""
    payload = report.to_json_dict()
    if payload.get("fairness") is None:
        payload.pop("fairness", None)
    return payload


def _read_data(
    data: str | Path | pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame | None, IngestReport | None]:
    """(frame with `_source_line` when read from text, cell issues, ingest report)."""
    if isinstance(data, pl.DataFrame):
        return data, None, None
    if is_parquet(str(data)):
        frame = read_parquet_input(str(data))
        assert isinstance(frame, pl.DataFrame)
        return frame, None, None
    from pipelines.ingest import IngestOptions, ingest

    result = ingest(data, options=IngestOptions(add_line_numbers=True))
    return result.data, result.cell_issues, result.report


def _same_rows(data: pl.DataFrame, holdout: pl.DataFrame) -> bool:
    """Whether `holdout`'s rows are DATA's rows at positions `_row` (every shared column)."""
    positions = holdout.get_column("_row")
    if positions.null_count() or positions.min() < 0 or positions.max() >= data.height:  # type: ignore[operator]
        return False
    shared = [c for c in holdout.columns if c in data.columns and c not in _KEYS]
    if not shared:
        return False
    picked = data.select(shared)[positions.to_list()]
    for column in shared:
        a = picked.get_column(column).cast(pl.String)
        b = holdout.get_column(column).cast(pl.String)
        if not bool(((a == b) | (a.is_null() & b.is_null())).all()):
            return False
    return True


def _evaluation_rows(
    data: pl.DataFrame, model_dir: Path
) -> tuple[pl.DataFrame, dict[int, int] | None, str]:
    """The rows to score, `_row` -> source line for out-of-fold rows, and a note."""
    holdout_path = model_dir / "holdout.parquet"
    if "_row" in data.columns:
        return data, None, "DATA already has `_row` keys: every row of it was scored."
    keyed = data.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    if not holdout_path.is_file():
        return keyed, None, f"`{holdout_path}` not found: every row of DATA was scored."
    holdout = pl.read_parquet(holdout_path)
    if "_row" not in holdout.columns or not _same_rows(data, holdout):
        return (
            keyed,
            None,
            (
                "DATA is not the data the model was trained on (its rows differ from "
                "holdout.parquet): every row of DATA was scored as new labelled data."
            ),
        )
    rows = keyed.filter(pl.col("_row").is_in(holdout.get_column("_row").implode()))
    lines = None
    if "_source_line" in keyed.columns:
        lines = dict(zip(keyed["_row"].to_list(), keyed["_source_line"].to_list(), strict=True))
    return (
        rows,
        lines,
        (
            f"Scored the {rows.height:,} held-out test rows of DATA (holdout.parquet's `_row`);"
            " the model never saw them in training."
        ),
    )


def _agreement(model_dir: Path, result: ErrorAnalysisResult) -> str | None:
    """A note when our predictions differ from train's `test_predictions.parquet`."""
    path = model_dir / "test_predictions.parquet"
    if not path.is_file():
        return None
    saved = pl.read_parquet(path)
    if "_row" not in saved.columns or "prediction" not in saved.columns:
        return None
    evaluation = result.evaluation
    if evaluation.is_classifier:  # class index -> label, vectorised (no Python list of rows)
        labels = dict(enumerate(evaluation.task.classes))
        ours = pl.Series(evaluation.predicted, dtype=pl.Int64).replace_strict(
            labels, return_dtype=pl.String
        )
    else:
        ours = pl.Series(evaluation.predicted, dtype=pl.Float64)
    mine = pl.DataFrame({"_row": evaluation.row_keys(), "ours": ours})
    joined = saved.select("_row", "prediction").join(mine, on="_row", how="inner")
    if joined.height == 0:
        return None
    if evaluation.is_classifier:
        differ = int((joined["prediction"].cast(pl.String) != joined["ours"]).sum())
    else:
        gap = (joined["prediction"].cast(pl.Float64) - joined["ours"]).abs()
        differ = int((gap > 1e-6 * (1 + joined["ours"].abs())).sum())
    if differ == 0:
        return None
    return (
        f"{differ:,} of {joined.height:,} predictions differ from test_predictions.parquet: the "
        "model files may come from different runs; re-run `thresher train`."
    )


def _load_model(model_dir: Path) -> ModelLike:
    if not model_dir.is_dir():
        msg = f"model directory `{model_dir}` not found: pass a folder written by `thresher train`"
        raise ModelDirectoryError(msg)
    from pipelines.train.model import load_model  # the one reader of a model directory

    return load_model(model_dir)


def run_errors(
    model_dir: Path,
    data: str | Path | pl.DataFrame,
    out_dir: Path,
    *,
    sensitive: tuple[str, ...] = (),
    options: ErrorAnalysisOptions | None = None,
    model: ModelLike | None = None,
    names: ColumnNames | None = None,
    warned_lines: list[int] | None = None,
) -> ErrorsOutputs:
    """Analyse the model in `model_dir` on DATA and write the four files into `out_dir`.

    `model` skips `load_model` when the caller already holds the trained model (the flow);
    `names` maps source-file column names when DATA is a frame that ingest read earlier.
    """
    model_dir = Path(model_dir)
    model = model if model is not None else _load_model(model_dir)
    frame, cell_issues, ingest_report = _read_data(data)
    if names is None:
        mapping = ingest_report.header_mapping if ingest_report is not None else None
        names = ColumnNames.from_header_mapping(frame.columns, mapping)
    rows, oof_lines, note = _evaluation_rows(frame, model_dir)
    oof_path = model_dir / "oof_predictions.parquet"
    oof = pl.read_parquet(oof_path) if oof_path.is_file() else None
    options = options or ErrorAnalysisOptions()
    options = options.model_copy(update={"sensitive": (*options.sensitive, *sensitive)})
    result = analyse_errors(
        model,
        rows,
        options=options,
        oof=oof,
        names=names,
        cell_issue_lines=None if cell_issues is None else cell_issues["_source_line"].to_list(),
        warned_lines=warned_lines,
        oof_source_lines=oof_lines,
    )
    notes = [note, *result.report.notes]
    agreement = _agreement(model_dir, result)
    if agreement is not None:
        notes.append(agreement)
    report = result.report.model_copy(update={"notes": notes})
    result = ErrorAnalysisResult(report, result.evaluation, result.row_errors, result.set_aside)
    out_dir.mkdir(parents=True, exist_ok=True)
    html, payload, markdown, rows_file, aside_file = (out_dir / name for name in ERRORS_FILES)
    # atomic writes (flows.files): a run killed mid-write never leaves a half report
    write_html(render_errors_html(report), html)
    write_json(errors_json(report), payload, indent=1)
    write_text(render_errors_markdown(report), markdown)
    write_parquet(result.row_errors, rows_file)
    write_parquet(result.set_aside, aside_file)
    return ErrorsOutputs(
        result=result,
        html=html,
        json=payload,
        markdown=markdown,
        rows_file=rows_file,
        rows_in=rows.height,
        rows_out=report.rows,
    )
