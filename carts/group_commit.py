"""Group commit: many grains' events share one transaction.

Each grain awaits ``commit(records)`` while holding its own lock, so a cart has
at most one commit in flight; different carts queue here together. A single
writer task takes everything queued, appends it in one call to the store and
wakes every waiter with its own outcome. No timer is involved: under light load
a batch is one event and commits at once; under heavy load a batch grows while
the previous one is being written, so durability costs one transaction per
round trip, not one per request.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence

from carts.errors import StorageError
from carts.eventstore.base import EventRecord, EventStore

__all__ = ["GroupCommitter"]

log = logging.getLogger(__name__)


class GroupCommitter:
    """Serializes appends to an ``EventStore`` into batches of up to ``max_batch``."""

    def __init__(self, store: EventStore, *, max_batch: int = 256) -> None:
        if max_batch < 1:
            raise ValueError("CART_COMMIT_MAX_BATCH must be at least 1")
        self.store = store
        self.max_batch = max_batch
        self._pending: deque[tuple[list[EventRecord], asyncio.Future[None]]] = deque()
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.batches = 0  # committed transactions, for the benchmark and tests
        self.records = 0

    async def commit(self, records: Sequence[EventRecord]) -> None:
        """Return once ``records`` are durable; raise ``StaleWrite`` or ``StorageError``."""
        if self._closed:
            raise StorageError("the node is shutting down; the event log is closed")
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._wakeup = asyncio.Event()
            self._task = loop.create_task(self._run(), name="cart-group-commit")
        future: asyncio.Future[None] = loop.create_future()
        self._pending.append((list(records), future))
        assert self._wakeup is not None
        self._wakeup.set()
        # The commit goes on if the caller is cancelled: the grain must learn its outcome.
        await asyncio.shield(future)

    def _take(self) -> list[tuple[list[EventRecord], asyncio.Future[None]]]:
        taken, count = [], 0
        while self._pending and (not taken or count + len(self._pending[0][0]) <= self.max_batch):
            item = self._pending.popleft()
            taken.append(item)
            count += len(item[0])
        return taken

    async def _run(self) -> None:
        assert self._wakeup is not None
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                await self._flush(self._take())
            if self._closed:
                return

    async def _flush(self, taken: list[tuple[list[EventRecord], asyncio.Future[None]]]) -> None:
        flat = [r for records, _ in taken for r in records]
        try:
            results = await self.store.append(flat)
        except Exception as exc:
            error = exc
            if not isinstance(exc, StorageError):
                log.exception("event store append failed")
                error = StorageError(f"the event log write failed: {exc}")
                error.__cause__ = exc  # the store's own error stays visible to the caller
            for _, future in taken:
                if not future.done():
                    future.set_exception(error)
            return
        self.batches += 1
        self.records += len(flat)
        i = 0
        for records, future in taken:
            outcome = next((r for r in results[i : i + len(records)] if r is not None), None)
            i += len(records)
            if future.done():
                continue
            if outcome is None:
                future.set_result(None)
            else:
                future.set_exception(outcome)

    async def close(self) -> None:
        """Commit what is queued, then stop the writer task."""
        self._closed = True
        if self._task is None or self._wakeup is None:
            return
        self._wakeup.set()
        await self._task
        self._task = None
