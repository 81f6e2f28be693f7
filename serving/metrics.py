"""Prometheus metrics of one app (its own registry, so several apps can live in one process).

With `--workers N`, `thresher serve-model` sets `PROMETHEUS_MULTIPROC_DIR` to a fresh folder
before the workers start: prometheus_client then keeps every worker's values in files there,
and `/metrics` (whichever worker answers it) adds up all workers' counts and histograms
(`MultiProcessCollector`). One worker keeps everything in memory as usual.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["MULTIPROCESS_DIR_VARIABLE", "ServingMetrics", "TimingMiddleware"]

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
"""Set (to an empty folder) before the worker processes start: counts across workers."""

_LATENCY_BUCKETS = (
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
)  # fmt: skip

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ServingMetrics:
    """Request counts, latency, records predicted/rejected and rejections by reason."""

    def __init__(self, *, backend: str, kind: str, target: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "thresher_http_requests",
            "HTTP requests answered, by route, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "thresher_http_request_duration_seconds",
            "Time from the request's arrival to the last byte of the answer, by route.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.records = Counter(
            "thresher_records",
            "Records received on /predict, by outcome (predicted or rejected).",
            ["outcome"],
            registry=self.registry,
        )
        self.record_rejections = Counter(
            "thresher_record_rejections",
            "Records rejected, by reason (wrong_type, missing_field, nested_value, not_a_record).",
            ["reason"],
            registry=self.registry,
        )
        self.request_rejections = Counter(
            "thresher_request_rejections",
            "Whole requests refused, by reason (malformed_json, body_too_large, "
            "too_many_records, not_records, no_records, all_records_rejected).",
            ["reason"],
            registry=self.registry,
        )
        self.notes = Counter(
            "thresher_record_notes",
            "Notes on predicted records (unseen_category, out_of_range, null_unseen).",
            ["kind"],
            registry=self.registry,
        )
        self.multiprocess = bool(os.environ.get(MULTIPROCESS_DIR_VARIABLE))
        info = Gauge(
            "thresher_model_info",
            "The served model (always 1).",
            ["backend", "kind", "target"],
            registry=self.registry,
            multiprocess_mode="max",
        )
        info.labels(backend=backend, kind=kind, target=target).set(1)

    def exposition(self) -> bytes:
        """The registry in Prometheus text format (every worker's values, added up)."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        combined = CollectorRegistry()
        MultiProcessCollector(combined)
        return generate_latest(combined)


class TimingMiddleware:
    """Plain ASGI middleware: counts and times every HTTP request by route and status."""

    def __init__(self, app: ASGIApp, *, metrics: ServingMetrics, routes: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request; unknown paths are counted under the route `other`."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = scope.get("path", "")
        route = path if path in self.routes else "other"
        status = {"code": 500}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self.metrics.latency.labels(route=route).observe(time.perf_counter() - started)
            self.metrics.requests.labels(
                route=route, method=scope.get("method", ""), status=str(status["code"])
            ).inc()
