"""The mutation registry: coverage of the schema, its errors, and honest flags.

The flags are promises other layers act on: the registry recomputes totals only
for ``with_totals`` and the routing pool retries only ``idempotent`` mutations.
Both are checked here against what the handlers actually do on the examples.
"""

from __future__ import annotations

import pytest

from carts.errors import CartError, LimitExceeded, MutationNotRegistered
from carts.grain import new_state
from carts.mutations import MutationRegistry, Registration, kind_of, registry, wrap
from proto import cart_actor_pb2 as pb
from tests.carts.examples import EXAMPLES, Example, add, build, cart, change, clear, create

KIND_FIELDS = pb.Mutation.DESCRIPTOR.oneofs_by_name["kind"].fields


# -- coverage -------------------------------------------------------------------------


def test_every_mutation_in_the_schema_has_a_handler() -> None:
    missing = [f.message_type.name for f in KIND_FIELDS if f.name not in registry]
    assert not missing, (
        f"Mutation.kind cases without a handler: {', '.join(missing)}; "
        "register one with @registry.register(...) in carts/handlers.py"
    )


def test_each_registration_handles_the_type_of_its_case() -> None:
    for f in KIND_FIELDS:
        if f.name in registry:
            reg = registry.get(f.name)
            assert reg.message_type.DESCRIPTOR.full_name == f.message_type.full_name, f.name


# -- errors ---------------------------------------------------------------------------


def test_empty_mutation_is_refused() -> None:
    with pytest.raises(CartError, match="empty mutation"):
        registry.apply(new_state("c"), pb.Mutation())


def test_unregistered_kind_is_an_explicit_error() -> None:
    with pytest.raises(MutationNotRegistered) as excinfo:
        MutationRegistry().apply(new_state("c"), clear())
    assert excinfo.value.mutation == "clear_cart"


def test_registering_twice_is_refused_and_the_first_stays() -> None:
    private = MutationRegistry()

    @private.register(pb.ClearCart)
    def first(state: pb.CartState, msg: pb.ClearCart) -> None:
        pass

    def second(state: pb.CartState, msg: pb.ClearCart) -> None:
        pass

    with pytest.raises(ValueError, match="already registered"):
        private.register(pb.ClearCart)(second)
    assert private.get("clear_cart").handler is first


def test_registering_a_message_outside_the_oneof_is_refused() -> None:
    with pytest.raises(MutationNotRegistered, match=r"not a case of Mutation\.kind"):
        registry.register(pb.CartState)


def test_wrapping_a_message_outside_the_oneof_is_refused() -> None:
    with pytest.raises(MutationNotRegistered):
        wrap(pb.CartState())


def test_wrap_round_trips_every_case() -> None:
    for f in KIND_FIELDS:
        message = getattr(pb, f.message_type.name)()
        assert kind_of(wrap(message)) == f.name


# -- version and error context --------------------------------------------------------


def test_version_grows_by_one_per_applied_mutation() -> None:
    state = new_state("cart-v")
    for expected, mutation in enumerate(cart(add("a"), add("b"), change(1, 3), clear()), 1):
        registry.apply(state, mutation)
        assert state.version == expected


def test_refused_mutation_carries_cart_and_kind_and_keeps_the_version() -> None:
    state = build(cart(add("a")))
    state.id = "cart-42"
    with pytest.raises(LimitExceeded) as excinfo:
        registry.apply(state, change(1, 0))
    assert (excinfo.value.cart_id, excinfo.value.mutation) == ("cart-42", "change_quantity")
    assert "cart=cart-42" in str(excinfo.value)
    assert "mutation=change_quantity" in str(excinfo.value)
    assert state.version == 2


