"""The validation stage: every failure of every row, a quarantine with reasons, and a policy.

pandera runs in lazy mode, so one pass collects all failures; its ``failure_cases`` carry the
row position, which splits valid rows from quarantined ones. Nothing is dropped without a
record: ``rows_in == rows_valid + rows_quarantined`` holds for every input.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

from pipelines.validate.errors import SchemaMismatchError, ValidationFailed
from pipelines.validate.loading import SchemaLike, resolve_schema, schema_name
from pipelines.validate.models import (
    FAILURES_SCHEMA,
    CheckSummary,
    SampleRow,
    ValidateOptions,
    ValidationPolicy,
    ValidationReport,
    ValidationResult,
)
from pipelines.validate.structure import coerce_and_check_structure

__all__ = ["severity_of", "validate"]

_STRUCTURAL_CHECKS = ("column_in_dataframe", "column_in_schema", "dtype(", "coerce_dtype(")
_REASON_STRUCT = pl.Struct(
    {"column": pl.String, "check": pl.String, "value": pl.String, "severity": pl.String}
)


def severity_of(column: str, check: str, policy: ValidationPolicy) -> str:
    """Return the policy's severity for `check` on `column`, most specific key first."""
    kind = check.split("(", 1)[0]
    for key in (f"{column}:{check}", f"{column}:{kind}", column, check, kind):
        if key in policy.severities:
            return policy.severities[key]
    return policy.default_severity


def _pandera_failures(frame: pl.DataFrame, schema: pa.DataFrameSchema) -> pl.DataFrame:
    """Run every check lazily; return pandera's failure cases (empty when all pass)."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        return exc.failure_cases
    except SchemaError as exc:  # raised eagerly by a few checks even in lazy mode
        return pl.DataFrame(
            {
                "failure_case": [str(exc)],
                "schema_context": ["DataFrameSchema"],
                "column": [None],
                "check": [str(exc.check) if exc.check is not None else "schema"],
                "check_number": [None],
                "index": [None],
            },
            schema_overrides={"column": pl.String, "check_number": pl.Int32, "index": pl.Int32},
        )
    return pl.DataFrame()


def _split_failures(
    cases: pl.DataFrame, schema: pa.DataFrameSchema, source: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Row failures (``FAILURES_SCHEMA``) and frame-level failures; structural ones raise."""
    if cases.is_empty():
        empty = pl.DataFrame(schema=FAILURES_SCHEMA)
        return empty, empty
    named = cases.with_columns(
        pl.when(pl.col("schema_context") == "DataFrameSchema")
        .then(pl.lit("<frame>"))
        .otherwise(pl.col("column"))
        .fill_null("<frame>")
        .alias("column")
    )
    frame_level = named.filter(pl.col("index").is_null())
    structural = frame_level.filter(
        pl.any_horizontal([pl.col("check").str.starts_with(p) for p in _STRUCTURAL_CHECKS])
        | pl.col("failure_case").str.contains(r"^\w+Error\(")
    )
    if not structural.is_empty():
        listed = "; ".join(
            f"`{row['column']}` {row['check']}: {row['failure_case']}"
            for row in structural.unique(["column", "check"], maintain_order=True).iter_rows(
                named=True
            )
        )
        msg = f"{source} does not match schema `{schema.name}`: {listed} (fix the data or schema)"
        raise SchemaMismatchError(msg)

    def shaped(part: pl.DataFrame) -> pl.DataFrame:
        return part.select(
            pl.col("index").cast(pl.Int64).alias("row"),
            pl.col("column").cast(pl.String),
            pl.col("check").cast(pl.String),
            pl.col("failure_case").cast(pl.String).alias("value"),
            pl.lit("").alias("severity"),
        )

    rows = shaped(named.filter(pl.col("index").is_not_null()))
    return rows, shaped(frame_level)


def _name_key_failures(
    failures: pl.DataFrame, frame: pl.DataFrame, schema: pa.DataFrameSchema
) -> pl.DataFrame:
    """Give `unique = [...]` failures the key columns as column and their values as value."""
    keys = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique or [])
    is_key = pl.col("check") == "multiple_fields_uniqueness"
    if not keys or failures.filter(is_key).is_empty():
        return failures
    key_text = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
        pl.concat_str(
            [pl.col(k).cast(pl.String).fill_null("null") for k in keys], separator=", "
        ).alias("_key"),
    )
    return (
        failures.join(key_text, on="row", how="left")
        .with_columns(
            pl.when(is_key).then(pl.lit(",".join(keys))).otherwise(pl.col("column")).alias("column"),
            pl.when(is_key).then(pl.col("_key")).otherwise(pl.col("value")).alias("value"),
        )
        .drop("_key")
    )


def _with_severity(failures: pl.DataFrame, policy: ValidationPolicy) -> pl.DataFrame:
    pairs = failures.select("column", "check").unique()
    levels = pairs.with_columns(
        pl.Series(
            "severity",
            [severity_of(c, k, policy) for c, k in pairs.iter_rows()],
            dtype=pl.String,
        )
    )
    return failures.drop("severity").join(levels, on=["column", "check"], how="left")


