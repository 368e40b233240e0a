"""The event store contract shared by every backend.

A store appends batches of events (one transaction per batch: the group
commit) and loads a cart as its latest snapshot plus the events after it. The
``(cart_id, seq)`` pair is unique: a second write of the same pair is refused
with ``StaleWrite`` for that record alone, while the rest of the batch commits.
Storage errors stay inside the backend and leave it as ``StorageError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from carts.errors import StaleWrite

__all__ = ["KEYS_KEPT", "EventRecord", "EventStore", "LoadedCart"]

# How many recent idempotency keys a cart remembers across reloads.
KEYS_KEPT = 100


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One applied mutation on its way to, or back from, the log."""

    cart_id: str
    seq: int  # the cart version this event produced (1 for the first)
    kind: str  # the Mutation.kind case
    mutation: bytes  # the serialized Mutation envelope
    node_id: str = ""
    lease_version: int = 0
    idempotency_key: str | None = None
    created_at: datetime | None = None
    # The serialized CartState after this event, when a snapshot is due.
    snapshot: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class LoadedCart:
    """A cart as stored: the latest snapshot and the events after it, in order."""

    snapshot: bytes | None
    snapshot_version: int
    events: list[EventRecord]
    # The keys of the cart's latest keyed events (at most ``KEYS_KEPT`` events):
    # key -> the seq of the last event written with it.
    idempotency_keys: dict[str, int] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        """True when the cart has at least one event."""
        return self.snapshot is not None or bool(self.events)


class EventStore:
    """Base class of event stores (``CART_EVENT_STORE['BACKEND']``)."""

    async def append(self, records: Sequence[EventRecord]) -> list[StaleWrite | None]:
        """Commit ``records`` and return, per record, None or the ``StaleWrite`` it lost on.

        Records of one cart are consecutive and in seq order; when one of them
        loses on the fence, that cart's later records in the batch lose too.
        Raises ``StorageError`` when nothing could be committed.
        """
        raise NotImplementedError("subclasses of EventStore must provide an append() method")

    async def load(self, cart_id: str) -> LoadedCart:
        """Return the latest snapshot of ``cart_id``, the events after it and its recent keys."""
        raise NotImplementedError("subclasses of EventStore must provide a load() method")

    async def events(
        self, cart_id: str, *, after: int = 0, upto: int | None = None
    ) -> list[EventRecord]:
        """Return the events of ``cart_id`` with ``after < seq <= upto``, in order."""
        raise NotImplementedError("subclasses of EventStore must provide an events() method")

    async def close(self) -> None:
        """Release connections and threads; the default has none."""
