"""Shared fixtures: which real services this run has, and how a missing one fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from tests.asgi import close_shared_thread_connections

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Debian's chromium (`apt-get install chromium`), never a browser a test tool downloads.
CHROMIUM = "/usr/bin/chromium"
# Headless as root on a closed network: no sandbox, GPU, QUIC, first-run UI or
# background calls home (update checks, sync) that would flood the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright: fail under CI=true, skip on a laptop without it.

    Playwright's sync API marks its event loop as running in this thread while
    the browser is open, so the Django ORM refuses to run (SynchronousOnlyOperation)
    until this fixture ends: request it after the fixtures that write the database
    and check results over HTTP. The database fixtures tear down after it.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    _need("the playwright package (pip install -r requirements-dev.txt)", bool(sync_playwright))
    _need(
        f"Debian's chromium at {CHROMIUM} (apt-get install chromium)",
        os.access(CHROMIUM, os.X_OK),
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session", autouse=True)
def _close_async_orm_connections(django_db_setup: None) -> Iterator[None]:
    """Close the connection the async ORM opened on asgiref's shared thread."""
    yield
    close_shared_thread_connections()
