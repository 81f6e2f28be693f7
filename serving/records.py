"""JSON records in, one answer per record out, through `pipelines.predict.predict`.

Records are turned into a frame of text columns (JSON `3.5` -> `"3.5"`, `true` -> `"true"`),
the way a CSV arrives, and handed to `predict()`: `InputSchema.conform` coerces each value as
ingest would and quarantines the rows that do not fit, naming the column and the value. This
module adds no check of its own beyond the JSON shape (a record is an object; a value is not
an object or an array) and the per-record notes on accepted rows (values unseen in training,
numbers outside the training range, fields the model ignores), which `predict()` only counts.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.predict import predict
from pipelines.predict.coerce import clean_text_expr
from pipelines.predict.errors import MissingColumnsError
from pipelines.predict.schema import InputSchema, SchemaColumn
from pipelines.train.frames import ROW, model_classes, proba_column
from pipelines.train.model import TrainedModel

__all__ = ["BatchAnswer", "BodyError", "answer_records", "parse_records", "required_columns"]

_NUMERIC = ("Int", "UInt", "Float")


def required_columns(model: TrainedModel) -> list[str]:
    """Schema columns the feature pipeline reads (in schema order); the others are optional.

    `InputSchema` lists every training input column, including those the features stage
    dropped (IDs, leakage, post-outcome columns): a client need not send those, and a record
    without them is given nulls there, which changes no prediction.
    """
    used = getattr(model.pipeline, "input_columns_", None)
    names = [c.name for c in model.input_schema.columns]
    return names if used is None else [n for n in names if n in set(used)]


class BodyError(Exception):
    """The request body as a whole cannot be answered: HTTP status, one line, metric label."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason


@dataclass
class BatchAnswer:
    """One entry per record (in request order), batch warnings, and counts for the metrics."""

    results: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    rejections: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)

    @property
    def predicted(self) -> int:
        """Records answered with a prediction."""
        return sum(1 for r in self.results if r["status"] == "predicted")


def _refuse_constant(name: str) -> float:
    msg = f"`{name}` is not JSON (send null for a missing number)"
    raise ValueError(msg)


def parse_records(body: bytes, *, max_rows: int) -> tuple[list[Any], bool]:
    """The body's records (a JSON array, or one object) and whether it was a single object.

    Raises
    ------
    BodyError
        400 for text that is not JSON, 422 for JSON that is not records, 413 for too many.
    """
    try:
        payload = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"request body is not valid JSON ({detail}): send an array of records or one record"
        raise BodyError(400, msg, "malformed_json") from exc
    if isinstance(payload, dict):
        return [payload], True
    if not isinstance(payload, list):
        msg = (
            f"request body is a JSON {_json_kind(payload)}: send an array of records "
            '(`[{"column": value, ...}]`) or one record object'
        )
        raise BodyError(422, msg, "not_records")
    if not payload:
        msg = "request body is an empty array: send at least one record"
        raise BodyError(422, msg, "no_records")
    if len(payload) > max_rows:
        msg = (
            f"request holds {len(payload):,} records, over this server's limit of {max_rows:,}: "
            "split the batch"
        )
        raise BodyError(413, msg, "too_many_records")
    return payload, False


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _text(value: object) -> str | None:
    """A JSON scalar as the text a CSV cell would hold (floats in shortest round-trip form)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return repr(value) if isinstance(value, float) else str(value)


def _rejected(index: int, reasons: list[dict[str, str]]) -> dict[str, Any]:
    return {"index": index, "status": "rejected", "reasons": reasons}


def _split_reason(text: str, schema: InputSchema) -> list[dict[str, str]]:
    """`conform`'s `_reason` (one "`col` = 'value' is not ..." per bad column, `; `-joined)."""
    starts = sorted(
        (text.find(f"`{col.name}` = '"), col.name)
        for col in schema.columns
        if f"`{col.name}` = '" in text
    )
    if not starts:
        return [{"field": "*", "kind": "wrong_type", "reason": text}]
    pieces = []
    for (start, name), (end, _) in zip(starts, [*starts[1:], (len(text), "")], strict=True):
        reason = text[start:end].strip().removesuffix(";").strip()
        pieces.append({"field": name, "kind": "wrong_type", "reason": reason})
    return pieces


