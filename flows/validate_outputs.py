"""Run validation and write its outputs (Parquet, JSON, HTML, offline Data Docs); no Prefect.

The CLI calls this directly; `flows.validate_tasks` wraps it as a Prefect task.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from flows.files import write_json
from pipelines.validate import (
    ValidateError,
    ValidationFailed,
    ValidationPolicy,
    ValidationReport,
    ValidationResult,
    resolve_schema,
    validate,
)
from reports.validation import render_validation_html
from reports.validation_gx import offline_data_docs_page, render_data_docs_index

__all__ = ["ValidationOutputs", "find_user_suites", "run_validation"]

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"


@dataclass(frozen=True)
class ValidationOutputs:
    """What a validation run left behind: the valid rows, the report and where files are."""

    valid: pl.DataFrame
    report: ValidationReport
    out_dir: Path
    failed: ValidationFailed | None = None

    def summary(self) -> dict[str, Any]:
        """Small JSON-able summary for the flow: totals, outcome and file paths."""
        return {
            "rows_in": self.report.rows_in,
            "rows_valid": self.report.rows_valid,
            "rows_quarantined": self.report.rows_quarantined,
            "outcome": self.report.outcome,
            "report": str(self.out_dir / "validation.html"),
            "quarantine": str(self.out_dir / "quarantine.parquet"),
        }


def find_user_suites(schema_ref: str, extra: list[Path] | None = None) -> dict[str, list[Any]]:
    """Read user GX suites: ``schemas/<module>.<Model>.json`` for `schema_ref`, plus `extra`.

    A suite file is GX's suite JSON (``{"name": ..., "expectations": [{"type", "kwargs"}]}``).
    """
    paths = list(extra or [])
    module_ref, _, model = schema_ref.partition(":")
    if model and ".py" not in module_ref:
        candidate = SCHEMAS_DIR / f"{module_ref.rsplit('.', 1)[-1]}.{model}.json"
        if module_ref.startswith("schemas.") and candidate.is_file():
            paths.insert(0, candidate)
    suites: dict[str, list[Any]] = {}
    for path in paths:
        if not path.is_file():
            msg = f"expectation suite `{path}` not found: pass a GX suite JSON file"
            raise ValidateError(msg)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            suites[str(raw.get("name") or path.stem)] = list(raw["expectations"])
        except (json.JSONDecodeError, KeyError, AttributeError, TypeError) as exc:
            msg = f"expectation suite `{path}` must be JSON with an `expectations` list ({exc})"
            raise ValidateError(msg) from exc
    return suites


def _write_parquet(frame: pl.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".parquet.tmp")
    frame.write_parquet(tmp)
    tmp.replace(path)


def _write_outputs(result: ValidationResult, report: ValidationReport, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_parquet(result.valid, out_dir / "valid.parquet")
    _write_parquet(result.quarantine, out_dir / "quarantine.parquet")
    write_json(report.to_json_dict(), out_dir / "validation.json")
    (out_dir / "validation.html").write_text(render_validation_html(report), encoding="utf-8")


def _data_docs(
    frame: pl.DataFrame, schema_ref: str, suites: dict[str, list[Any]], out_dir: Path
) -> tuple[list[Any], str]:
    from pipelines.validate.gx_adapter import run_gx

    gx_run = run_gx(frame, resolve_schema(schema_ref), suites, suite_name="schema")
    docs = out_dir / "data_docs"
    docs.mkdir(parents=True, exist_ok=True)
    for name, html in gx_run.pages.items():
        page = offline_data_docs_page(html, back_link="index.html")
        (docs / f"{name}.html").write_text(page, encoding="utf-8")
    passed = {
        name: summary.success for name, summary in zip(gx_run.pages, gx_run.summaries, strict=True)
    }
    (docs / "index.html").write_text(
        render_data_docs_index(passed, "../validation.html"), encoding="utf-8"
    )
    return list(gx_run.summaries), "data_docs/index.html"


def run_validation(
    frame: pl.DataFrame | pl.LazyFrame,
    schema_ref: str,
    out_dir: Path,
    policy: ValidationPolicy | None = None,
    *,
    source: str = "data",
    run_gx: bool = True,
    suite_paths: list[Path] | None = None,
    source_lines: pl.Series | None = None,
) -> ValidationOutputs:
    """Validate, run GX, and write every output; a policy failure is returned, not raised.

    Outputs are written even when the policy fails, so the quarantine can be reviewed.
    `source_lines` (one per row, from ingest) adds `_source_line` to the quarantine so each
    bad row points at the line of the file it came from.
    """
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    failed: ValidationFailed | None = None
    try:
        result = validate(data, schema_ref, policy, source=source)
    except ValidationFailed as exc:
        failed, result = exc, exc.result
    report = result.report
    if run_gx:
        suites = find_user_suites(schema_ref, suite_paths)
        gx_summaries, link = _data_docs(data, schema_ref, suites, out_dir)
        report = report.model_copy(update={"gx": gx_summaries, "data_docs": link})
    if source_lines is not None and result.quarantine.height:
        lines = source_lines.cast(pl.Int64).gather(result.quarantine.get_column("_row"))
        quarantine = result.quarantine.with_columns(lines.alias("_source_line"))
        result = dataclasses.replace(result, quarantine=quarantine)
        samples = [
            s.model_copy(update={"source_line": int(source_lines[s.row])})
            for s in report.sample_rows
        ]
        report = report.model_copy(update={"sample_rows": samples})
    _write_outputs(result, report, out_dir)
    return ValidationOutputs(valid=result.valid, report=report, out_dir=out_dir, failed=failed)
