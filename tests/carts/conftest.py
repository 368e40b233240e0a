"""Fixtures of the cart tests: a REST client on a fresh pool and a known catalog."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from django.test import AsyncClient

import carts.runtime

PRODUCTS = [
    {
        "sku": "mug",
        "name": "Stoneware mug",
        "price": 14900,
        "tax_rate": 2500,
        "image_url": "https://images.example.com/mug.jpg",
        "stock": 10,
    },
    {"sku": "coffee", "name": "Coffee beans 500 g", "price": 11900, "tax_rate": 1200},
    {"sku": "book", "name": "Cookbook", "price": 29900, "tax_rate": 600},
]
STATIC_CATALOG = {
    "BACKEND": "carts.catalog.memory.StaticCatalog",
    "OPTIONS": {"products": PRODUCTS},
}
MEMORY_STORE = {"BACKEND": "carts.eventstore.memory.MemoryEventStore", "OPTIONS": {}}


class Api:
    """A thin JSON client: ``await api.post("/api/carts/x/items", {...})``."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        content_type: str | None = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send ``body`` as JSON (or ``raw`` as is) and return the response."""
        data: bytes | str = raw if raw is not None else ("" if body is None else json.dumps(body))
        return await self.client.generic(
            method, path, data=data, content_type=content_type, headers=headers or {}
        )

    async def get(self, path: str, **kwargs: Any) -> Any:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return await self.call("POST", path, body, **kwargs)

    async def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return await self.call("PUT", path, body, **kwargs)

    async def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return await self.call("PATCH", path, body, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Any:
        return await self.call("DELETE", path, **kwargs)

    async def new_cart(self) -> str:
        """Create a cart and return its id."""
        response = await self.post("/api/carts")
        assert response.status_code == 201, response.content
        return response.json()["id"]


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """Assert ``response`` is an error in the one shape, with ``status``; return the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == status
    assert isinstance(body["error"], str)
    assert body["error"]
    assert isinstance(body["type"], str)
    return body


@pytest.fixture
def static_catalog(settings: Any) -> list[dict[str, Any]]:
    """Use the static catalog of ``PRODUCTS``."""
    settings.CART_CATALOG = STATIC_CATALOG
    return PRODUCTS


@pytest.fixture
async def api(static_catalog: list[dict[str, Any]]) -> AsyncIterator[Api]:
    """A JSON client over the ASGI stack; the pool is stopped and forgotten afterwards."""
    try:
        yield Api(AsyncClient())
    finally:
        await carts.runtime.reset()


@pytest.fixture
def memory_store(settings: Any) -> None:
    """Keep the event log in memory (for tests that must not touch the database)."""
    settings.CART_EVENT_STORE = MEMORY_STORE
