"""The mutation registry: message type -> pure handler plus flags, no switch.

``registry.apply(state, mutation)`` looks the envelope's ``oneof`` case up,
runs its handler, recomputes totals when the registration says ``with_totals``
and bumps the version. Applying a type without a handler raises
``MutationNotRegistered``; a handler refusing a mutation raises ``CartError``.
Handlers themselves live in ``carts.handlers``; importing this module imports
them, so the default registry is always complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from google.protobuf.message import Message

from carts.errors import CartError, MutationNotRegistered
from carts.pricing import recompute_totals
from proto import cart_actor_pb2 as pb

__all__ = ["MutationRegistry", "Registration", "kind_of", "registry", "wrap"]

M = TypeVar("M", bound=Message)
Handler = Callable[[pb.CartState, Any], None]

# oneof case name <-> message type, read once from the schema.
_ONEOF = pb.Mutation.DESCRIPTOR.oneofs_by_name["kind"]
_FIELD_BY_TYPE: dict[str, str] = {f.message_type.full_name: f.name for f in _ONEOF.fields}


@dataclass(frozen=True, slots=True)
class Registration:
    """One registered mutation type."""

    kind: str  # the Mutation.kind case, e.g. "add_item"
    message_type: type[Message]
    handler: Handler
    with_totals: bool
    idempotent: bool


def kind_of(mutation: pb.Mutation) -> str:
    """Return the oneof case of ``mutation`` or raise ``CartError`` if it is empty."""
    kind = mutation.WhichOneof("kind")
    if kind is None:
        raise CartError("empty mutation: no case of Mutation.kind is set")
    return kind


def wrap(message: Message) -> pb.Mutation:
    """Return ``message`` wrapped in a ``Mutation`` envelope."""
    field = _FIELD_BY_TYPE.get(message.DESCRIPTOR.full_name)
    if field is None:
        raise MutationNotRegistered(
            f"{message.DESCRIPTOR.full_name} is not a case of Mutation.kind"
        )
    envelope = pb.Mutation()
    getattr(envelope, field).CopyFrom(message)
    return envelope


class MutationRegistry:
    """Maps each ``Mutation.kind`` case to its handler; first writer wins."""

    def __init__(self) -> None:
        self._by_kind: dict[str, Registration] = {}

    def register(
        self, message_type: type[M], *, with_totals: bool = False, idempotent: bool = False
    ) -> Callable[[Callable[[pb.CartState, M], None]], Callable[[pb.CartState, M], None]]:
        """Register the decorated function as the handler of ``message_type``."""
        kind = _FIELD_BY_TYPE.get(message_type.DESCRIPTOR.full_name)
        if kind is None:
            raise MutationNotRegistered(
                f"{message_type.DESCRIPTOR.full_name} is not a case of Mutation.kind; "
                "add it to the oneof in proto/cart_actor.proto"
            )

        def decorator(
            handler: Callable[[pb.CartState, M], None],
        ) -> Callable[[pb.CartState, M], None]:
            if kind in self._by_kind:
                raise ValueError(f"a handler for {kind} is already registered")
            self._by_kind[kind] = Registration(
                kind=kind,
                message_type=message_type,
                handler=handler,
                with_totals=with_totals,
                idempotent=idempotent,
            )
            return handler

        return decorator

    def get(self, kind: str) -> Registration:
        """Return the registration of ``kind`` or raise ``MutationNotRegistered``."""
        try:
            return self._by_kind[kind]
        except KeyError:
            raise MutationNotRegistered(
                f"no handler registered for {kind}", mutation=kind
            ) from None

    def __iter__(self) -> Iterator[Registration]:
        return iter(self._by_kind.values())

    def __contains__(self, kind: object) -> bool:
        return kind in self._by_kind

    def apply(self, state: pb.CartState, mutation: pb.Mutation) -> Registration:
        """Apply ``mutation`` to ``state`` in place and return its registration.

        On ``CartError`` the state may be partly changed: callers apply to a
        copy (``carts.pool`` does) and keep the original when a handler refuses.
        """
        kind = kind_of(mutation)
        reg = self.get(kind)
        try:
            reg.handler(state, getattr(mutation, kind))
        except CartError as exc:
            exc.cart_id = exc.cart_id or state.id or None
            exc.mutation = exc.mutation or kind
            raise
        if reg.with_totals:
            recompute_totals(state)
        state.version += 1
        return reg


registry = MutationRegistry()

# Importing the handlers fills the default registry (kept last: they import it).
from carts import handlers as _handlers  # noqa: E402,F401