def _check_summaries(failures: pl.DataFrame, frame_level: pl.DataFrame) -> list[CheckSummary]:
    summaries: list[CheckSummary] = []
    for part, is_frame in ((failures, False), (frame_level, True)):
        if part.is_empty():
            continue
        grouped = (
            part.group_by("column", "check", "severity")
            .agg(
                pl.col("row").n_unique().alias("rows_failed"),
                pl.col("value").unique(maintain_order=True).head(5).alias("sample_values"),
            )
            .sort("rows_failed", "column", "check", descending=[True, False, False])
        )
        for row in grouped.iter_rows(named=True):
            summaries.append(
                CheckSummary(
                    column=row["column"],
                    check=row["check"],
                    severity=row["severity"],
                    rows_failed=0 if is_frame else row["rows_failed"],
                    frame_level=is_frame,
                    sample_values=row["sample_values"],
                )
            )
    return summaries


def _quarantine(frame: pl.DataFrame, errors: pl.DataFrame) -> pl.DataFrame:
    """Rows with at least one `error` failure, each with every reason (`warn` ones too)."""
    reasons = (
        errors.sort("row", "column", "check")
        .group_by("row", maintain_order=True)
        .agg(
            pl.struct("column", "check", "value", "severity").alias("_reasons"),
            pl.format("{}: {} (value {})", "column", "check", pl.col("value").fill_null("null"))
            .str.join("; ")
            .alias("_reason"),
        )
    )
    rows = frame.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    return rows.join(reasons, left_on="_row", right_on="row", how="inner").sort("_row")


def _sample_rows(quarantine: pl.DataFrame, columns: list[str], limit: int) -> list[SampleRow]:
    head = quarantine.head(limit)
    texts = head.select(pl.col(columns).cast(pl.String, strict=False)) if columns else head
    samples: list[SampleRow] = []
    for index, values in enumerate(texts.iter_rows(named=True)):
        reasons = [
            f"{r['column']}: {r['check']} (value {r['value']}, {r['severity']})"
            for r in head["_reasons"][index]
        ]
        samples.append(SampleRow(row=int(head["_row"][index]), values=values, reasons=reasons))
    return samples


def _outcome(
    rows_in: int, rows_quarantined: int, frame_errors: int, policy: ValidationPolicy
) -> tuple[str, str, float]:
    fraction = rows_quarantined / rows_in if rows_in else 0.0
    reasons: list[str] = []
    if fraction > policy.max_invalid_fraction:
        reasons.append(
            f"{rows_quarantined} of {rows_in} rows invalid ({fraction:.1%}), "
            f"above the policy's max_invalid_fraction {policy.max_invalid_fraction:.1%}"
        )
    if frame_errors:
        reasons.append(f"{frame_errors} frame-level check(s) failed")
    if not reasons:
        return "passed", "", fraction
    return ("failed" if policy.on_exceed == "fail" else "warned"), "; ".join(reasons), fraction


_DEFAULT_OPTIONS = ValidateOptions()


def validate(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    schema: SchemaLike,
    options: ValidateOptions = _DEFAULT_OPTIONS,
    source: str = "data",
) -> ValidationResult:
    """Validate every row of `frame` against `schema` and split it by `policy`.

    A LazyFrame is collected first, so values are checked, not only names and dtypes.

    Parameters
    ----------
    frame
        The data; never modified.
    schema
        A pandera polars ``DataFrameModel`` class, a ``DataFrameSchema``, or ``module:Model``.
    options
        ``options.policy``: severities and the invalid-row limit; the default quarantines and
        fails above 10 %. (``options.great_expectations`` is read by the outputs module.)
    source
        Name of the data for messages (a file name).

    Returns
    -------
    ValidationResult
        ``valid`` (input columns, coerced to the schema's dtypes), ``quarantine`` (plus
        ``_row``, ``_reasons``, ``_reason``), ``report`` and ``failures``.

    Raises
    ------
    SchemaMismatchError
        When columns are missing or dtypes are wrong beyond coercion, listing all of them.
    ValidationFailed
        When the policy fails; the result is attached as ``.result``.
    """
    policy = options.policy
    resolved = resolve_schema(schema)
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    coerced, coerce_failures = coerce_and_check_structure(data, resolved, source)
    row_failures, frame_level = _split_failures(
        _pandera_failures(coerced, resolved), resolved, source
    )
    row_failures = _name_key_failures(row_failures, coerced, resolved)
    failures = _with_severity(pl.concat([coerce_failures, row_failures]), policy)
    frame_level = _with_severity(frame_level, policy)
    error_rows = failures.filter(pl.col("severity") == "error").get_column("row").unique()
    is_error_row = pl.int_range(pl.len(), dtype=pl.Int64).is_in(error_rows.implode())
    valid = coerced.filter(~is_error_row)
    errors_of_quarantined = failures.filter(pl.col("row").is_in(error_rows.implode()))
    quarantine = _quarantine(coerced, errors_of_quarantined)
    warned = failures.filter(~pl.col("row").is_in(error_rows.implode()))["row"].n_unique()
    outcome, reason, fraction = _outcome(
        data.height,
        quarantine.height,
        frame_level.filter(pl.col("severity") == "error").height,
        policy,
    )
    report = ValidationReport(
        schema_name=schema_name(schema),
        rows_in=data.height,
        rows_valid=valid.height,
        rows_quarantined=quarantine.height,
        rows_warned=warned,
        invalid_fraction=fraction,
        outcome=outcome,  # type: ignore[arg-type]
        outcome_reason=reason,
        checks=_check_summaries(failures, frame_level),
        columns=list(data.columns),
        sample_rows=_sample_rows(quarantine, list(coerced.columns), policy.sample_rows),
        policy=policy,
    )
    result = ValidationResult(valid=valid, quarantine=quarantine, report=report, failures=failures)
    if outcome == "failed":
        msg = f"{source} failed validation against `{resolved.name}`: {reason}"
        raise ValidationFailed(msg, result)
    return result
