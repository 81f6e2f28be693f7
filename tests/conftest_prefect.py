"""The one Prefect harness of the test session, and the penguins run several flow tests read.

`prefect_test_harness` takes 10-15 s to start, so every test that runs a flow in-process
shares this session-scoped fixture; PREFECT_HOME (and with it the task result cache) is a
throwaway folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A throwaway Prefect API for the whole session; yields its PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_LOCAL_STORAGE_PATH"] = str(home / "storage")
    from flows.runtime import prepare_prefect_environment

    prepare_prefect_environment()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield home


@pytest.fixture(scope="session")
def penguins_train_run(prefect_harness: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One train-flow run of the demo config, shared by the tests that only read it."""
    from flows.pipeline import train_flow
    from pipelines.config import load_config

    out = tmp_path_factory.mktemp("runs")
    config = load_config(ROOT / "examples" / "penguins.yaml").model_copy(update={"output_dir": out})
    record = train_flow(config)
    return Path(record.run_dir)
