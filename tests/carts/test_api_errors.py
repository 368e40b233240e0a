"""The one error shape: every 4xx/5xx, from DRF, from our domain and from Django."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import RequestFactory

from carts.api.errors import handler500
from tests.carts.conftest import Api, assert_error

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def cart(api: Api) -> str:
    """A cart with one line (id 1)."""
    cart_id = await api.new_cart()
    await api.post(f"/api/carts/{cart_id}/items", {"sku": "mug", "quantity": 1})
    return cart_id


async def test_unknown_urls_are_json_404(api: Api) -> None:
    for path in ("/api/nope", "/nope", "/api/carts/", "/api/carts/x/items/1/extra"):
        body = assert_error(await api.get(path), 404)
        assert body["type"] == "not_found"


async def test_method_not_allowed_is_json_405_with_allow(api: Api, cart: str) -> None:
    response = await api.put(f"/api/carts/{cart}", {})
    assert assert_error(response, 405)["type"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    response = await api.get("/api/carts")
    assert_error(response, 405)
    assert response["Allow"] == "POST, OPTIONS"
    assert_error(await api.call("TRACE", f"/api/carts/{cart}/items"), 405)


async def test_wrong_content_type_is_415(api: Api, cart: str) -> None:
    path = f"/api/carts/{cart}/items"
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = await api.post(path, raw="sku=mug&quantity=1", content_type=content_type)
        assert assert_error(response, 415)["type"] == "unsupported_media_type"


async def test_empty_and_malformed_bodies_are_400(api: Api, cart: str) -> None:
    path = f"/api/carts/{cart}/items"
    body = assert_error(await api.post(path, raw=""), 400)
    assert set(body["fields"]) == {"sku", "quantity"}
    for raw in ('{"sku": "mug", "quantity": ', "{", "}", "{'sku': 'mug'}", "\xff"):
        assert "JSON parse error" in assert_error(await api.post(path, raw=raw), 400)["error"]
    for raw in ('{"sku": "mug", "quantity": NaN}', '{"sku": "mug", "quantity": Infinity}'):
        assert_error(await api.post(path, raw=raw), 400)


async def test_a_body_that_is_not_an_object_is_400(api: Api, cart: str) -> None:
    path = f"/api/carts/{cart}/items"
    for raw, kind in (("[]", "an array"), ("null", "null"), ('"x"', "a string"), ("1", "number")):
        body = assert_error(await api.post(path, raw=raw), 400)
        assert kind in body["error"]


async def test_unknown_fields_are_named(api: Api, cart: str) -> None:
    body = {"sku": "mug", "quantity": 1, "price": 1, "unitPrice": 1}
    error = assert_error(await api.post(f"/api/carts/{cart}/items", body), 400)
    assert set(error["fields"]) == {"price", "unit_price"}
    assert "price" in error["error"]
    body = {"provider": "dhl", "pickupPoint": {"id": "p", "opening_hours": "9-5"}}
    error = assert_error(await api.post(f"/api/carts/{cart}/deliveries", body), 400)
    assert "pickup_point.opening_hours" in error["fields"]
    body = {"items": [{"sku": "mug", "quantity": 1, "name": "cheap"}]}
    error = assert_error(await api.put(f"/api/carts/{cart}/items", body), 400)
    assert "items.0.name" in error["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sku": "mug", "quantity": "2"}, "quantity"),
        ({"sku": "mug", "quantity": True}, "quantity"),
        ({"sku": "mug", "quantity": 2.5}, "quantity"),
        ({"sku": "mug", "quantity": 2.0}, "quantity"),
        ({"sku": "mug", "quantity": None}, "quantity"),
        ({"sku": 5, "quantity": 1}, "sku"),
        ({"sku": ["mug"], "quantity": 1}, "sku"),
        ({"sku": "", "quantity": 1}, "sku"),
        ({"sku": "m" * 65, "quantity": 1}, "sku"),
        ({"sku": "mug", "quantity": 0}, "quantity"),
        ({"sku": "mug", "quantity": 1000}, "quantity"),
        ({"sku": "mu\x00g", "quantity": 1}, "sku"),
    ],
)
async def test_wrong_types_and_bounds_name_the_field(
    api: Api, cart: str, body: dict[str, Any], field: str
) -> None:
    error = assert_error(await api.post(f"/api/carts/{cart}/items", body), 400)
    assert list(error["fields"]) == [field]
    assert field in error["error"]


async def test_string_bounds_at_the_edge(api: Api, cart: str) -> None:
    path = f"/api/carts/{cart}/items"
    # 64 characters is a valid sku: it is looked up (and not found), not refused.
    assert_error(await api.post(path, {"sku": "m" * 64, "quantity": 1}), 404)
    await api.post(f"/api/carts/{cart}/deliveries", {"provider": "dhl"})
    point = f"/api/carts/{cart}/deliveries/1/pickup-point"
    assert (await api.put(point, {"id": "p" * 200})).status_code == 200
    error = assert_error(await api.put(point, {"id": "p", "city": "c" * 201}), 400)
    assert list(error["fields"]) == ["city"]


async def test_duplicate_keys_are_refused(api: Api, cart: str) -> None:
    raw = '{"sku": "mug", "sku": "book", "quantity": 1}'
    assert (
        "more than once"
        in assert_error(await api.post(f"/api/carts/{cart}/items", raw=raw), 400)["error"]
    )
    raw = '{"provider": "dhl", "lineIds": [1], "line_ids": [1]}'
    assert_error(await api.post(f"/api/carts/{cart}/deliveries", raw=raw), 400)


async def test_list_bounds(api: Api, cart: str) -> None:
    items = [{"sku": "mug", "quantity": 1}] * 101
    error = assert_error(await api.put(f"/api/carts/{cart}/items", {"items": items}), 400)
    assert "items" in error["fields"]
    assert_error(await api.put(f"/api/carts/{cart}/items", {"items": None}), 400)
    assert_error(await api.put(f"/api/carts/{cart}/items", {}), 400)


async def test_domain_refusals_keep_their_status(api: Api, cart: str) -> None:
    response = await api.patch(f"/api/carts/{cart}/items/2", {"quantity": 1})
    assert assert_error(response, 404)["type"] == "line_not_found"
    items = [{"sku": "mug", "quantity": 999}, {"sku": "mug", "quantity": 1}]
    response = await api.put(f"/api/carts/{cart}/items", {"items": items})
    assert assert_error(response, 422)["type"] == "limit_exceeded"


async def test_too_large_body_is_413(api: Api, cart: str, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = json.dumps({"sku": "mug", "quantity": 1, "pad": "x" * 2000})
    assert_error(await api.post(f"/api/carts/{cart}/items", raw=raw), 413)


async def test_unacceptable_accept_is_406(api: Api, cart: str) -> None:
    response = await api.get(f"/api/carts/{cart}", headers={"Accept": "application/xml"})
    assert_error(response, 406)


async def test_bad_host_is_json_400(api: Api, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    response = await api.client.get("/api/products", headers={"Host": "evil.example.net"})
    assert_error(response, 400)


def test_handler500_has_the_error_shape() -> None:
    response = handler500(RequestFactory().get("/api/carts/x"))
    assert response.status_code == 500
    assert json.loads(response.content) == {
        "error": "internal server error",
        "code": 500,
        "type": "internal_error",
    }
