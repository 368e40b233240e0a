"""Catalog backends: one contract run against each, then each backend's own concerns."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.db import OperationalError, connections

import carts.runtime
from carts.catalog.base import CatalogBackend, ProductInfo
from carts.catalog.db import DatabaseCatalog
from carts.catalog.memory import StaticCatalog
from carts.errors import ProductNotFound, StorageError
from carts.management.commands.load_demo_catalog import DEMO_PRODUCTS
from carts.models import Product
from cartsite.handler import open_sync_connections
from tests.carts.conftest import PRODUCTS

MUG = ProductInfo(
    sku="mug",
    name="Stoneware mug",
    price=14900,
    tax_rate=2500,
    image_url="https://images.example.com/mug.jpg",
    stock=10,
)


class CatalogContract:
    """What every catalog backend does; subclasses provide the ``catalog`` fixture."""

    async def test_get_returns_the_product(self, catalog: CatalogBackend) -> None:
        assert await catalog.get("mug") == MUG

    async def test_defaults_for_optional_fields(self, catalog: CatalogBackend) -> None:
        coffee = await catalog.get("coffee")
        assert (coffee.price, coffee.tax_rate, coffee.image_url, coffee.stock) == (
            11900,
            1200,
            "",
            0,
        )

    @pytest.mark.parametrize("sku", ["nope", "", "MUG", "mug ", "m" * 65, "mu\x00g", "\ud800"])
    async def test_unknown_skus_raise_product_not_found(
        self, catalog: CatalogBackend, sku: str
    ) -> None:
        with pytest.raises(ProductNotFound):
            await catalog.get(sku)

    async def test_list_is_ordered_by_sku(self, catalog: CatalogBackend) -> None:
        assert [p.sku for p in await catalog.list()] == ["book", "coffee", "mug"]


class TestStaticCatalog(CatalogContract):
    @pytest.fixture
    def catalog(self) -> StaticCatalog:
        return StaticCatalog(products=PRODUCTS, cache_seconds=30)

    @pytest.mark.parametrize(
        "products",
        [
            [{"sku": "a", "name": "A"}],
            [{"sku": "a", "name": "A", "price": "cheap"}],
            [{"sku": "a", "name": "A", "price": -1}],
            [{"sku": "a", "name": "A", "price": 1, "tax_rate": 10_001}],
            [{"sku": "a", "name": "A", "price": 1}, {"sku": "a", "name": "B", "price": 2}],
        ],
    )
    def test_bad_options_fail_loudly(self, products: list[dict[str, Any]]) -> None:
        with pytest.raises(ValueError, match="CART_CATALOG"):
            StaticCatalog(products=products)


@pytest.fixture
def products_in_db(transactional_db: None) -> None:
    for conf in PRODUCTS:
        Product.objects.create(**conf)


class TestDatabaseCatalog(CatalogContract):
    @pytest.fixture
    def catalog(self, products_in_db: None) -> DatabaseCatalog:
        return DatabaseCatalog(cache_seconds=30)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.usefixtures("products_in_db")
class TestDatabaseCatalogCache:
    async def test_hits_and_misses_are_cached(self) -> None:
        catalog = DatabaseCatalog(cache_seconds=30)
        await catalog.get("mug")
        await catalog.get("mug")
        with pytest.raises(ProductNotFound):
            await catalog.get("nope")
        with pytest.raises(ProductNotFound):
            await catalog.get("nope")
        await catalog.list()
        await catalog.list()
        assert catalog.queries == 3

    async def test_entries_expire(self) -> None:
        clock = FakeClock()
        catalog = DatabaseCatalog(cache_seconds=30, clock=clock)
        await catalog.get("mug")
        clock.now += 29
        await catalog.get("mug")
        assert catalog.queries == 1
        clock.now += 2
        await catalog.get("mug")
        assert catalog.queries == 2

    async def test_zero_seconds_disables_the_cache(self) -> None:
        catalog = DatabaseCatalog(cache_seconds=0)
        await catalog.get("mug")
        await catalog.get("mug")
        assert catalog.queries == 2

    async def test_impossible_skus_never_query(self) -> None:
        catalog = DatabaseCatalog(cache_seconds=30)
        for sku in ("", "x" * 65, "a\x00b", "\ud800"):
            with pytest.raises(ProductNotFound):
                await catalog.get(sku)
        assert catalog.queries == 0

    async def test_saving_or_deleting_a_product_invalidates(self) -> None:
        catalog = DatabaseCatalog(cache_seconds=3600)
        assert (await catalog.get("mug")).price == 14900
        product = await Product.objects.aget(sku="mug")
        product.price = 12900
        await product.asave()
        assert (await catalog.get("mug")).price == 12900
        assert [p.sku for p in await catalog.list()] == ["book", "coffee", "mug"]
        await product.adelete()
        with pytest.raises(ProductNotFound):
            await catalog.get("mug")
        assert [p.sku for p in await catalog.list()] == ["book", "coffee"]

    async def test_the_cache_is_bounded(self) -> None:
        catalog = DatabaseCatalog(cache_seconds=30, max_entries=2)
        await catalog.get("mug")
        await catalog.get("book")
        await catalog.get("coffee")  # evicts "mug", the oldest entry
        await catalog.get("coffee")
        assert catalog.queries == 3
        await catalog.get("mug")
        assert catalog.queries == 4

    def test_bad_options_fail_loudly(self) -> None:
        with pytest.raises(ValueError, match="CART_CATALOG"):
            DatabaseCatalog(cache_seconds=-1)

    async def test_database_errors_become_storage_errors(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(*args: Any, **kwargs: Any) -> None:
            raise OperationalError("the database went away")

        monkeypatch.setattr(Product.objects, "filter", broken)
        with pytest.raises(StorageError) as caught:
            await DatabaseCatalog().get("mug")
        assert caught.value.status == 503
        assert isinstance(caught.value.__cause__, OperationalError)

    async def test_misses_leave_no_connection_on_the_shared_sync_thread(self) -> None:
        # An open connection there would turn the node handler's idle hops back on.
        await sync_to_async(connections.close_all)()  # left by other tests' async ORM
        # Sync test clients that ran before may have left one on the main thread
        # (it served their async_to_sync); what counts is that none is added.
        before = {id(c) for c in open_sync_connections()}
        catalog = DatabaseCatalog()
        await catalog.get("mug")
        await catalog.list()
        assert {id(c) for c in open_sync_connections()} <= before


def test_the_runtime_builds_the_configured_catalog(settings: Any) -> None:
    settings.CART_CATALOG = {
        "BACKEND": "carts.catalog.db.DatabaseCatalog",
        "OPTIONS": {"cache_seconds": 5},
    }
    catalog = carts.runtime.get_catalog()
    assert isinstance(catalog, DatabaseCatalog)
    assert catalog.cache_seconds == 5
    assert carts.runtime.get_catalog() is catalog
    settings.CART_CATALOG = {
        "BACKEND": "carts.catalog.memory.StaticCatalog",
        "OPTIONS": {"products": PRODUCTS},
    }
    assert isinstance(carts.runtime.get_catalog(), StaticCatalog)


@pytest.mark.django_db
def test_load_demo_catalog_is_idempotent() -> None:
    Product.objects.create(sku="own", name="Not a demo product", price=100)
    out = StringIO()
    call_command("load_demo_catalog", stdout=out)
    assert "12 created" in out.getvalue()
    Product.objects.filter(sku="MUG-STONE").update(price=1, name="changed")
    call_command("load_demo_catalog", stdout=StringIO())
    assert Product.objects.count() == len(DEMO_PRODUCTS) + 1 == 13
    mug = Product.objects.get(sku="MUG-STONE")
    assert (mug.price, mug.name) == (14900, "Stoneware mug 35 cl")
    assert Product.objects.get(sku="own").price == 100
    demo = Product.objects.exclude(sku="own")
    assert set(demo.values_list("tax_rate", flat=True)) == {2500, 1200, 600}
    for product in demo:
        assert product.price > 0
        assert product.image_url.startswith("https://")
        product.full_clean()
