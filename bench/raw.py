"""The raw ASGI peer: the fixed JSON with no framework, and a lifespan that does nothing."""

from __future__ import annotations

from typing import Any

__all__ = ["BODY", "application"]

BODY = b'{"id":"bench","items":[{"sku":"MUG-STONE","quantity":1,"price":14900}],"total":14900}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer every HTTP request with ``BODY``."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": f"{message['type']}.complete"})
            if message["type"] == "lifespan.shutdown":
                return
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": BODY})
