"""Worked examples of every mutation: given some events, when one more, expect a cart.

``EXAMPLES`` is keyed by the ``Mutation.kind`` case. ``test_handlers`` runs every
example and fails for a registered kind that has none; ``test_registry`` reuses
them to check the ``with_totals`` and ``idempotent`` flags against real behaviour.
An example either ``expect``s something of the resulting state or ``raises`` a
``CartError`` subclass (matched exactly, so a refusal's HTTP status is pinned too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from carts.errors import CartError, DeliveryNotFound, LimitExceeded, LineNotFound
from carts.grain import MAX_LINES, MAX_SKU, MAX_TEXT, MAX_URL, new_state
from carts.mutations import registry, wrap
from proto import cart_actor_pb2 as pb

__all__ = ["CART_ID", "EXAMPLES", "Example", "build"]

CART_ID = "cart-1"

Check = Callable[[pb.CartState], None]


@dataclass(frozen=True)
class Example:
    """One table row: ``given`` events, ``when`` the mutation under test, the outcome."""

    name: str
    when: pb.Mutation
    given: list[pb.Mutation] = field(default_factory=list)
    expect: Check | None = None
    raises: type[CartError] | None = None


def build(given: list[pb.Mutation]) -> pb.CartState:
    """Return the state of ``CART_ID`` after ``given`` (each must be accepted)."""
    state = new_state(CART_ID)
    for mutation in given:
        registry.apply(state, mutation)
    return state


# -- message builders: defaults are a valid mutation, tests override one field ----------


def item(
    sku: str = "sku-1",
    *,
    quantity: int = 1,
    unit_price: int = 10_000,
    tax_rate: int = 2500,
    name: str | None = None,
    image_url: str = "",
) -> pb.AddItem:
    """Return a resolved AddItem (also the element of SetCartItems)."""
    return pb.AddItem(
        sku=sku,
        name=f"Product {sku}" if name is None else name,
        unit_price=unit_price,
        tax_rate=tax_rate,
        image_url=image_url,
        quantity=quantity,
    )


def add(sku: str = "sku-1", **kwargs: object) -> pb.Mutation:
    """Return an add_item mutation; keyword arguments as for ``item``."""
    return wrap(item(sku, **kwargs))  # type: ignore[arg-type]


def create(currency: str = "SEK") -> pb.Mutation:
    return wrap(pb.CreateCart(currency=currency))


def remove(line_id: int) -> pb.Mutation:
    return wrap(pb.RemoveItem(line_id=line_id))


def change(line_id: int, quantity: int) -> pb.Mutation:
    return wrap(pb.ChangeQuantity(line_id=line_id, quantity=quantity))


def set_items(*items: pb.AddItem) -> pb.Mutation:
    return wrap(pb.SetCartItems(items=list(items)))


def point(point_id: str = "pp-1", **fields: str) -> pb.PickupPoint:
    """Return a valid pickup point; ``fields`` override name, address, ..."""
    values = {"name": "Ombud", "address": "Storgatan 1", "city": "Lund", "zip": "22350"}
    values.update(fields)
    return pb.PickupPoint(id=point_id, country="SE", **values)


def deliver(
    *line_ids: int,
    provider: str = "postnord",
    base_price: int = 4900,
    free_over: int = 0,
    tax_rate: int = 2500,
    pickup: pb.PickupPoint | None = None,
) -> pb.Mutation:
    """Return a set_delivery of ``line_ids`` (none: every undelivered line)."""
    msg = pb.SetDelivery(
        provider=provider,
        line_ids=list(line_ids),
        base_price=base_price,
        free_over=free_over,
        tax_rate=tax_rate,
    )
    if pickup is not None:
        msg.pickup_point.CopyFrom(pickup)
    return wrap(msg)


def remove_delivery(delivery_id: int) -> pb.Mutation:
    return wrap(pb.RemoveDelivery(delivery_id=delivery_id))


def set_pickup(delivery_id: int, pickup: pb.PickupPoint | None) -> pb.Mutation:
    msg = pb.SetPickupPoint(delivery_id=delivery_id)
    if pickup is not None:
        msg.pickup_point.CopyFrom(pickup)
    return wrap(msg)


def clear() -> pb.Mutation:
    return wrap(pb.ClearCart())


def cart(*mutations: pb.Mutation) -> list[pb.Mutation]:
    """Return a created SEK cart followed by ``mutations``: the usual ``given``."""
    return [create(), *mutations]


def full_cart() -> list[pb.Mutation]:
    """Return a cart holding exactly ``MAX_LINES`` lines (sku-0 .. sku-99)."""
    return cart(*(add(f"sku-{i}") for i in range(MAX_LINES)))


# -- checks: small composable assertions, so a row reads as a sentence ----------------


def lines(*expected: tuple[int, str, int]) -> Check:
    """Expect exactly these ``(line id, sku, quantity)`` lines, in this order."""

    def check(state: pb.CartState) -> None:
        assert [(li.id, li.sku, li.quantity) for li in state.items] == list(expected)

    return check


def deliveries(*expected: tuple[int, list[int]]) -> Check:
    """Expect exactly these ``(delivery id, line ids)`` deliveries, in this order."""

    def check(state: pb.CartState) -> None:
        assert [(d.id, list(d.line_ids)) for d in state.deliveries] == list(expected)

    return check


def totals(**expected: int) -> Check:
    """Expect these fields of ``state.totals``."""

    def check(state: pb.CartState) -> None:
        actual = {name: getattr(state.totals, name) for name in expected}
        assert actual == expected

    return check


def line(index: int, **expected: object) -> Check:
    """Expect these fields of the line at ``index``."""

    def check(state: pb.CartState) -> None:
        got = state.items[index]
        assert {name: getattr(got, name) for name in expected} == expected

    return check


def line_count(expected: int) -> Check:
    """Expect ``expected`` lines."""

    def check(state: pb.CartState) -> None:
        assert len(state.items) == expected

    return check


def delivery(index: int, **expected: object) -> Check:
    """Expect these fields of the delivery at ``index``."""

    def check(state: pb.CartState) -> None:
        got = state.deliveries[index]
        assert {name: getattr(got, name) for name in expected} == expected

    return check


def has(**expected: object) -> Check:
    """Expect these top-level fields of the state."""

    def check(state: pb.CartState) -> None:
        assert {name: getattr(state, name) for name in expected} == expected

    return check


def all_of(*checks: Check) -> Check:
    """Run every check in turn."""

    def check(state: pb.CartState) -> None:
        for each in checks:
            each(state)

    return check


def _no_pickup_point(state: pb.CartState) -> None:
    assert not state.deliveries[-1].HasField("pickup_point")


# -- the table ------------------------------------------------------------------------

_TWO_LINES = cart(add("a"), add("b"))
_BIG = "x" * (MAX_TEXT + 1)

EXAMPLES: dict[str, list[Example]] = {
    "create_cart": [
        Example("records the currency", when=create("SEK"), expect=has(currency="SEK")),
        Example("another currency", when=create("EUR"), expect=has(currency="EUR")),
        Example("lowercase refused", when=create("sek"), raises=CartError),
        Example("two letters refused", when=create("SE"), raises=CartError),
        Example("four letters refused", when=create("SEKK"), raises=CartError),
        Example("empty refused", when=create(""), raises=CartError),
        Example("digit refused", when=create("S3K"), raises=CartError),
        Example("non-ASCII letters refused", when=create("ÅÄÖ"), raises=CartError),
        Example("leading space refused", when=create(" SEK"), raises=CartError),
        # `$` in a regex also matches before a final newline; a currency must not.
        Example("trailing newline refused", when=create("EUR\n"), raises=CartError),
        Example("twice refused", given=[create("SEK")], when=create("EUR"), raises=CartError),
        Example(
            "refused once the cart has events", given=[add("a")], when=create(), raises=CartError
        ),
    ],
    "add_item": [
        Example(
            "new line with totals",
            given=cart(),
            when=add("a", quantity=2, unit_price=12_500, tax_rate=2500),
            expect=all_of(
                lines((1, "a", 2)),
                line(0, unit_price=12_500, total_price=25_000, total_tax=5000),
                totals(items=25_000, items_tax=5000, total=25_000, tax=5000, quantity=2),
                has(next_line_id=2),
            ),
        ),
        Example(
            "another sku gets the next line id",
            given=cart(add("a")),
            when=add("b", quantity=3),
            expect=all_of(lines((1, "a", 1), (2, "b", 3)), totals(quantity=4, items=40_000)),
        ),
        Example(
            "same sku increases its line and takes the newest price",
            given=cart(add("a", quantity=2, unit_price=100)),
            when=add(
                "a",
                quantity=3,
                unit_price=120,
                tax_rate=1200,
                name="New",
                image_url="https://img/a.png",
            ),
            expect=all_of(
                lines((1, "a", 5)),
                line(
                    0,
                    unit_price=120,
                    tax_rate=1200,
                    name="New",
                    image_url="https://img/a.png",
                    total_price=600,
                    total_tax=64,
                ),
                has(next_line_id=2),
            ),
        ),
        Example("quantity 1", given=cart(), when=add(quantity=1), expect=lines((1, "sku-1", 1))),
        Example(
            "quantity 999", given=cart(), when=add(quantity=999), expect=lines((1, "sku-1", 999))
        ),
        Example("quantity 0 refused", given=cart(), when=add(quantity=0), raises=LimitExceeded),
        Example(
            "quantity 1000 refused", given=cart(), when=add(quantity=1000), raises=LimitExceeded
        ),
        Example(
            "negative quantity refused", given=cart(), when=add(quantity=-1), raises=LimitExceeded
        ),
        Example(
            "re-add up to 999 in sum",
            given=cart(add(quantity=500)),
            when=add(quantity=499),
            expect=lines((1, "sku-1", 999)),
        ),
        Example(
            "re-add beyond 999 in sum refused",
            given=cart(add(quantity=500)),
            when=add(quantity=500),
            raises=LimitExceeded,
        ),
        Example(
            "line 100 accepted",
            given=full_cart()[:-1],
            when=add("new"),
            expect=line_count(MAX_LINES),
        ),
        Example("line 101 refused", given=full_cart(), when=add("new"), raises=LimitExceeded),
        Example(
            "a full cart still increases an existing line",
            given=full_cart(),
            when=add("sku-7", quantity=2),
            expect=line(7, sku="sku-7", quantity=3),
        ),
        Example("empty sku refused", given=cart(), when=add(""), raises=CartError),
        Example("blank sku refused", given=cart(), when=add("   "), raises=CartError),
        Example(
            "sku of the maximum length",
            given=cart(),
            when=add("s" * MAX_SKU),
            expect=line(0, sku="s" * MAX_SKU),
        ),
        Example(
            "too long sku refused",
            given=cart(),
            when=add("s" * (MAX_SKU + 1)),
            raises=LimitExceeded,
        ),
        Example("empty name refused", given=cart(), when=add(name=""), raises=CartError),
        Example(
            "name of the maximum length",
            given=cart(),
            when=add(name="n" * MAX_TEXT),
            expect=line(0, name="n" * MAX_TEXT),
        ),
        Example("too long name refused", given=cart(), when=add(name=_BIG), raises=LimitExceeded),
        Example(
            "too long image url refused",
            given=cart(),
            when=add(image_url="u" * (MAX_URL + 1)),
            raises=LimitExceeded,
        ),
        Example(
            "free item",
            given=cart(),
            when=add(unit_price=0),
            expect=all_of(line(0, total_price=0, total_tax=0), totals(items=0, quantity=1)),
        ),
        Example("negative price refused", given=cart(), when=add(unit_price=-1), raises=CartError),
        Example(
            "absurd price refused", given=cart(), when=add(unit_price=10**10 + 1), raises=CartError
        ),
        Example(
            "tax rate 0",
            given=cart(),
            when=add(tax_rate=0),
            expect=line(0, total_price=10_000, total_tax=0),
        ),
        Example(
            "tax rate 10000 (100 %)",
            given=cart(),
            when=add(tax_rate=10_000),
            expect=line(0, total_price=10_000, total_tax=5000),
        ),
        Example(
            "tax rate above 10000 refused",
            given=cart(),
            when=add(tax_rate=10_001),
            raises=CartError,
        ),
        Example("negative tax rate refused", given=cart(), when=add(tax_rate=-1), raises=CartError),
        Example(
            "line ids are never reused",
            given=cart(add("a"), remove(1)),
            when=add("a"),
            expect=all_of(lines((2, "a", 1)), has(next_line_id=3)),
        ),
    ],
    "remove_item": [
        Example(
            "removes the line",
            given=_TWO_LINES,
            when=remove(1),
            expect=all_of(lines((2, "b", 1)), totals(items=10_000, quantity=1)),
        ),
        Example(
            "prunes the line from its delivery",
            given=cart(add("a"), add("b"), deliver(1, 2)),
            when=remove(1),
            expect=deliveries((1, [2])),
        ),
        Example(
            "removes a delivery left with no line",
            given=cart(add("a"), add("b"), deliver(1, base_price=100), deliver(2, base_price=200)),
            when=remove(1),
            expect=all_of(deliveries((2, [2])), totals(delivery=200, total=10_200)),
        ),
        Example(
            "last line leaves an empty cart",
            given=cart(add("a"), deliver()),
            when=remove(1),
            expect=all_of(lines(), deliveries(), totals(total=0, tax=0)),
        ),
        Example("unknown line", given=_TWO_LINES, when=remove(3), raises=LineNotFound),
        Example("line id 0", given=_TWO_LINES, when=remove(0), raises=LineNotFound),
        Example(
            "already removed", given=cart(add("a"), remove(1)), when=remove(1), raises=LineNotFound
        ),
    ],
    "change_quantity": [
        Example(
            "sets, not adds",
            given=cart(add(quantity=2)),
            when=change(1, 5),
            expect=all_of(lines((1, "sku-1", 5)), totals(items=50_000, quantity=5)),
        ),
        Example(
            "down to 1",
            given=cart(add(quantity=7)),
            when=change(1, 1),
            expect=lines((1, "sku-1", 1)),
        ),
        Example(
            "up to 999", given=cart(add()), when=change(1, 999), expect=lines((1, "sku-1", 999))
        ),
        Example(
            "0 refused (removing is remove_item)",
            given=cart(add()),
            when=change(1, 0),
            raises=LimitExceeded,
        ),
        Example("1000 refused", given=cart(add()), when=change(1, 1000), raises=LimitExceeded),
        Example("negative refused", given=cart(add()), when=change(1, -3), raises=LimitExceeded),
        Example("unknown line", given=cart(add()), when=change(2, 1), raises=LineNotFound),
        Example(
            "crossing free_over makes delivery free",
            given=cart(add(unit_price=10_000), deliver(free_over=20_000, base_price=4900)),
            when=change(1, 2),
            expect=all_of(delivery(0, price=0, tax=0), totals(delivery=0, total=20_000)),
        ),
    ],
    "set_cart_items": [
        Example(
            "fills an empty cart",
            given=cart(),
            when=set_items(item("a", quantity=2), item("b")),
            expect=all_of(lines((1, "a", 2), (2, "b", 1)), totals(quantity=3, items=30_000)),
        ),
        Example(
            "keeps line ids of skus still present, new ids for new skus",
            given=cart(add("a"), add("b")),
            when=set_items(item("b", quantity=3), item("c")),
            expect=all_of(lines((2, "b", 3), (3, "c", 1)), has(next_line_id=4)),
        ),
        Example(
            "a kept line takes the new price",
            given=cart(add("a", unit_price=100)),
            when=set_items(item("a", unit_price=150, name="Renamed")),
            expect=line(0, id=1, unit_price=150, name="Renamed", total_price=150),
        ),
        Example(
            "merges duplicate skus, the last price wins",
            given=cart(),
            when=set_items(
                item("a", quantity=2, unit_price=100),
                item("b"),
                item("a", quantity=3, unit_price=90),
            ),
            expect=all_of(lines((1, "a", 5), (2, "b", 1)), line(0, unit_price=90)),
        ),
        Example(
            "merged duplicates above 999 refused",
            given=cart(),
            when=set_items(item("a", quantity=500), item("a", quantity=500)),
            raises=LimitExceeded,
        ),
        Example(
            "prunes deliveries of removed lines",
            given=cart(add("a"), add("b"), add("c"), deliver(1), deliver(2, 3)),
            when=set_items(item("c"), item("d")),
            expect=all_of(lines((3, "c", 1), (4, "d", 1)), deliveries((2, [3]))),
        ),
        Example(
            "keeps deliveries of kept lines",
            given=cart(add("a"), deliver(1)),
            when=set_items(item("a", quantity=4)),
            expect=deliveries((1, [1])),
        ),
        Example(
            "empty list empties the cart",
            given=cart(add("a"), deliver()),
            when=set_items(),
            expect=all_of(lines(), deliveries(), totals(total=0)),
        ),
        Example(
            "100 lines accepted",
            given=cart(),
            when=set_items(*(item(f"s{i}") for i in range(MAX_LINES))),
            expect=line_count(MAX_LINES),
        ),
        Example(
            "101 lines refused",
            given=cart(),
            when=set_items(*(item(f"s{i}") for i in range(MAX_LINES + 1))),
            raises=LimitExceeded,
        ),
        Example(
            "101 items merging into 100 lines accepted",
            given=cart(),
            when=set_items(*(item(f"s{i}") for i in range(MAX_LINES)), item("s0")),
            expect=line(0, sku="s0", quantity=2),
        ),
        Example(
            "an invalid item refuses the whole list",
            given=cart(add("a")),
            when=set_items(item("b"), item("c", quantity=0)),
            raises=LimitExceeded,
        ),
        Example(
            "an item without a name refuses the list",
            given=cart(),
            when=set_items(item("b", name="")),
            raises=CartError,
        ),
    ],
    "set_delivery": [
        Example(
            "no line ids delivers every line, priced",
            given=_TWO_LINES,
            when=deliver(base_price=4900, tax_rate=2500),
            expect=all_of(
                deliveries((1, [1, 2])),
                delivery(0, provider="postnord", price=4900, tax=980),
                totals(items=20_000, delivery=4900, delivery_tax=980, total=24_900, tax=4980),
                has(next_delivery_id=2),
                _no_pickup_point,
            ),
        ),
        Example(
            "no line ids delivers the undelivered lines",
            given=cart(add("a"), add("b"), add("c"), deliver(2)),
            when=deliver(),
            expect=deliveries((1, [2]), (2, [1, 3])),
        ),
        Example("explicit lines", given=_TWO_LINES, when=deliver(2), expect=deliveries((1, [2]))),
        Example(
            "a repeated line id counts once",
            given=_TWO_LINES,
            when=deliver(2, 2, 1),
            expect=deliveries((1, [2, 1])),
        ),
        Example(
            "a line has only one delivery",
            given=cart(add("a"), add("b"), deliver(1)),
            when=deliver(1, 2),
            raises=CartError,
        ),
        Example("unknown line", given=_TWO_LINES, when=deliver(3), raises=LineNotFound),
        Example(
            "nothing to deliver in an empty cart", given=cart(), when=deliver(), raises=CartError
        ),
        Example(
            "nothing left to deliver",
            given=cart(add("a"), deliver()),
            when=deliver(),
            raises=CartError,
        ),
        Example(
            "free at exactly free_over",
            given=_TWO_LINES,
            when=deliver(free_over=20_000),
            expect=all_of(
                delivery(0, base_price=4900, price=0, tax=0), totals(delivery=0, total=20_000)
            ),
        ),
        Example(
            "paid one öre below free_over",
            given=_TWO_LINES,
            when=deliver(free_over=20_001),
            expect=delivery(0, price=4900),
        ),
        Example(
            "free_over 0 is never free",
            given=_TWO_LINES,
            when=deliver(free_over=0),
            expect=delivery(0, price=4900),
        ),
        Example(
            "free delivery at base price 0",
            given=_TWO_LINES,
            when=deliver(base_price=0),
            expect=delivery(0, price=0, tax=0),
        ),
        Example(
            "with a pickup point",
            given=_TWO_LINES,
            when=deliver(pickup=point("pp-9")),
            expect=delivery(0, pickup_point=point("pp-9")),
        ),
        Example(
            "pickup point without id refused",
            given=_TWO_LINES,
            when=deliver(pickup=point("")),
            raises=CartError,
        ),
        Example(
            "pickup point with a too long field refused",
            given=_TWO_LINES,
            when=deliver(pickup=point(city=_BIG)),
            raises=LimitExceeded,
        ),
        Example(
            "empty provider refused", given=_TWO_LINES, when=deliver(provider=""), raises=CartError
        ),
        Example(
            "too long provider refused",
            given=_TWO_LINES,
            when=deliver(provider=_BIG),
            raises=LimitExceeded,
        ),
        Example(
            "negative base price refused",
            given=_TWO_LINES,
            when=deliver(base_price=-1),
            raises=CartError,
        ),
        # Unbounded prices overflowed the int64 totals (ValueError, not a refusal).
        Example(
            "absurd base price refused",
            given=_TWO_LINES,
            when=deliver(base_price=2**63 - 1),
            raises=CartError,
        ),
        Example(
            "negative free_over refused",
            given=_TWO_LINES,
            when=deliver(free_over=-1),
            raises=CartError,
        ),
        Example(
            "tax rate above 10000 refused",
            given=_TWO_LINES,
            when=deliver(tax_rate=10_001),
            raises=CartError,
        ),
        Example(
            "lines freed by remove_delivery can be delivered again",
            given=cart(add("a"), add("b"), deliver(1), deliver(2), remove_delivery(1)),
            when=deliver(),
            expect=deliveries((2, [2]), (3, [1])),
        ),
        Example(
            "delivery ids are never reused",
            given=cart(add("a"), deliver(), remove_delivery(1)),
            when=deliver(),
            expect=deliveries((2, [1])),
        ),
    ],
    "remove_delivery": [
        Example(
            "removes it, lines become undelivered",
            given=cart(add("a"), deliver()),
            when=remove_delivery(1),
            expect=all_of(
                deliveries(), lines((1, "a", 1)), totals(delivery=0, delivery_tax=0, total=10_000)
            ),
        ),
        Example(
            "keeps the others",
            given=cart(add("a"), add("b"), deliver(1), deliver(2)),
            when=remove_delivery(1),
            expect=deliveries((2, [2])),
        ),
        Example(
            "unknown delivery",
            given=cart(add("a"), deliver()),
            when=remove_delivery(2),
            raises=DeliveryNotFound,
        ),
        Example(
            "already removed",
            given=cart(add("a"), deliver(), remove_delivery(1)),
            when=remove_delivery(1),
            raises=DeliveryNotFound,
        ),
    ],
    "set_pickup_point": [
        Example(
            "sets it, prices unchanged",
            given=cart(add("a"), deliver()),
            when=set_pickup(1, point("pp-2")),
            expect=all_of(
                delivery(0, pickup_point=point("pp-2"), price=4900), totals(delivery=4900)
            ),
        ),
        Example(
            "replaces the previous one",
            given=cart(add("a"), deliver(pickup=point("pp-1"))),
            when=set_pickup(1, point("pp-2", name="Other")),
            expect=delivery(0, pickup_point=point("pp-2", name="Other")),
        ),
        Example(
            "only the id is required",
            given=cart(add("a"), deliver()),
            when=set_pickup(1, pb.PickupPoint(id="pp-3")),
            expect=delivery(0, pickup_point=pb.PickupPoint(id="pp-3")),
        ),
        Example(
            "unknown delivery",
            given=cart(add("a"), deliver()),
            when=set_pickup(2, point()),
            raises=DeliveryNotFound,
        ),
        Example(
            "missing pickup point refused",
            given=cart(add("a"), deliver()),
            when=set_pickup(1, None),
            raises=CartError,
        ),
        Example(
            "pickup point without id refused",
            given=cart(add("a"), deliver()),
            when=set_pickup(1, point(" ")),
            raises=CartError,
        ),
        Example(
            "too long field refused",
            given=cart(add("a"), deliver()),
            when=set_pickup(1, point(address=_BIG)),
            raises=LimitExceeded,
        ),
    ],
    "clear_cart": [
        Example(
            "removes every line and delivery, keeps currency and id allocators",
            given=cart(add("a"), add("b"), deliver()),
            when=clear(),
            expect=all_of(
                lines(),
                deliveries(),
                totals(items=0, items_tax=0, delivery=0, total=0, tax=0, quantity=0),
                has(currency="SEK", next_line_id=3, next_delivery_id=2),
            ),
        ),
        Example(
            "an empty cart stays empty",
            given=cart(),
            when=clear(),
            expect=all_of(lines(), totals(total=0)),
        ),
    ],
}
