"""`thresher serve-model MODEL_DIR`: the trained model as a REST endpoint (FastAPI on uvicorn)."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def _check_port_free(host: str, port: int) -> None:
    """Refuse with one line when `host:port` cannot be bound (before loading anything big)."""
    from serving.errors import ServingError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc})"
            msg = f"{host}:{port} {why}: pick another `--port` (or `--host`)"
            raise ServingError(msg) from exc


def serve_model_command(
    model_dir: Annotated[Path, typer.Argument(help="Folder written by `thresher train`.")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (each loads the model).")
    ] = 1,
    backend: Annotated[
        str, typer.Option("--backend", help="lightgbm (model.txt) or onnx (model.onnx).")
    ] = "lightgbm",
    max_rows: Annotated[
        int, typer.Option("--max-rows", help="Most records accepted in one request.")
    ] = 1000,
    max_body_bytes: Annotated[
        int, typer.Option("--max-body-bytes", help="Largest request body accepted.")
    ] = 2_000_000,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request line.")
    ] = False,
) -> None:
    """Serve MODEL_DIR: POST /predict checks each record against the training schema.

    GET /health, /model (model card), /schema (request JSON Schema), /metrics (Prometheus),
    /docs (OpenAPI). Stop with Ctrl-C.
    """
    import uvicorn

    from serving.app import ENV_PREFIX, create_app
    from serving.errors import ServingError
    from serving.metrics import MULTIPROCESS_DIR_VARIABLE

    if workers < 1:
        msg = f"--workers must be at least 1 (got {workers})"
        raise ServingError(msg)
    if not 0 < port < 65536:
        msg = f"--port must be 1-65535 (got {port})"
        raise ServingError(msg)
    _check_port_free(host, port)
    # Loaded here even with several workers: a bad directory is refused now, in one line.
    app = create_app(model_dir, backend=backend, max_rows=max_rows, max_body_bytes=max_body_bytes)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        f"serving `{model_dir}` ({backend}, {workers} worker(s)) on http://{shown}:{port}: "
        "POST /predict; GET /health /model /schema /metrics /docs"
    )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="info")
        return
    # the workers' metrics live in files here, so /metrics adds up every worker's counts
    metrics_dir = tempfile.mkdtemp(prefix="thresher_metrics_")
    os.environ.update(
        {
            f"{ENV_PREFIX}MODEL_DIR": str(Path(model_dir).resolve()),
            f"{ENV_PREFIX}BACKEND": backend,
            f"{ENV_PREFIX}MAX_ROWS": str(max_rows),
            f"{ENV_PREFIX}MAX_BODY_BYTES": str(max_body_bytes),
            MULTIPROCESS_DIR_VARIABLE: metrics_dir,
        }
    )
    try:
        uvicorn.run(
            "serving.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            log_level="info",
        )
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def register(app: typer.Typer) -> None:
    """Add `thresher serve-model` to the CLI."""
    app.command("serve-model")(serve_model_command)
