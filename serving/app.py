"""`create_app(model_dir)`: a FastAPI app that answers `POST /predict` with the trained model.

The model is loaded once, when the app is created, through `pipelines.train.load_model` (the
allow-listed skops + LightGBM loaders); a bad directory raises there, before any request.
Every refusal is one line of JSON (`{"error": ...}`); no traceback ever reaches a client.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipelines.train.frames import model_classes
from pipelines.train.model import TrainedModel
from serving.backends import BACKENDS, load_served_model
from serving.errors import ServingError
from serving.metrics import ServingMetrics, TimingMiddleware
from serving.models import ErrorAnswer, HealthAnswer, PredictAnswer
from serving.records import BodyError, answer_records, parse_records, required_columns

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_ROWS",
    "ENV_PREFIX",
    "app_from_environment",
    "create_app",
    "request_json_schema",
]

DEFAULT_MAX_ROWS = 1000
DOCS_ASSETS = "/docs/assets"
DEFAULT_MAX_BODY_BYTES = 2_000_000
ENV_PREFIX = "THRESHER_SERVE_"
_ROUTES = frozenset(
    {"/predict", "/health", "/model", "/schema", "/metrics", "/docs", "/openapi.json"}
)
_log = logging.getLogger("thresher.serving")


def request_json_schema(model: TrainedModel, *, max_rows: int) -> dict[str, Any]:
    """JSON Schema of a `/predict` body: one record, or an array of 1..`max_rows` records."""
    record = model.input_schema.json_schema(title=f"input record ({model.task.target} model)")
    record.pop("$schema", None)
    required = required_columns(model)
    record["required"] = required
    for name, spec in record["properties"].items():
        if name not in required:
            spec["description"] = "optional: the model does not use it; " + spec["description"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "thresher /predict request",
        "description": (
            "One record, or an array of records, keyed by column names as in the training file "
            'or normalised; values are coerced as ingest would ("3.5" is a number).'
        ),
        "oneOf": [
            {"$ref": "#/$defs/record"},
            {
                "type": "array",
                "items": {"$ref": "#/$defs/record"},
                "minItems": 1,
                "maxItems": max_rows,
            },
        ],
        "$defs": {"record": record},
    }


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed `limit` bytes."""
    too_large = (
        f"request body is over this server's limit of {limit:,} bytes: send fewer records "
        "per request"
    )
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BodyError(400, "Content-Length is not a number", "malformed_request")
        if int(declared) > limit:
            raise BodyError(413, too_large, "body_too_large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyError(413, too_large, "body_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def _card(model_dir: Path) -> dict[str, Any] | None:
    path = model_dir / "model_card.json"
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"`{path}` is not readable JSON ({exc}): re-run `thresher train`"
        raise ServingError(msg) from exc
    return payload if isinstance(payload, dict) else None


def create_app(
    model_dir: Path | str,
    *,
    backend: str = "lightgbm",
    max_rows: int = DEFAULT_MAX_ROWS,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """The app serving the model in `model_dir` (loaded now, once).

    Raises
    ------
    ServingError
        Unknown backend, limits below 1, no usable `model.onnx` for the ONNX backend.
    ModelLoadError
        The directory is incomplete, damaged, or holds an artifact of an unexpected type.
    """
    if backend not in BACKENDS:
        msg = f"backend `{backend}` is not known: use lightgbm or onnx"
        raise ServingError(msg)
    if max_rows < 1 or max_body_bytes < 1:
        msg = (
            f"row and body limits must be at least 1 (got {max_rows} rows, {max_body_bytes} bytes)"
        )
        raise ServingError(msg)
    model_dir = Path(model_dir)
    model = load_served_model(model_dir, backend)
    card = _card(model_dir)
    schema = request_json_schema(model, max_rows=max_rows)
    openapi_body = {
        "oneOf": [
            schema["$defs"]["record"],
            {"type": "array", "items": schema["$defs"]["record"], "maxItems": max_rows},
        ]
    }
    classes = model_classes(model.task) if model.task.kind != "regression" else []
    metrics = ServingMetrics(backend=backend, kind=model.task.kind, target=model.task.target)
    # /docs is Swagger UI from fastapi-offline's pinned copy, served by this app: no CDN.
    # ReDoc is off (its page loads web fonts), and so is Swagger's validator badge.
    app = FastAPIOffline(
        docs_url="/docs",
        redoc_url=None,
        swagger_ui_parameters={"validatorUrl": None},
        static_url=DOCS_ASSETS,
        favicon_url=f"{DOCS_ASSETS}/favicon.png",
        title=f"thresher model: {model.task.target} ({model.task.kind})",
        description=(
            f"Serves `{model_dir}` with the {backend} backend. Every record is checked against "
            "the training input schema, as `thresher predict` checks a file."
        ),
        version="1",
    )
    app.add_middleware(TimingMiddleware, metrics=metrics, routes=_ROUTES)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unexpected error on %s", request.url.path)
        return _error(500, f"unexpected {type(exc).__name__} on the server: see the server log")

    @app.post(
        "/predict",
        response_model=None,
        responses={
            200: {"model": PredictAnswer, "description": "At least one record was predicted."},
            400: {"model": ErrorAnswer, "description": "The body is not JSON."},
            413: {"model": ErrorAnswer, "description": "Body or record count over the limit."},
            422: {"model": ErrorAnswer, "description": "No record fits, or not records at all."},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": openapi_body}},
            }
        },
    )
    async def predict_records(request: Request) -> JSONResponse:
        """Predict each record; a record that does not fit the schema gets its reasons instead."""
        try:
            body = await _read_body(request, max_body_bytes)
            records, _ = parse_records(body, max_rows=max_rows)
        except BodyError as exc:
            metrics.request_rejections.labels(reason=exc.reason).inc()
            return _error(exc.status, exc.message)
        answer = await run_in_threadpool(answer_records, model, records)
        predicted = answer.predicted
        metrics.records.labels(outcome="predicted").inc(predicted)
        metrics.records.labels(outcome="rejected").inc(len(records) - predicted)
        for reason, count in answer.rejections.items():
            metrics.record_rejections.labels(reason=reason).inc(count)
        for kind, count in answer.notes.items():
            metrics.notes.labels(kind=kind).inc(count)
        if predicted == 0:
            metrics.request_rejections.labels(reason="all_records_rejected").inc()
            first = answer.results[0]["reasons"][0]
            more = len(answer.results[0]["reasons"]) - 1
            message = (
                f"none of the {len(records)} record(s) fits the model's input schema; record 0: "
                f"{first['reason']}"
                + (f" (and {more} more reason(s))" if more else "")
                + "; see `results` for every record"
            )
            return _error(422, message, results=answer.results)
        return JSONResponse(
            {
                "kind": model.task.kind,
                "records": len(records),
                "predicted": predicted,
                "rejected": len(records) - predicted,
                "results": answer.results,
                "warnings": answer.warnings,
            }
        )

    @app.get("/health", response_model=HealthAnswer)
    async def health() -> dict[str, Any]:
        """The server is up and its model loaded."""
        return {
            "status": "ok",
            "backend": backend,
            "kind": model.task.kind,
            "target": model.task.target,
            "classes": classes,
            "features": len(model.feature_names),
            "max_rows": max_rows,
            "max_body_bytes": max_body_bytes,
        }

    @app.get("/model", response_model=None)
    async def model_card() -> JSONResponse:
        """The model card (`model_card.json`) as written by `thresher train`."""
        if card is None:
            return _error(404, f"`{model_dir}` has no model_card.json: re-run `thresher train`")
        return JSONResponse(card)

    @app.get("/schema", response_model=None)
    async def request_schema() -> JSONResponse:
        """The JSON Schema of a `/predict` body, from the training input schema."""
        return JSONResponse(schema)

    @app.get("/metrics", response_model=None)
    async def prometheus_metrics() -> Response:
        """Prometheus text: requests, latency, records, rejections by reason."""
        return Response(metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")

    return app


def app_from_environment() -> FastAPI:
    """`create_app` from `THRESHER_SERVE_*` variables (uvicorn's factory for `--workers N`)."""
    model_dir = os.environ.get(f"{ENV_PREFIX}MODEL_DIR")
    if not model_dir:
        msg = f"{ENV_PREFIX}MODEL_DIR is not set: start the server with `thresher serve-model`"
        raise ServingError(msg)
    return create_app(
        model_dir,
        backend=os.environ.get(f"{ENV_PREFIX}BACKEND", "lightgbm"),
        max_rows=int(os.environ.get(f"{ENV_PREFIX}MAX_ROWS", DEFAULT_MAX_ROWS)),
        max_body_bytes=int(os.environ.get(f"{ENV_PREFIX}MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
    )
