"""A catalog given in settings: for tests and throwaway nodes.

CART_CATALOG = {
    "BACKEND": "carts.catalog.memory.StaticCatalog",
    "OPTIONS": {"products": [
        {"sku": "mug", "name": "Mug", "price": 14900, "tax_rate": 2500},
    ]},
}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from carts.catalog.base import CatalogBackend, ProductInfo
from carts.errors import ProductNotFound

__all__ = ["StaticCatalog", "product_from_options"]


def product_from_options(conf: Mapping[str, Any]) -> ProductInfo:
    """Return the ``ProductInfo`` of one OPTIONS entry, failing loudly on a bad one."""
    try:
        product = ProductInfo(
            sku=str(conf["sku"]),
            name=str(conf["name"]),
            price=int(conf["price"]),
            tax_rate=int(conf.get("tax_rate", 2500)),
            image_url=str(conf.get("image_url", "")),
            stock=int(conf.get("stock", 0)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"CART_CATALOG OPTIONS: bad product {dict(conf)!r:.120}: needs sku, name and an "
            f"integer price ({exc.__class__.__name__}: {exc})"
        ) from exc
    if not product.sku or product.price < 0 or not 0 <= product.tax_rate <= 10_000:
        raise ValueError(f"CART_CATALOG OPTIONS: bad product {product!r:.120}")
    return product


class StaticCatalog(CatalogBackend):
    """Products listed in OPTIONS, kept in a dict; nothing is fetched."""

    def __init__(self, *, products: Iterable[Mapping[str, Any]] = (), **options: Any) -> None:
        # Extra OPTIONS (e.g. cache_seconds meant for another backend) are ignored.
        self._products: dict[str, ProductInfo] = {}
        for conf in products:
            product = product_from_options(conf)
            if product.sku in self._products:
                raise ValueError(f"CART_CATALOG OPTIONS: sku {product.sku!r} is listed twice")
            self._products[product.sku] = product

    async def get(self, sku: str) -> ProductInfo:
        """Return the product with ``sku`` or raise ``ProductNotFound``."""
        try:
            return self._products[sku]
        except KeyError:
            raise ProductNotFound(f"no product with sku {sku!r:.80}") from None

    async def list(self) -> list[ProductInfo]:
        """Return every product, ordered by sku."""
        return [self._products[sku] for sku in sorted(self._products)]
