"""`InputSchema`: the training input's columns, and `conform` to check new rows against it.

`InputSchema.from_frame(train)` records each column's name (and its name in the source file),
dtype, whether it had nulls, its categories and its numeric range. `conform(frame)` turns new
rows into exactly that shape: every missing column is named in one error, extra columns are
dropped with a warning, wrong types are coerced the way ingest would, rows that still do not
fit are quarantined with a reason naming the column and value, and unseen categories are
counted. Rows in = rows in `data` + rows in `quarantine`, always.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.columns import ColumnNames
from pipelines.ingest.headers import snake_case
from pipelines.predict.coerce import (
    coerce_expr,
    dtype_from_name,
    expected_phrase,
    is_missing_input,
)
from pipelines.predict.errors import InputSchemaError, MissingColumnsError

__all__ = ["ROW_KEY", "Conformed", "InputSchema", "SchemaColumn"]

ROW_KEY = "_row"
"""Row position in the frame given to `conform`; kept in `data` and `quarantine`."""
_PASSED_THROUGH = ("_source_file", "_source_line")
_MAX_CATEGORIES = 1000


class SchemaColumn(BaseModel):
    """One training input column."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(..., description="Normalised name, as the model's frame has it.")
    original_name: str = Field(..., description="The name in the training source file.")
    dtype: str = Field(..., description="polars dtype name: Int64, Float64, String, Date, ...")
    time_unit: str | None = None
    time_zone: str | None = None
    nullable: bool = Field(..., description="Whether training rows had nulls here.")
    categories: list[str] | None = Field(
        None, description="Sorted training values of a text/boolean column (None if too many)."
    )
    minimum: float | None = None
    maximum: float | None = None

    @property
    def polars_dtype(self) -> pl.DataType:
        """The column's polars dtype."""
        return dtype_from_name(self.dtype, self.time_unit, self.time_zone)


@dataclass(frozen=True)
class Conformed:
    """New rows in the training shape, the rows set aside, and what was noticed."""

    data: pl.DataFrame
    quarantine: pl.DataFrame
    warnings: list[str] = field(default_factory=list)


