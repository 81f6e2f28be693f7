"""Deciding what each column becomes, from the profile's semantic types and findings.

One inference, shared: the profile already typed every column (numeric, categorical,
boolean, datetime, text, id, other) and found constant, duplicate, ID-like and leaking
columns. This module turns those into one `(column, action, reason)` per input column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from pipelines.columns import ColumnNames
from pipelines.errors import ColumnNotFoundError
from pipelines.features.errors import FeaturesError
from pipelines.features.options import FeaturesOptions
from pipelines.features.transformers import cross_name
from pipelines.profile.models import Alert, ColumnProfile, Profile
from pipelines.task import ResolvedTask

__all__ = ["Decision", "plan_features"]

Flavour = Literal["lightgbm", "linear"]


@dataclass(frozen=True)
class Decision:
    """One column's fate before fitting."""

    column: str
    action: str
    reason: str
    semantic_type: str | None = None
    kept_by_user: bool = False


@dataclass(frozen=True)
class _Context:
    frame: pl.DataFrame
    task: ResolvedTask
    options: FeaturesOptions
    names: ColumnNames
    flavour: Flavour
    columns: dict[str, ColumnProfile]
    findings: dict[str, tuple[str, str]]  # column -> (dropped_action, reason)


def plan_features(
    frame: pl.DataFrame,
    *,
    task: ResolvedTask,
    options: FeaturesOptions,
    profile: Profile,
    names: ColumnNames,
    flavour: Flavour,
) -> tuple[list[Decision], tuple[tuple[str, str], ...]]:
    """One decision per column of `frame` (then one per cross) and the resolved crosses."""
    keep = set(names.resolve_all(options.keep, role="`features.keep` column"))
    drop = set(names.resolve_all(options.drop, role="`features.drop` column"))
    overrides: dict[str, str] = dict(
        zip(
            names.resolve_all(list(options.encodings), role="`features.encodings` column"),
            options.encodings.values(),
            strict=True,
        )
    )
    crosses = tuple(
        (
            names.resolve(a, role="`features.crosses` column"),
            names.resolve(b, role="`features.crosses` column"),
        )
        for a, b in options.crosses
    )
    context = _Context(
        frame=frame,
        task=task,
        options=options,
        names=names,
        flavour=flavour,
        columns={c.name: c for c in profile.columns},
        findings=_findings(profile, task, options, names),
    )
    decisions = [
        _decide(column, context, keep=keep, drop=drop, overrides=overrides)
        for column in frame.columns
    ]
    for a, b in crosses:
        decisions.append(_decide_cross(a, b, context))
    return decisions, crosses


def _keep_hint(names: ColumnNames, column: str) -> str:
    original = names.original(column)
    try:  # a repeated header (`decile_score` twice) must be named as normalised
        shown = original if names.resolve(original) == column else column
    except ColumnNotFoundError:
        shown = column
    return f"keep it with `features.keep: [{shown}]`"


def _findings(
    profile: Profile, task: ResolvedTask, options: FeaturesOptions, names: ColumnNames
) -> dict[str, tuple[str, str]]:
    """Columns the profile says to leave out, with the sentence that says why."""
    found: dict[str, tuple[str, str]] = {}

    def note(column: str, action: str, reason: str) -> None:
        joiner = ", " if action == "dropped_leakage" else "; "
        found.setdefault(column, (action, f"{reason}{joiner}{_keep_hint(names, column)}."))

    leaks = {leak.column: leak for leak in profile.target.leaks} if profile.target else {}
    for alert in profile.alerts:
        if alert.column is None or alert.column == task.target:
            continue
        if alert.kind == "target_leakage" and options.drop_leakage:
            leak = leaks.get(alert.column)
            reason = (
                f"dropped as likely target leakage: it {leak.reason}; it is probably recorded "
                "with or after the outcome; if it is known at prediction time"
                if leak is not None
                else _leakage_reason(alert, task.target)
            )
            note(alert.column, "dropped_leakage", reason)
        elif alert.kind == "constant" and options.drop_constant:
            note(alert.column, "dropped_constant", "dropped: constant, it carries no information")
        elif alert.kind == "duplicate_columns" and options.drop_duplicates and alert.columns:
            for copy in alert.columns[1:]:
                note(
                    copy,
                    "dropped_duplicate",
                    f"dropped: identical to `{alert.columns[0]}` in every row",
                )
    for col in profile.columns:
        if col.name == task.target:
            continue
        if options.drop_constant and col.distinct <= 1:
            note(col.name, "dropped_constant", "dropped: constant, it carries no information")
        if col.semantic_type == "id" and options.drop_ids:
            note(col.name, "dropped_id", _id_reason(col))
        elif _is_row_number(col) and options.drop_ids:
            note(
                col.name,
                "dropped_id",
                f"dropped: a row number or sequence ID ({col.count:,} distinct integers filling "
                "most of their range); it records where a row sat, not what it describes",
            )
    return found


