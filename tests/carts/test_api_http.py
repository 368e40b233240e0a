"""HTTP semantics of the cart API: ETag, If-Match, If-None-Match, idempotency, timings."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.test import AsyncRequestFactory

import carts.runtime
from carts.api.views import CartItemsView, CartView
from carts.ids import new_cart_id
from carts.models import CartEvent
from tests.carts.conftest import Api, assert_error

ADD = {"sku": "mug", "quantity": 1}
TIMING = re.compile(r"^[a-z]+;dur=\d+\.\d{3}$")


def timings(response: Any) -> dict[str, float]:
    entries = [e.strip() for e in response["Server-Timing"].split(",")]
    assert all(TIMING.match(e) for e in entries), entries
    return {name: float(dur) for name, dur in (e.split(";dur=") for e in entries)}


@pytest.mark.django_db(transaction=True)
async def test_if_match_applies_only_at_that_version(api: Api) -> None:
    cart_id = await api.new_cart()
    path = f"/api/carts/{cart_id}/items"
    response = await api.post(path, ADD, headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    body = assert_error(await api.post(path, ADD, headers={"If-Match": '"1"'}), 412)
    assert body["type"] == "version_mismatch"
    assert (await api.get(f"/api/carts/{cart_id}")).json()["version"] == 2
    assert_error(await api.post(path, ADD, headers={"If-Match": '"abc"'}), 412)
    assert_error(await api.post(path, ADD, headers={"If-Match": "3"}), 400)
    assert_error(await api.post(path, ADD, headers={"If-Match": '"3", "4"'}), 400)


@pytest.mark.django_db(transaction=True)
async def test_if_match_star_and_weak_tags(api: Api) -> None:
    cart_id = await api.new_cart()
    path = f"/api/carts/{cart_id}/items"
    assert (await api.post(path, ADD, headers={"If-Match": "*"})).status_code == 200
    assert (await api.post(path, ADD, headers={"If-Match": 'W/"2"'})).status_code == 200
    assert (await api.post(path, ADD, headers={"If-Match": ' "3" '})).status_code == 200
    assert (await api.get(f"/api/carts/{cart_id}"))["ETag"] == '"4"'


@pytest.mark.django_db(transaction=True)
async def test_if_match_on_a_refused_mutation_changes_nothing(api: Api) -> None:
    cart_id = await api.new_cart()
    await api.post(f"/api/carts/{cart_id}/items", ADD)
    response = await api.patch(
        f"/api/carts/{cart_id}/items/1", {"quantity": 3}, headers={"If-Match": '"1"'}
    )
    assert_error(response, 412)
    assert (await api.get(f"/api/carts/{cart_id}")).json()["items"][0]["quantity"] == 1


@pytest.mark.django_db(transaction=True)
async def test_conditional_get(api: Api) -> None:
    cart_id = await api.new_cart()
    path = f"/api/carts/{cart_id}"
    response = await api.get(path, headers={"If-None-Match": '"1"'})
    assert response.status_code == 304
    assert response["ETag"] == '"1"'
    assert response.content == b""
    assert (await api.get(path, headers={"If-None-Match": '"0", W/"1"'})).status_code == 304
    assert (await api.get(path, headers={"If-None-Match": '"7"'})).status_code == 200
    assert (await api.get(path, headers={"If-Match": '"1"'})).status_code == 200
    assert_error(await api.get(path, headers={"If-Match": '"2"'}), 412)


@pytest.mark.django_db(transaction=True)
async def test_idempotency_key_replays_the_first_result(api: Api) -> None:
    cart_id = await api.new_cart()
    path = f"/api/carts/{cart_id}/items"
    key = {"Idempotency-Key": "add-mug-7f3a"}
    first = await api.post(path, ADD, headers=key)
    assert first.status_code == 200
    assert "Idempotent-Replayed" not in first
    again = await api.post(path, ADD, headers=key)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert (await api.get(f"/api/carts/{cart_id}")).json()["items"][0]["quantity"] == 1
    # Exactly one event carries the key: the retry was not applied twice.
    events = CartEvent.objects.filter(cart_id=cart_id)
    assert await events.filter(idempotency_key="add-mug-7f3a").acount() == 1
    assert await events.acount() == 2  # CreateCart + one AddItem


@pytest.mark.django_db(transaction=True)
async def test_a_retried_first_mutation_answers_201_again(api: Api) -> None:
    """The retry of the request that created the cart gets the same answer: 201."""
    path = f"/api/carts/{new_cart_id()}/items"
    key = {"Idempotency-Key": "first-add"}
    first = await api.post(path, ADD, headers=key)
    again = await api.post(path, ADD, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert again.json() == first.json()


@pytest.mark.django_db(transaction=True)
async def test_idempotency_key_reused_for_another_mutation_is_422(api: Api) -> None:
    cart_id = await api.new_cart()
    path = f"/api/carts/{cart_id}/items"
    key = {"Idempotency-Key": "k-1"}
    assert (await api.post(path, ADD, headers=key)).status_code == 200
    response = await api.post(path, {"sku": "book", "quantity": 1}, headers=key)
    assert assert_error(response, 422)["type"] == "idempotency_key_reused"


@pytest.mark.django_db(transaction=True)
async def test_idempotency_key_bounds(api: Api) -> None:
    cart_id = await api.new_cart()
    path = f"/api/carts/{cart_id}/items"
    assert (await api.post(path, ADD, headers={"Idempotency-Key": "k" * 255})).status_code == 200
    body = assert_error(await api.post(path, ADD, headers={"Idempotency-Key": "k" * 256}), 400)
    assert "Idempotency-Key" in body["error"]
    assert_error(await api.post(path, ADD, headers={"Idempotency-Key": ""}), 400)
    assert_error(await api.post(path, ADD, headers={"Idempotency-Key": "a\x00b"}), 400)


@pytest.mark.django_db(transaction=True)
async def test_server_timing_on_every_mutation(api: Api) -> None:
    response = await api.post("/api/carts")
    first = timings(response)
    assert {"apply", "persist", "total"} <= set(first)
    cart_id = response.json()["id"]
    response = await api.post(f"/api/carts/{cart_id}/items", ADD)
    entries = timings(response)
    assert next(iter(entries)) == "resolve"
    assert {"resolve", "queue", "apply", "persist", "total"} <= set(entries)
    assert entries["total"] >= entries["persist"]
    # A cart not in memory pays for its load, and says so.
    response = await api.patch(f"/api/carts/{uuid.uuid4()}/items/1", {"quantity": 1})
    assert response.status_code == 404
    assert "Server-Timing" not in response


@pytest.mark.django_db(transaction=True)
async def test_loading_a_cart_shows_in_server_timing(api: Api) -> None:
    cart_id = await api.new_cart()
    await carts.runtime.reset()
    response = await api.post(f"/api/carts/{cart_id}/items", ADD)
    assert "load" in timings(response)


async def test_the_hot_path_never_touches_the_database(api: Api, memory_store: None) -> None:
    # No django_db mark: pytest-django makes any database access raise, on any thread.
    cart_id = await api.new_cart()
    path = f"/api/carts/{cart_id}"
    assert (await api.post(f"{path}/items", ADD)).status_code == 200
    assert (await api.patch(f"{path}/items/1", {"quantity": 2})).status_code == 200
    assert (await api.post(f"{path}/deliveries", {"provider": "dhl"})).status_code == 200
    assert (await api.get(path)).status_code == 200
    assert (await api.get("/api/cart")).status_code == 404
    assert (await api.post("/api/cart/items", ADD)).status_code == 201


async def test_views_never_hop_to_a_thread(
    static_catalog: Any, memory_store: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # adrf's own dispatch runs DRF's initial() through sync_to_async; ours must not.
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("sync_to_async on the view path")

    monkeypatch.setattr("asgiref.sync.SyncToAsync.__init__", refuse)
    factory = AsyncRequestFactory()
    cart_id = new_cart_id()
    path = f"/api/carts/{cart_id}"
    try:
        add = CartItemsView.as_view()
        request = factory.post(f"{path}/items", ADD, content_type="application/json")
        response = await add(request, cart_id=cart_id)
        assert response.status_code == 201
        refused = factory.post(f"{path}/items", {"sku": 1}, content_type="application/json")
        assert (await add(refused, cart_id=cart_id)).status_code == 400
        get = CartView.as_view(http_method_names=["get", "head", "options"])
        response = await get(factory.get(path), cart_id=cart_id)
        assert response.status_code == 200
        assert json.loads(response.content)["items"][0]["sku"] == "mug"
        assert (await get(factory.delete(path), cart_id=cart_id)).status_code == 405
    finally:
        monkeypatch.undo()
        await carts.runtime.reset()
