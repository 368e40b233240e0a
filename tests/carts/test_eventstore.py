"""One contract, run against every event store backend (as Django's session tests do)."""

from __future__ import annotations

import pytest

from carts.errors import StaleWrite
from carts.eventstore.base import KEYS_KEPT, EventRecord, EventStore
from carts.eventstore.db import DatabaseEventStore
from carts.eventstore.memory import MemoryEventStore
from carts.ids import new_cart_id
from carts.models import Cart, CartEvent


def rec(
    cart_id: str, seq: int, *, key: str | None = None, snapshot: bytes | None = None
) -> EventRecord:
    """Build a record whose payload names its position, so order is checkable."""
    return EventRecord(
        cart_id=cart_id,
        seq=seq,
        kind="clear_cart",
        mutation=f"m{seq}".encode(),
        node_id="node-t",
        lease_version=7,
        idempotency_key=key,
        snapshot=snapshot,
    )


class EventStoreContract:
    """What every EventStore must do; subclasses provide ``store``."""

    @pytest.fixture
    async def store(self) -> EventStore:
        raise NotImplementedError

    async def test_empty_cart_does_not_exist(self, store: EventStore) -> None:
        loaded = await store.load(new_cart_id())
        assert not loaded.exists
        assert loaded.events == []
        assert loaded.snapshot is None

    async def test_append_then_load_in_order(self, store: EventStore) -> None:
        a, b = new_cart_id(), new_cart_id()
        assert await store.append([rec(a, 1), rec(b, 1), rec(a, 2)]) == [None, None, None]
        loaded = await store.load(a)
        assert [e.seq for e in loaded.events] == [1, 2]
        assert [e.mutation for e in loaded.events] == [b"m1", b"m2"]
        assert loaded.events[0].node_id == "node-t"
        assert loaded.events[0].lease_version == 7
        assert loaded.events[0].created_at is not None
        assert [e.seq for e in (await store.load(b)).events] == [1]

    async def test_fence_refuses_only_the_cart_that_lost(self, store: EventStore) -> None:
        a, b = new_cart_id(), new_cart_id()
        await store.append([rec(a, 1)])
        results = await store.append([rec(b, 1), rec(a, 1), rec(b, 2)])
        assert results[0] is None
        assert isinstance(results[1], StaleWrite)
        assert results[1].cart_id == a
        assert results[2] is None
        # The losing write left nothing behind; the winner's event is intact.
        assert [e.mutation for e in (await store.load(a)).events] == [b"m1"]
        assert [e.seq for e in (await store.load(b)).events] == [1, 2]

    async def test_snapshot_bounds_what_load_replays(self, store: EventStore) -> None:
        a = new_cart_id()
        await store.append([rec(a, 1), rec(a, 2, snapshot=b"state@2"), rec(a, 3)])
        loaded = await store.load(a)
        assert loaded.snapshot == b"state@2"
        assert loaded.snapshot_version == 2
        assert [e.seq for e in loaded.events] == [3]
        assert loaded.exists

    async def test_events_range(self, store: EventStore) -> None:
        a = new_cart_id()
        await store.append([rec(a, s) for s in range(1, 6)])
        assert [e.seq for e in await store.events(a, after=1, upto=3)] == [2, 3]
        assert [e.seq for e in await store.events(a, after=3)] == [4, 5]

    async def test_recent_idempotency_keys(self, store: EventStore) -> None:
        a = new_cart_id()
        n = KEYS_KEPT + 5
        await store.append([rec(a, s, key=f"k{s}") for s in range(1, n + 1)])
        keys = (await store.load(a)).idempotency_keys
        assert len(keys) == KEYS_KEPT
        assert keys[f"k{n}"] == n
        assert "k1" not in keys  # only the newest keys are remembered

    async def test_a_key_on_several_events_maps_to_its_last(self, store: EventStore) -> None:
        a = new_cart_id()
        await store.append([rec(a, 1, key="k"), rec(a, 2, key="k"), rec(a, 3)])
        assert (await store.load(a)).idempotency_keys == {"k": 2}


class TestMemoryEventStore(EventStoreContract):
    @pytest.fixture
    async def store(self) -> EventStore:
        return MemoryEventStore()


@pytest.mark.django_db(transaction=True)
class TestDatabaseEventStore(EventStoreContract):
    @pytest.fixture
    async def store(self) -> EventStore:
        store = DatabaseEventStore(readers=2)
        yield store
        await store.close()

    async def test_cart_row_tracks_version_and_snapshot(self, store: EventStore) -> None:
        a = new_cart_id()
        await store.append([rec(a, 1), rec(a, 2, snapshot=b"s2")])
        await store.append([rec(a, 3)])
        cart = await Cart.objects.aget(id=a)
        assert (cart.version, cart.snapshot_version, bytes(cart.snapshot)) == (3, 2, b"s2")
        assert cart.created_at <= cart.updated_at

    async def test_losing_write_rolls_back_its_cart_row(self, store: EventStore) -> None:
        a = new_cart_id()
        await store.append([rec(a, 1), rec(a, 2)])
        [lost] = await store.append([rec(a, 2, snapshot=b"bad")])
        assert isinstance(lost, StaleWrite)
        cart = await Cart.objects.aget(id=a)
        assert cart.snapshot is None
        assert await CartEvent.objects.filter(cart_id=a).acount() == 2
