"""Shared pytest setup: fixtures live in plugin modules registered here."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.conftest_postgres", "tests.conftest_prefect"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--update-golden` rewrites tests/golden/*.json instead of comparing (`make golden`)."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*.json from the current reports instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether this run refreshes the golden files."""
    return bool(request.config.getoption("--update-golden"))
