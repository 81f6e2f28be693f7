"""A real Prefect server, a served deployment, a run triggered through the API, stopped by PID.

Everything here runs in subprocesses with their own PREFECT_HOME and talks HTTP to the
server directly (the in-process test harness may be active in this session).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.deployments import ZOMBIE_AUTOMATION

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "penguins.yaml"

pytestmark = [pytest.mark.flow, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], *, grace: float = 20) -> None:
    """SIGTERM the process (and its group), then SIGKILL what is left; by PID only."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


def _wait_for(check: Any, what: str, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """`thresher server` on a free loopback port; yields (API URL, env for clients)."""
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        {
            "PREFECT_HOME": str(tmp_path / "prefect-home"),
            "PREFECT_API_URL": api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
    )
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def healthy() -> bool:
        if process.poll() is not None:
            pytest.fail(f"server exited: {(tmp_path / 'server.log').read_text()[-2000:]}")
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait_for(healthy, "the Prefect server", 180)
        yield api, env
    finally:
        _stop(process)
        log.close()


def test_served_deployment_runs_through_the_api(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    api, env = server
    out = tmp_path / "runs"
    serve_log = (tmp_path / "serve.log").open("wb")
    serving = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "serve",
            str(EXAMPLE),
            "--cron",
            "0 6 * * *",
            "--output-dir",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        stdout=serve_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def deployment() -> dict[str, Any] | None:
            if serving.poll() is not None:
                pytest.fail(f"serve exited: {(tmp_path / 'serve.log').read_text()[-2000:]}")
            response = httpx.get(f"{api}/deployments/name/thresher-train/penguins", timeout=5)
            return response.json() if response.status_code == 200 else None

        found = _wait_for(deployment, "the deployment", 180)
        assert [s["schedule"]["cron"] for s in found["schedules"]] == ["0 6 * * *"]
        created = httpx.post(
            f"{api}/deployments/{found['id']}/create_flow_run", json={}, timeout=10
        ).json()

        def finished() -> dict[str, Any] | None:
            run = httpx.get(f"{api}/flow_runs/{created['id']}", timeout=5).json()
            state = run["state"]["type"]
            return run if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        run = _wait_for(finished, "the flow run", 600)
        assert run["state"]["type"] == "COMPLETED", (tmp_path / "serve.log").read_text()[-3000:]
        (run_dir,) = (out / "penguins").iterdir()
        record = json.loads((run_dir / "run.json").read_text())
        assert record["status"] == "completed"
        assert (run_dir / "train" / "train.html").is_file()
        assert (run_dir / "errors" / "errors.html").is_file()
        artifacts = httpx.post(
            f"{api}/artifacts/filter",
            json={"artifacts": {"flow_run_id": {"any_": [created["id"]]}}},
            timeout=10,
        ).json()
        keys = {a["key"] for a in artifacts}
        assert {"penguins-run-summary", "penguins-row-ledger", "penguins-run-links"} <= keys
        assert {"ingest-summary", "eda-profile", "model-card", "error-analysis"} <= keys
        automations = httpx.post(f"{api}/automations/filter", json={}, timeout=10).json()
        (zombie,) = [a for a in automations if a["name"] == ZOMBIE_AUTOMATION]
        assert zombie["enabled"]
        assert zombie["actions"][0]["state"] == "CRASHED"

        def heartbeats() -> list[Any]:
            query = {
                "filter": {
                    "event": {"name": ["prefect.flow-run.heartbeat"]},
                    "resource": {"id": [f"prefect.flow-run.{created['id']}"]},
                    "occurred": {"since": run["created"]},
                }
            }
            response = httpx.post(f"{api}/events/filter", json=query, timeout=10)
            return list(response.json().get("events", [])) if response.is_success else []

        assert _wait_for(heartbeats, "the run's heartbeat event", 60)
    finally:
        _stop(serving)
        serve_log.close()
    assert serving.returncode is not None
