"""``manage.py runnode``: serve one node, one process, one event loop.

Uvicorn runs the node's ASGI app (``cartsite.asgi:application``) with the
lifespan on, so the node's start steps run before it accepts a request and
its stop steps (queued commits finish) run on SIGTERM or SIGINT. It prints
``node <id> serving http://host:port`` once it listens; with ``--port 0`` the
port is the one the system picked.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

__all__ = ["Command", "NodeServer", "node_config", "parse_addr"]

DEFAULT_APP = "cartsite.asgi:application"
DEFAULT_ADDR = "127.0.0.1:8000"


def parse_addr(addr: str) -> tuple[str, int]:
    """Split ``host:port`` (``[::1]:8000`` for IPv6) into host and port."""
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit():
        raise CommandError(f"CART_HTTP_ADDR must look like host:port, got {addr!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def node_config(
    app: str | Any = DEFAULT_APP,
    *,
    host: str,
    port: int,
    access_log: bool = False,
    log_level: str = "info",
    graceful_timeout: float | None = 30.0,
) -> uvicorn.Config:
    """Return the uvicorn config of a node: one worker, uvloop and httptools when installed."""
    have = importlib.util.find_spec
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop" if have("uvloop") else "asyncio",
        http="httptools" if have("httptools") else "h11",
        lifespan="on",  # the node starts and stops with the ASGI lifespan
        workers=1,  # scale out with more nodes, never more workers per node
        access_log=access_log,
        log_level=log_level,
        timeout_graceful_shutdown=graceful_timeout,
    )


class NodeServer(uvicorn.Server):
    """A uvicorn server that reports the address it listens on once it does."""

    def __init__(self, config: uvicorn.Config, *, on_ready: Callable[[str, int], None]) -> None:
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start as uvicorn does, then call ``on_ready(host, port)``."""
        await super().startup(sockets)
        if self.started and not self.should_exit:
            port = self.servers[0].sockets[0].getsockname()[1]
            self.on_ready(self.config.host, port)


class Command(BaseCommand):
    help = (
        "Serve one cartsite node with uvicorn: one process, one event loop, lifespan on. "
        "The address defaults to CART_HTTP_ADDR (host:port), else 127.0.0.1:8000. "
        "SIGTERM or SIGINT stops it gracefully: in-flight requests and queued commits "
        "finish, then it exits 0 (1 when a stop step failed, 3 when startup failed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        host, port = parse_addr(os.environ.get("CART_HTTP_ADDR", DEFAULT_ADDR))
        parser.add_argument("--host", default=host, help=f"interface to bind (default {host})")
        parser.add_argument(
            "--port", type=int, default=port, help=f"port, 0 for any free one (default {port})"
        )
        parser.add_argument(
            "--app",
            default=DEFAULT_APP,
            help=f"ASGI app as module:attribute (default {DEFAULT_APP}; benchmarks swap it)",
        )
        parser.add_argument(
            "--access-log", action="store_true", help="log every request (off by default)"
        )
        parser.add_argument(
            "--log-level",
            default=os.environ.get("LOG_LEVEL", "info").lower(),
            choices=["critical", "error", "warning", "info", "debug", "trace"],
            help="uvicorn's log level (default LOG_LEVEL or info)",
        )
        parser.add_argument(
            "--graceful-timeout",
            type=float,
            default=30.0,
            help="seconds to let open requests finish on shutdown (default 30)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Serve until SIGTERM or SIGINT, then stop through the lifespan."""
        config = node_config(
            options["app"],
            host=options["host"],
            port=options["port"],
            access_log=options["access_log"],
            log_level=options["log_level"],
            graceful_timeout=options["graceful_timeout"],
        )
        server = NodeServer(config, on_ready=self._ready)

        def stop(signum: int, frame: FrameType | None) -> None:
            server.should_exit = True

        # Uvicorn catches SIGTERM/SIGINT while it serves and raises the signal
        # again once it has shut down gracefully; with the default handlers that
        # would end the process with -15 or a KeyboardInterrupt instead of 0.
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            server.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if getattr(getattr(server, "lifespan", None), "shutdown_failed", False):
            raise CommandError("the node did not stop cleanly; see the log above")

    def _ready(self, host: str, port: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"node {settings.CART_NODE_ID} serving http://{shown}:{port}")
        self.stdout.flush()
