"""The catalog on the ``Product`` table, with a small in-process cache.

An add-to-cart resolves its sku here, so a hot product must not cost a query
per request: answers (misses too, so a flood of unknown skus stays cheap) are
kept for ``cache_seconds``. Saving or deleting a ``Product`` in this process
(the admin, ``load_demo_catalog``) clears the cache at once; other nodes see
the change when their entries expire.

Misses run the ORM on a thread this catalog owns, not through the async ORM:
that would run them on asgiref's shared thread and leave a connection open
there, which makes the node's ASGI handler (``cartsite.handler``) go back to
two sync hops on every request. The connection is closed after each query;
misses are rare, and an idle node then holds no catalog connection.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import DatabaseError, connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from carts.catalog.base import CatalogBackend, ProductInfo
from carts.errors import ProductNotFound, StorageError
from carts.grain import MAX_SKU
from carts.models import Product

__all__ = ["DatabaseCatalog"]

T = TypeVar("T")
_FIELDS = ("sku", "name", "price", "tax_rate", "image_url", "stock")
_catalogs: weakref.WeakSet[DatabaseCatalog] = weakref.WeakSet()


class DatabaseCatalog(CatalogBackend):
    """Products from the database, cached in process for ``cache_seconds`` (0: no cache)."""

    def __init__(
        self,
        *,
        cache_seconds: float = 30,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if cache_seconds < 0 or max_entries < 1:
            raise ValueError("CART_CATALOG OPTIONS: cache_seconds >= 0 and max_entries >= 1")
        self.cache_seconds = cache_seconds
        self.max_entries = max_entries
        self.clock = clock
        self.queries = 0  # database round trips, for tests and the benchmark
        self._entries: dict[str, tuple[float, ProductInfo | None]] = {}
        self._list: tuple[float, list[ProductInfo]] | None = None
        # Bumped by invalidate(): a query that began before a save must not cache old data.
        self._generation = 0
        # The thread starts on the first miss and ends when the catalog is collected.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="cart-catalog")
        _catalogs.add(self)

    async def get(self, sku: str) -> ProductInfo:
        """Return the product with ``sku`` or raise ``ProductNotFound``."""
        if not _storable(sku):
            raise ProductNotFound(f"no product with sku {sku!r:.80}")
        entry = self._entries.get(sku)
        if entry is not None and entry[0] > self.clock():
            product = entry[1]
        else:
            product = await self._fetch(sku)
        if product is None:
            raise ProductNotFound(f"no product with sku {sku!r:.80}")
        return product

    async def list(self) -> list[ProductInfo]:
        """Return every product, ordered by sku."""
        if self._list is not None and self._list[0] > self.clock():
            return self._list[1]
        generation = self._generation
        rows = await self._query(lambda: list(Product.objects.order_by("sku").values(*_FIELDS)))
        products = [ProductInfo(**row) for row in rows]
        if self.cache_seconds and generation == self._generation:
            self._list = (self.clock() + self.cache_seconds, products)
        return products

    async def _fetch(self, sku: str) -> ProductInfo | None:
        generation = self._generation
        row = await self._query(lambda: Product.objects.filter(sku=sku).values(*_FIELDS).first())
        product = ProductInfo(**row) if row is not None else None
        if self.cache_seconds and generation == self._generation:
            if len(self._entries) >= self.max_entries and sku not in self._entries:
                del self._entries[next(iter(self._entries))]  # the oldest entry
            self._entries[sku] = (self.clock() + self.cache_seconds, product)
        return product

    async def _query(self, fn: Callable[[], T]) -> T:
        self.queries += 1
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, _closing, fn)
        except DatabaseError as exc:
            raise StorageError(
                f"the catalog could not be read ({exc.__class__.__name__}); "
                "is the database up and migrated?"
            ) from exc

    def invalidate(self) -> None:
        """Forget every cached answer."""
        self._generation += 1
        self._entries = {}
        self._list = None


def _closing(fn: Callable[[], T]) -> T:
    try:
        return fn()
    finally:
        connection.close()


def _storable(sku: str) -> bool:
    """True when the table could hold ``sku``; others are never a query."""
    # NUL bytes and lone surrogates make PostgreSQL (or the driver) raise, not miss.
    if not sku or len(sku) > MAX_SKU or "\x00" in sku:
        return False
    try:
        sku.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@receiver(post_save, sender=Product, dispatch_uid="carts.catalog.db.invalidate_on_save")
@receiver(post_delete, sender=Product, dispatch_uid="carts.catalog.db.invalidate_on_delete")
def _invalidate(**kwargs: Any) -> None:
    for catalog in list(_catalogs):
        catalog.invalidate()
