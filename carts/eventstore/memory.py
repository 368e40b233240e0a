"""An event store in process memory: for tests and throwaway nodes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from carts.errors import StaleWrite
from carts.eventstore.base import KEYS_KEPT, EventRecord, EventStore, LoadedCart

__all__ = ["MemoryEventStore"]


class MemoryEventStore(EventStore):
    """Keeps every cart's log in a dict; nothing survives the process."""

    def __init__(self, **options: object) -> None:
        self._logs: dict[str, list[EventRecord]] = {}
        self._snapshots: dict[str, tuple[int, bytes]] = {}

    async def append(self, records: Sequence[EventRecord]) -> list[StaleWrite | None]:
        """Append each record unless its (cart_id, seq) is taken or out of order."""
        results: list[StaleWrite | None] = []
        lost: set[str] = set()
        now = datetime.now(UTC)
        for record in records:
            log = self._logs.setdefault(record.cart_id, [])
            if record.cart_id in lost or record.seq != len(log) + 1:
                lost.add(record.cart_id)
                results.append(
                    StaleWrite(f"event {record.seq} is already written", cart_id=record.cart_id)
                )
                continue
            log.append(replace(record, snapshot=None, created_at=record.created_at or now))
            if record.snapshot is not None:
                self._snapshots[record.cart_id] = (record.seq, record.snapshot)
            results.append(None)
        return results

    async def load(self, cart_id: str) -> LoadedCart:
        """Return the snapshot and the later events of ``cart_id``."""
        version, snapshot = self._snapshots.get(cart_id, (0, None))
        log = self._logs.get(cart_id, [])
        keyed = [e for e in log if e.idempotency_key][-KEYS_KEPT:]
        return LoadedCart(
            snapshot,
            version,
            list(log[version:]),
            {e.idempotency_key: e.seq for e in keyed if e.idempotency_key},
        )

    async def events(
        self, cart_id: str, *, after: int = 0, upto: int | None = None
    ) -> list[EventRecord]:
        """Return the events of ``cart_id`` with after < seq <= upto."""
        return [
            e
            for e in self._logs.get(cart_id, [])
            if e.seq > after and (upto is None or e.seq <= upto)
        ]
