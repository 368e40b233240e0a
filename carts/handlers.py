"""The handler of every mutation: pure functions ``handler(state, msg) -> None``.

A handler validates its message against the cart, then changes the state in
place or raises a ``CartError``. It does no I/O and reads no clock or settings:
the message carries every fact it needs, so replaying the log is deterministic.
Totals and the version are the registry's job (``with_totals``).
"""

from __future__ import annotations

import re

from carts.errors import CartError, DeliveryNotFound, LimitExceeded, LineNotFound
from carts.grain import (
    MAX_LINES,
    MAX_QUANTITY,
    MAX_SKU,
    MAX_TEXT,
    MAX_URL,
    find_delivery,
    find_line,
)
from carts.mutations import registry
from proto import cart_actor_pb2 as pb

MAX_PRICE = 10**10  # minor units; far above any real line, far below int64
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _text(value: str, field: str, *, limit: int = MAX_TEXT, required: bool = True) -> None:
    if required and not value.strip():
        raise CartError(f"{field} must not be empty")
    if len(value) > limit:
        raise LimitExceeded(f"{field} is longer than {limit} characters")


def _quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise LimitExceeded(f"quantity must be between 1 and {MAX_QUANTITY}, got {quantity}")


def _item(msg: pb.AddItem) -> None:
    _text(msg.sku, "sku", limit=MAX_SKU)
    _text(msg.name, "name")
    _text(msg.image_url, "image_url", limit=MAX_URL, required=False)
    if not 0 <= msg.unit_price <= MAX_PRICE:
        raise CartError(f"unit_price must be between 0 and {MAX_PRICE}")
    if not 0 <= msg.tax_rate <= 10_000:
        raise CartError("tax_rate must be between 0 and 10000 basis points")
    _quantity(msg.quantity)


def _pickup_point(point: pb.PickupPoint) -> None:
    _text(point.id, "pickup_point.id")
    for field in ("name", "address", "city", "zip", "country"):
        _text(getattr(point, field), f"pickup_point.{field}", required=False)


def _fill_line(line: pb.CartItem, msg: pb.AddItem) -> None:
    # The newest resolved facts win: a re-add updates the line to today's price.
    line.sku, line.name, line.image_url = msg.sku, msg.name, msg.image_url
    line.unit_price, line.tax_rate = msg.unit_price, msg.tax_rate


def _new_line(state: pb.CartState, msg: pb.AddItem) -> pb.CartItem:
    if len(state.items) >= MAX_LINES:
        raise LimitExceeded(f"a cart holds at most {MAX_LINES} lines")
    line = state.items.add(id=state.next_line_id, quantity=msg.quantity)
    state.next_line_id += 1
    _fill_line(line, msg)
    return line


def _prune_deliveries(state: pb.CartState) -> None:
    """Drop line ids that no longer exist, then deliveries left with no line."""
    live = {line.id for line in state.items}
    keep = []
    for delivery in state.deliveries:
        ids = [i for i in delivery.line_ids if i in live]
        if ids:
            del delivery.line_ids[:]
            delivery.line_ids.extend(ids)
            keep.append(delivery)
    if len(keep) != len(state.deliveries):
        copies = [pb.Delivery() for _ in keep]
        for copy, delivery in zip(copies, keep, strict=True):
            copy.CopyFrom(delivery)
        del state.deliveries[:]
        state.deliveries.extend(copies)


@registry.register(pb.CreateCart)
def create_cart(state: pb.CartState, msg: pb.CreateCart) -> None:
    """Record the cart's currency; a cart is created once."""
    if state.version != 0 or state.currency:
        raise CartError("the cart already exists")
    if not _CURRENCY.fullmatch(msg.currency):
        raise CartError(f"currency must be an ISO 4217 code, got {msg.currency!r:.10}")
    state.currency = msg.currency


@registry.register(pb.AddItem, with_totals=True)
def add_item(state: pb.CartState, msg: pb.AddItem) -> None:
    """Add a resolved product, or increase the line that has its sku."""
    _item(msg)
    for line in state.items:
        if line.sku == msg.sku:
            quantity = line.quantity + msg.quantity
            _quantity(quantity)
            line.quantity = quantity
            _fill_line(line, msg)
            return
    _new_line(state, msg)


