"""`ConformPlan`: `InputSchema.conform`'s expressions, built once per incoming column layout.

A plan holds, for one set of incoming names and dtypes, every expression `conform` runs: the
text cleaning, the fast coercion of each column, the "present but did not fit" flags, and the
aggregations behind the unseen-category and unexpected-null warnings. `InputSchema` keeps the
plans of the layouts it has seen (a server sees one or two), so a call costs one polars query
for the rows and one for the warnings; the thorough retry and the quarantine reasons run only
when a value did not fit, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import polars as pl

from pipelines.predict.coerce import (
    clean_text_expr,
    coerce_expr,
    expected_phrase,
    is_text,
    missing_expr,
)

if TYPE_CHECKING:
    from pipelines.predict.schema import SchemaColumn

__all__ = ["ROW_KEY", "ConformPlan", "build_plan"]

ROW_KEY = "_row"
"""Row position in the frame given to `conform`; kept in `data` and `quarantine`."""


def _internal(position: int) -> str:
    """The cleaned copy of incoming column `position` (never collides with a real name)."""
    return f"__source_{position}"


@dataclass(frozen=True)
class ConformPlan:
    """The expressions `conform` runs for one incoming layout (see `build_plan`)."""

    columns: Sequence[SchemaColumn]
    sources: dict[str, str]
    incoming: dict[str, pl.DataType]
    keep: list[str]
    warnings: list[str]
    cleaned: list[pl.Expr]
    checked: list[pl.Expr]
    internal: dict[str, str]
    stats: list[tuple[str, SchemaColumn, pl.Expr]]

    def coerced(self, col: SchemaColumn, *, thorough: bool) -> pl.Expr:
        """`col` from its cleaned incoming column, in the training type (null if it won't fit)."""
        src = self.sources[col.name]
        return coerce_expr(
            self.internal[src], self.incoming[src], col.dtype, col.polars_dtype, thorough=thorough
        ).alias(col.name)

    def present(self, col: SchemaColumn) -> pl.Expr:
        """Whether the cleaned incoming value of `col` is there (not null, not NaN)."""
        src = self.sources[col.name]
        return ~missing_expr(self.internal[src], self.incoming[src])

    def run(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
        """`data`, `quarantine` and warnings for `frame` (laid out as this plan expects).

        One query gives the row key, kept columns, coerced values and the cleaned inputs. A
        value that did not fit is null where its cleaned input is not, so a column whose null
        count did not grow has no failure (`null_count` is free); only the others are checked.
        """
        checked = frame.lazy().select(self.cleaned).select(self.checked).collect()
        width = 1 + len(self.keep) + len(self.columns)
        warnings = list(self.warnings)
        bad = {
            col.name: flags
            for col in self.columns
            if (flags := self._failures(checked, col)) is not None
        }
        data = pl.DataFrame(checked.get_columns()[:width])
        if not bad:
            quarantine = self.empty_quarantine
        else:
            data, quarantine = self._with_failures(frame, data, bad)
        if quarantine.height:
            warnings.append(
                f"quarantined {quarantine.height:,} of {frame.height:,} row(s) whose values do "
                "not fit the training types (see their `_reason`)."
            )
        return data, quarantine, warnings + self._unseen_and_null_warnings(data)

    def _failures(self, checked: pl.DataFrame, col: SchemaColumn) -> pl.Series | None:
        """Rows where `col`'s input is present but its value is null; None when there is none."""
        value = checked.get_column(col.name)
        source = checked.get_column(self.internal[self.sources[col.name]])
        if value.null_count() == source.null_count():
            return None
        missing = (
            source.is_null() | source.is_nan() if source.dtype.is_float() else source.is_null()
        )
        flags = ~missing & value.is_null()
        return flags if flags.any() else None

    @cached_property
    def empty_quarantine(self) -> pl.DataFrame:
        """No rows; the quarantine's columns: row key, kept columns, `_reason`, values as text.

        Built once per plan (an empty frame of 50 columns costs ~1 ms to make); frames are
        immutable, so every caller may share it.
        """
        schema: dict[str, pl.DataType] = {ROW_KEY: pl.Int64()}
        schema.update({k: self.incoming[k] for k in self.keep})
        schema["_reason"] = pl.String()
        schema.update({c.name: pl.String() for c in self.columns})
        return pl.DataFrame(schema=schema)

    def _with_failures(
        self, frame: pl.DataFrame, data: pl.DataFrame, bad: dict[str, pl.Series]
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Retry failing columns with every format ingest knows; quarantine what still fails."""
        cleaned = frame.select(self.cleaned)
        failures: list[pl.Series] = []
        for col in self.columns:
            flags = bad.get(col.name)
            if flags is None:
                flags = pl.Series(col.name, [False] * frame.height, dtype=pl.Boolean)
            else:
                retry = cleaned.select(self.coerced(col, thorough=True)).to_series()
                data = data.with_columns(retry)
                present = cleaned.select(self.present(col)).to_series()
                flags = present & retry.is_null()
            failures.append(flags.alias(col.name))
        names = [c.name for c in self.columns]
        table = pl.DataFrame(failures, schema=dict.fromkeys(names, pl.Boolean))
        failed = table.select(pl.any_horizontal(pl.all())).to_series()
        return data.filter(~failed), self._quarantine(frame, table, failed)

    def _quarantine(
        self, frame: pl.DataFrame, failures: pl.DataFrame, failed: pl.Series
    ) -> pl.DataFrame:
        """The rows that do not fit: row key, reason and every value as it arrived (text).

        The reason names each bad column and its value, joined by `; `.
        """
        names = [c.name for c in self.columns]
        rows = pl.int_range(0, frame.height, dtype=pl.Int64, eager=True).filter(failed)
        bad = frame.filter(failed)
        raw = bad.select(pl.col(self.sources[n]).cast(pl.String).alias(n) for n in names)
        flags = failures.filter(failed)
        pieces = []
        for col in self.columns:
            text = pl.col(col.name)
            shown = pl.when(text.str.len_chars() > 40).then(text.str.slice(0, 37) + "...")
            pieces.append(
                pl.when(pl.lit(flags[col.name])).then(
                    pl.format(
                        "`{}` = '{}' is not {}",
                        pl.lit(col.name),
                        shown.otherwise(text),
                        pl.lit(expected_phrase(col.dtype)),
                    )
                )
            )
        reasons = raw.select(
            pl.concat_str(pieces, separator="; ", ignore_nulls=True).alias("_reason")
        )
        return pl.concat(
            [pl.DataFrame([rows.alias(ROW_KEY)]), bad.select(self.keep), reasons, raw],
            how="horizontal",
        ).select(ROW_KEY, *self.keep, "_reason", *names)

    def _unseen_and_null_warnings(self, data: pl.DataFrame) -> list[str]:
        """One aggregation query; the examples are looked up only for columns that have some."""
        if not self.stats or data.height == 0:
            return []
        counts = data.select(expr.alias(str(i)) for i, (_, _, expr) in enumerate(self.stats)).row(0)
        notes: list[str] = []
        for (kind, col, _), count in zip(self.stats, counts, strict=True):
            if not count:
                continue
            if kind == "unseen":
                present = data.get_column(col.name).drop_nulls().cast(pl.String)
                unseen = present.filter(
                    ~present.is_in(pl.Series(col.categories or [], dtype=pl.String).implode())
                )
                examples = ", ".join(f"`{v}`" for v in sorted(unseen.unique().to_list())[:3])
                notes.append(
                    f"`{col.name}`: {unseen.len():,} row(s) hold {unseen.n_unique():,} "
                    f"value(s) unseen in training (e.g. {examples}); the feature pipeline "
                    "maps them to its rare/unknown code."
                )
            else:
                notes.append(
                    f"`{col.name}`: {count:,} row(s) are missing a value that "
                    "training never lacked; the feature pipeline imputes or keeps it as missing."
                )
        return notes


def build_plan(
    columns: Sequence[SchemaColumn],
    incoming: pl.Schema,
    sources: dict[str, str],
    passed_through: Sequence[str],
) -> ConformPlan:
    """The plan for frames laid out as `incoming`, whose schema columns come from `sources`."""
    used = list(dict.fromkeys(sources.values()))
    used_set = set(used)
    extra = [c for c in incoming if c not in used_set and c not in passed_through]
    warnings = []
    if extra:
        shown = ", ".join(f"`{c}`" for c in extra[:10])
        more = f" and {len(extra) - 10} more" if len(extra) > 10 else ""
        warnings.append(f"dropped {len(extra)} column(s) the model does not know: {shown}{more}.")
    keep = [c for c in passed_through if c in incoming]
    internal = {src: _internal(i) for i, src in enumerate(used)}
    dtypes = dict(incoming)
    cleaned: list[pl.Expr] = [pl.int_range(0, pl.len(), dtype=pl.Int64).alias(ROW_KEY)]
    cleaned += [pl.col(k) for k in keep]
    for src in used:
        expr = clean_text_expr(src) if is_text(dtypes[src]) else pl.col(src)
        cleaned.append(expr.alias(internal[src]))
    plan = ConformPlan(
        columns=columns,
        sources=sources,
        incoming=dtypes,
        keep=keep,
        warnings=warnings,
        cleaned=cleaned,
        checked=[],
        internal=internal,
        stats=_stats(columns),
    )
    plan.checked.extend(
        [
            pl.col(ROW_KEY),
            *(pl.col(k) for k in keep),
            *(plan.coerced(col, thorough=False) for col in columns),
            *(pl.col(name) for name in internal.values()),
        ]
    )
    return plan


def _stats(columns: Sequence[SchemaColumn]) -> list[tuple[str, SchemaColumn, pl.Expr]]:
    """Per column: rows holding an unseen category; rows null where training had no nulls."""
    stats: list[tuple[str, SchemaColumn, pl.Expr]] = []
    for col in columns:
        values = pl.col(col.name)
        if col.categories is not None:
            known = pl.Series(col.categories, dtype=pl.String).implode()
            unseen = values.is_not_null() & ~values.cast(pl.String).is_in(known)
            stats.append(("unseen", col, unseen.sum()))
        if not col.nullable:
            stats.append(("null", col, values.null_count()))
    return stats
