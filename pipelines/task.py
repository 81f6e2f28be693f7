"""`TaskSpec`: the one source of truth for "what is the target and what kind of problem".

The config, profile, features, train and error analysis all take a `TaskSpec`. `kind="auto"`
is decided from the data by `resolve_task`, which says in a sentence what it decided and why.
"""

from __future__ import annotations

from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from pipelines.columns import ColumnNames
from pipelines.errors import TaskError

__all__ = ["ResolvedTask", "TaskKind", "TaskSpec", "resolve_task"]

TaskKind = Literal["auto", "binary", "multiclass", "regression"]

_MAX_CLASSES = 50
"""A target with more distinct values than this is not treated as classes by `auto`."""


class TaskSpec(BaseModel):
    """What the model learns: the target, the kind of problem, and columns with special roles.

    Column names may be given as in the source file (`Survived`) or as normalised by ingest
    (`survived`); `TaskSpec.resolved` maps them onto the frame's columns.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: str | None = Field(None, description="Target column (source or normalised name).")
    kind: TaskKind = Field("auto", description="auto decides from the target's values.")
    positive_label: str | None = Field(
        None, description="Binary only: the class counted as positive (as text)."
    )
    group: str | None = Field(
        None,
        description="Entity column (patient, bird): one entity's rows stay on one side of a split.",
    )
    time: str | None = Field(None, description="Date/time column for a time-ordered split.")
    sensitive: tuple[str, ...] = Field(
        (), description="Columns describing people (race, sex) for fairness checks."
    )

    def resolved(self, names: ColumnNames) -> TaskSpec:
        """A copy with every column name mapped onto the frame's (normalised) columns."""
        updates: dict[str, object] = {}
        for role in ("target", "group", "time"):
            value = getattr(self, role)
            if value is not None:
                updates[role] = names.resolve(value, role=f"{role} column")
        if self.sensitive:
            updates["sensitive"] = names.resolve_all(self.sensitive, role="sensitive column")
        return self.model_copy(update=updates)


class ResolvedTask(BaseModel):
    """A task whose kind is decided: classes (as text, sorted) and the sentence that says why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: str
    kind: Literal["binary", "multiclass", "regression"]
    classes: list[str] = Field(default_factory=list)
    positive_label: str | None = None
    decided: str = Field(..., description="One sentence: what was decided and from what.")
    rows_missing_target: int = 0


def resolve_task(frame: pl.DataFrame | pl.LazyFrame, spec: TaskSpec) -> ResolvedTask:
    """Decide the task's kind from the target's values (after ingest's repairs).

    Collects the target column only. `spec` must already be `resolved` onto the frame.

    Raises
    ------
    TaskError
        No target, a target with fewer than two values, or a kind that does not fit the data.
    """
    if spec.target is None:
        msg = "no target column: set `task.target` in the config or pass `--target COLUMN`"
        raise TaskError(msg)
    target = spec.target
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    if target not in lazy.collect_schema().names():
        msg = f"target `{target}` is not a column of the data: pass one of its columns"
        raise TaskError(msg)
    values = lazy.select(pl.col(target)).collect().get_column(target)
    missing = values.null_count()
    present = values.drop_nulls()
    distinct = present.n_unique()
    if distinct < 2:
        msg = (
            f"target `{target}` has {distinct} distinct non-null value(s): a model needs at "
            "least two; pick another target"
        )
        raise TaskError(msg)
    dtype = values.dtype
    numeric = dtype.is_numeric()
    integral = numeric and (dtype.is_integer() or bool((present == present.round(0)).all()))
    kind = spec.kind
    if kind == "auto":
        if distinct == 2:
            kind = "binary"
            why = "it has exactly 2 distinct values"
        elif numeric and (not integral or distinct > _class_limit(len(present))):
            kind = "regression"
            why = f"it is numeric with {distinct:,} distinct values"
        elif distinct <= _MAX_CLASSES:
            kind = "multiclass"
            why = f"it has {distinct} distinct {'integer ' if numeric else ''}values"
        else:
            msg = (
                f"target `{target}` is text with {distinct:,} distinct values: too many classes "
                f"(at most {_MAX_CLASSES}); set `task.kind` or pick another target"
            )
            raise TaskError(msg)
        decided = f"task kind `{kind}` chosen for target `{target}` because {why}."
    else:
        decided = f"task kind `{kind}` for target `{target}` was set in the config."
    if kind == "regression" and not numeric:
        msg = f"target `{target}` is {dtype} text, not numbers: a regression needs a numeric target"
        raise TaskError(msg)
    if kind == "binary" and distinct != 2:
        msg = (
            f"target `{target}` has {distinct} distinct values, a binary task needs exactly 2: "
            "set `task.kind: multiclass` or recode the target"
        )
        raise TaskError(msg)
    classes: list[str] = []
    positive = None
    if kind != "regression":
        classes = sorted(_as_text(present.unique()))
        if kind == "binary":
            positive = _positive_label(classes, spec.positive_label, target)
    return ResolvedTask(
        target=target,
        kind=kind,
        classes=classes,
        positive_label=positive,
        decided=decided,
        rows_missing_target=missing,
    )


def _class_limit(rows: int) -> int:
    """Most distinct integers `auto` still reads as classes: 10 to 50, growing with the rows."""
    return min(_MAX_CLASSES, max(10, rows // 20))


def _as_text(values: pl.Series) -> list[str]:
    if values.dtype == pl.Boolean:
        return ["true" if v else "false" for v in values.to_list()]
    return [str(v) for v in values.cast(pl.String).to_list()]


def _positive_label(classes: list[str], asked: str | None, target: str) -> str:
    if asked is not None:
        if asked not in classes:
            listed = ", ".join(f"`{c}`" for c in classes)
            msg = f"positive label `{asked}` is not a value of target `{target}` ({listed})"
            raise TaskError(msg)
        return asked
    for usual in ("1", "true", "yes", "y", "positive", "pos"):
        for value in classes:
            if value.strip().casefold() == usual:
                return value
    return classes[-1]
