"""The cart routes by id: every mutation's success and refusal, the catalog routes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import carts.runtime
from carts.models import Product
from tests.carts.conftest import PRODUCTS, Api, assert_error

pytestmark = pytest.mark.django_db(transaction=True)

MUG = PRODUCTS[0]


async def add(api: Api, cart_id: str, sku: str = "mug", quantity: int = 1) -> dict:
    response = await api.post(f"/api/carts/{cart_id}/items", {"sku": sku, "quantity": quantity})
    assert response.status_code in (200, 201), response.content
    return response.json()


async def test_create_cart_answers_201_with_location_and_etag(api: Api) -> None:
    response = await api.post("/api/carts")
    assert response.status_code == 201
    body = response.json()
    assert str(uuid.UUID(body["id"])) == body["id"]
    assert response["Location"] == f"/api/carts/{body['id']}"
    assert response["ETag"] == '"1"'
    assert body == {
        "id": body["id"],
        "version": 1,
        "currency": "SEK",
        "items": [],
        "deliveries": [],
        "totals": {
            "items": 0,
            "items_tax": 0,
            "delivery": 0,
            "delivery_tax": 0,
            "discount": 0,
            "total": 0,
            "tax": 0,
            "quantity": 0,
        },
        "checkout_order_id": None,
        "checkout_status": None,
    }


async def test_create_cart_refuses_fields(api: Api) -> None:
    body = assert_error(await api.post("/api/carts", {"currency": "EUR"}), 400)
    assert "currency" in body["fields"]


async def test_get_returns_the_cart_and_its_etag(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id)
    response = await api.get(f"/api/carts/{cart_id}")
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert response.json()["items"][0]["sku"] == "mug"


async def test_get_of_a_cart_that_does_not_exist_is_404(api: Api) -> None:
    body = assert_error(await api.get(f"/api/carts/{uuid.uuid4()}"), 404)
    assert body["type"] == "cart_not_found"


async def test_malformed_cart_id_is_400(api: Api) -> None:
    for path in ("/api/carts/nope", "/api/carts/nope/items", "/api/carts/1234/items/1"):
        body = assert_error(await api.call("GET" if path.count("/") == 3 else "DELETE", path), 400)
        assert body["type"] == "invalid_cart_id"


async def test_add_item_resolves_the_product_through_the_catalog(api: Api) -> None:
    cart_id = await api.new_cart()
    response = await api.post(f"/api/carts/{cart_id}/items", {"sku": "mug", "quantity": 2})
    assert response.status_code == 200
    cart = response.json()
    assert cart["items"] == [
        {
            "id": 1,
            "sku": "mug",
            "name": MUG["name"],
            "unit_price": 14900,
            "tax_rate": 2500,
            "quantity": 2,
            "image_url": MUG["image_url"],
            "discount": 0,
            "total_price": 29800,
            "total_tax": 5960,
        }
    ]
    assert cart["totals"]["total"] == 29800
    assert cart["totals"]["quantity"] == 2
    assert isinstance(cart["totals"]["total"], int)


async def test_add_item_to_a_new_id_creates_the_cart(api: Api) -> None:
    cart_id = str(uuid.uuid4())
    response = await api.post(f"/api/carts/{cart_id}/items", {"sku": "book", "quantity": 1})
    assert response.status_code == 201
    assert response["Location"] == f"/api/carts/{cart_id}"
    assert response.json()["version"] == 2  # CreateCart, then AddItem
    assert (await api.get(f"/api/carts/{cart_id}")).status_code == 200


async def test_unknown_sku_is_404_and_creates_nothing(api: Api) -> None:
    cart_id = str(uuid.uuid4())
    response = await api.post(f"/api/carts/{cart_id}/items", {"sku": "nope", "quantity": 1})
    assert assert_error(response, 404)["type"] == "product_not_found"
    assert_error(await api.get(f"/api/carts/{cart_id}"), 404)


async def test_adding_a_sku_again_grows_its_line_up_to_the_limit(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id, quantity=990)
    cart = await add(api, cart_id, quantity=9)
    assert [(i["id"], i["quantity"]) for i in cart["items"]] == [(1, 999)]
    response = await api.post(f"/api/carts/{cart_id}/items", {"sku": "mug", "quantity": 1})
    assert assert_error(response, 422)["type"] == "limit_exceeded"


async def test_put_items_replaces_every_line_and_keeps_line_ids(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id, "mug")
    await add(api, cart_id, "book")
    body = {"items": [{"sku": "coffee", "quantity": 3}, {"sku": "mug", "quantity": 2}]}
    response = await api.put(f"/api/carts/{cart_id}/items", body)
    assert response.status_code == 200
    items = {i["sku"]: i for i in response.json()["items"]}
    assert set(items) == {"coffee", "mug"}
    assert items["mug"]["id"] == 1
    assert items["mug"]["quantity"] == 2
    assert items["coffee"]["name"] == "Coffee beans 500 g"
    assert items["coffee"]["tax_rate"] == 1200
    assert "resolve;dur=" in response["Server-Timing"]


async def test_put_items_with_an_unknown_sku_is_404(api: Api) -> None:
    cart_id = await api.new_cart()
    body = {"items": [{"sku": "mug", "quantity": 1}, {"sku": "nope", "quantity": 1}]}
    assert_error(await api.put(f"/api/carts/{cart_id}/items", body), 404)
    assert (await api.get(f"/api/carts/{cart_id}")).json()["version"] == 1


async def test_put_empty_items_empties_the_cart(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id)
    response = await api.put(f"/api/carts/{cart_id}/items", {"items": []})
    assert response.json()["items"] == []


async def test_patch_changes_quantity(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id)
    response = await api.patch(f"/api/carts/{cart_id}/items/1", {"quantity": 5})
    assert response.status_code == 200
    assert response.json()["items"][0]["quantity"] == 5
    assert response.json()["totals"]["items"] == 5 * 14900


async def test_patch_errors(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id)
    path = f"/api/carts/{cart_id}/items"
    assert assert_error(await api.patch(f"{path}/9", {"quantity": 1}), 404)["type"] == (
        "line_not_found"
    )
    assert_error(await api.patch(f"{path}/0", {"quantity": 1}), 400)
    assert_error(await api.patch(f"{path}/{2**63}", {"quantity": 1}), 400)
    assert_error(await api.patch(f"{path}/abc", {"quantity": 1}), 404)
    assert "quantity" in assert_error(await api.patch(f"{path}/1", {"quantity": 0}), 400)["fields"]
    assert (
        "quantity" in assert_error(await api.patch(f"{path}/1", {"quantity": 1000}), 400)["error"]
    )
    assert_error(await api.patch(f"{path}/1", {}), 400)


async def test_delete_item_and_clear_cart(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id, "mug")
    await add(api, cart_id, "book")
    response = await api.delete(f"/api/carts/{cart_id}/items/1")
    assert [i["sku"] for i in response.json()["items"]] == ["book"]
    assert_error(await api.delete(f"/api/carts/{cart_id}/items/1"), 404)
    response = await api.delete(f"/api/carts/{cart_id}/items")
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["totals"]["total"] == 0


async def test_set_delivery_uses_the_provider_quote(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id, "mug")
    response = await api.post(f"/api/carts/{cart_id}/deliveries", {"provider": "postnord"})
    assert response.status_code == 200
    cart = response.json()
    assert cart["deliveries"] == [
        {
            "id": 1,
            "provider": "postnord",
            "line_ids": [1],
            "pickup_point": None,
            "base_price": 4900,
            "free_over": 50000,
            "tax_rate": 2500,
            "price": 4900,
            "tax": 980,
        }
    ]
    assert cart["totals"]["total"] == 14900 + 4900
    # Over the free-delivery threshold the same delivery costs nothing.
    cart = (await api.patch(f"/api/carts/{cart_id}/items/1", {"quantity": 4})).json()
    assert cart["deliveries"][0]["price"] == 0


async def test_set_delivery_errors(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id, "mug")
    path = f"/api/carts/{cart_id}/deliveries"
    assert "provider" in assert_error(await api.post(path, {"provider": "pigeon"}), 400)["error"]
    assert_error(await api.post(path, {"provider": "dhl", "line_ids": [7]}), 404)
    assert_error(await api.post(path, {"provider": "dhl", "line_ids": [0]}), 400)
    assert (await api.post(path, {"provider": "dhl", "line_ids": [1]})).status_code == 200
    body = assert_error(await api.post(path, {"provider": "dhl", "line_ids": [1]}), 422)
    assert "already has a delivery" in body["error"]


async def test_remove_delivery_and_pickup_point(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id, "mug")
    await api.post(f"/api/carts/{cart_id}/deliveries", {"provider": "instabox"})
    point = {"id": "ib-42", "name": "Ica Nära", "city": "Malmö", "zip": "21145", "country": "SE"}
    response = await api.put(f"/api/carts/{cart_id}/deliveries/1/pickup-point", point)
    assert response.status_code == 200
    assert response.json()["deliveries"][0]["pickup_point"] == {"address": "", **point}
    assert_error(await api.put(f"/api/carts/{cart_id}/deliveries/5/pickup-point", point), 404)
    assert_error(await api.put(f"/api/carts/{cart_id}/deliveries/1/pickup-point", {}), 400)
    response = await api.delete(f"/api/carts/{cart_id}/deliveries/1")
    assert response.status_code == 200
    assert response.json()["deliveries"] == []
    body = assert_error(await api.delete(f"/api/carts/{cart_id}/deliveries/1"), 404)
    assert body["type"] == "delivery_not_found"


async def test_camel_case_input_is_accepted(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id, "mug")
    await add(api, cart_id, "book")
    body = {"provider": "dhl", "lineIds": [2], "pickupPoint": {"id": "p1", "zip": "11122"}}
    response = await api.post(f"/api/carts/{cart_id}/deliveries", body)
    assert response.status_code == 200, response.content
    delivery = response.json()["deliveries"][0]
    assert delivery["line_ids"] == [2]
    assert delivery["pickup_point"]["zip"] == "11122"
    assert "lineIds" not in delivery  # output stays snake_case


async def test_persistence_a_new_pool_loads_the_cart_from_the_database(api: Api) -> None:
    cart_id = await api.new_cart()
    await add(api, cart_id, "mug", 2)
    await api.post(f"/api/carts/{cart_id}/deliveries", {"provider": "dhl"})
    before = (await api.get(f"/api/carts/{cart_id}")).json()
    await carts.runtime.reset()
    response = await api.get(f"/api/carts/{cart_id}")
    assert response.status_code == 200
    assert response.json() == before
    assert response["ETag"] == '"3"'


async def test_products_list_and_detail(api: Api) -> None:
    response = await api.get("/api/products")
    assert response.status_code == 200
    products = response.json()["products"]
    assert [p["sku"] for p in products] == ["book", "coffee", "mug"]
    assert products[2] == MUG
    response = await api.get("/api/products/coffee")
    assert response.json()["price"] == 11900
    assert assert_error(await api.get("/api/products/nope"), 404)["type"] == "product_not_found"


async def test_delivery_providers(api: Api) -> None:
    response = await api.get("/api/delivery-providers")
    assert response.status_code == 200
    providers = {p["provider"]: p for p in response.json()["providers"]}
    assert set(providers) == {"dhl", "instabox", "postnord"}
    assert providers["postnord"] == {
        "provider": "postnord",
        "base_price": 4900,
        "free_over": 50000,
        "tax_rate": 2500,
    }


async def test_the_database_catalog_behind_the_api(api: Api, settings: Any) -> None:
    settings.CART_CATALOG = {
        "BACKEND": "carts.catalog.db.DatabaseCatalog",
        "OPTIONS": {"cache_seconds": 30},
    }
    await Product.objects.acreate(sku="lamp", name="Desk lamp", price=79500, tax_rate=2500)
    cart_id = await api.new_cart()
    cart = await add(api, cart_id, "lamp", 2)
    assert cart["items"][0]["name"] == "Desk lamp"
    assert cart["totals"]["total"] == 159000
    assert_error(await api.post(f"/api/carts/{cart_id}/items", {"sku": "mug", "quantity": 1}), 404)
    products = (await api.get("/api/products")).json()["products"]
    assert [p["sku"] for p in products] == ["lamp"]
