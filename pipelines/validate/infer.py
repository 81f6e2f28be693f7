"""Write a readable pandera model module from data: dtypes, nulls, ranges, sets, keys, patterns.

``infer_model_source`` looks at a frame once (one ``select`` of column statistics plus a few
per-column queries) and returns Python source text; writing it to a file is the CLI's job. The
module it writes imports only pandera and polars, and validates the data it came from.
"""

from __future__ import annotations

import datetime as dt
import keyword
import math
import re
from dataclasses import dataclass

import polars as pl

from pipelines.validate.errors import ValidateError

__all__ = ["InferOptions", "infer_model_source"]

_KEY_NAME = re.compile(
    r"(?i:(?:^|[_\s])(?:id|key|code|number|no|nr)$)|[a-z0-9](?:Id|ID|Key|Nr|No)$"
)  # `customer_id`, `Sample Number`, `orderId`: integer columns named like keys
_SIMPLE_DTYPES = {
    pl.Int8: "pl.Int8", pl.Int16: "pl.Int16", pl.Int32: "pl.Int32", pl.Int64: "pl.Int64",
    pl.UInt8: "pl.UInt8", pl.UInt16: "pl.UInt16", pl.UInt32: "pl.UInt32",
    pl.UInt64: "pl.UInt64", pl.Float32: "pl.Float32", pl.Float64: "pl.Float64",
    pl.Boolean: "pl.Boolean", pl.String: "pl.String", pl.Date: "pl.Date",
    pl.Datetime: "pl.Datetime", pl.Null: "pl.Null", pl.Time: "pl.Time",
    pl.Duration: "pl.Duration", pl.Categorical: "pl.Categorical",
}  # fmt: skip


@dataclass(frozen=True)
class InferOptions:
    """How generous the inferred model is."""

    margin: float = 0.1
    """Ranges widen by this share of the seen span on each side (numbers), or a year (dates)."""
    max_categories: int = 20
    """Text columns with at most this many distinct values get an allowed-values check."""
    max_patterns: int = 3
    """ID-like text columns get a regex if their values have at most this many shapes."""


def _identifier(name: str, taken: set[str]) -> str:
    candidate = re.sub(r"\W+", "_", name).strip("_").lower() or "column"
    if candidate[0].isdigit() or keyword.iskeyword(candidate):
        candidate = f"c_{candidate}"
    base, number = candidate, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    taken.add(candidate)
    return candidate


