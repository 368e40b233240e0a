"""The node's Django ASGI handler: Django's, without an OS thread per request.

Django's ``ASGIHandler.__call__`` runs every request inside asgiref's
``ThreadSensitiveContext``. The first thread-sensitive ``sync_to_async`` call of
the request (there always is one: the ``request_started`` receivers) then
creates a ``ThreadPoolExecutor(max_workers=1)`` for that request, so each
request starts a new OS thread, and on exit asgiref starts a second thread to
join it: two thread creations per request, and every sync hop of the request
(signal receivers, each ``MiddlewareMixin`` hook, ``response.close``) lands on
a cold thread. ``tests/test_handler.py`` counts them; ``bench/`` measures them.

``NodeASGIHandler`` drops the per-request context, so thread-sensitive work
runs on asgiref's one shared executor thread. That is safe here because the
hot path is async end to end (views await the grain pool, whose event store
runs the ORM on threads of its own) and does no sync database work; the
admin's sync views then share one thread and one persistent connection, as
they would in a single-threaded WSGI worker, instead of each request opening
a connection on a thread that dies with it.

It also skips the two sync hops Django makes around every request when they
would do nothing: the ``request_started`` receivers and ``response.close()``
(which sends ``request_finished``). Django's own receivers of those signals
only reset and close the *calling thread's* database connections (plus caches
and the urlconf, which are per context). So when the only receivers are those
housekeeping ones and no thread that serves ``sync_to_async`` calls holds an
open connection, the start hop is skipped and ``response.close()`` runs inline
on the event loop (where it finds no connection). As soon as a sync view or
middleware opens a connection on the shared thread, both hops run as in
Django, on that thread, until the connection closes. Any other receiver, an
async receiver, or a response with resources to close also keeps Django's hop.
Disconnect handling and the signals are otherwise Django's.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from asgiref.sync import SyncToAsync, sync_to_async
from django.core import signals
from django.core.cache import close_caches
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import reset_urlconf
from django.db import close_old_connections, reset_queries
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponseBase
from django.urls import set_script_prefix

__all__ = ["NodeASGIHandler", "open_sync_connections", "sync_threads_hold_connections"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# Receivers that only tidy the calling thread's connections, caches and urlconf,
# by the key Django files them under (their id: they are connected without a uid).
STARTED_HOUSEKEEPING = frozenset(map(id, (reset_queries, close_old_connections)))
FINISHED_HOUSEKEEPING = frozenset(map(id, (close_old_connections, close_caches, reset_urlconf)))

# Connections opened on threads that run sync_to_async work (asgiref's shared
# thread), by id; the event store's own threads are not among them.
_sync_connections: dict[int, weakref.ReferenceType[BaseDatabaseWrapper]] = {}


def _serves_sync_to_async() -> bool:
    local = getattr(SyncToAsync, "threadlocal", None)
    if local is None:
        return True  # asgiref changed: assume it does, which keeps Django's hops
    return getattr(local, "main_event_loop", None) is not None


def _note_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if _serves_sync_to_async() and id(connection) not in _sync_connections:
        key = id(connection)
        _sync_connections[key] = weakref.ref(connection, lambda _: _sync_connections.pop(key, None))


connection_created.connect(_note_connection, dispatch_uid="cartsite.handler.note_connection")


def open_sync_connections() -> list[BaseDatabaseWrapper]:
    """Return the open database connections of threads serving ``sync_to_async`` calls."""
    conns = (ref() for ref in list(_sync_connections.values()))
    return [c for c in conns if c is not None and c.connection is not None]


def sync_threads_hold_connections() -> bool:
    """True when a thread serving ``sync_to_async`` calls has an open database connection."""
    return bool(open_sync_connections())


def _only_housekeeping(signal: Signal, allowed: frozenset[int]) -> bool:
    # Every receiver connected, for any sender: stricter than the live receivers
    # of one sender, and free of Signal's lock (this runs twice a request).
    try:
        return all(key[0] in allowed and not is_async for key, _, is_async in signal.receivers)
    except (TypeError, ValueError):
        return False  # Django changed the shape of receivers: keep its hops


def _closes_only_requests(response: HttpResponseBase) -> bool:
    # Django adds request.close (the request's in-memory body and uploads, which
    # this handler closes on the loop anyway); files and iterators need the hop.
    closers = getattr(response, "_resource_closers", None)
    if closers is None:
        return False
    return all(
        getattr(c, "__name__", "") == "close"
        and isinstance(getattr(c, "__self__", None), HttpRequest)
        for c in closers
    )


class NodeASGIHandler(ASGIHandler):
    """Django's ASGI handler with no thread per request and no idle sync hops."""

    # False keeps both of Django's sync hops (still on the shared thread).
    skip_idle_hops: bool = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request without a per-request ``ThreadSensitiveContext``."""
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    async def send_request_started(self, scope: Scope) -> None:
        """Send ``request_started``, skipping the sync hop when it would do nothing."""
        if not (
            self.skip_idle_hops
            and _only_housekeeping(signals.request_started, STARTED_HOUSEKEEPING)
            and not sync_threads_hold_connections()
        ):
            await signals.request_started.asend(sender=self.__class__, scope=scope)

    async def close_response(self, response: HttpResponseBase) -> None:
        """Close ``response`` (sending ``request_finished``), inline when that does no I/O."""
        if (
            self.skip_idle_hops
            and _closes_only_requests(response)
            and _only_housekeeping(signals.request_finished, FINISHED_HOUSEKEEPING)
            and not sync_threads_hold_connections()
        ):
            response.close()
        else:
            await sync_to_async(response.close)()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Django 5.2's ``ASGIHandler.handle`` with the two hops above made skippable."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        await self.send_request_started(scope)  # changed: was request_started.asend()
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            body_file.close()
            await self.send_response(error_response, send)
            await self.close_response(error_response)  # changed: was sync_to_async
            return

        async def process_request(request: Any, send: Send) -> HttpResponseBase:
            response = await self.run_get_response(request)
            with contextlib.suppress(asyncio.CancelledError):  # client gone mid-send
                await self.send_response(response, send)
            return response

        # The disconnect listener goes first: it must not raise unexpected
        # errors that would keep process_request from being cancelled.
        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(process_request(request, send)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                try:
                    task.result()
                except RequestAborted:
                    pass  # client disconnects are not errors
                except AssertionError:
                    body_file.close()
                    raise
            else:
                task.cancel()  # views may handle the cancellation
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        try:
            response = tasks[1].result()
        except asyncio.CancelledError:
            await signals.request_finished.asend(sender=self.__class__)
        else:
            await self.close_response(response)  # changed: was sync_to_async
        body_file.close()