@registry.register(pb.RemoveItem, with_totals=True)
def remove_item(state: pb.CartState, msg: pb.RemoveItem) -> None:
    """Remove a line and prune it from its delivery."""
    line = find_line(state, msg.line_id)
    if line is None:
        raise LineNotFound(f"no line {msg.line_id} in the cart")
    state.items.remove(line)
    _prune_deliveries(state)


@registry.register(pb.ChangeQuantity, with_totals=True, idempotent=True)
def change_quantity(state: pb.CartState, msg: pb.ChangeQuantity) -> None:
    """Set the quantity of a line."""
    line = find_line(state, msg.line_id)
    if line is None:
        raise LineNotFound(f"no line {msg.line_id} in the cart")
    _quantity(msg.quantity)
    line.quantity = msg.quantity


@registry.register(pb.SetCartItems, with_totals=True, idempotent=True)
def set_cart_items(state: pb.CartState, msg: pb.SetCartItems) -> None:
    """Replace every line; a sku already in the cart keeps its line id."""
    merged: dict[str, pb.AddItem] = {}
    for item in msg.items:
        _item(item)
        if item.sku in merged:
            total = pb.AddItem()
            total.CopyFrom(item)
            total.quantity = merged[item.sku].quantity + item.quantity
            _quantity(total.quantity)
            merged[item.sku] = total
        else:
            merged[item.sku] = item
    if len(merged) > MAX_LINES:
        raise LimitExceeded(f"a cart holds at most {MAX_LINES} lines")
    existing = {line.sku: line.id for line in state.items}
    del state.items[:]
    for sku, item in merged.items():
        if sku in existing:
            line = state.items.add(id=existing[sku], quantity=item.quantity)
            _fill_line(line, item)
        else:
            _new_line(state, item)
    _prune_deliveries(state)


@registry.register(pb.SetDelivery, with_totals=True)
def set_delivery(state: pb.CartState, msg: pb.SetDelivery) -> None:
    """Deliver the given lines (every undelivered line when none is given)."""
    _text(msg.provider, "provider")
    if msg.HasField("pickup_point"):
        _pickup_point(msg.pickup_point)
    if not 0 <= msg.base_price <= MAX_PRICE or msg.free_over < 0 or not 0 <= msg.tax_rate <= 10_000:
        raise CartError("delivery price, free_over and tax_rate must be within range")
    delivered = {i for d in state.deliveries for i in d.line_ids}
    if msg.line_ids:
        targets = []
        for line_id in msg.line_ids:
            if find_line(state, line_id) is None:
                raise LineNotFound(f"no line {line_id} in the cart")
            if line_id in delivered:
                raise CartError(f"line {line_id} already has a delivery")
            if line_id not in targets:
                targets.append(line_id)
    else:
        targets = [line.id for line in state.items if line.id not in delivered]
    if not targets:
        raise CartError("no line left to deliver")
    delivery = state.deliveries.add(
        id=state.next_delivery_id,
        provider=msg.provider,
        line_ids=targets,
        base_price=msg.base_price,
        free_over=msg.free_over,
        tax_rate=msg.tax_rate,
    )
    if msg.HasField("pickup_point"):
        delivery.pickup_point.CopyFrom(msg.pickup_point)
    state.next_delivery_id += 1


@registry.register(pb.RemoveDelivery, with_totals=True)
def remove_delivery(state: pb.CartState, msg: pb.RemoveDelivery) -> None:
    """Remove a delivery; its lines become undelivered."""
    delivery = find_delivery(state, msg.delivery_id)
    if delivery is None:
        raise DeliveryNotFound(f"no delivery {msg.delivery_id} in the cart")
    state.deliveries.remove(delivery)


@registry.register(pb.SetPickupPoint, with_totals=True, idempotent=True)
def set_pickup_point(state: pb.CartState, msg: pb.SetPickupPoint) -> None:
    """Choose where a delivery is collected; prices do not change."""
    delivery = find_delivery(state, msg.delivery_id)
    if delivery is None:
        raise DeliveryNotFound(f"no delivery {msg.delivery_id} in the cart")
    _pickup_point(msg.pickup_point)
    delivery.pickup_point.CopyFrom(msg.pickup_point)


@registry.register(pb.ClearCart, with_totals=True, idempotent=True)
def clear_cart(state: pb.CartState, msg: pb.ClearCart) -> None:
    """Remove every line and delivery."""
    del state.items[:]
    del state.deliveries[:]