def test_handler_context_is_not_overwritten() -> None:
    # A handler that knows better (say, an inner mutation) keeps its own context.
    private = MutationRegistry()

    @private.register(pb.ClearCart)
    def refuse(state: pb.CartState, msg: pb.ClearCart) -> None:
        raise CartError("no", cart_id="other", mutation="inner")

    with pytest.raises(CartError) as excinfo:
        private.apply(new_state("c"), clear())
    assert (excinfo.value.cart_id, excinfo.value.mutation) == ("other", "inner")


# -- the with_totals lint -------------------------------------------------------------


def _lines_and_deliveries(state: pb.CartState) -> tuple[list[bytes], list[bytes]]:
    # Serialized, so any field change counts, prices or not.
    return (
        [line.SerializeToString(deterministic=True) for line in state.items],
        [d.SerializeToString(deterministic=True) for d in state.deliveries],
    )


def touches_lines_without_totals(
    reg: MutationRegistry, examples: dict[str, list[Example]]
) -> list[str]:
    """Return the examples whose handler, registered without totals, changed lines.

    ``given`` is applied with the default registry (a private one under test may
    hold a single handler); only ``when`` goes through ``reg``.
    """
    offenders = []
    for registration in reg:
        if registration.with_totals:
            continue
        for example in examples.get(registration.kind, []):
            if example.raises is not None:
                continue
            state = build(example.given)
            before = _lines_and_deliveries(state)
            reg.apply(state, example.when)
            if _lines_and_deliveries(state) != before:
                offenders.append(f"{registration.kind}: {example.name}")
    return offenders


def test_handlers_that_touch_lines_are_flagged_with_totals() -> None:
    offenders = touches_lines_without_totals(registry, EXAMPLES)
    assert not offenders, (
        "these handlers changed items or deliveries but are registered without "
        "with_totals=True (the registry recomputes totals only for flagged ones): "
        f"{offenders}"
    )


def test_the_lint_catches_a_handler_missing_with_totals() -> None:
    private = MutationRegistry()

    @private.register(pb.ChangeQuantity)  # with_totals forgotten
    def sloppy(state: pb.CartState, msg: pb.ChangeQuantity) -> None:
        state.items[0].quantity = msg.quantity

    examples = {
        "change_quantity": [
            Example("sloppy", given=cart(add("a")), when=change(1, 4), expect=lambda state: None)
        ]
    }
    assert touches_lines_without_totals(private, examples) == ["change_quantity: sloppy"]


def test_the_lint_passes_a_handler_that_leaves_lines_alone() -> None:
    private = MutationRegistry()

    @private.register(pb.CreateCart)
    def harmless(state: pb.CartState, msg: pb.CreateCart) -> None:
        state.currency = msg.currency

    examples = {"create_cart": [Example("ok", when=create(), expect=lambda state: None)]}
    assert touches_lines_without_totals(private, examples) == []


# -- the idempotent flag --------------------------------------------------------------


def _observable(state: pb.CartState) -> tuple[list[bytes], list[bytes], bytes]:
    return (*_lines_and_deliveries(state), state.totals.SerializeToString(deterministic=True))


IDEMPOTENT_CASES = [
    pytest.param(reg, example, id=f"{reg.kind}: {example.name}")
    for reg in registry
    if reg.idempotent
    for example in EXAMPLES.get(reg.kind, [])
    if example.raises is None
]


def test_idempotent_registrations_have_examples() -> None:
    flagged = {reg.kind for reg in registry if reg.idempotent}
    covered = {param.values[0].kind for param in IDEMPOTENT_CASES}
    assert flagged == covered


@pytest.mark.parametrize(("reg", "example"), IDEMPOTENT_CASES)
def test_idempotent_flag_is_honest(reg: Registration, example: Example) -> None:
    # The routing pool retries these after an unknown outcome: a retry must neither
    # fail nor change the cart a second time.
    once = build(example.given)
    registry.apply(once, example.when)
    twice = pb.CartState()
    twice.CopyFrom(once)
    registry.apply(twice, example.when)
    assert _observable(twice) == _observable(once)
