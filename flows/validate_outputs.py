"""Run validation and write its outputs (Parquet, JSON, HTML, offline Data Docs); no Prefect.

The CLI calls `run_validate` directly; `flows.tasks.validate_task` wraps it as a Prefect task.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from flows.files import VALIDATE, write_html, write_json, write_parquet
from pipelines.stage import StageSummary
from pipelines.validate import (
    ValidateError,
    ValidateOptions,
    ValidationFailed,
    ValidationReport,
    ValidationResult,
    resolve_schema,
    validate,
)
from reports.validation import render_validation_html
from reports.validation_gx import offline_data_docs_page, render_data_docs_index

__all__ = ["ValidateOutputs", "find_user_suites", "run_validate"]

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"


_DEFAULT_OPTIONS = ValidateOptions()


@dataclass(frozen=True)
class ValidateOutputs:
    """What a validation run left behind: the valid rows, the report and where files are."""

    valid: pl.DataFrame
    report: ValidationReport
    out_dir: Path
    failed: ValidationFailed | None = None

    @property
    def html(self) -> Path:
        """The validation report page."""
        return self.out_dir / VALIDATE.html

    def stage_summary(self, run_dir: Path) -> StageSummary:
        """Validation's line on the run page (links relative to `run_dir`)."""
        report = self.report
        links = {"Validation report": self.html.relative_to(run_dir).as_posix()}
        if report.data_docs:
            docs = (self.out_dir / report.data_docs).relative_to(run_dir).as_posix()
            links["Great Expectations Data Docs"] = docs
        reason = f" ({report.outcome_reason})" if report.outcome_reason else ""
        return StageSummary(
            name="validate",
            rows_in=report.rows_in,
            rows_out=report.rows_valid,
            rows_set_aside=report.rows_quarantined,
            headline=(
                f"{report.outcome} against `{report.schema_name}`: {report.rows_valid:,} valid, "
                f"{report.rows_quarantined:,} quarantined{reason}."
            ),
            links=links,
        )


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


def _write_outputs(result: ValidationResult, report: ValidationReport, out_dir: Path) -> None:
    write_parquet(result.valid, out_dir / VALIDATE.valid)
    write_parquet(result.quarantine, out_dir / VALIDATE.quarantine)
    write_json(report.to_json_dict(), out_dir / VALIDATE.report)
    write_html(render_validation_html(report), out_dir / VALIDATE.html)


def _valid_lines(source_lines: pl.Series, result: ValidationResult) -> pl.Series:
    """The source line of every valid row (valid rows keep the input's order)."""
    positions = pl.int_range(len(source_lines), eager=True)
    quarantined = result.quarantine.get_column("_row").implode()
    lines = source_lines.cast(pl.Int64).filter(~positions.is_in(quarantined))
    if len(lines) != result.valid.height:  # the contract rows in = valid + quarantined broke
        msg = f"{result.valid.height:,} valid rows but {len(lines):,} source lines left"
        raise AssertionError(msg)
    return lines


def _data_docs(
    frame: pl.DataFrame, schema_ref: str, suites: dict[str, list[Any]], out_dir: Path
) -> tuple[list[Any], str]:
    from pipelines.validate.gx_adapter import run_gx

    gx_run = run_gx(frame, resolve_schema(schema_ref), suites, suite_name="schema")
    docs = out_dir / VALIDATE.data_docs
    for name, html in gx_run.pages.items():
        write_html(offline_data_docs_page(html, back_link="index.html"), docs / f"{name}.html")
    passed = {
        name: summary.success for name, summary in zip(gx_run.pages, gx_run.summaries, strict=True)
    }
    write_html(
        render_data_docs_index(passed, f"../{VALIDATE.html}"), out_dir / VALIDATE.data_docs_index
    )
    return list(gx_run.summaries), VALIDATE.data_docs_index


def run_validate(
    frame: pl.DataFrame | pl.LazyFrame,
    out_dir: Path,
    *,
    schema: str,
    options: ValidateOptions = _DEFAULT_OPTIONS,
    source: str = "data",
    suite_paths: list[Path] | None = None,
    source_lines: pl.Series | None = None,
) -> ValidateOutputs:
    """Validate, run GX (`options.great_expectations`), and write every output.

    A policy failure is returned (`failed`), not raised: outputs are written even then, so the
    quarantine can be reviewed. `source_lines` (one per row, from ingest) adds `_source_line`
    to the quarantine so each bad row points at the line of the file it came from.
    """
    schema_ref = schema
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    failed: ValidationFailed | None = None
    try:
        result = validate(data, schema=schema_ref, options=options, source=source)
    except ValidationFailed as exc:
        failed, result = exc, exc.result
    report = result.report
    if options.great_expectations:
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
    if source_lines is not None:
        write_parquet(
            _valid_lines(source_lines, result).to_frame("_source_line"),
            out_dir / VALIDATE.valid_lines,
        )
    return ValidateOutputs(valid=result.valid, report=report, out_dir=out_dir, failed=failed)
