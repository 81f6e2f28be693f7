"""A throwaway PostgreSQL cluster for the whole test session (fixture `postgres_uri`).

The cluster lives in a temporary folder and listens on a free local port; it is stopped with
`pg_ctl -m fast` at the end. initdb refuses to run as root, so as root the server runs as the
`postgres` user via `runuser`. Without the binaries the tests skip locally but fail when
`CI` or `THRESHER_REQUIRE_SERVICES` is set: CI must never skip them silently.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def postgres_bin_dir() -> Path | None:
    """Return the newest `/usr/lib/postgresql/<version>/bin` holding initdb, or None."""
    found = [
        path
        for path in Path("/").glob(POSTGRES_BIN_GLOB.lstrip("/"))
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file()
    ]
    if not found:
        return None
    return max(found, key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """Prefix with `runuser -u postgres --` when running as root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")


def _missing_services(reason: str) -> None:
    if os.environ.get("THRESHER_REQUIRE_SERVICES") or os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required here (CI/THRESHER_REQUIRE_SERVICES): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_bin() -> Path:
    """The folder with initdb, pg_ctl and psql; skip (or fail in CI) when absent."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        _missing_services(f"no PostgreSQL binaries under {POSTGRES_BIN_GLOB}")
    assert bin_dir is not None
    return bin_dir


@pytest.fixture(scope="session")
def postgres_uri(postgres_bin: Path) -> Iterator[str]:
    """Start a throwaway cluster and yield `postgresql://postgres@127.0.0.1:PORT/postgres`."""
    root = Path(tempfile.mkdtemp(prefix="thresher-pg-"))
    data_dir = root / "data"
    data_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
        shutil.chown(data_dir, user="postgres")
    port = _free_port()
    pg_ctl = str(postgres_bin / "pg_ctl")
    _run(
        _as_server_user(
            [
                str(postgres_bin / "initdb"),
                "-D",
                str(data_dir),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ]
        )
    )
    server_options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    log_file = root / "server.log"
    _run(
        _as_server_user(
            [pg_ctl, "-D", str(data_dir), "-o", server_options, "-l", str(log_file), "-w", "start"]
        )
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data_dir), "-m", "fast", "-w", "stop"]),
            capture_output=True,
            timeout=120,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def psql(postgres_bin: Path, postgres_uri: str) -> list[str]:
    """The psql command line for the session cluster; append `-c SQL` to run a statement."""
    return [str(postgres_bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", postgres_uri]
