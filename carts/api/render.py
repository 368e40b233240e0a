"""Protobuf state -> canonical snake_case JSON-ready dicts.

Hand-written instead of ``json_format.MessageToDict``: that renders int64 as
strings, and money must be JSON integers. ``carts.api.serializers.CartOut``
describes the same shape for the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from carts.catalog.base import ProductInfo
from carts.pricing import DeliveryQuote
from proto import cart_actor_pb2 as pb

__all__ = ["render_cart", "render_product", "render_quote"]

_POINT_FIELDS = ("id", "name", "address", "city", "zip", "country")


def _item(line: pb.CartItem) -> dict[str, Any]:
    return {
        "id": line.id,
        "sku": line.sku,
        "name": line.name,
        "unit_price": line.unit_price,
        "tax_rate": line.tax_rate,
        "quantity": line.quantity,
        "image_url": line.image_url,
        "discount": line.discount,
        "total_price": line.total_price,
        "total_tax": line.total_tax,
    }


def _delivery(d: pb.Delivery) -> dict[str, Any]:
    point = (
        {f: getattr(d.pickup_point, f) for f in _POINT_FIELDS}
        if d.HasField("pickup_point")
        else None
    )
    return {
        "id": d.id,
        "provider": d.provider,
        "line_ids": list(d.line_ids),
        "pickup_point": point,
        "base_price": d.base_price,
        "free_over": d.free_over,
        "tax_rate": d.tax_rate,
        "price": d.price,
        "tax": d.tax,
    }


def render_cart(state: pb.CartState) -> dict[str, Any]:
    """Return the cart as the API shows it."""
    t = state.totals
    return {
        "id": state.id,
        "version": state.version,
        "currency": state.currency,
        "items": [_item(line) for line in state.items],
        "deliveries": [_delivery(d) for d in state.deliveries],
        "totals": {
            "items": t.items,
            "items_tax": t.items_tax,
            "delivery": t.delivery,
            "delivery_tax": t.delivery_tax,
            "discount": t.discount,
            "total": t.total,
            "tax": t.tax,
            "quantity": t.quantity,
        },
        "checkout_order_id": state.checkout_order_id or None,
        "checkout_status": state.checkout_status or None,
    }


def render_product(product: ProductInfo) -> dict[str, Any]:
    """Return a catalog product as the API shows it."""
    return {
        "sku": product.sku,
        "name": product.name,
        "price": product.price,
        "tax_rate": product.tax_rate,
        "image_url": product.image_url,
        "stock": product.stock,
    }


def render_quote(quote: DeliveryQuote) -> dict[str, Any]:
    """Return a delivery provider's quote as the API shows it."""
    return {
        "provider": quote.provider,
        "base_price": quote.base_price,
        "free_over": quote.free_over,
        "tax_rate": quote.tax_rate,
    }