class InputSchema(BaseModel):
    """What a model's input looks like; JSON-native (`input_schema.json`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = 1
    columns: list[SchemaColumn]

    # ------------------------------------------------------------------ building
    @classmethod
    def from_frame(
        cls,
        frame: pl.DataFrame,
        *,
        exclude: Iterable[str] = (),
        names: ColumnNames | None = None,
    ) -> InputSchema:
        """The schema of `frame`'s columns, except `exclude` and `_`-prefixed bookkeeping.

        `exclude` (the target, usually) may use source or normalised names.
        """
        names = names or ColumnNames(tuple(frame.columns))
        skip = set(names.resolve_all(exclude, role="excluded column"))
        columns = [
            _describe(frame.get_column(name), names.original(name))
            for name in frame.columns
            if name not in skip and not name.startswith("_")
        ]
        return cls(columns=columns)

    @classmethod
    def from_json(cls, text: str) -> InputSchema:
        """Read a schema written by `to_json`."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            msg = f"input schema is not valid at `{where}`: {first['msg']}; write it with to_json"
            raise InputSchemaError(msg) from error

    def to_json(self) -> str:
        """Deterministic JSON text (sorted keys come from the model's field order)."""
        return self.model_dump_json(indent=2)

    def column(self, name: str) -> SchemaColumn:
        """The column called `name` (normalised or original); KeyError if absent."""
        for col in self.columns:
            if name in (col.name, col.original_name):
                return col
        raise KeyError(name)

    # ---------------------------------------------------------------- conforming
    def conform(self, frame: pl.DataFrame) -> Conformed:
        """New rows in the training shape; rows that cannot be made to fit are quarantined.

        Collects nothing lazily: `frame` is in memory and is not mutated.

        Raises
        ------
        MissingColumnsError
            One error naming every schema column the frame lacks.
        """
        found = self._match_columns(frame.columns)
        missing = [c for c in self.columns if c.name not in found]
        if missing:
            listed = ", ".join(f"`{_label(c)}`" for c in missing)
            msg = (
                f"the rows lack {len(missing)} column(s) the model was trained with: {listed}; "
                "add them (nulls are allowed) and predict again"
            )
            raise MissingColumnsError(msg)
        warnings: list[str] = []
        used = set(found.values())
        extra = [c for c in frame.columns if c not in used and c not in _PASSED_THROUGH]
        if extra:
            shown = ", ".join(f"`{c}`" for c in extra[:10])
            more = f" and {len(extra) - 10} more" if len(extra) > 10 else ""
            warnings.append(
                f"dropped {len(extra)} column(s) the model does not know: {shown}{more}."
            )
        indexed = frame.with_row_index(ROW_KEY)
        checked = indexed.select(
            pl.col(ROW_KEY).cast(pl.Int64),
            *[pl.col(c) for c in _PASSED_THROUGH if c in frame.columns],
            *self._column_exprs(found, frame.schema),
        )
        failed = pl.any_horizontal(pl.col(f"{c.name}\x00failed") for c in self.columns)
        reason = pl.concat_str(
            [pl.col(f"{c.name}\x00reason") for c in self.columns], separator="; ", ignore_nulls=True
        )
        checked = checked.with_columns(failed.alias("\x00failed"), reason.alias("_reason"))
        keep = [ROW_KEY, *[c for c in _PASSED_THROUGH if c in frame.columns]]
        data = checked.filter(~pl.col("\x00failed")).select(
            *keep, *[pl.col(c.name) for c in self.columns]
        )
        quarantine = checked.filter(pl.col("\x00failed")).select(
            *keep, "_reason", *[pl.col(f"{c.name}\x00raw").alias(c.name) for c in self.columns]
        )
        if quarantine.height:
            warnings.append(
                f"quarantined {quarantine.height:,} of {frame.height:,} row(s) whose values do "
                "not fit the training types (see their `_reason`)."
            )
        warnings += self._unseen_and_null_warnings(data)
        return Conformed(data=data, quarantine=quarantine, warnings=warnings)

    def _match_columns(self, incoming: list[str]) -> dict[str, str]:
        """Schema name -> incoming column, accepting normalised or source-file names."""
        lookup: dict[str, str] = {}
        for column in incoming:
            for key in (column, column.strip().casefold(), snake_case(column)):
                lookup.setdefault(key, column)
            lookup.setdefault(f"col_{snake_case(column)}", column)
        found: dict[str, str] = {}
        for col in self.columns:
            for key in (col.name, col.original_name, col.original_name.strip().casefold()):
                if key in lookup:
                    found[col.name] = lookup[key]
                    break
        return found

    def _column_exprs(self, found: dict[str, str], schema: pl.Schema) -> list[pl.Expr]:
        exprs: list[pl.Expr] = []
        for col in self.columns:
            source = found[col.name]
            incoming = schema[source]
            value = coerce_expr(source, incoming, col.dtype, col.polars_dtype)
            failed = ~is_missing_input(source, incoming) & value.is_null()
            raw = pl.col(source).cast(pl.String)
            long = raw.str.len_chars() > 40
            shown = pl.when(long).then(raw.str.slice(0, 37) + "...").otherwise(raw)
            reason = pl.when(failed).then(
                pl.format(
                    "`{}` = '{}' is not {}",
                    pl.lit(col.name),
                    shown,
                    pl.lit(expected_phrase(col.dtype)),
                )
            )
            exprs += [
                value.alias(col.name),
                failed.alias(f"{col.name}\x00failed"),
                reason.alias(f"{col.name}\x00reason"),
                raw.alias(f"{col.name}\x00raw"),
            ]
        return exprs

    def _unseen_and_null_warnings(self, data: pl.DataFrame) -> list[str]:
        notes: list[str] = []
        for col in self.columns:
            values = data.get_column(col.name)
            if col.categories is not None:
                present = values.drop_nulls().cast(pl.String)
                unseen = present.filter(~present.is_in(col.categories))
                if unseen.len():
                    examples = ", ".join(f"`{v}`" for v in sorted(unseen.unique().to_list())[:3])
                    notes.append(
                        f"`{col.name}`: {unseen.len():,} row(s) hold {unseen.n_unique():,} "
                        f"value(s) unseen in training (e.g. {examples}); the feature pipeline "
                        "maps them to its rare/unknown code."
                    )
            if not col.nullable and values.null_count():
                notes.append(
                    f"`{col.name}`: {values.null_count():,} row(s) are missing a value that "
                    "training never lacked; the feature pipeline imputes or keeps it as missing."
                )
        return notes

    # ------------------------------------------------------------------- serving
    def json_schema(self, *, title: str = "thresher input record") -> dict[str, Any]:
        """JSON Schema (2020-12) for one input record, keyed by normalised column names."""
        properties: dict[str, Any] = {}
        for col in self.columns:
            spec = _json_type(col)
            note = f"source name `{col.original_name}`; " if col.original_name != col.name else ""
            if col.minimum is not None and col.maximum is not None:
                note += f"training range {col.minimum:g} to {col.maximum:g}; "
            if col.categories is not None:
                spec["examples"] = col.categories[:10]
                note += f"{len(col.categories)} training values (others are accepted); "
            spec["description"] = (note + f"polars dtype {col.dtype}; null is accepted").strip()
            properties[col.name] = spec
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": title,
            "type": "object",
            "properties": properties,
            "required": [c.name for c in self.columns],
            "additionalProperties": True,
        }


def _label(col: SchemaColumn) -> str:
    return col.name if col.original_name == col.name else f"{col.name} ({col.original_name})"


def _describe(series: pl.Series, original: str) -> SchemaColumn:
    dtype = series.dtype
    name = (
        "String"
        if dtype == pl.Categorical or isinstance(dtype, pl.Enum)
        else str(dtype.base_type())
    )
    time_unit = time_zone = None
    if isinstance(dtype, pl.Datetime):
        time_unit, time_zone = dtype.time_unit, dtype.time_zone
    categories = None
    if name in ("String", "Boolean"):
        values = series.drop_nulls().cast(pl.String).unique()
        if values.len() <= _MAX_CATEGORIES:
            categories = sorted(values.to_list())
    minimum = maximum = None
    if dtype.is_numeric() and series.drop_nulls().len():
        finite = series.cast(pl.Float64).drop_nulls().drop_nans()
        if finite.len():
            minimum, maximum = float(finite.min()), float(finite.max())  # type: ignore[arg-type]
    return SchemaColumn(
        name=series.name,
        original_name=original,
        dtype=name,
        time_unit=time_unit,
        time_zone=time_zone,
        nullable=series.null_count() > 0,
        categories=categories,
        minimum=minimum,
        maximum=maximum,
    )


def _json_type(col: SchemaColumn) -> dict[str, Any]:
    if col.dtype.startswith(("Int", "UInt")):
        return {"type": ["integer", "null"]}
    if col.dtype.startswith("Float"):
        return {"type": ["number", "null"]}
    if col.dtype == "Boolean":
        return {"type": ["boolean", "null"]}
    formats = {"Date": "date", "Datetime": "date-time", "Time": "time"}
    if col.dtype in formats:
        return {"type": ["string", "null"], "format": formats[col.dtype]}
    return {"type": ["string", "null"]}
