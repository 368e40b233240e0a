"""The grain pool: serialization per cart, group commit, fencing, eviction, replay."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from carts.errors import (
    CartError,
    CartNotFound,
    IdempotencyConflict,
    PreconditionFailed,
    StaleWrite,
    StorageError,
)
from carts.eventstore.base import EventRecord
from carts.eventstore.db import DatabaseEventStore
from carts.eventstore.memory import MemoryEventStore
from carts.ids import new_cart_id
from carts.models import CartEvent
from carts.mutations import wrap
from carts.pool import GrainPool
from proto import cart_actor_pb2 as pb


def add(sku: str = "sku-1", quantity: int = 1, price: int = 10000) -> pb.Mutation:
    """An AddItem envelope for a product at ``price`` with 25 % VAT."""
    return wrap(
        pb.AddItem(sku=sku, name=sku.upper(), unit_price=price, tax_rate=2500, quantity=quantity)
    )


class GatedStore(MemoryEventStore):
    """A memory store whose appends wait for ``gate`` while it is closed."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.gate.set()
        self.entered = asyncio.Event()
        self.batch_sizes: list[int] = []
        self.fail_next: Exception | None = None

    async def append(self, records: Sequence[EventRecord]) -> list[StaleWrite | None]:
        self.entered.set()
        await self.gate.wait()
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        self.batch_sizes.append(len(records))
        return await super().append(records)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_pool(store: MemoryEventStore | None = None, **options: object) -> GrainPool:
    return GrainPool(store=store or MemoryEventStore(), node_id="n1", currency="SEK", **options)


async def test_first_mutation_creates_the_cart() -> None:
    pool = make_pool()
    cart = new_cart_id()
    result = await pool.apply(cart, add())
    assert result.created
    assert result.state.version == 2  # CreateCart, then the AddItem
    assert result.state.currency == "SEK"
    kinds = [e.kind for e in await pool.store.events(cart)]
    assert kinds == ["create_cart", "add_item"]
    assert set(result.timings) >= {"apply", "persist"}


async def test_get_unknown_cart_is_not_found_and_not_kept() -> None:
    pool = make_pool()
    cart = new_cart_id()
    with pytest.raises(CartNotFound):
        await pool.get(cart)
    assert cart not in pool


async def test_concurrent_mutations_on_one_cart_apply_one_at_a_time() -> None:
    pool = make_pool()
    cart = new_cart_id()
    results = await asyncio.gather(*(pool.apply(cart, add()) for _ in range(50)))
    versions = sorted(r.state.version for r in results)
    assert versions == list(range(2, 52))
    state = await pool.get(cart)
    assert state.items[0].quantity == 50
    assert [e.seq for e in await pool.store.events(cart)] == list(range(1, 52))


async def test_group_commit_batches_across_carts() -> None:
    store = GatedStore()
    pool = make_pool(store)
    store.gate.clear()
    first = asyncio.ensure_future(pool.apply(new_cart_id(), add()))
    await store.entered.wait()  # the first batch is being written
    rest = [asyncio.ensure_future(pool.apply(new_cart_id(), add())) for _ in range(10)]
    for _ in range(100):  # each task queues its commit on its first few steps
        if len(pool.committer._pending) == 10:
            break
        await asyncio.sleep(0)
    assert len(pool.committer._pending) == 10
    store.gate.set()
    await asyncio.gather(first, *rest)
    # One transaction for the first cart, one for the ten that queued behind it.
    assert store.batch_sizes == [2, 20]
    assert pool.committer.batches == 2


async def test_refused_mutation_leaves_grain_and_log_unchanged() -> None:
    pool = make_pool()
    cart = new_cart_id()
    await pool.apply(cart, add(quantity=999))
    with pytest.raises(CartError) as info:
        await pool.apply(cart, add(quantity=1))
    assert info.value.cart_id == cart
    assert info.value.mutation == "add_item"
    state = await pool.get(cart)
    assert (state.version, state.items[0].quantity) == (2, 999)
    assert len(await pool.store.events(cart)) == 2


