"""The node's ASGI handler: no thread per request, no idle sync hops, Django's behaviour.

Requests are driven straight through the ASGI callable (no server), so the
tests count what the handler itself does: threads started, and calls handed
to asgiref's shared thread-sensitive executor.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from django.core import signals
from django.core.handlers.asgi import ASGIHandler
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from cartsite.handler import NodeASGIHandler, sync_threads_hold_connections
from tests.asgi import asgi_request, close_shared_thread_connections

BODY = b'{"ok":true}'


async def async_view(request: HttpRequest) -> HttpResponse:
    """The hot path's shape: an async view that does no sync work."""
    return HttpResponse(BODY, content_type="application/json")


async def slow_view(request: HttpRequest) -> HttpResponse:
    """A view the client leaves before it answers."""
    await asyncio.sleep(30)
    return HttpResponse(BODY)


def sync_db_view(request: HttpRequest) -> HttpResponse:
    """The admin's shape: a sync view that uses the database."""
    connection.ensure_connection()
    return HttpResponse(b"db")


urlpatterns = [
    path("async", async_view),
    path("slow", slow_view),
    path("sync-db", sync_db_view),
]


async def request(
    app: ASGIHandler, url: str = "/async", *, disconnect: bool = False
) -> list[dict[str, Any]]:
    """Send one GET through ``app``; return the ASGI messages it sent."""
    return await asgi_request(app, "GET", url, disconnect=disconnect)


def open_connection() -> None:
    """Open the calling thread's default connection (resolved there, not by the caller)."""
    connection.ensure_connection()


@pytest.fixture
def urls(settings: Any) -> Any:
    """Route to this module's views, through the project's middleware.

    Starts from a shared thread without a connection: one left there by an
    earlier test's async ORM (pytest-django runs database tests first) would
    turn the node handler's hops on and make these tests depend on order.
    """
    close_shared_thread_connections()
    settings.ROOT_URLCONF = __name__
    return settings


@pytest.fixture
def thread_starts(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """Record every thread started while the test runs."""
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        started.append(self)
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    return started


@pytest.fixture
def shared_calls(monkeypatch: pytest.MonkeyPatch) -> list[Callable[..., Any]]:
    """Record every call handed to asgiref's shared thread-sensitive executor."""
    calls: list[Callable[..., Any]] = []
    executor = SyncToAsync.single_thread_executor
    real_submit = executor.submit

    def submit(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        calls.append(fn)
        return real_submit(fn, *args, **kwargs)

    monkeypatch.setattr(executor, "submit", submit)
    return calls


def test_only_django_housekeeping_receivers_are_connected() -> None:
    # The hop skipping below relies on this; a new receiver must show up here.
    started, started_async = signals.request_started._live_receivers(NodeASGIHandler)
    finished, finished_async = signals.request_finished._live_receivers(NodeASGIHandler)
    assert {r.__name__ for r in started} == {"reset_queries", "close_old_connections"}
    assert {r.__name__ for r in finished} == {
        "close_old_connections",
        "close_caches",
        "reset_urlconf",
    }
    assert not started_async
    assert not finished_async


N = 20


@pytest.mark.parametrize(
    ("handler_class", "threads_per_request"), [(ASGIHandler, 2), (NodeASGIHandler, 0)]
)
async def test_threads_started_per_request(
    urls: Any, thread_starts: list[threading.Thread], handler_class: type, threads_per_request: int
) -> None:
    # Django's handler starts a worker and a joiner thread per request; ours none.
    app = handler_class()
    await request(app)  # asgiref's shared thread, if not yet started
    thread_starts.clear()
    for _ in range(N):
        sent = await request(app)
        assert sent[0]["status"] == 200
    assert len(thread_starts) == threads_per_request * N


@pytest.mark.parametrize(("handler_class", "distinct"), [(ASGIHandler, N), (NodeASGIHandler, 1)])
async def test_sync_work_of_requests_runs_on_one_thread(
    urls: Any, handler_class: type, distinct: int
) -> None:
    # A sync receiver sees where each request's thread-sensitive work runs.
    seen: list[threading.Thread] = []  # strong refs: thread objects are never reused

    def receiver(**kwargs: Any) -> None:
        seen.append(threading.current_thread())

    signals.request_started.connect(receiver)
    try:
        app = handler_class()
        for _ in range(N):
            await request(app)
    finally:
        signals.request_started.disconnect(receiver)
    assert len(seen) == N
    assert len({id(t) for t in seen}) == distinct
    assert threading.main_thread() not in seen


@pytest.mark.django_db(transaction=True)
async def test_idle_hops_are_skipped_until_a_sync_thread_holds_a_connection(
    urls: Any, shared_calls: list[Callable[..., Any]]
) -> None:
    urls.MIDDLEWARE = []  # MiddlewareMixin hooks hop by themselves; count only the handler's
    await sync_to_async(close_shared_thread_connections, thread_sensitive=False)()
    shared_calls.clear()
    app = NodeASGIHandler()

    for _ in range(N):
        await request(app)
    assert shared_calls == []

    # The admin's way: a sync view opens a connection on the shared thread; the
    # handler closes it there (CONN_MAX_AGE is 0 in tests) as Django's would.
    shared_calls.clear()
    assert (await request(app, "/sync-db"))[0]["status"] == 200
    assert len(shared_calls) == 2  # the view, then response.close: nothing to tidy before
    assert not sync_threads_hold_connections()

    # While the shared thread holds a connection, requests hop as in Django: here
    # request_started closes it there (past CONN_MAX_AGE), so the close runs inline.
    await sync_to_async(open_connection)()
    assert sync_threads_hold_connections()
    shared_calls.clear()
    await request(app)
    assert len(shared_calls) == 1  # request_started; response.close found nothing to tidy
    assert not sync_threads_hold_connections()

    shared_calls.clear()
    await request(app)
    assert shared_calls == []


async def test_skip_idle_hops_off_keeps_djangos_two_hops(
    urls: Any, shared_calls: list[Callable[..., Any]]
) -> None:
    urls.MIDDLEWARE = []

    class Hopping(NodeASGIHandler):
        skip_idle_hops = False

    await request(Hopping())
    assert len(shared_calls) == 2


async def test_client_disconnect_cancels_the_view_and_finishes_the_request(urls: Any) -> None:
    finished: list[Any] = []

    async def on_finished(sender: Any, **kwargs: Any) -> None:
        finished.append(sender)

    signals.request_finished.connect(on_finished)
    try:
        sent = await asyncio.wait_for(request(NodeASGIHandler(), "/slow", disconnect=True), 5)
    finally:
        signals.request_finished.disconnect(on_finished)
    assert sent == []
    assert finished == [NodeASGIHandler]


async def test_non_http_scopes_are_refused() -> None:
    with pytest.raises(ValueError, match="not websocket"):
        await NodeASGIHandler()({"type": "websocket"}, None, None)
