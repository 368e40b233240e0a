"""Every handler, driven by the worked examples in ``tests/carts/examples.py``.

The kinds come from the registry, not from a list here: registering a new
mutation without writing examples for it fails ``test_every_registration_has_examples``.
"""

from __future__ import annotations

import pytest

from carts.errors import CartError
from carts.mutations import kind_of, registry
from carts.pricing import recompute_totals
from proto import cart_actor_pb2 as pb
from tests.carts.examples import CART_ID, EXAMPLES, Example, build

CASES = [
    pytest.param(example, id=f"{reg.kind}: {example.name}")
    for reg in registry
    for example in EXAMPLES.get(reg.kind, [])
]


def test_every_registration_has_examples() -> None:
    missing = [reg.kind for reg in registry if not EXAMPLES.get(reg.kind)]
    assert not missing, f"registered mutations without examples: {', '.join(missing)}"


def test_examples_are_well_formed() -> None:
    # A row filed under the wrong kind would silently test another handler.
    problems = []
    for kind, examples in EXAMPLES.items():
        if kind not in registry:
            problems.append(f"{kind}: not a registered kind")
        names = [example.name for example in examples]
        if len(names) != len(set(names)):
            problems.append(f"{kind}: duplicate example names")
        for example in examples:
            if kind_of(example.when) != kind:
                problems.append(f"{kind}: {example.name!r} applies {kind_of(example.when)}")
            if (example.expect is None) == (example.raises is None):
                problems.append(f"{kind}: {example.name!r} needs exactly one of expect/raises")
    assert not problems, "\n".join(problems)


def _totals_are_fresh(state: pb.CartState) -> None:
    fresh = pb.CartState()
    fresh.CopyFrom(state)
    recompute_totals(fresh)
    # Field by field: a cart that never had totals computed has no totals message,
    # which is as fresh as an all-zero one.
    assert list(fresh.items) == list(state.items), "line totals are stale"
    assert list(fresh.deliveries) == list(state.deliveries), "delivery prices are stale"
    assert fresh.totals == state.totals, "cart totals are stale"


@pytest.mark.parametrize("example", CASES)
def test_example(example: Example) -> None:
    state = build(example.given)
    before = state.version
    if example.raises is not None:
        with pytest.raises(CartError) as excinfo:
            registry.apply(state, example.when)
        # Exact type: the subclass decides the HTTP status the client sees.
        assert type(excinfo.value) is example.raises, str(excinfo.value)
        assert excinfo.value.cart_id == CART_ID
        assert excinfo.value.mutation == kind_of(example.when)
        return
    registry.apply(state, example.when)
    assert state.version == before + 1
    assert example.expect is not None
    example.expect(state)
    _totals_are_fresh(state)
