"""The start and stop steps of one node, run by the ASGI lifespan protocol.

A node is up once every step in ``STEPS`` has started, in order; it stops them
in reverse order. Later parts of the node (the gRPC server, joining the
cluster, the pings; draining on shutdown) are added as steps here::

    STEPS = (
        Step("grain pool", start_pool, stop_pool),
        Step("grpc server", start_grpc, stop_grpc),
        Step("cluster", join_cluster, drain_and_leave),  # drains before gRPC stops
        Step("gc freeze", freeze_startup_objects, unfreeze),  # last to start
    )

A step that fails to start stops the steps started before it and the server
refuses to serve (uvicorn exits with status 3). A step that fails to stop is
logged and the remaining steps still stop; the shutdown is then reported as
failed, so ``runnode`` exits non-zero.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from carts import runtime

__all__ = [
    "STEPS",
    "Lifespan",
    "Step",
    "StepFailed",
    "freeze_startup_objects",
    "start_pool",
    "stop_pool",
    "unfreeze",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Step:
    """One part of the node: how it starts and how it stops."""

    name: str
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]


async def start_pool() -> None:
    """Build the grain pool and start its idle-grain purger."""
    await runtime.get_pool().start()


async def stop_pool() -> None:
    """Commit the queued events, close the event store and forget the built parts."""
    committer = runtime.get_pool().committer
    await runtime.reset()
    if committer.batches:
        # One line an operator (and bench/run.py) can read the batching from.
        log.info(
            "group commit: %d events in %d transactions (%.1f per commit)",
            committer.records,
            committer.batches,
            committer.records / committer.batches,
        )


async def freeze_startup_objects() -> None:
    """Move every object alive after startup out of reach of the cyclic GC."""
    # Django, DRF and the app's modules are ~10^5 long-lived objects that every
    # full collection walks again: 50-150 ms pauses under load (bench/README.md).
    # Frozen, a full collection only walks what requests allocated since.
    gc.collect()
    gc.freeze()


async def unfreeze() -> None:
    """Give the frozen objects back to the cyclic GC."""
    gc.unfreeze()


STEPS: tuple[Step, ...] = (
    Step("grain pool", start_pool, stop_pool),
    Step("gc freeze", freeze_startup_objects, unfreeze),  # keep last: freezes what started
)


class StepFailed(Exception):
    """A step failed to start or stop; the message names it."""


class Lifespan:
    """ASGI app for ``lifespan`` scopes: start ``steps`` in order, stop them in reverse."""

    def __init__(self, steps: Sequence[Step] = STEPS) -> None:
        self.steps = tuple(steps)
        self._started: list[Step] = []

    async def startup(self) -> None:
        """Start every step; on a failure stop the started ones and raise ``StepFailed``."""
        for step in self.steps:
            try:
                await step.start()
            except Exception as exc:
                log.exception("node startup failed at step %r", step.name)
                await self.shutdown()  # what started must not leak (threads, tasks)
                raise StepFailed(f"{step.name}: {exc.__class__.__name__}: {exc}") from exc
            self._started.append(step)
            log.debug("started %s", step.name)

    async def shutdown(self) -> None:
        """Stop the started steps in reverse; raise ``StepFailed`` naming any that failed."""
        failed = []
        while self._started:
            step = self._started.pop()
            try:
                await step.stop()
            except Exception as exc:  # the other steps must still stop
                log.exception("node shutdown failed at step %r", step.name)
                failed.append(f"{step.name}: {exc.__class__.__name__}: {exc}")
            else:
                log.debug("stopped %s", step.name)
        if failed:
            raise StepFailed("; ".join(failed))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Speak the ASGI lifespan protocol until the server says it shuts down."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except StepFailed as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.shutdown()
                except StepFailed as exc:
                    await send({"type": "lifespan.shutdown.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return
