"""The local grain pool: one in-memory grain per active cart on this node.

``apply`` is the only way a cart changes here: it takes the grain's lock (one
mutation at a time per cart, carts in parallel), applies the mutation to a copy
of the state, waits for the group commit, and only then makes the copy the
grain's state and acknowledges. A refused mutation, a failed commit or a
cancelled request leave the grain as it was. A write that loses on the
``(cart_id, seq)`` fence reloads the grain from the log and tries again.

Idle grains leave memory after ``ttl`` seconds; a min-heap of expiry times
finds them without scanning every grain.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from carts.errors import (
    CartNotFound,
    IdempotencyConflict,
    PreconditionFailed,
    StaleWrite,
    StorageError,
)
from carts.eventstore.base import KEYS_KEPT, EventRecord, EventStore
from carts.grain import new_state
from carts.group_commit import GroupCommitter
from carts.mutations import MutationRegistry, kind_of, registry, wrap
from proto import cart_actor_pb2 as pb

__all__ = ["ApplyResult", "Grain", "GrainPool"]

log = logging.getLogger(__name__)

# A write that keeps losing the fence is contended by another owner: give up.
MAX_STALE_RETRIES = 3
# Idempotent replays keep the resulting state of this many recent keys in memory.
STATES_KEPT = 16


@dataclass(slots=True)
class ApplyResult:
    """The cart after a mutation, and where the time went (seconds)."""

    state: pb.CartState
    timings: dict[str, float] = field(default_factory=dict)
    replayed: bool = False  # an Idempotency-Key matched an earlier mutation
    created: bool = False  # this mutation created the cart


class Grain:
    """One cart in memory. ``state`` is replaced, never mutated, once published."""

    __slots__ = (
        "cart_id",
        "evicted",
        "keys",
        "last_used",
        "loaded",
        "lock",
        "scheduled",
        "state",
        "states",
    )

    def __init__(self, cart_id: str, now: float) -> None:
        self.cart_id = cart_id
        self.state = new_state(cart_id)
        self.lock = asyncio.Lock()
        self.loaded = False
        self.evicted = False
        self.scheduled = False  # has an entry in the pool's expiry heap
        self.last_used = now
        self.keys: OrderedDict[str, int] = OrderedDict()  # idempotency key -> seq
        self.states: OrderedDict[int, pb.CartState] = OrderedDict()  # seq -> state


class GrainPool:
    """Activates, mutates, persists and evicts the grains of this node."""

    def __init__(
        self,
        *,
        store: EventStore,
        node_id: str,
        currency: str,
        ttl: float = 900.0,
        snapshot_every: int = 50,
        max_batch: int = 256,
        mutations: MutationRegistry = registry,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if snapshot_every < 1:
            raise ValueError("CART_SNAPSHOT_EVERY must be at least 1")
        self.store = store
        self.committer = GroupCommitter(store, max_batch=max_batch)
        self.node_id = node_id
        self.currency = currency
        self.ttl = ttl
        self.snapshot_every = snapshot_every
        self.mutations = mutations
        self.clock = clock
        self._grains: dict[str, Grain] = {}
        self._expiry: list[tuple[float, str]] = []
        self._purger: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[ApplyResult]] = set()
        self._closing = False

    # --- reading ---------------------------------------------------------

    async def get(self, cart_id: str) -> pb.CartState:
        """Return the current state of ``cart_id`` or raise ``CartNotFound``."""
        grain = self._grains.get(cart_id)
        if grain is not None and grain.loaded and not grain.evicted:
            grain.last_used = self.clock()
            state = grain.state
        else:
            grain = self._grain(cart_id)
            async with grain.lock:
                if not grain.loaded:
                    await self._load(grain)
                state = grain.state
        if state.version == 0:
            self._forget(cart_id)
            raise CartNotFound("no cart with this id", cart_id=cart_id)
        return state

    def __len__(self) -> int:
        return len(self._grains)

    def __contains__(self, cart_id: object) -> bool:
        return cart_id in self._grains

    # --- writing ---------------------------------------------------------

    async def apply(
        self,
        cart_id: str,
        mutation: pb.Mutation,
        *,
        if_version: int | None = None,
        idempotency_key: str | None = None,
        lease_version: int = 0,
    ) -> ApplyResult:
        """Apply ``mutation`` to ``cart_id`` and return once it is durable.

        A cart with no events is created first (a ``CreateCart`` in the node's
        currency). ``if_version`` refuses the mutation unless the cart is at that
        version; ``idempotency_key`` returns the first result of a repeated key.
        """
        kind_of(mutation)  # an empty envelope is refused before any work
        if self._closing:
            raise StorageError("the node is shutting down", cart_id=cart_id)
        # Shielded: once begun, apply-persist-publish runs to the end even if the
        # request is cancelled, so the grain never lags a committed event.
        task = asyncio.ensure_future(
            self._apply(cart_id, mutation, if_version, idempotency_key, lease_version)
        )
        self._inflight.add(task)
        task.add_done_callback(functools.partial(self._settled, cart_id))
        return await asyncio.shield(task)

    def _settled(self, cart_id: str, task: asyncio.Task[ApplyResult]) -> None:
        self._inflight.discard(task)
        if task.cancelled() or task.exception() is not None:
            # A cart that never came to be (its first mutation refused) leaves no grain.
            self._forget(cart_id)

    async def _apply(
        self,
        cart_id: str,
        mutation: pb.Mutation,
        if_version: int | None,
        key: str | None,
        lease_version: int,
    ) -> ApplyResult:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        for attempt in range(MAX_STALE_RETRIES + 1):
            grain = self._grain(cart_id)
            async with grain.lock:
                if grain.evicted:
                    continue
                timings["queue"] = time.perf_counter() - started
                if not grain.loaded:
                    t = time.perf_counter()
                    await self._load(grain)
                    timings["load"] = timings.get("load", 0.0) + time.perf_counter() - t
                if key is not None and key in grain.keys:
                    return await self._replay(grain, key, mutation, timings)
                if if_version is not None and grain.state.version != if_version:
                    raise PreconditionFailed(
                        f"the cart is at version {grain.state.version}, not {if_version}",
                        cart_id=cart_id,
                    )
                t = time.perf_counter()
                state, records = self._step(grain, mutation, key, lease_version)
                timings["apply"] = time.perf_counter() - t
                t = time.perf_counter()
                try:
                    await self.committer.commit(records)
                except StaleWrite:
                    timings["persist"] = time.perf_counter() - t
                    if attempt == MAX_STALE_RETRIES:
                        raise
                    log.info("cart %s lost the fence at seq %s; reloading", cart_id, state.version)
                    grain.loaded = False
                    continue
                except StorageError:
                    # The commit's outcome is unknown: reload before the next mutation
                    # rather than trust a state the log may be ahead of.
                    grain.loaded = False
                    raise
                timings["persist"] = time.perf_counter() - t
                grain.state = state
                grain.last_used = self.clock()
                self._schedule(grain)
                if key is not None:
                    self._remember(grain, key, state)
                return ApplyResult(state, timings, created=records[0].seq == 1)
        raise StorageError("the cart kept changing under this node", cart_id=cart_id)

    def _step(
        self, grain: Grain, mutation: pb.Mutation, key: str | None, lease_version: int
    ) -> tuple[pb.CartState, list[EventRecord]]:
        """Apply to a copy of the state; return it with the events to commit."""
        state = pb.CartState()
        state.CopyFrom(grain.state)
        steps = [mutation]
        if state.version == 0 and mutation.WhichOneof("kind") != "create_cart":
            steps.insert(0, wrap(pb.CreateCart(currency=self.currency)))
        records = []
        for step in steps:
            reg = self.mutations.apply(state, step)  # CartError: the grain is untouched
            due = state.version % self.snapshot_every == 0
            records.append(
                EventRecord(
                    cart_id=grain.cart_id,
                    seq=state.version,
                    kind=reg.kind,
                    mutation=step.SerializeToString(deterministic=True),
                    node_id=self.node_id,
                    lease_version=lease_version,
                    # The implicit CreateCart carries the key too: a replay then
                    # knows this request created the cart (and answers 201 again).
                    idempotency_key=key,
                    snapshot=state.SerializeToString(deterministic=True) if due else None,
                )
            )
        return state, records

    async def _replay(
        self, grain: Grain, key: str, mutation: pb.Mutation, timings: dict[str, float]
    ) -> ApplyResult:
        """Return the result of the earlier mutation sent with ``key``."""
        seq = grain.keys[key]
        # The keyed request's events: its mutation, after an implicit CreateCart if
        # that request created the cart.
        earlier = await self.store.events(grain.cart_id, after=max(seq - 2, 0), upto=seq)
        mine = [e for e in earlier if e.idempotency_key == key]
        if mine and mine[-1].mutation != mutation.SerializeToString(deterministic=True):
            raise IdempotencyConflict(
                "this Idempotency-Key was used for a different mutation",
                cart_id=grain.cart_id,
                mutation=mutation.WhichOneof("kind"),
            )
        state = grain.states.get(seq)
        if state is None:
            state = await self._rebuild(grain.cart_id, seq)
        created = bool(mine) and mine[0].seq == 1
        return ApplyResult(state, timings, replayed=True, created=created)

    async def _rebuild(self, cart_id: str, seq: int) -> pb.CartState:
        """Replay the log of ``cart_id`` up to ``seq``."""
        state = new_state(cart_id)
        for event in await self.store.events(cart_id, upto=seq):
            self.mutations.apply(state, pb.Mutation.FromString(event.mutation))
        return state

    def _remember(self, grain: Grain, key: str, state: pb.CartState) -> None:
        grain.keys[key] = state.version
        grain.states[state.version] = state
        while len(grain.keys) > KEYS_KEPT:
            grain.keys.popitem(last=False)
        while len(grain.states) > STATES_KEPT:
            grain.states.popitem(last=False)

    # --- activation and eviction ----------------------------------------

    def _grain(self, cart_id: str) -> Grain:
        grain = self._grains.get(cart_id)
        now = self.clock()
        if grain is None:
            grain = self._grains[cart_id] = Grain(cart_id, now)
        grain.last_used = now
        return grain

    def _schedule(self, grain: Grain) -> None:
        """Give a grain that holds a cart its entry in the expiry heap (once)."""
        if not grain.scheduled:
            grain.scheduled = True
            heapq.heappush(self._expiry, (grain.last_used + self.ttl, grain.cart_id))

    async def _load(self, grain: Grain) -> None:
        """Activate ``grain`` from its latest snapshot and the events after it."""
        stored = await self.store.load(grain.cart_id)
        state = (
            pb.CartState.FromString(stored.snapshot)
            if stored.snapshot is not None
            else new_state(grain.cart_id)
        )
        for event in stored.events:
            self.mutations.apply(state, pb.Mutation.FromString(event.mutation))
            if state.version != event.seq:
                raise StorageError(
                    f"the event log of the cart is out of order at seq {event.seq}",
                    cart_id=grain.cart_id,
                )
        grain.state = state
        grain.keys = OrderedDict(sorted(stored.idempotency_keys.items(), key=lambda kv: kv[1]))
        grain.states.clear()
        grain.loaded = True
        if state.version > 0:
            self._schedule(grain)

    def _forget(self, cart_id: str) -> None:
        grain = self._grains.get(cart_id)
        if grain is not None and not grain.lock.locked() and grain.state.version == 0:
            grain.evicted = True
            del self._grains[cart_id]

    def purge(self) -> int:
        """Evict grains idle for longer than the TTL; return how many left memory."""
        now = self.clock()
        evicted = 0
        while self._expiry and self._expiry[0][0] <= now:
            _, cart_id = heapq.heappop(self._expiry)
            grain = self._grains.get(cart_id)
            if grain is None:
                continue
            expires = grain.last_used + self.ttl
            if expires > now or grain.lock.locked():
                heapq.heappush(self._expiry, (max(expires, now + 1.0), cart_id))
                continue
            grain.evicted = True
            del self._grains[cart_id]
            evicted += 1
        return evicted

    async def _purge_forever(self) -> None:
        interval = max(1.0, min(self.ttl / 4, 30.0))
        while True:
            await asyncio.sleep(interval)
            evicted = self.purge()
            if evicted:
                log.debug("evicted %d idle grains", evicted)

    async def start(self) -> None:
        """Start the idle-grain purger (the group committer starts on first use)."""
        if self._purger is None:
            self._purger = asyncio.get_running_loop().create_task(
                self._purge_forever(), name="cart-grain-purge"
            )

    async def stop(self) -> None:
        """Refuse new mutations, finish those in flight, then close the store."""
        self._closing = True
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        if self._purger is not None:
            self._purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purger
            self._purger = None
        await self.committer.close()
        await self.store.close()