def _missing_fields(error: MissingColumnsError, schema: InputSchema) -> list[dict[str, str]]:
    """One reason per column the error names (its message lists them in backticks)."""
    text = str(error)
    named = [
        col
        for col in schema.columns
        if f"`{col.name}`" in text or f"`{col.name} ({col.original_name})`" in text
    ]
    if not named:
        return [{"field": "*", "kind": "missing_field", "reason": text}]
    return [
        {
            "field": col.name,
            "kind": "missing_field",
            "reason": (
                f"`{col.name}` is missing"
                + (f" (source name `{col.original_name}`)" if col.original_name != col.name else "")
                + ": send it, null is allowed"
            ),
        }
        for col in named
    ]


_Check = tuple[str, SchemaColumn, pl.Expr]
_Checks = tuple[list[pl.Expr], list[_Check]]
_CHECKS: dict[tuple[int, tuple[tuple[str, str], ...]], tuple[InputSchema, _Checks]] = {}
_MAX_CHECKS = 16


def _checks(schema: InputSchema, sources: dict[str, str]) -> _Checks:
    """The cleaning and the note checks for one field layout, built once.

    Each used field is cleaned once (ingest's trim and null tokens), and the checks read the
    cleaned columns: two small queries, cheaper than cleaning inside every check.
    """
    key = (id(schema), tuple(sources.items()))
    cached = _CHECKS.get(key)
    if cached is not None and cached[0] is schema:
        return cached[1]
    checks: list[_Check] = []
    for col in schema.columns:
        source = sources.get(col.name)
        if source is None:
            continue
        text = pl.col(source)
        if col.categories is not None:
            known = pl.Series(col.categories, dtype=pl.String).implode()
            checks.append(("unseen_category", col, text.is_not_null() & ~text.is_in(known)))
        elif col.dtype.startswith(_NUMERIC) and col.minimum is not None:
            number = text.cast(pl.Float64, strict=False)
            high = col.maximum if col.maximum is not None else col.minimum
            checks.append(("out_of_range", col, (number < col.minimum) | (number > high)))
        if not col.nullable:
            checks.append(("null_unseen", col, text.is_null()))
    checks = [(k, c, e.fill_null(value=False).alias(str(i))) for i, (k, c, e) in enumerate(checks)]
    used = sorted({sources[c.name] for _, c, _ in checks})
    built = ([clean_text_expr(source) for source in used], checks)
    if len(_CHECKS) >= _MAX_CHECKS:
        _CHECKS.clear()
    _CHECKS[key] = (schema, built)
    return built


def _notes(
    frame: pl.DataFrame, rows: list[int], schema: InputSchema, sources: dict[str, str]
) -> list[list[tuple[str, str]]]:
    """Per predicted row: (kind, sentence) for unseen values, out-of-range numbers, nulls.

    Two polars queries whatever the width (clean the fields, compute every flag); only
    flagged cells are visited in Python.
    """
    out: list[list[tuple[str, str]]] = [[] for _ in rows]
    if not rows:
        return out
    cleaning, checks = _checks(schema, sources)
    if not checks:
        return out
    picked = frame if rows == list(range(frame.height)) else frame[rows]
    flags = picked.select(cleaning).select(expr for _, _, expr in checks)
    flagged = [i for i, column in enumerate(flags.iter_columns()) if column.any()]
    for position in flagged:
        kind, col, _ = checks[position]
        values = picked.get_column(sources[col.name]).to_list()
        for i, hit in enumerate(flags.to_series(position).to_list()):
            if hit:
                out[i].append((kind, _note(kind, col, values[i])))
    return out


def _note(kind: str, col: SchemaColumn, value: object) -> str:
    if kind == "unseen_category":
        return _unseen(col, str(value).strip())
    if kind == "out_of_range":
        return _out_of_range(col, float(str(value).strip()))
    return (
        f"`{col.name}` is null, which training never saw; the feature pipeline imputes it or "
        "keeps it as missing"
    )


def _unseen(col: SchemaColumn, value: str) -> str:
    shown = value if len(value) <= 40 else value[:37] + "..."
    return (
        f"`{col.name}` = '{shown}' was not seen in training; the feature pipeline maps it to its "
        "rare/unknown code"
    )


