"""The event store on Django's ORM: SQLite on a laptop, PostgreSQL in a cluster.

All ORM work runs on threads this store owns: one writer thread (the group
committer's batches are serialized there, so the writer keeps one warm
connection) and a few reader threads for activations. The event loop never
blocks on the database and no request pays for a thread of its own.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import groupby
from typing import TypeVar

from django.db import DatabaseError, IntegrityError, connection, transaction

from carts.errors import StaleWrite, StorageError
from carts.eventstore.base import KEYS_KEPT, EventRecord, EventStore, LoadedCart
from carts.models import Cart, CartEvent

__all__ = ["DatabaseEventStore"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class DatabaseEventStore(EventStore):
    """Appends batches in one transaction; the unique (cart_id, seq) is the fence."""

    def __init__(self, *, readers: int = 4) -> None:
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="cart-log-writer")
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="cart-log-reader")
        self._reader_count = readers

    async def _run(self, executor: ThreadPoolExecutor, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        call = functools.partial(_on_connection, fn, retry=executor is self._readers)
        try:
            return await loop.run_in_executor(executor, call)
        except (StaleWrite, StorageError):
            raise
        except DatabaseError as exc:
            raise StorageError(
                f"the event log could not be reached ({exc.__class__.__name__}: {exc}); "
                "is the database up and migrated?"
            ) from exc

    async def append(self, records: Sequence[EventRecord]) -> list[StaleWrite | None]:
        """Commit ``records`` in one transaction, falling back per cart on a fence hit."""
        if not records:
            return []
        return await self._run(self._writer, lambda: _append(list(records)))

    async def load(self, cart_id: str) -> LoadedCart:
        """Return the snapshot, the events after it and the recent keys of ``cart_id``."""
        return await self._run(self._readers, lambda: _load(cart_id))

    async def events(
        self, cart_id: str, *, after: int = 0, upto: int | None = None
    ) -> list[EventRecord]:
        """Return the events of ``cart_id`` with after < seq <= upto."""
        return await self._run(self._readers, lambda: _events(cart_id, after, upto))

    async def close(self) -> None:
        """Close the threads' connections and stop the threads."""
        for executor, threads in ((self._writer, 1), (self._readers, self._reader_count)):
            # The barrier makes every thread take one close: connections are per thread.
            barrier = threading.Barrier(threads)
            for _ in range(threads):
                executor.submit(_close_connection, barrier)
            executor.shutdown(wait=True)


def _close_connection(barrier: threading.Barrier) -> None:
    barrier.wait(timeout=30)
    connection.close()


def _on_connection(fn: Callable[[], T], *, retry: bool) -> T:
    # The thread's connection is kept open; it is checked only after an error, so
    # a healthy batch costs no extra round trip. A connection broken by a database
    # restart is dropped here and reopened by the next call. Reads are retried
    # once on a fresh connection; writes are not: their outcome may be unknown,
    # and the (cart_id, seq) fence, not a blind retry, settles that.
    try:
        return fn()
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        if not retry or connection.connection is not None:
            raise
    return fn()


def _event_row(r: EventRecord, now: datetime) -> CartEvent:
    return CartEvent(
        cart_id=r.cart_id,
        seq=r.seq,
        kind=r.kind,
        mutation=r.mutation,
        lease_version=r.lease_version,
        node_id=r.node_id,
        idempotency_key=r.idempotency_key,
        created_at=r.created_at or now,
    )


def _per_cart(
    records: list[EventRecord],
) -> tuple[dict[str, EventRecord], dict[str, EventRecord]]:
    """Return each cart's newest record and its newest record carrying a snapshot."""
    latest: dict[str, EventRecord] = {}
    snapshots: dict[str, EventRecord] = {}
    for r in records:
        latest[r.cart_id] = r
        if r.snapshot is not None:
            snapshots[r.cart_id] = r
    return latest, snapshots


def _write(records: list[EventRecord], now: datetime) -> None:
    CartEvent.objects.bulk_create([_event_row(r, now) for r in records])
    latest, snapshots = _per_cart(records)
    plain = [
        Cart(id=c, version=r.seq, created_at=now, updated_at=now)
        for c, r in latest.items()
        if c not in snapshots
    ]
    snapped = [
        Cart(
            id=c,
            version=latest[c].seq,
            created_at=now,
            updated_at=now,
            snapshot=r.snapshot,
            snapshot_version=r.seq,
        )
        for c, r in snapshots.items()
    ]
    for rows, fields in (
        (plain, ["version", "updated_at"]),
        (snapped, ["version", "updated_at", "snapshot", "snapshot_version"]),
    ):
        if rows:
            Cart.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["id"], update_fields=fields
            )


