"""Random mutation sequences keep every cart invariant, and the log replays exactly.

Each step is applied the way the grain pool applies it: to a copy of the state,
kept only when no ``CartError`` was raised. A mutation starts from a valid
message (skus from a small pool so they collide, ids mostly of lines the cart
has), and one time in three a single field, nested ones included, is replaced by
a wild value of its wire type: empty, too long, negative, huge. One wild field at
a time reaches every validation on its own, and leaves most steps valid enough
to build carts worth breaking.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carts.errors import CartError, MutationNotRegistered
from carts.grain import MAX_LINES, MAX_QUANTITY, new_state
from carts.handlers import MAX_PRICE
from carts.mutations import registry, wrap
from carts.pricing import delivery_price, tax_included
from proto import cart_actor_pb2 as pb
from tests.carts.examples import add, build, cart, deliver

CART_ID = "cart-prop"
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- valid building blocks ---------------------------------------------------------------

# Strategies over protobuf messages are built once: hypothesis hashes every element of a
# sampled_from to label it, and messages are unhashable, so one per draw costs ~1 ms.
ITEMS = st.sampled_from(
    [
        pb.AddItem(sku=sku, name="Name", unit_price=price, tax_rate=rate, quantity=quantity)
        for sku, price, rate, quantity in itertools.product(
            ["a", "b", "c", "d", "e"],
            [0, 1, 999, 12_500, MAX_PRICE],
            [0, 1200, 2500, 10_000],
            [1, 2, 3, 500, 999],
        )
    ]
)
POINTS = st.sampled_from(
    [None, pb.PickupPoint(id="pp-1"), pb.PickupPoint(id="pp-2", name="Ombud", city="Lund")]
)
# Now and then a whole list right at and over the line limit.
BULK = st.sampled_from(
    [
        [pb.AddItem(sku=f"bulk-{i}", name="n", unit_price=100, quantity=1) for i in range(n)]
        for n in (MAX_LINES - 1, MAX_LINES, MAX_LINES + 1)
    ]
)
# Adds and deliveries are drawn more often: most other mutations need lines to act on.
# add_item first: shrinking heads for the start of the list.
WEIGHTS = {"add_item": 4, "set_delivery": 3, "change_quantity": 2}
KINDS = st.sampled_from(
    sorted(
        (reg.kind for reg in registry for _ in range(WEIGHTS.get(reg.kind, 1))),
        key=lambda kind: kind != "add_item",
    )
)

# -- wild values, one per wire type ------------------------------------------------------


def _wild(boundaries: list[object], whole: st.SearchStrategy) -> st.SearchStrategy:
    # Boundaries two times in three: the whole range seldom lands on the interesting ends.
    edge = st.sampled_from(boundaries)
    return st.one_of(edge, edge, whole)


WILD: dict[int, st.SearchStrategy] = {
    FieldDescriptor.TYPE_STRING: _wild(
        ["", " ", "\n", "SEK\n", "s" * 65, "n" * 201, "u" * 2049], st.text(max_size=80)
    ),
    FieldDescriptor.TYPE_INT32: _wild(
        [-1, 0, 1000, 10_001, 2**31 - 1, -(2**31)], st.integers(-(2**31), 2**31 - 1)
    ),
    FieldDescriptor.TYPE_INT64: _wild(
        [-1, 0, MAX_PRICE + 1, 2**62, 2**63 - 1, -(2**63)], st.integers(-(2**63), 2**63 - 1)
    ),
}


def _scalar_fields(message: Message) -> Iterator[tuple[Message, FieldDescriptor]]:
    """Yield every scalar field of ``message`` and of the messages it holds."""
    for fd in message.DESCRIPTOR.fields:
        if fd.message_type is not None:
            if fd.is_repeated:
                for child in getattr(message, fd.name):
                    yield from _scalar_fields(child)
            elif message.HasField(fd.name):
                yield from _scalar_fields(getattr(message, fd.name))
        elif not fd.is_repeated:
            yield message, fd


def _roughen(draw: st.DrawFn, message: Message) -> Message:
    """One time in three, give one scalar field (found through the schema) a wild value."""
    fields = list(_scalar_fields(message))
    if fields and draw(st.integers(0, 2)) == 2:
        # An index, not sampled_from(fields): building a strategy per draw is slow.
        holder, fd = fields[draw(st.integers(0, len(fields) - 1))]
        setattr(holder, fd.name, draw(WILD[fd.type]))
    return message


def _ids(existing: tuple[int, ...]) -> st.SearchStrategy[int]:
    """Mostly an id the cart has (nine in ten); else a stale or unknown one."""
    unknown = st.integers(0, max(existing, default=0) + 2)
    return st.one_of(*[st.sampled_from(existing)] * 9, unknown) if existing else unknown


def _copy(message: Message) -> Message:
    fresh = type(message)()
    fresh.CopyFrom(message)
    return fresh


@functools.cache
def messages(lines: tuple[int, ...], deliveries: tuple[int, ...]) -> dict[str, st.SearchStrategy]:
    """Return one message strategy per Mutation.kind case, for a cart with these ids.

    Drawing ids from the cart's own (as a stateful test would) makes line- and
    delivery-changing mutations land far more often than blind guesses do.
    """
    line_ids, delivery_ids = _ids(lines), _ids(deliveries)

    def pickup(draw: st.DrawFn, message: Message) -> Message:
        point = draw(POINTS)
        if point is not None:
            message.pickup_point.CopyFrom(point)
        return message

    @st.composite
    def create_cart(draw: st.DrawFn) -> pb.CreateCart:
        return pb.CreateCart(currency=draw(st.sampled_from(["SEK", "EUR", "NOK"])))

    @st.composite
    def add_item(draw: st.DrawFn) -> pb.AddItem:
        return _copy(draw(ITEMS))

    @st.composite
    def remove_item(draw: st.DrawFn) -> pb.RemoveItem:
        return pb.RemoveItem(line_id=draw(line_ids))

    @st.composite
    def change_quantity(draw: st.DrawFn) -> pb.ChangeQuantity:
        quantity = draw(st.sampled_from([1, 2, 5, 999]))
        return pb.ChangeQuantity(line_id=draw(line_ids), quantity=quantity)

    @st.composite
    def set_cart_items(draw: st.DrawFn) -> pb.SetCartItems:
        if draw(st.integers(0, 9)) == 9:
            return pb.SetCartItems(items=draw(BULK))
        return pb.SetCartItems(items=draw(st.lists(ITEMS, max_size=6)))

    @st.composite
    def set_delivery(draw: st.DrawFn) -> pb.SetDelivery:
        message = pb.SetDelivery(
            provider=draw(st.sampled_from(["postnord", "dhl"])),
            line_ids=draw(st.lists(line_ids, max_size=3)),
            base_price=draw(st.sampled_from([0, 4900, MAX_PRICE])),
            free_over=draw(st.sampled_from([0, 20_000, 100_000, 2**63 - 1])),
            tax_rate=draw(st.sampled_from([0, 2500, 10_000])),
        )
        return pickup(draw, message)

    @st.composite
    def remove_delivery(draw: st.DrawFn) -> pb.RemoveDelivery:
        return pb.RemoveDelivery(delivery_id=draw(delivery_ids))

    @st.composite
    def set_pickup_point(draw: st.DrawFn) -> pb.SetPickupPoint:
        return pickup(draw, pb.SetPickupPoint(delivery_id=draw(delivery_ids)))

    return {
        "create_cart": create_cart(),
        "add_item": add_item(),
        "remove_item": remove_item(),
        "change_quantity": change_quantity(),
        "set_cart_items": set_cart_items(),
        "set_delivery": set_delivery(),
        "remove_delivery": remove_delivery(),
        "set_pickup_point": set_pickup_point(),
        "clear_cart": st.builds(pb.ClearCart),
    }


@st.composite
def _mutation(
    draw: st.DrawFn, by_kind: dict[str, st.SearchStrategy], kinds: st.SearchStrategy = KINDS
) -> pb.Mutation:
    return wrap(_roughen(draw, draw(by_kind[draw(kinds)])))


def mutations(state: pb.CartState) -> st.SearchStrategy[pb.Mutation]:
    """Return a strategy of mutations of every kind, aimed at ``state``."""
    return _aimed(tuple(li.id for li in state.items), tuple(d.id for d in state.deliveries))


@functools.cache
def _aimed(lines: tuple[int, ...], deliveries: tuple[int, ...]) -> st.SearchStrategy[pb.Mutation]:
    return _mutation(messages(lines, deliveries))


CREATE = _mutation(messages((), ()), kinds=st.just("create_cart"))


def test_strategies_cover_the_registry() -> None:
    assert set(messages((), ())) == {reg.kind for reg in registry}


def step(state: pb.CartState, mutation: pb.Mutation) -> tuple[pb.CartState, bool]:
    """Apply ``mutation`` as the pool does: to a copy, discarded when refused."""
    candidate = pb.CartState()
    candidate.CopyFrom(state)
    try:
        registry.apply(candidate, mutation)
    except CartError:
        return state, False
    return candidate, True


def check_invariants(state: pb.CartState) -> None:
    """Assert every rule a cart keeps, whatever happened to it."""
    assert state.currency == "" or re.fullmatch("[A-Z]{3}", state.currency), state.currency
    assert len(state.items) <= MAX_LINES
    ids = [line.id for line in state.items]
    assert len(set(ids)) == len(ids), "line ids are unique"
    assert all(0 < i < state.next_line_id for i in ids), "line ids come from the allocator"
    skus = [line.sku for line in state.items]
    assert len(set(skus)) == len(skus), "one line per sku"
    for line in state.items:
        assert 1 <= line.quantity <= MAX_QUANTITY
        assert line.total_price == line.quantity * line.unit_price - line.discount
        assert line.total_tax == tax_included(line.total_price, line.tax_rate)

    delivered = Counter(i for d in state.deliveries for i in d.line_ids)
    assert set(delivered) <= set(ids), "deliveries reference existing lines"
    assert all(n == 1 for n in delivered.values()), "a line is in at most one delivery"
    delivery_ids = [d.id for d in state.deliveries]
    assert len(set(delivery_ids)) == len(delivery_ids)
    assert all(0 < i < state.next_delivery_id for i in delivery_ids)

    t = state.totals
    assert t.items == sum(line.total_price for line in state.items)
    assert t.items_tax == sum(line.total_tax for line in state.items)
    assert t.discount == sum(line.discount for line in state.items)
    assert t.quantity == sum(line.quantity for line in state.items)
    for d in state.deliveries:
        assert d.line_ids, "a delivery with no line is removed"
        assert d.price == delivery_price(d, t.items)
        assert d.tax == tax_included(d.price, d.tax_rate)
    assert t.delivery == sum(d.price for d in state.deliveries)
    assert t.delivery_tax == sum(d.tax for d in state.deliveries)
    assert t.total == t.items + t.delivery
    assert t.tax == t.items_tax + t.delivery_tax


def _bytes(state: pb.CartState) -> bytes:
    return state.SerializeToString(deterministic=True)


@SETTINGS
@given(steps=st.integers(5, 30), data=st.data())
def test_random_sequences_keep_the_invariants(steps: int, data: st.DataObject) -> None:
    state, log = new_state(CART_ID), []
    # A log starts with create_cart; when a wild one is refused, the rest runs on a
    # bare cart, which must hold up as well.
    for index in range(steps):
        # Drawn one at a time, so ids can be aimed at the lines the cart has now.
        mutation = data.draw(CREATE if index == 0 else mutations(state))
        before = state
        state, applied = step(state, mutation)
        if applied:
            assert state.version == before.version + 1
            log.append(mutation)
        else:
            assert state is before
        check_invariants(state)
    assert state.version == len(log)

    # The event log is the truth: replaying what was applied rebuilds the same bytes.
    replayed = new_state(CART_ID)
    for mutation in log:
        registry.apply(replayed, mutation)
    assert _bytes(replayed) == _bytes(state)


BOUNDARY_PRICES = [0, 1, MAX_PRICE, MAX_PRICE + 1, 2**62, 2**63 - 1]


@pytest.mark.parametrize("base_price", BOUNDARY_PRICES)
@pytest.mark.parametrize("unit_price", BOUNDARY_PRICES)
def test_the_largest_cart_fits_in_int64(unit_price: int, base_price: int) -> None:
    # Random sequences rarely build the worst case: every line at the highest price
    # and quantity, every line with its own delivery at the highest price.
    state, _ = step(new_state(CART_ID), wrap(pb.CreateCart(currency="SEK")))
    items = [
        pb.AddItem(sku=f"s{i}", name="n", unit_price=unit_price, quantity=MAX_QUANTITY)
        for i in range(MAX_LINES)
    ]
    state, _ = step(state, wrap(pb.SetCartItems(items=items)))
    check_invariants(state)
    for line in list(state.items):
        msg = pb.SetDelivery(provider="p", line_ids=[line.id], base_price=base_price)
        state, _ = step(state, wrap(msg))
        check_invariants(state)


# A cart with lines 1..3 and delivery 1, so fuzzed ids often hit something real.
_FUZZ_BASE = build(cart(add("a"), add("b", quantity=2), add("c"), deliver(1, 2)))


def _apply_raw(data: bytes) -> None:
    try:
        mutation = pb.Mutation.FromString(data)
    except DecodeError:
        return  # not a Mutation at all: the gRPC/REST edge rejects it before us
    try:
        state, applied = step(_FUZZ_BASE, mutation)
    except MutationNotRegistered:
        return
    if applied:
        check_invariants(state)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes_are_applied_or_refused(data: bytes) -> None:
    _apply_raw(data)


@SETTINGS
@given(
    mutation=mutations(_FUZZ_BASE),
    at=st.integers(0, 400),
    cut=st.integers(0, 8),
    noise=st.binary(max_size=8),
)
def test_corrupted_mutations_are_applied_or_refused(
    mutation: pb.Mutation, at: int, cut: int, noise: bytes
) -> None:
    # Random bytes rarely parse as a set oneof; splicing noise into a valid encoding
    # does, and reaches the handlers with field values no builder would produce.
    data = mutation.SerializeToString()
    at = min(at, len(data))
    _apply_raw(data[:at] + noise + data[at + cut :])