def _is_row_number(col: ColumnProfile) -> bool:
    """All-distinct integers filling at least half their range: a row index or sequence ID.

    Half, not all: the training rows of a split hold only part of the original row numbers.
    The profile calls such a column `id` only when it is also sorted, and a split shuffles it.
    """
    stats = col.numeric
    if not col.dtype.startswith(("Int", "UInt")) or stats is None or col.count < 20:
        return False
    if col.distinct != col.count or stats.minimum is None or stats.maximum is None:
        return False
    return stats.maximum - stats.minimum + 1 <= 2 * col.count


def _id_reason(col: ColumnProfile) -> str:
    if col.unique_share >= 0.95:
        return (
            f"dropped: ID-like, {col.unique_share:.0%} distinct; it names rows rather than "
            "describing them"
        )
    return (
        f"dropped: ID-like, an entity key that repeats ({col.distinct:,} IDs over "
        f"{col.count:,} rows); split by it (`task.group`) rather than learn from it"
    )


def _leakage_reason(alert: Alert, target: str) -> str:
    strength = f" (association {alert.value:.2f})" if alert.value is not None else ""
    return (
        f"dropped as likely target leakage: it predicts `{target}` almost perfectly{strength}, "
        "so it is probably recorded with or after the outcome; if it is known at prediction time"
    )


def _decide(
    column: str,
    ctx: _Context,
    *,
    keep: set[str],
    drop: set[str],
    overrides: dict[str, str],
) -> Decision:
    col = ctx.columns.get(column)
    semantic = col.semantic_type if col is not None else _semantic_from_dtype(ctx.frame, column)
    if column == ctx.task.target:
        return Decision(
            column, "target", "the target: what the model learns, never a feature.", semantic
        )
    if column in drop or overrides.get(column) == "drop":
        return Decision(
            column,
            "dropped_by_user",
            "dropped: listed in `features.drop` (or `features.encodings` says `drop`).",
            semantic,
        )
    if column in overrides:
        action = overrides[column]
        _check_override(column, action, ctx.frame.schema[column], ctx.names)
        return Decision(
            column,
            action,
            f"{action}: set by `features.encodings`.",
            semantic,
            kept_by_user=column in ctx.findings,
        )
    if column.startswith("_"):
        return Decision(
            column,
            "dropped_metadata",
            "dropped: `_`-prefixed columns are row "
            "bookkeeping (source file, line, row key), not data.",
            semantic,
        )
    finding = ctx.findings.get(column)
    if finding is not None and column not in keep:
        return Decision(column, finding[0], finding[1], semantic)
    kept = finding is not None
    action, reason = _auto(column, semantic, col, ctx, kept=kept)
    if kept and finding is not None:
        why = finding[1].split(";")[0].removeprefix("dropped: ").removeprefix("dropped as ")
        reason = f"kept by `features.keep` although the profile says {why}; {reason}"
    return Decision(column, action, reason, semantic, kept_by_user=kept)


def _is_date(dtype: pl.DataType) -> bool:
    return dtype == pl.Date or isinstance(dtype, pl.Datetime)


def _check_override(column: str, action: str, dtype: pl.DataType, names: ColumnNames) -> None:
    """An encoding set by hand must fit the column's dtype (numbers, dates); say so if not."""
    numeric = dtype.is_numeric() or dtype == pl.Boolean
    if (action in ("numeric", "numeric_power") and not numeric) or (
        action == "date_parts" and not _is_date(dtype)
    ):
        fits = "numbers or booleans" if action != "date_parts" else "Date or Datetime columns"
        msg = (
            f"`features.encodings` sets `{names.original(column)}` to `{action}`, which needs "
            f"{fits}, but the column is {dtype}: use a category encoding (one_hot, "
            "native_categorical, target_encode, frequency) or fix its type at ingest"
        )
        raise FeaturesError(msg)


def _semantic_from_dtype(frame: pl.DataFrame, column: str) -> str:
    dtype = frame.schema[column]
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_numeric():
        return "numeric"
    if dtype.is_temporal() and dtype != pl.Duration:
        return "datetime"
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return "categorical"
    return "other"