# PostgreSQL takes a whole batch in one statement, and so in one round trip: the
# events go in through a data-modifying CTE and the cart rows are upserted by the
# outer INSERT. A statement is atomic on its own, so outside a transaction block
# this is also the commit. The ORM's bulk_create needs BEGIN, two INSERTs and
# COMMIT: four round trips on the writer thread, each waiting for the GIL.
_PG_APPEND = """
WITH events AS (
    INSERT INTO {events} (cart_id, seq, kind, mutation, lease_version, node_id,
                          idempotency_key, created_at)
    SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::varchar[], %s::bytea[],
                         %s::bigint[], %s::varchar[], %s::varchar[], %s::timestamptz[])
    RETURNING 1
)
INSERT INTO {carts} AS c (id, version, created_at, updated_at, snapshot, snapshot_version)
SELECT id, version, at, at, snapshot, snapshot_version
FROM unnest(%s::uuid[], %s::bigint[], %s::bytea[], %s::bigint[], %s::timestamptz[])
     AS t(id, version, snapshot, snapshot_version, at)
ON CONFLICT (id) DO UPDATE SET
    version = EXCLUDED.version,
    updated_at = EXCLUDED.updated_at,
    snapshot = COALESCE(EXCLUDED.snapshot, c.snapshot),
    snapshot_version = CASE WHEN EXCLUDED.snapshot IS NULL
                            THEN c.snapshot_version ELSE EXCLUDED.snapshot_version END
"""


def _pg_write(records: list[EventRecord], now: datetime) -> None:
    latest, snapshots = _per_cart(records)
    carts = list(latest)
    params = [
        [r.cart_id for r in records],
        [r.seq for r in records],
        [r.kind for r in records],
        [r.mutation for r in records],
        [r.lease_version for r in records],
        [r.node_id for r in records],
        [r.idempotency_key for r in records],
        [r.created_at or now for r in records],
        carts,
        [latest[c].seq for c in carts],
        [snapshots[c].snapshot if c in snapshots else None for c in carts],
        [snapshots[c].seq if c in snapshots else 0 for c in carts],
        [now] * len(carts),
    ]
    sql = _PG_APPEND.format(events=CartEvent._meta.db_table, carts=Cart._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _append(records: list[EventRecord]) -> list[StaleWrite | None]:
    now = datetime.now(UTC)
    try:
        if connection.vendor == "postgresql":
            _pg_write(records, now)
        else:
            with transaction.atomic():
                _write(records, now)
        return [None] * len(records)
    except IntegrityError:
        pass
    # Someone else wrote one of these (cart_id, seq): commit cart by cart, each in
    # a savepoint, so only the carts that lost the fence are refused.
    results: list[StaleWrite | None] = []
    with transaction.atomic():
        for cart_id, group in groupby(records, key=lambda r: r.cart_id):
            batch = list(group)
            try:
                with transaction.atomic():
                    _write(batch, now)
                results.extend([None] * len(batch))
            except IntegrityError as exc:
                log.warning("stale write refused for cart %s at seq %s", cart_id, batch[0].seq)
                err = StaleWrite(
                    f"event {batch[0].seq} was already written by another owner", cart_id=cart_id
                )
                err.__cause__ = exc
                results.extend([err] * len(batch))
    return results


def _record(row: CartEvent) -> EventRecord:
    return EventRecord(
        cart_id=str(row.cart_id),
        seq=row.seq,
        kind=row.kind,
        mutation=bytes(row.mutation),
        node_id=row.node_id,
        lease_version=row.lease_version,
        idempotency_key=row.idempotency_key,
        created_at=row.created_at,
    )


def _events(cart_id: str, after: int, upto: int | None) -> list[EventRecord]:
    rows = CartEvent.objects.filter(cart_id=cart_id, seq__gt=after)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    return [_record(r) for r in rows.order_by("seq")]


def _load(cart_id: str) -> LoadedCart:
    head = Cart.objects.filter(id=cart_id).values_list("snapshot", "snapshot_version").first()
    snapshot, version = (bytes(head[0]), head[1]) if head and head[0] is not None else (None, 0)
    events = _events(cart_id, version, None)
    keys = (
        CartEvent.objects.filter(cart_id=cart_id, idempotency_key__isnull=False)
        .order_by("-seq")
        .values_list("idempotency_key", "seq")[:KEYS_KEPT]
    )
    latest: dict[str, int] = {}
    for key, seq in keys:  # newest first: a key's last event is the one to replay
        latest.setdefault(key, seq)
    return LoadedCart(snapshot, version, events, latest)