async def test_if_version_refuses_a_stale_client() -> None:
    pool = make_pool()
    cart = new_cart_id()
    await pool.apply(cart, add())
    with pytest.raises(PreconditionFailed):
        await pool.apply(cart, add(), if_version=1)
    assert (await pool.apply(cart, add(), if_version=2)).state.version == 3


async def test_failed_commit_is_not_acknowledged_and_changes_nothing() -> None:
    store = GatedStore()
    pool = make_pool(store)
    cart = new_cart_id()
    await pool.apply(cart, add())
    store.fail_next = StorageError("database down")
    with pytest.raises(StorageError):
        await pool.apply(cart, add(quantity=5))
    assert (await pool.get(cart)).items[0].quantity == 1
    assert (await pool.apply(cart, add(quantity=2))).state.items[0].quantity == 3


async def test_cancelled_request_still_publishes_its_committed_event() -> None:
    store = GatedStore()
    pool = make_pool(store)
    cart = new_cart_id()
    await pool.apply(cart, add())
    store.gate.clear()
    store.entered.clear()
    request = asyncio.ensure_future(pool.apply(cart, add(quantity=4)))
    await store.entered.wait()
    request.cancel()  # the client went away while the event was being committed
    with pytest.raises(asyncio.CancelledError):
        await request
    store.gate.set()
    follow_up = await pool.apply(cart, add(quantity=1))
    # The grain saw the committed event: no fence hit, no lost update.
    assert follow_up.state.version == 4
    assert follow_up.state.items[0].quantity == 6
    assert [e.seq for e in await store.events(cart)] == [1, 2, 3, 4]


async def test_stale_owner_reloads_and_retries_on_the_fence() -> None:
    store = MemoryEventStore()
    a, b = make_pool(store), make_pool(store)
    cart = new_cart_id()
    await a.apply(cart, add("x"))
    await b.apply(cart, add("y"))  # b loads from the log and writes seq 3
    result = await a.apply(cart, add("z"))  # a still believes version 2
    assert result.state.version == 4
    assert [i.sku for i in result.state.items] == ["x", "y", "z"]
    assert [e.seq for e in await store.events(cart)] == [1, 2, 3, 4]


async def test_a_replayed_first_mutation_still_says_it_created_the_cart() -> None:
    store = MemoryEventStore()
    pool = make_pool(store)
    cart = new_cart_id()
    first = await pool.apply(cart, add(), idempotency_key="k-new")
    assert first.created
    assert [e.idempotency_key for e in await store.events(cart)] == ["k-new", "k-new"]
    again = await pool.apply(cart, add(), idempotency_key="k-new")
    assert (again.replayed, again.created, again.state.version) == (True, True, 2)
    later = await pool.apply(cart, add(), idempotency_key="k-later")
    assert not later.created
    restarted = make_pool(store)  # the keys and the answer survive a reload
    replay = await restarted.apply(cart, add(), idempotency_key="k-new")
    assert (replay.replayed, replay.created, replay.state.version) == (True, True, 2)
    replay = await restarted.apply(cart, add(), idempotency_key="k-later")
    assert (replay.replayed, replay.created, replay.state.version) == (True, False, 3)


async def test_idempotency_key_replays_first_result_across_reloads() -> None:
    store = MemoryEventStore()
    pool = make_pool(store)
    cart = new_cart_id()
    first = await pool.apply(cart, add(quantity=2), idempotency_key="k-1")
    await pool.apply(cart, add(quantity=1))
    again = await pool.apply(cart, add(quantity=2), idempotency_key="k-1")
    assert again.replayed
    assert again.state.version == first.state.version
    with pytest.raises(IdempotencyConflict):
        await pool.apply(cart, add(quantity=3), idempotency_key="k-1")
    fresh = make_pool(store)  # a restarted node rebuilds the first result from the log
    replay = await fresh.apply(cart, add(quantity=2), idempotency_key="k-1")
    assert replay.replayed
    assert replay.state.SerializeToString(deterministic=True) == first.state.SerializeToString(
        deterministic=True
    )
    assert (await fresh.get(cart)).items[0].quantity == 3


