"""The /api/cart/... routes: the cart named by the browser's cookie."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.carts.conftest import Api, assert_error

pytestmark = pytest.mark.django_db(transaction=True)


def cookie(response: Any) -> Any:
    return response.cookies["cartid"]


async def test_get_without_a_cookie_is_404(api: Api) -> None:
    assert assert_error(await api.get("/api/cart"), 404)["type"] == "cart_not_found"


async def test_first_mutation_creates_the_cart_and_sets_the_cookie(api: Api, settings: Any) -> None:
    response = await api.post("/api/cart/items", {"sku": "mug", "quantity": 1})
    assert response.status_code == 201
    cart = response.json()
    assert response["Location"] == "/api/cart"
    morsel = cookie(response)
    assert morsel.value == cart["id"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["secure"] is True
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) == settings.CART_COOKIE_MAX_AGE
    assert "Cookie" in response["Vary"]

    # The client sends the cookie back: the same cart, now read and changed by cookie.
    response = await api.get("/api/cart")
    assert response.status_code == 200
    assert response.json()["id"] == cart["id"]
    response = await api.post("/api/cart/items", {"sku": "book", "quantity": 1})
    assert response.status_code == 200
    assert [i["sku"] for i in response.json()["items"]] == ["mug", "book"]
    # ... and by id too: it is an ordinary cart.
    assert (await api.get(f"/api/carts/{cart['id']}")).json()["version"] == 3


async def test_dev_insecure_cookies_drop_secure(api: Api, settings: Any) -> None:
    settings.DEV_INSECURE_COOKIES = True
    response = await api.post("/api/cart/items", {"sku": "mug", "quantity": 1})
    assert cookie(response)["secure"] == ""
    assert cookie(response)["httponly"] is True


async def test_a_malformed_cookie_is_no_cart(api: Api) -> None:
    api.client.cookies["cartid"] = "not-a-cart-id"
    assert_error(await api.get("/api/cart"), 404)
    response = await api.post("/api/cart/items", {"sku": "mug", "quantity": 1})
    assert response.status_code == 201
    new_id = response.json()["id"]
    assert cookie(response).value == new_id != "not-a-cart-id"


async def test_a_cookie_for_a_cart_never_created_is_404_then_created(api: Api) -> None:
    cart_id = str(uuid.uuid4())
    api.client.cookies["cartid"] = cart_id
    assert_error(await api.get("/api/cart"), 404)
    response = await api.post("/api/cart/items", {"sku": "mug", "quantity": 1})
    assert response.status_code == 201
    assert response.json()["id"] == cart_id


async def test_a_refused_first_mutation_sets_no_cookie(api: Api) -> None:
    response = await api.post("/api/cart/items", {"sku": "nope", "quantity": 1})
    assert_error(response, 404)
    assert "cartid" not in response.cookies


async def test_post_cart_starts_a_new_cart(api: Api) -> None:
    first = (await api.post("/api/cart/items", {"sku": "mug", "quantity": 1})).json()["id"]
    response = await api.post("/api/cart")
    assert response.status_code == 201
    second = response.json()
    assert second["id"] != first
    assert second["items"] == []
    assert (await api.get("/api/cart")).json()["id"] == second["id"]


async def test_every_cookie_route(api: Api) -> None:
    await api.post("/api/cart/items", {"sku": "mug", "quantity": 1})
    cart_id = (await api.get("/api/cart")).json()["id"]
    steps = [
        ("PUT", "/api/cart/items", {"items": [{"sku": "book", "quantity": 2}]}),
        ("PATCH", "/api/cart/items/2", {"quantity": 3}),
        ("POST", "/api/cart/deliveries", {"provider": "dhl"}),
        ("PUT", "/api/cart/deliveries/1/pickup-point", {"id": "p-1"}),
        ("DELETE", "/api/cart/deliveries/1", None),
        ("DELETE", "/api/cart/items/2", None),
        ("DELETE", "/api/cart/items", None),
    ]
    for version, (method, path, body) in enumerate(steps, start=3):
        response = await api.call(method, path, body)
        assert response.status_code == 200, (path, response.content)
        assert response.json()["id"] == cart_id
        assert response["ETag"] == f'"{version}"'
        assert cookie(response).value == cart_id  # renewed on every answer
