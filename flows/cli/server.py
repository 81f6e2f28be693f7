"""`thresher server`: a real Prefect server (API + UI) for schedules, on SQLite by default.

The database is `$PREFECT_HOME/prefect.db`; PREFECT_HOME defaults to `.prefect` in the current
folder (the project), so runs and schedules stay with the project. For Postgres set
`PREFECT_API_DATABASE_CONNECTION_URL=postgresql+asyncpg://user:pass@host/db` first. The
command replaces itself with `python -m prefect server start` (same PID, so a supervisor or
a test can stop it by PID); analytics are off.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from flows.runtime import prepare_prefect_environment

__all__ = ["register", "server_command_line"]


def server_command_line(host: str, port: int) -> list[str]:
    """The `prefect server start` command thresher runs."""
    return [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        host,
        "--port",
        str(port),
        "--analytics-off",
    ]


def server_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the API and UI.")] = 4200,
) -> None:
    """Start a Prefect server; then `export PREFECT_API_URL=http://HOST:PORT/api` elsewhere."""
    os.environ.setdefault("PREFECT_HOME", str(Path(".prefect").resolve()))
    prepare_prefect_environment()
    home = os.environ["PREFECT_HOME"]
    database = os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL", f"SQLite in {home}")
    typer.echo(f"Prefect server on http://{host}:{port} (database: {database})", err=True)
    typer.echo(f"in other shells: export PREFECT_API_URL=http://{host}:{port}/api", err=True)
    command = server_command_line(host, port)
    os.execv(command[0], command)  # our own interpreter with fixed arguments


def register(app: typer.Typer) -> None:
    """Add `server` to the CLI."""
    app.command("server")(server_command)
