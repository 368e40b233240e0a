"""The state of one cart grain and the limits every cart keeps.

Pure domain: no Django, no gRPC. The grain's runtime (its lock, its place in
memory) lives in ``carts.pool``; this module only knows what a cart is.
"""

from __future__ import annotations

from proto import cart_actor_pb2 as pb

__all__ = [
    "MAX_LINES",
    "MAX_QUANTITY",
    "MAX_TEXT",
    "MAX_URL",
    "find_delivery",
    "find_line",
    "new_state",
]

MAX_QUANTITY = 999  # units on one line
MAX_LINES = 100  # lines in one cart
MAX_TEXT = 200  # sku, name, provider, pickup point fields
MAX_URL = 2048  # image urls
MAX_SKU = 64


def new_state(cart_id: str) -> pb.CartState:
    """Return the state of a cart before its first mutation (version 0)."""
    return pb.CartState(id=cart_id, version=0, next_line_id=1, next_delivery_id=1)


def find_line(state: pb.CartState, line_id: int) -> pb.CartItem | None:
    """Return the line with ``line_id`` or None."""
    for line in state.items:
        if line.id == line_id:
            return line
    return None


def find_delivery(state: pb.CartState, delivery_id: int) -> pb.Delivery | None:
    """Return the delivery with ``delivery_id`` or None."""
    for delivery in state.deliveries:
        if delivery.id == delivery_id:
            return delivery
    return None
