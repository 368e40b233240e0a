"""Catalog backends: where add-by-sku resolves a product (``CART_CATALOG``)."""
