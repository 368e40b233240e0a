"""Shared fixtures: which real services this run has, and how a missing one fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import connections


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which database and Redis this run uses."""
    db = settings.DATABASES["default"]
    redis = settings.TEST_REDIS_URL or "none (in-memory channel layer)"
    return [f"cartsite: database {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}; redis {redis}"]


def _need(what: str, available: bool) -> None:
    if available:
        return
    if settings.CI:
        pytest.fail(f"{what} is required when CI=true but is not reachable")
    pytest.skip(f"{what} not available on this machine")


@pytest.fixture
def postgres() -> None:
    """Require PostgreSQL: fail under CI=true, skip on a laptop without it."""
    _need("PostgreSQL (127.0.0.1:5432 or DATABASE_URL)", settings.USING_POSTGRES)


@pytest.fixture
def redis_url() -> str:
    """Return the Redis URL: fail under CI=true, skip on a laptop without it."""
    _need("Redis (127.0.0.1:6379 or REDIS_URL)", bool(settings.TEST_REDIS_URL))
    return settings.TEST_REDIS_URL


@pytest.fixture(scope="session", autouse=True)
def _close_async_orm_connections(django_db_setup: None) -> Iterator[None]:
    """Close the connection the async ORM opened on asgiref's shared thread.

    ``sync_to_async`` outside a request runs ORM calls on one global executor
    thread whose connection pytest-django never sees; left open, it blocks the
    teardown of the test database.
    """
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
