"""One node as a real process: it serves, and SIGTERM stops it cleanly through the lifespan."""

from __future__ import annotations

import signal

import httpx
import pytest

from carts.models import CartEvent
from cartsite.lifespan import Lifespan, Step, StepFailed
from tests.nodes import database_url, start_node


@pytest.fixture
def node_env(transactional_db: None) -> dict[str, str]:
    """Environment of a node on the test database."""
    return {"DATABASE_URL": database_url(), "CART_NODE_ID": "test-node", "LOG_LEVEL": "INFO"}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_node_serves_then_stops_gracefully(node_env: dict[str, str], signum: int) -> None:
    with start_node(node_env) as node:
        node.wait_ready(timeout=60)
        with httpx.Client(base_url=node.url, timeout=10) as client:
            products = client.get("/api/products")
            assert products.status_code == 200, products.text
            assert products.headers["content-type"].startswith("application/json")
            unknown = client.get("/no/such/route")
            assert unknown.status_code == 404
            created = client.post("/api/carts")
            assert created.status_code == 201, created.text
            cart_id = created.json()["id"]

        node.proc.send_signal(signum)
        status = node.wait(timeout=30)

        assert status == 0, node.output()
        assert f"node test-node serving {node.url}" in node.output()
        assert "Application shutdown complete" in node.output()
    # Acknowledged means committed: the event is in the log after the node is gone.
    assert CartEvent.objects.filter(cart_id=cart_id).count() >= 1


@pytest.mark.slow
def test_node_that_cannot_start_exits_3() -> None:
    env = {"CART_EVENT_STORE": "carts.eventstore.nowhere.Store", "DATABASE_URL": "sqlite://"}
    with start_node(env) as node:
        status = node.wait(timeout=60)
    assert status == 3
    assert "CART_EVENT_STORE" in node.output()


def _recording_steps(log: list[str], *, fail_start: str = "", fail_stop: str = "") -> list[Step]:
    def step(name: str) -> Step:
        async def start() -> None:
            if name == fail_start:
                raise RuntimeError("boom")
            log.append(f"start {name}")

        async def stop() -> None:
            log.append(f"stop {name}")
            if name == fail_stop:
                raise RuntimeError("bang")

        return Step(name, start, stop)

    return [step("a"), step("b"), step("c")]


async def _run_lifespan(app: Lifespan, *messages: str) -> list[dict[str, str]]:
    inbox = [{"type": f"lifespan.{m}"} for m in messages]
    sent: list[dict[str, str]] = []

    async def receive() -> dict[str, str]:
        return inbox.pop(0)

    async def send(message: dict[str, str]) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    return sent


async def test_lifespan_starts_in_order_and_stops_in_reverse() -> None:
    log: list[str] = []
    sent = await _run_lifespan(Lifespan(_recording_steps(log)), "startup", "shutdown")
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert log == ["start a", "start b", "start c", "stop c", "stop b", "stop a"]


async def test_lifespan_failed_start_stops_what_started() -> None:
    log: list[str] = []
    sent = await _run_lifespan(Lifespan(_recording_steps(log, fail_start="c")), "startup")
    assert sent == [{"type": "lifespan.startup.failed", "message": "c: RuntimeError: boom"}]
    assert log == ["start a", "start b", "stop b", "stop a"]


async def test_lifespan_failed_stop_still_stops_the_rest() -> None:
    log: list[str] = []
    app = Lifespan(_recording_steps(log, fail_stop="b"))
    await app.startup()
    with pytest.raises(StepFailed, match="b: RuntimeError: bang"):
        await app.shutdown()
    assert log[3:] == ["stop c", "stop b", "stop a"]
