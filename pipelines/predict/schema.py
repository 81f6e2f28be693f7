"""`InputSchema`: the training input's columns, and `conform` to check new rows against it.

`InputSchema.from_frame(train)` records each column's name (and its name in the source file),
dtype, whether it had nulls, its categories and its numeric range. `conform(frame)` turns new
rows into exactly that shape: every missing column is named in one error, extra columns are
dropped with a warning, wrong types are coerced the way ingest would, rows that still do not
fit are quarantined with a reason naming the column and value, and unseen categories are
counted. Rows in = rows in `data` + rows in `quarantine`, always.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.columns import ColumnNames
from pipelines.ingest.headers import snake_case
from pipelines.predict.coerce import dtype_from_name
from pipelines.predict.conform import ROW_KEY, ConformPlan, build_plan
from pipelines.predict.errors import InputSchemaError, MissingColumnsError

__all__ = ["ROW_KEY", "Conformed", "InputSchema", "SchemaColumn"]

_PASSED_THROUGH = ("_source_file", "_source_line")
_MAX_CATEGORIES = 1000
_MAX_PLANS = 16


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

        Collects nothing lazily: `frame` is in memory and is not mutated. The expressions are
        built once per incoming layout (names and dtypes) and reused (`pipelines.predict.conform`).

        Raises
        ------
        MissingColumnsError
            One error naming every schema column the frame lacks.
        """
        plan = self._plan(frame.schema)
        data, quarantine, warnings = plan.run(frame)
        return Conformed(data=data, quarantine=quarantine, warnings=warnings)

    def match_columns(self, incoming: Sequence[str]) -> dict[str, str]:
        """Schema name -> incoming column, accepting normalised or source-file names.

        A column absent from the result is missing; `conform` names them all in one error.
        """
        layout = tuple(incoming)
        cached = self._matches.get(layout)
        if cached is not None:
            return dict(cached)
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
        if len(self._matches) >= _MAX_PLANS:
            self._matches.clear()
        self._matches[layout] = dict(found)
        return found

    @cached_property
    def _matches(self) -> dict[tuple[str, ...], dict[str, str]]:
        """`match_columns` answers by incoming names (not a field: not saved, not compared)."""
        return {}

    @cached_property
    def _plans(self) -> dict[tuple[tuple[str, pl.DataType], ...], ConformPlan]:
        """Conform plans by incoming layout (not a field: not saved, not compared)."""
        return {}

    def _plan(self, incoming: pl.Schema) -> ConformPlan:
        layout = tuple(incoming.items())
        plan = self._plans.get(layout)
        if plan is not None:
            return plan
        found = self.match_columns(list(incoming))
        missing = [c for c in self.columns if c.name not in found]
        if missing:
            listed = ", ".join(f"`{_label(c)}`" for c in missing)
            msg = (
                f"the rows lack {len(missing)} column(s) the model was trained with: {listed}; "
                "add them (nulls are allowed) and predict again"
            )
            raise MissingColumnsError(msg)
        sources = {c.name: found[c.name] for c in self.columns}
        plan = build_plan(self.columns, incoming, sources, _PASSED_THROUGH)
        if len(self._plans) >= _MAX_PLANS:  # clients choosing odd layouts cannot grow it
            self._plans.clear()
        self._plans[layout] = plan
        return plan

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
