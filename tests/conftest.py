"""Test-wide fixtures: real Redis and PostgreSQL servers come from tests.harness.fixtures."""

pytest_plugins = ["tests.harness.fixtures"]