def _out_of_range(col: SchemaColumn, number: float) -> str:
    return (
        f"`{col.name}` = {number:g} is outside the training range {col.minimum:g} to "
        f"{col.maximum:g}; trees predict there as at the nearest edge"
    )


def _answer_group(
    model: TrainedModel, records: list[tuple[int, dict[str, Any]]], answer: BatchAnswer
) -> dict[int, dict[str, Any]]:
    """Records sharing one set of field names: one frame, one `predict()` call."""
    schema = model.input_schema
    columns = list(records[0][1])
    frame = pl.DataFrame(
        [
            pl.Series(name, [_text(record[name]) for _, record in records], dtype=pl.String)
            for name in columns
        ]
    )
    sources = schema.match_columns(columns)  # the same name matching `conform` uses
    required = set(required_columns(model))
    absent = [c.name for c in schema.columns if c.name not in sources and c.name not in required]
    if absent:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(n) for n in absent)
    out: dict[int, dict[str, Any]] = {}
    try:
        result = predict(model, frame)
    except MissingColumnsError as error:
        reasons = _missing_fields(error, schema)
        for index, _ in records:
            out[index] = _rejected(index, reasons)
            answer.rejections["missing_field"] += 1
        return out
    # rejections are answered per record; "see their `_reason`" is the batch file's wording
    # and the nulls given to absent optional columns are no news to the client
    skipped = ("quarantined ", *(f"`{name}`: " for name in absent))
    answer.warnings.extend(w for w in result.report.warnings if not w.startswith(skipped))
    for row, reason in result.quarantine.select(ROW, "_reason").iter_rows():
        index = records[int(row)][0]
        out[index] = _rejected(index, _split_reason(str(reason), schema))
        answer.rejections["wrong_type"] += 1
    ignored = [c for c in columns if c not in set(sources.values())]
    rows = [int(r) for r in result.predictions.get_column(ROW).to_list()]
    notes = _notes(frame, rows, schema, sources)
    classes = model_classes(model.task) if model.task.kind != "regression" else []
    probabilities = [result.predictions.get_column(proba_column(c)).to_list() for c in classes]
    for i, (row, prediction) in enumerate(
        zip(rows, result.predictions.get_column("prediction").to_list(), strict=True)
    ):
        index = records[row][0]
        entry: dict[str, Any] = {"index": index, "status": "predicted", "prediction": prediction}
        if classes:
            entry["probabilities"] = {c: p[i] for c, p in zip(classes, probabilities, strict=True)}
        sentences = [text for _, text in notes[i]]
        sentences += [f"ignored `{c}`: the model does not use this field" for c in ignored]
        if sentences:
            entry["notes"] = sentences
        answer.notes.update(kind for kind, _ in notes[i])
        out[index] = entry
    return out


def answer_records(model: TrainedModel, records: list[Any]) -> BatchAnswer:
    """One answer per record, in request order: its prediction or its reasons for rejection.

    Records with the same field names are predicted together in one `predict()` call.
    """
    answer = BatchAnswer(results=[])
    answered: dict[int, dict[str, Any]] = {}
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            answered[index] = _rejected(
                index,
                [
                    {
                        "field": "*",
                        "kind": "not_a_record",
                        "reason": f"record {index} is a JSON {_json_kind(record)}, not an object",
                    }
                ],
            )
            answer.rejections["not_a_record"] += 1
            continue
        nested = [k for k, v in record.items() if isinstance(v, dict | list)]
        if nested:
            answered[index] = _rejected(
                index,
                [
                    {
                        "field": k,
                        "kind": "nested_value",
                        "reason": f"`{k}` is a JSON {_json_kind(record[k])}: send one value",
                    }
                    for k in nested
                ],
            )
            answer.rejections["nested_value"] += 1
            continue
        groups.setdefault(tuple(sorted(record)), []).append((index, record))
    for members in groups.values():
        answered.update(_answer_group(model, members, answer))
    answer.results = [answered[i] for i in range(len(records))]
    answer.warnings = list(dict.fromkeys(answer.warnings))
    return answer
