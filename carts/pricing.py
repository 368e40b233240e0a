"""Money arithmetic: the single tax helper, cart totals and delivery pricing.

Amounts are integers in minor units and include VAT; tax rates are basis points.
Klarna's rules hold for every cart: line total = quantity x unit price - discount,
line tax = total - total * 10000 / (10000 + rate), and order sums are exact sums
of the lines. This module is pure (no Django), so the domain and the tests use
it directly; the delivery strategy is picked by a dotted path in settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from carts.errors import BadRequest
from proto import cart_actor_pb2 as pb

__all__ = [
    "ConfiguredDeliveryPricing",
    "DeliveryPricing",
    "DeliveryQuote",
    "delivery_price",
    "recompute_totals",
    "tax_included",
]

BASIS = 10_000


def tax_included(total: int, tax_rate: int) -> int:
    """Return the VAT contained in a VAT-inclusive ``total`` at ``tax_rate`` bp.

    Rounded half away from zero with integer arithmetic only, as Klarna computes
    ``total_tax_amount = total_amount - total_amount * 10000 / (10000 + tax_rate)``.
    """
    if tax_rate == 0 or total == 0:
        return 0
    net_num = total * BASIS
    den = BASIS + tax_rate
    # round(net_num / den) half away from zero, then tax = total - net
    sign = -1 if net_num < 0 else 1
    net = sign * ((abs(net_num) * 2 + den) // (2 * den))
    return total - net


def delivery_price(delivery: pb.Delivery, items_total: int) -> int:
    """Return what the customer pays for ``delivery`` given the items total."""
    if delivery.free_over > 0 and items_total >= delivery.free_over:
        return 0
    return delivery.base_price


def recompute_totals(state: pb.CartState) -> None:
    """Recompute line, delivery and cart totals of ``state`` in place."""
    items = items_tax = discount = quantity = 0
    for line in state.items:
        line.total_price = line.quantity * line.unit_price - line.discount
        line.total_tax = tax_included(line.total_price, line.tax_rate)
        items += line.total_price
        items_tax += line.total_tax
        discount += line.discount
        quantity += line.quantity
    delivery = delivery_tax = 0
    for d in state.deliveries:
        d.price = delivery_price(d, items)
        d.tax = tax_included(d.price, d.tax_rate)
        delivery += d.price
        delivery_tax += d.tax
    t = state.totals
    t.items, t.items_tax, t.discount, t.quantity = items, items_tax, discount, quantity
    t.delivery, t.delivery_tax = delivery, delivery_tax
    t.total = items + delivery
    t.tax = items_tax + delivery_tax


@dataclass(frozen=True, slots=True)
class DeliveryQuote:
    """A provider's price, resolved before a SetDelivery mutation is built."""

    provider: str
    base_price: int
    free_over: int
    tax_rate: int


class DeliveryPricing:
    """Base of delivery-price strategies (``CART_DELIVERY_PRICING['BACKEND']``)."""

    def providers(self) -> list[str]:
        """Return the provider names this strategy can quote."""
        raise NotImplementedError("subclasses of DeliveryPricing must provide a providers() method")

    def quote(self, provider: str) -> DeliveryQuote:
        """Return the quote for ``provider`` or raise ``BadRequest``."""
        raise NotImplementedError("subclasses of DeliveryPricing must provide a quote() method")


class ConfiguredDeliveryPricing(DeliveryPricing):
    """Per-provider prices from configuration, free over a cart-wide threshold.

    ``providers`` maps a name to ``{"price": int, "tax_rate": int}`` and may give
    a provider its own ``free_over``; ``free_over`` (0 disables) is the default.
    """

    def __init__(self, *, providers: Mapping[str, Mapping[str, int]], free_over: int = 0) -> None:
        if not providers:
            raise ValueError("CART_DELIVERY_PRICING OPTIONS need at least one provider")
        self._quotes = {
            name: DeliveryQuote(
                provider=name,
                base_price=int(conf["price"]),
                free_over=int(conf.get("free_over", free_over)),
                tax_rate=int(conf.get("tax_rate", 2500)),
            )
            for name, conf in providers.items()
        }

    def providers(self) -> list[str]:
        """Return the configured provider names."""
        return sorted(self._quotes)

    def quote(self, provider: str) -> DeliveryQuote:
        """Return the configured quote for ``provider``."""
        try:
            return self._quotes[provider]
        except KeyError:
            raise BadRequest(
                f"unknown delivery provider {provider!r:.40}; "
                f"choose one of {', '.join(self.providers())}"
            ) from None
