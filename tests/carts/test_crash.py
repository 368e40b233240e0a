"""Durability: SIGKILL a real node under write load; every acknowledged mutation survives.

Each request adds a different product to one of a few carts, so a cart's lines
name exactly the requests that were applied to it. After the crash and a
restart, every request that got a 2xx must be there, once; the only other
lines allowed are requests that were in flight when the node died (they got
no answer, so the client cannot know); nothing is applied twice or lost.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import httpx
import psycopg
import pytest
from django.conf import settings

from carts.ids import new_cart_id
from carts.models import CartEvent, Product
from tests.nodes import Node, database_url, start_node

CARTS = 4
LINES_PER_CART = 100  # the cart's line limit: every request adds a new line
CLIENTS = 16
KILL_AFTER_ACKS = 150


@pytest.fixture
def catalog(transactional_db: None) -> list[str]:
    """A hundred products in the test database, as the node will see them."""
    skus = [f"CRASH-{i:03d}" for i in range(LINES_PER_CART)]
    Product.objects.bulk_create(
        [
            Product(sku=s, name=f"Crash {s}", price=1000 + i, tax_rate=2500)
            for i, s in enumerate(skus)
        ]
    )
    return skus


class Load:
    """CLIENTS connections sending ``work``; records what was acknowledged."""

    def __init__(self, node: Node, work: list[tuple[str, str]]) -> None:
        self.node = node
        self.queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        for item in work:
            self.queue.put_nowait(item)
        self.acked: set[tuple[str, str]] = set()
        self.unanswered: set[tuple[str, str]] = set()
        self.refused: list[tuple[tuple[str, str], int, str]] = []
        self.in_flight = 0
        self.stop = asyncio.Event()
        self.enough = asyncio.Event()  # KILL_AFTER_ACKS acknowledged
        self.stalled = False  # every client was waiting on a commit held by our lock

    async def client(self) -> None:
        async with httpx.AsyncClient(base_url=self.node.url, timeout=30) as http:
            while not self.stop.is_set() and not self.queue.empty():
                cart_id, sku = item = self.queue.get_nowait()
                self.in_flight += 1
                try:
                    response = await http.post(
                        f"/api/carts/{cart_id}/items", json={"sku": sku, "quantity": 1}
                    )
                except httpx.TransportError:
                    self.unanswered.add(item)
                    continue
                finally:
                    self.in_flight -= 1
                if response.is_success:
                    self.acked.add(item)
                    if len(self.acked) >= KILL_AFTER_ACKS:
                        self.enough.set()
                else:
                    self.refused.append((item, response.status_code, response.text))


def _writes_blocked(conninfo: str) -> Callable[[], bool]:
    """Return a probe: is an insert into the event log waiting for our table lock?"""

    def probe() -> bool:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted "
                "AND relation = 'carts_cartevent'::regclass"
            ).fetchone()
        return bool(row and row[0])

    return probe


async def _crash(node: Node, work: list[tuple[str, str]], conninfo: str | None) -> Load:
    """Load the node, stall its commits (on PostgreSQL), then SIGKILL it mid-load."""
    load = Load(node, work)
    clients = asyncio.gather(*(load.client() for _ in range(CLIENTS)))
    await asyncio.wait_for(load.enough.wait(), timeout=60)
    if conninfo is not None:
        # Hold the event log still: from here on no commit can finish, so a node
        # that answered before its event was durable would show acks we then lose.
        locker = await asyncio.to_thread(psycopg.connect, conninfo)
        await asyncio.to_thread(locker.execute, "LOCK TABLE carts_cartevent IN EXCLUSIVE MODE")
        acked_before = len(load.acked)
        probe = _writes_blocked(conninfo)
        # Kill once every client waits on a stalled commit, or once a node that
        # acknowledges without waiting has answered plenty while nothing could commit.
        for _ in range(600):
            if len(load.acked) - acked_before >= 4 * CLIENTS:
                break
            if load.in_flight == CLIENTS and await asyncio.to_thread(probe):
                load.stalled = True
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the node neither stalled on the lock nor answered")
    node.proc.kill()  # SIGKILL: no shutdown, no flush
    load.stop.set()
    await clients
    if conninfo is not None:
        await asyncio.to_thread(locker.close)
    return load


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigkill_under_load_loses_no_acknowledged_mutation(catalog: list[str]) -> None:
    carts = [new_cart_id() for _ in range(CARTS)]
    work = [(c, s) for c in carts for s in catalog]
    random.Random(7).shuffle(work)
    env = {"DATABASE_URL": database_url(), "CART_NODE_ID": "crash-node", "CART_SNAPSHOT_EVERY": "7"}

    conninfo = database_url() if settings.USING_POSTGRES else None

    with start_node(env, wait=True) as node:
        load = asyncio.run(_crash(node, work, conninfo))
        assert node.wait(timeout=10) == -9
    acked, unanswered = load.acked, load.unanswered
    assert load.refused == [], load.refused[:3]
    assert len(acked) >= KILL_AFTER_ACKS
    if conninfo is not None:
        assert load.stalled, "the node answered while its event log was locked"

    with start_node(env, wait=True) as node, httpx.Client(base_url=node.url, timeout=10) as http:
        for cart_id in carts:
            mine = {s for c, s in acked if c == cart_id}
            maybe = {s for c, s in unanswered if c == cart_id}
            response = http.get(f"/api/carts/{cart_id}")
            if response.status_code == 404:
                assert not mine, f"cart {cart_id} lost {len(mine)} acknowledged adds"
                continue
            assert response.status_code == 200, response.text
            cart = response.json()
            present = [line["sku"] for line in cart["items"]]
            assert len(present) == len(set(present)), "a line was applied twice"
            assert mine <= set(present), f"lost acknowledged adds: {sorted(mine - set(present))}"
            assert set(present) <= mine | maybe, "a line appeared that was never sent"
            assert all(line["quantity"] == 1 for line in cart["items"])
            assert cart["version"] == len(present) + 1  # CreateCart + one event per line
            seqs = list(
                CartEvent.objects.filter(cart_id=cart_id)
                .order_by("seq")
                .values_list("seq", flat=True)
            )
            assert seqs == list(range(1, cart["version"] + 1))
            # The restarted node writes on from the right sequence number.
            free = next(s for s in catalog if s not in present)
            after = http.post(f"/api/carts/{cart_id}/items", json={"sku": free, "quantity": 1})
            assert after.status_code == 200, after.text
            assert after.json()["version"] == cart["version"] + 1
