"""Shared pytest setup: fixtures live in plugin modules registered here."""

pytest_plugins = ["tests.conftest_postgres"]