def _round_sig(value: float) -> float:
    """Round to 4 significant digits, for readable bounds."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, 3 - math.floor(math.log10(abs(value))))


def _numeric_range(series: pl.Series, margin: float) -> tuple[str, str, str] | None:
    values = series.drop_nulls()
    if values.is_empty():
        return None
    if values.dtype.is_float() and not values.is_finite().all():
        return None
    low, high = values.min(), values.max()
    if not (isinstance(low, int | float) and isinstance(high, int | float)):
        return None
    pad = (high - low) * margin or abs(high) * margin or 1
    lower, upper = low - pad, high + pad
    if low >= 0:
        lower = max(lower, 0)
    if values.dtype.is_integer():
        return str(math.floor(lower)), str(math.ceil(upper)), f"range {low}..{high}"
    lower_bound = min(_round_sig(float(lower)), float(low))  # never inside the data
    upper_bound = max(_round_sig(float(upper)), float(high))
    return repr(lower_bound), repr(upper_bound), f"range {low:g}..{high:g}"


def _temporal_range(series: pl.Series) -> tuple[str, str, str] | None:
    values = series.drop_nulls()
    if values.is_empty() or getattr(series.dtype, "time_zone", None):
        return None
    low, high = values.min(), values.max()
    if not (isinstance(low, dt.date) and isinstance(high, dt.date)):
        return None
    year = dt.timedelta(days=366)
    if isinstance(low, dt.datetime) and isinstance(high, dt.datetime):
        start, end = (low - year).date(), (high + year).date()
        last = f"dt.datetime({end.year}, 12, 31, 23, 59, 59)"
        bounds = (f"dt.datetime({start.year}, 1, 1)", last)
    else:
        start, end = low - year, high + year
        bounds = (f"dt.date({start.year}, 1, 1)", f"dt.date({end.year}, 12, 31)")
    return bounds[0], bounds[1], f"range {low}..{high}"


def _shape_expr(column: pl.Expr) -> pl.Expr:
    """Replace letter and digit runs by classes and escape the rest (`N1A1` -> 4 runs)."""
    tokens = (
        column.str.replace_all(r"[A-Z]+", "\x01")
        .str.replace_all(r"[a-z]+", "\x02")
        .str.replace_all(r"[0-9]+", "\x03")
        .str.replace_all(r"([.^$*+?()\[\]{}|\\/-])", r"\$1")
    )
    return (
        tokens.str.replace_all("\x01", "[A-Z]+", literal=True)
        .str.replace_all("\x02", "[a-z]+", literal=True)
        .str.replace_all("\x03", r"\d+", literal=True)
    )


def _id_pattern(series: pl.Series, options: InferOptions) -> str | None:
    values = series.drop_nulls()
    if values.is_empty() or values.str.contains(r"\s").any():
        return None
    if values.str.len_chars().max() > 40:  # type: ignore[operator]
        return None
    shapes = values.to_frame("v").select(_shape_expr(pl.col("v")).unique()).to_series()
    if shapes.len() > options.max_patterns:
        return None
    return "^(?:" + "|".join(sorted(shapes.to_list())) + ")$"


def _column_source(name: str, attribute: str, series: pl.Series, options: InferOptions) -> str:
    dtype = series.dtype
    annotation = _SIMPLE_DTYPES.get(dtype.base_type(), "pl.String")
    nulls = series.null_count()
    distinct = series.drop_nulls().n_unique()
    present = series.len() - nulls
    seen = [f"{dtype}", f"{present} non-null", f"{nulls} null", f"{distinct} distinct"]
    args: list[str] = []
    if attribute != name:
        args.append(f"alias={name!r}")
    if nulls:
        args.append("nullable=True")
    if dtype.is_numeric():
        bounds = _numeric_range(series, options.margin)
        if bounds:
            args += [f"ge={bounds[0]}", f"le={bounds[1]}"]
            seen.append(bounds[2])
        elif present:
            seen.append("NaN or inf seen: no range")
    elif dtype in (pl.Date,) or isinstance(dtype, pl.Datetime):
        bounds = _temporal_range(series)
        if bounds:
            args += [f"ge={bounds[0]}", f"le={bounds[1]}"]
            seen.append(bounds[2])
    is_key = present > 1 and nulls == 0 and distinct == present
    if dtype == pl.String and present:
        if distinct <= options.max_categories and distinct <= present / 2:
            allowed = sorted(series.drop_nulls().unique().to_list())
            args.append(f"isin={allowed!r}")
            seen.append(f"{distinct} values")
        else:
            pattern = _id_pattern(series, options)
            if pattern:
                args.append(f"str_matches={pattern!r}")
                seen.append("ID-like")
            else:
                is_key = False  # unique free text is not a key
    if is_key and (dtype == pl.String or (dtype.is_integer() and _KEY_NAME.search(name))):
        args.append("unique=True")
        seen.append("unique key")
    comment = f"    # {name!r}: " + ", ".join(seen)
    return f"{comment}\n    {attribute}: {annotation} = pa.Field({', '.join(args)})"


def infer_model_source(
    frame: pl.DataFrame, name: str, *, source: str = "data", options: InferOptions | None = None
) -> str:
    """Return the text of a Python module defining pandera model `name` that fits `frame`.

    Parameters
    ----------
    frame
        The data to describe (collected).
    name
        Class name of the model, a Python identifier such as ``PenguinsRaw``.
    source
        Where the data came from, for the module docstring.
    options
        Margins and limits; the defaults suit most tables.
    """
    options = options or InferOptions()
    if not name.isidentifier() or keyword.iskeyword(name):
        msg = f"model name `{name}` is not a Python class name: use e.g. --name PenguinsRaw"
        raise ValidateError(msg)
    if not frame.columns:
        msg = f"{source} has no columns: nothing to infer a schema from"
        raise ValidateError(msg)
    taken: set[str] = set()
    fields = [
        _column_source(column, _identifier(column, taken), frame.get_column(column), options)
        for column in frame.columns
    ]
    header = (
        f'"""pandera model `{name}` inferred by `thresher infer-schema` from {source}.\n\n'
        f"Seen: {frame.height} rows, {frame.width} columns. Ranges are widened by "
        f"{options.margin:.0%} of the seen span; edit them to what the data may hold.\n"
        '"""\n\n'
        "# ruff: noqa: E501 - generated; long allowed-value lists stay on one line\n"
        "import datetime as dt  # noqa: F401 - used by date ranges when present\n\n"
        "import pandera.polars as pa\n"
        "import polars as pl\n\n"
        f'__all__ = ["{name}"]\n\n\n'
        f"class {name}(pa.DataFrameModel):\n"
        f'    """{frame.width} columns inferred from {source}."""\n\n'
    )
    config = (
        "\n\n    class Config:\n"
        '        """Coerce dtypes (Int64 where Float64 is declared is fine); allow extras."""\n\n'
        "        coerce = True\n"
        "        strict = False\n"
    )
    return header + "\n".join(fields) + config
