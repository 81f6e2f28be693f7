"""Schema-level checks before row checks: missing columns, dtypes, and coercion with a record.

pandera reports a value that cannot be coerced without telling which row kept which value, and
turns one bad cell into a whole-column failure. Here each column is cast on its own with
``strict=False``; cells that turn null are row failures (`coerce_dtype`), and a column where no
value converts is a schema problem. Every schema problem is collected into one error.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.validate.errors import SchemaMismatchError
from pipelines.validate.models import FAILURES_SCHEMA

__all__ = ["coerce_and_check_structure", "target_dtype"]


def target_dtype(column: pa.Column) -> pl.DataType | None:
    """Return the polars dtype a schema column wants, or None when it accepts any dtype."""
    if column.dtype is None:
        return None
    dtype = column.dtype.type
    return dtype() if isinstance(dtype, type) else dtype


def _same_dtype(actual: pl.DataType, wanted: pl.DataType) -> bool:
    """Equal dtypes, or the same nested/temporal kind whose parameters pandera checks itself."""
    if actual == wanted:
        return True
    loose = (pl.Datetime, pl.Duration, pl.List, pl.Array, pl.Struct, pl.Categorical, pl.Enum)
    return actual.base_type() == wanted.base_type() and actual.base_type() in loose


def _coerce_column(
    frame: pl.DataFrame, name: str, dtype: pl.DataType
) -> tuple[pl.Series, pl.DataFrame, bool]:
    """Cast one column; return it, the failures it produced, and whether anything converted."""
    source = frame.get_column(name)
    cast = source.cast(dtype, strict=False)
    lost = source.is_not_null() & cast.is_null()
    lost_count = int(lost.sum())
    failures = pl.DataFrame(schema=FAILURES_SCHEMA)
    if lost_count:
        positions = pl.Series("row", range(frame.height), dtype=pl.Int64).filter(lost)
        failures = pl.DataFrame(
            {
                "row": positions,
                "column": [name] * lost_count,
                "check": [f"coerce_dtype('{dtype}')"] * lost_count,
                "value": source.filter(lost).cast(pl.String, strict=False),
                "severity": [""] * lost_count,
            },
            schema=FAILURES_SCHEMA,
        )
    present = frame.height - source.null_count()
    converted = present == 0 or lost_count < present
    return cast, failures, converted


def coerce_and_check_structure(
    frame: pl.DataFrame, schema: pa.DataFrameSchema, source: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Check columns and dtypes against `schema`, coercing where it asks; collects nothing lazy.

    Returns
    -------
    tuple[pl.DataFrame, pl.DataFrame]
        The frame with coerced columns, and row failures from coercion (``FAILURES_SCHEMA``).

    Raises
    ------
    SchemaMismatchError
        Listing every missing column, unexpected column (strict schemas) and dtype that is wrong
        and cannot be coerced.
    """
    problems: list[str] = []
    missing: list[str] = []
    failures: list[pl.DataFrame] = []
    replaced: list[pl.Series] = []
    for name, column in schema.columns.items():
        if column.regex:
            continue
        if name not in frame.columns:
            if column.required:
                missing.append(f"`{name}`")
            continue
        wanted = target_dtype(column)
        actual = frame.schema[name]
        if wanted is None or _same_dtype(actual, wanted):
            continue
        if not (schema.coerce or column.coerce):
            problems.append(f"column `{name}` is {actual}, expected {wanted}")
            continue
        cast, lost, converted = _coerce_column(frame, name, wanted)
        if not converted:
            problems.append(f"column `{name}` is {actual} and no value converts to {wanted}")
            continue
        replaced.append(cast)
        failures.append(lost)
    if schema.strict is True:
        extra = [name for name in frame.columns if name not in schema.columns]
        problems.extend(f"column `{name}` is not in the schema" for name in extra)
    if missing:
        problems.insert(0, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if problems:
        msg = (
            f"{source} does not match schema `{schema.name}`: {'; '.join(problems)} "
            "(fix the data or the schema; rows are only checked once the columns fit)"
        )
        raise SchemaMismatchError(msg)
    coerced = frame.with_columns(replaced) if replaced else frame
    combined = pl.concat(failures) if failures else pl.DataFrame(schema=FAILURES_SCHEMA)
    return coerced, combined
