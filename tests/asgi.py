"""Drive an ASGI callable directly, as uvicorn would, for tests of the handler stack."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import SyncToAsync
from django.db import connections

__all__ = ["asgi_request", "close_shared_thread_connections", "status_and_body"]

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def asgi_request(
    app: App,
    method: str = "GET",
    path: str = "/",
    body: bytes = b"",
    *,
    disconnect: bool = False,
) -> list[dict[str, Any]]:
    """Send one request through ``app``; return the ASGI messages it sent.

    ``disconnect`` makes the client hang up at once instead of waiting for the
    response, to exercise the handler's disconnect handling.
    """
    headers = [(b"host", b"testserver")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []
    done = asyncio.Event()
    inbox = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if inbox:
            return inbox.pop(0)
        if not disconnect:
            await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    return sent


def status_and_body(sent: list[dict[str, Any]]) -> tuple[int, bytes]:
    """Return the status and the whole body of the messages ``asgi_request`` returned."""
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def close_shared_thread_connections() -> None:
    """Close the connections left open on asgiref's shared sync thread.

    ``sync_to_async`` outside a request runs on one global executor thread whose
    connection pytest-django never sees; left open, it keeps the node handler's
    sync hops on and blocks the teardown of the test database.
    """
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
