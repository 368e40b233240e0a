"""The catalog contract: resolve a sku to the facts an AddItem carries."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CatalogBackend", "ProductInfo"]


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """A product as the cart needs it: prices in minor units, tax in basis points."""

    sku: str
    name: str
    price: int
    tax_rate: int
    image_url: str = ""
    stock: int = 0


class CatalogBackend:
    """Base class of catalogs (``CART_CATALOG['BACKEND']``)."""

    async def get(self, sku: str) -> ProductInfo:
        """Return the product with ``sku`` or raise ``ProductNotFound``."""
        raise NotImplementedError("subclasses of CatalogBackend must provide a get() method")

    async def list(self) -> list[ProductInfo]:
        """Return every product, ordered by sku."""
        raise NotImplementedError("subclasses of CatalogBackend must provide a list() method")
