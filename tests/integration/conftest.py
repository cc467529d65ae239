"""Shared pytest fixtures for the integration tests (see correio_fixture.py)."""

from correio_fixture import correio  # noqa: F401  (re-exported as a pytest fixture)
