"""Money: the VAT helper against Klarna's formula, delivery prices, exact sums."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carts.errors import BadRequest
from carts.pricing import (
    ConfiguredDeliveryPricing,
    DeliveryQuote,
    delivery_price,
    recompute_totals,
    tax_included,
)
from proto import cart_actor_pb2 as pb

RATES = [0, 1, 600, 1200, 2500, 2550, 9999, 10_000]


def klarna_tax(total: int, tax_rate: int) -> int:
    """Klarna: tax = total - total * 10000 / (10000 + rate), net rounded half away from 0.

    Written with Decimal (ROUND_HALF_UP rounds half away from zero) so it shares
    no arithmetic with the integer-only implementation it checks.
    """
    with localcontext() as ctx:
        ctx.prec = 60
        net = (Decimal(total) * 10_000 / Decimal(10_000 + tax_rate)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    return total - int(net)


@pytest.mark.parametrize(
    ("total", "rate", "tax"),
    [
        (12_500, 2500, 2500),
        (9900, 1200, 1061),
        (10_000, 2500, 2000),
        (4900, 2500, 980),
        (100, 2500, 20),
        (3, 2500, 1),  # net 2.4 -> 2
        (1, 2500, 0),  # net 0.8 -> 1
        (2500, 600, 142),
        (10_000, 10_000, 5000),
        (1, 10_000, 0),  # net exactly 0.5 rounds away from zero to 1
        (3, 10_000, 1),  # net 1.5 -> 2
        (12_500, 0, 0),
        (0, 2500, 0),
        (-12_500, 2500, -2500),
        (-9900, 1200, -1061),
        (-1, 10_000, 0),
    ],
)
def test_tax_included_table(total: int, rate: int, tax: int) -> None:
    assert tax_included(total, rate) == tax
    assert klarna_tax(total, rate) == tax


@pytest.mark.parametrize("rate", RATES)
def test_tax_included_matches_klarna_over_a_range(rate: int) -> None:
    for total in range(-3000, 30_001, 7):
        assert tax_included(total, rate) == klarna_tax(total, rate), total


@settings(max_examples=300, deadline=None)
@given(total=st.integers(-(10**15), 10**15), rate=st.integers(0, 10_000))
def test_tax_included_properties(total: int, rate: int) -> None:
    tax = tax_included(total, rate)
    assert tax == klarna_tax(total, rate)
    # Within half a minor unit of the exact tax, same sign, never more than the total.
    exact = total - Fraction(total * 10_000, 10_000 + rate)
    assert abs(tax - exact) <= Fraction(1, 2)
    assert abs(tax) <= abs(total)
    assert tax_included(-total, rate) == -tax  # refunds mirror sales


def test_zero_rate_and_zero_total_carry_no_tax() -> None:
    assert tax_included(123_456, 0) == 0
    assert tax_included(0, 10_000) == 0


# -- delivery ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("free_over", "items", "price"),
    [
        (0, 0, 4900),
        (0, 10**9, 4900),  # 0 disables the rule
        (50_000, 49_999, 4900),
        (50_000, 50_000, 0),  # free at exactly the threshold
        (50_000, 50_001, 0),
    ],
)
def test_delivery_free_over_rule(free_over: int, items: int, price: int) -> None:
    delivery = pb.Delivery(base_price=4900, free_over=free_over, tax_rate=2500)
    assert delivery_price(delivery, items) == price


def test_configured_pricing_quotes() -> None:
    pricing = ConfiguredDeliveryPricing(
        providers={
            "postnord": {"price": 4900},
            "budbee": {"price": 6900, "tax_rate": 1200, "free_over": 100_000},
        },
        free_over=50_000,
    )
    assert pricing.providers() == ["budbee", "postnord"]
    assert pricing.quote("postnord") == DeliveryQuote("postnord", 4900, 50_000, 2500)
    assert pricing.quote("budbee") == DeliveryQuote("budbee", 6900, 100_000, 1200)


def test_configured_pricing_free_over_defaults_to_never() -> None:
    pricing = ConfiguredDeliveryPricing(providers={"dhl": {"price": 5900}})
    assert pricing.quote("dhl").free_over == 0


def test_unknown_provider_names_the_choices() -> None:
    pricing = ConfiguredDeliveryPricing(providers={"postnord": {"price": 1}, "dhl": {"price": 2}})
    with pytest.raises(BadRequest, match="choose one of dhl, postnord") as excinfo:
        pricing.quote("ups")
    assert excinfo.value.status == 400
    assert "'ups'" in str(excinfo.value)


def test_configured_pricing_needs_a_provider() -> None:
    with pytest.raises(ValueError, match="at least one provider"):
        ConfiguredDeliveryPricing(providers={})


# -- totals -----------------------------------------------------------------------------


def _cart() -> pb.CartState:
    state = pb.CartState(id="c")
    state.items.add(id=1, sku="a", unit_price=12_500, tax_rate=2500, quantity=2)
    state.items.add(id=2, sku="b", unit_price=9900, tax_rate=1200, quantity=1, discount=900)
    state.items.add(id=3, sku="c", unit_price=1, tax_rate=2500, quantity=3)
    state.deliveries.add(id=1, line_ids=[1, 2], base_price=4900, tax_rate=2500)
    state.deliveries.add(id=2, line_ids=[3], base_price=2900, free_over=10**9, tax_rate=600)
    return state


def test_totals_are_exact_sums_of_lines_and_deliveries() -> None:
    state = _cart()
    recompute_totals(state)
    a, b, c = state.items
    assert (a.total_price, a.total_tax) == (25_000, 5000)
    assert (b.total_price, b.total_tax) == (9000, tax_included(9000, 1200))
    # Three 1-öre units: the line is taxed as a whole (3 -> 1), not unit by unit (0).
    assert (c.total_price, c.total_tax) == (3, 1)
    d1, d2 = state.deliveries
    assert (d1.price, d1.tax, d2.price, d2.tax) == (4900, 980, 2900, tax_included(2900, 600))
    t = state.totals
    assert t.items == 25_000 + 9000 + 3
    assert t.items_tax == a.total_tax + b.total_tax + c.total_tax
    assert t.discount == 900
    assert t.quantity == 6
    assert t.delivery == 4900 + 2900
    assert t.delivery_tax == d1.tax + d2.tax
    assert t.total == t.items + t.delivery
    assert t.tax == t.items_tax + t.delivery_tax


def test_order_tax_is_the_sum_of_line_taxes_not_the_tax_of_the_sum() -> None:
    # Klarna checks order_tax_amount == sum(line.total_tax_amount) exactly.
    state = pb.CartState(id="c")
    for i in range(3):
        state.items.add(id=i + 1, sku=str(i), unit_price=1, tax_rate=2500, quantity=1)
    recompute_totals(state)
    assert state.totals.items == 3
    assert state.totals.items_tax == 0  # tax_included(3, 2500) would be 1


def test_free_over_compares_the_items_total_after_discounts() -> None:
    state = pb.CartState(id="c")
    state.items.add(id=1, sku="a", unit_price=50_000, quantity=1, discount=1)
    state.deliveries.add(id=1, line_ids=[1], base_price=4900, free_over=50_000)
    recompute_totals(state)
    assert state.deliveries[0].price == 4900
    state.items[0].discount = 0
    recompute_totals(state)
    assert state.deliveries[0].price == 0


def test_recompute_is_a_fixed_point() -> None:
    state = _cart()
    recompute_totals(state)
    again = pb.CartState()
    again.CopyFrom(state)
    recompute_totals(again)
    assert again.SerializeToString(deterministic=True) == state.SerializeToString(
        deterministic=True
    )
