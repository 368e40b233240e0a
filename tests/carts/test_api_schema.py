"""The OpenAPI schema and the docs page describe every route, shape and error."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from django.urls import URLPattern, get_resolver
from drf_spectacular.validation import validate_schema
from rest_framework import serializers

from carts.api.render import render_cart, render_product, render_quote
from carts.api.serializers import CartOut, DeliveryProviderOut, ProductOut
from carts.catalog.base import ProductInfo
from carts.mutations import wrap
from carts.pricing import DeliveryQuote
from proto import cart_actor_pb2 as pb
from tests.carts.conftest import Api
from tests.carts.examples import build

MUTATIONS = {"post", "put", "patch", "delete"}


def api_routes() -> set[tuple[str, str]]:
    """Every (OpenAPI path, method) the URLconf serves under /api/, schema and docs aside."""
    routes = set()
    for pattern in get_resolver().url_patterns:
        if not isinstance(pattern, URLPattern) and hasattr(pattern, "url_patterns"):
            for sub in pattern.url_patterns:
                route = str(sub.pattern)
                if not route.startswith("api/") or route in ("api/schema/", "api/docs/"):
                    continue
                path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                view = sub.callback
                names = view.initkwargs.get("http_method_names", view.cls.http_method_names)
                for method in names:
                    if method not in ("options", "head") and hasattr(view.cls, method):
                        routes.add((path, method))
    return routes


@pytest.fixture
async def schema(api: Api) -> dict[str, Any]:
    response = await api.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


async def test_the_schema_is_valid_openapi(schema: dict[str, Any]) -> None:
    validate_schema(schema)
    assert schema["info"]["title"] == "cartsite API"


async def test_the_schema_lists_every_route_and_method(schema: dict[str, Any]) -> None:
    documented = {(path, m) for path, item in schema["paths"].items() for m in item}
    assert documented == api_routes()
    assert len(documented) == 23


async def test_every_cart_route_documents_its_shapes_and_errors(schema: dict[str, Any]) -> None:
    ids = set()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            ids.add(op["operationId"])
            responses = op["responses"]
            assert "200" in responses, (method, path)
            if not path.startswith(("/api/cart/", "/api/carts/")) or method == "get":
                continue
            cart = responses["200"]["content"]["application/json"]["schema"]
            assert cart == {"$ref": "#/components/schemas/CartOut"}
            for status in ("400", "412", "422", "503"):
                error = responses[status]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
            headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
            assert {"If-Match", "Idempotency-Key"} <= headers
            assert "Server-Timing" in responses["200"]["headers"]
            if method in ("put", "patch") or path.endswith(("/items", "/deliveries")):
                assert ("requestBody" in op) == (method != "delete"), (method, path)
    assert len(ids) == sum(len(item) for item in schema["paths"].values())  # unique ids
    assert {"add_item", "cookie_add_item", "get_cart", "list_products"} <= ids


async def test_request_bodies_document_their_bounds(schema: dict[str, Any]) -> None:
    shapes = schema["components"]["schemas"]
    assert set(shapes["AddItemIn"]["required"]) == {"sku", "quantity"}
    quantity = shapes["AddItemIn"]["properties"]["quantity"]
    assert (quantity["minimum"], quantity["maximum"]) == (1, 999)
    assert shapes["SetDeliveryIn"]["required"] == ["provider"]


async def test_cookie_routes_document_the_cookie(schema: dict[str, Any]) -> None:
    op = schema["paths"]["/api/cart/items"]["post"]
    cookies = [p["name"] for p in op["parameters"] if p["in"] == "cookie"]
    assert cookies == ["cartid"]
    assert op["tags"] == ["cart (cookie)"]


async def test_the_docs_page_works_offline(api: Api, schema: dict[str, Any]) -> None:
    response = await api.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<script" not in html
    assert "cdn" not in html.lower()
    for path in schema["paths"]:
        assert f"<code>{path}</code>" in html
    assert 'id="CartOut"' in html


def fields_of(serializer: serializers.Serializer) -> Any:
    """The nested field names of an output serializer."""
    out = {}
    for name, field in serializer.fields.items():
        child = getattr(field, "child", field)
        out[name] = fields_of(child) if isinstance(child, serializers.Serializer) else None
    return out


def keys_of(value: Any) -> Any:
    if isinstance(value, list):
        return keys_of(value[0]) if value and isinstance(value[0], dict) else None
    if isinstance(value, dict):
        return {k: keys_of(v) for k, v in value.items()}
    return None


def test_output_serializers_describe_what_is_rendered() -> None:
    state = build(
        [
            wrap(pb.CreateCart(currency="SEK")),
            wrap(pb.AddItem(sku="a", name="A", unit_price=100, tax_rate=2500, quantity=1)),
            wrap(pb.SetDelivery(provider="dhl", pickup_point=pb.PickupPoint(id="p"))),
        ]
    )
    assert keys_of(render_cart(state)) == fields_of(CartOut())
    product = ProductInfo(sku="a", name="A", price=1, tax_rate=2500)
    assert keys_of(render_product(product)) == fields_of(ProductOut())
    quote = DeliveryQuote(provider="dhl", base_price=1, free_over=0, tax_rate=2500)
    assert keys_of(render_quote(quote)) == fields_of(DeliveryProviderOut())