async def test_snapshots_bound_activation_replay() -> None:
    store = MemoryEventStore()
    pool = make_pool(store, snapshot_every=5)
    cart = new_cart_id()
    for _ in range(11):
        last = await pool.apply(cart, add())
    loaded = await store.load(cart)
    assert loaded.snapshot_version == 10
    assert [e.seq for e in loaded.events] == [11, 12]
    fresh = make_pool(store)
    state = await fresh.get(cart)
    assert state.SerializeToString(deterministic=True) == last.state.SerializeToString(
        deterministic=True
    )


async def test_idle_grains_are_purged_by_expiry_order() -> None:
    clock = FakeClock()
    pool = make_pool(ttl=60, clock=clock)
    old, busy = new_cart_id(), new_cart_id()
    await pool.apply(old, add())
    await pool.apply(busy, add())
    clock.now += 50
    await pool.get(busy)  # touched: lives 60 s from now
    clock.now += 20
    assert pool.purge() == 1
    assert old not in pool
    assert busy in pool
    clock.now += 61
    assert pool.purge() == 1
    assert len(pool) == 0
    # An evicted cart comes back from the log, whole.
    assert (await pool.get(old)).items[0].quantity == 1


async def test_purge_skips_a_grain_in_use() -> None:
    clock = FakeClock()
    pool = make_pool(ttl=10, clock=clock)
    cart = new_cart_id()
    await pool.apply(cart, add())
    grain = pool._grains[cart]
    async with grain.lock:
        clock.now += 100
        assert pool.purge() == 0
    clock.now += 100
    assert pool.purge() == 1


async def test_stop_commits_what_is_queued() -> None:
    store = GatedStore()
    pool = make_pool(store)
    store.gate.clear()
    pending = [asyncio.ensure_future(pool.apply(new_cart_id(), add())) for _ in range(3)]
    await store.entered.wait()
    stopping = asyncio.ensure_future(pool.stop())
    store.gate.set()
    await stopping
    assert all(p.result().state.version == 2 for p in pending)
    with pytest.raises(StorageError):
        await pool.apply(new_cart_id(), add())


@pytest.mark.django_db(transaction=True)
async def test_pool_on_the_database_survives_a_restart() -> None:
    cart = new_cart_id()
    pool = make_pool(DatabaseEventStore(readers=1), snapshot_every=3)
    await asyncio.gather(*(pool.apply(cart, add(f"s{i % 4}")) for i in range(10)))
    before = await pool.get(cart)
    await pool.stop()
    fresh = make_pool(DatabaseEventStore(readers=1))
    try:
        after = await fresh.get(cart)
    finally:
        await fresh.stop()
    assert after.SerializeToString(deterministic=True) == before.SerializeToString(
        deterministic=True
    )
    assert await CartEvent.objects.filter(cart_id=cart).acount() == 11


@pytest.mark.django_db(transaction=True)
async def test_dropped_database_connections_fail_one_write_then_recover(postgres: None) -> None:
    """A mutation whose commit fails is a 503, never acknowledged; the next one works."""
    from asgiref.sync import sync_to_async
    from django.db import connection

    def kill_other_sessions() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    cart = new_cart_id()
    pool = make_pool(DatabaseEventStore(readers=1))
    try:
        await pool.apply(cart, add())
        assert await sync_to_async(kill_other_sessions)() >= 1
        with pytest.raises(StorageError):
            await pool.apply(cart, add(quantity=3))
        result = await pool.apply(cart, add(quantity=2))
        assert result.state.items[0].quantity == 3
        assert [e.seq for e in await pool.store.events(cart)] == [1, 2, 3]
    finally:
        await pool.stop()


async def test_unknown_and_refused_carts_leave_nothing_in_memory() -> None:
    """Probing random ids (GETs, refused first mutations) costs no memory afterwards."""
    pool = make_pool()
    for _ in range(20):
        with pytest.raises(CartNotFound):
            await pool.get(new_cart_id())
        with pytest.raises(CartError):
            await pool.apply(new_cart_id(), add(quantity=1000))
    assert len(pool) == 0
    assert pool._expiry == []
    cart = new_cart_id()
    await pool.apply(cart, add())
    assert len(pool) == 1
    assert len(pool._expiry) == 1