def _auto(
    column: str, semantic: str, col: ColumnProfile | None, ctx: _Context, *, kept: bool
) -> tuple[str, str]:
    dtype = ctx.frame.schema[column]
    opts = ctx.options
    if dtype.is_numeric() or dtype == pl.Boolean:
        if semantic == "boolean" or dtype == pl.Boolean:
            return "numeric", "boolean: used as 0/1" + _numeric_tail(ctx.flavour)
        skew = col.numeric.skew if col is not None and col.numeric is not None else None
        if ctx.flavour == "linear" and skew is not None and abs(skew) > opts.skew_threshold:
            return "numeric_power", (
                f"numeric, skewed (skew {skew:.1f}, above {opts.skew_threshold:g}): median-"
                "imputed (with a missing indicator when it has gaps), then Yeo-Johnson "
                "transformed and standardised."
            )
        return "numeric", "numeric" + _numeric_tail(ctx.flavour)
    if _is_date(dtype):
        return "date_parts", (
            "date: year, seconds since 1970, and month, day and weekday as cyclical sin/cos "
            "pairs"
            + (
                "; missing dates imputed and standardised."
                if ctx.flavour == "linear"
                else "; missing dates stay NaN for LightGBM."
            )
        )
    if dtype not in (pl.String, pl.Categorical) and not isinstance(dtype, pl.Enum):
        return "dropped_unsupported", (
            f"dropped: dtype {dtype} is not a number, category, boolean or date."
        )
    distinct = col.distinct if col is not None else ctx.frame.get_column(column).n_unique()
    if semantic == "text" and not kept:
        share = col.unique_share if col is not None else 1.0
        length = col.text.mean_length if col is not None and col.text is not None else None
        if share > opts.text_max_unique_share or (length or 0.0) > opts.text_max_mean_length:
            return "dropped_text", (
                f"dropped: free text ({distinct:,} distinct values, {share:.0%} of rows"
                + (f", {length:.0f} characters on average" if length is not None else "")
                + "); this stage has no text encoder; use it as a category with "
                f"`features.encodings: {{{ctx.names.original(column)}: target_encode}}`."
            )
    return _categorical(distinct, ctx, what="categorical")


def _numeric_tail(flavour: Flavour) -> str:
    if flavour == "lightgbm":
        return "; missing values stay NaN for LightGBM."
    return "; median-imputed (with a missing indicator when it has gaps) and standardised."


def _categorical(distinct: int, ctx: _Context, *, what: str) -> tuple[str, str]:
    opts = ctx.options
    rare = (
        f"categories seen in fewer than {opts.rare_min_count} training rows share one rare "
        "{what}; "
        if opts.rare_min_count > 1
        else ""
    )
    limit = opts.max_native_categories if ctx.flavour == "lightgbm" else opts.max_one_hot
    if distinct > limit:
        high = opts.high_cardinality_encoding
        how = (
            f"out-of-fold target encoding ({opts.target_encoding_folds} folds on training rows; "
            "unseen categories get the training prior)"
            if high == "target_encode"
            else "frequency encoding (share of training rows; unseen categories get 0)"
        )
        return high, f"{what} with {distinct:,} values (more than {limit}): {how}."
    if ctx.flavour == "lightgbm":
        return "native_categorical", (
            f"{what} with {distinct:,} values: a LightGBM native categorical (Int32 codes); "
            f"{rare.format(what='code')}unseen categories get -1, which LightGBM reads as "
            "missing."
        )
    return "one_hot", (
        f"{what} with {distinct:,} values: one-hot encoded; "
        f"{rare.format(what='column')}unseen categories get all zeros"
        + (" (or the rare column when there is one)." if opts.rare_min_count > 1 else ".")
    )


def _decide_cross(a: str, b: str, ctx: _Context) -> Decision:
    name = cross_name(a, b)
    schema = ctx.frame.schema
    source = f"cross of `{a}` and `{b}` from `features.crosses`"
    if schema[a].is_numeric() and schema[b].is_numeric():
        return Decision(
            name, "numeric", f"{source}: their product" + _numeric_tail(ctx.flavour), "numeric"
        )
    distinct = ctx.frame.select(pl.struct(a, b).n_unique()).item()
    action, reason = _categorical(int(distinct), ctx, what=f"{source}: the pair of values")
    return Decision(name, action, reason, "categorical")
