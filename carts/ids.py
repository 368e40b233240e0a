"""Cart ids: UUIDv7 strings, time-ordered so logs and traces sort by creation."""

from __future__ import annotations

import uuid

import uuid_utils

from carts.errors import InvalidCartId

__all__ = ["new_cart_id", "parse_cart_id"]


def new_cart_id() -> str:
    """Return a fresh UUIDv7 cart id in canonical lowercase form."""
    return str(uuid_utils.uuid7())


def parse_cart_id(value: str) -> str:
    """Return ``value`` as a canonical cart id or raise ``InvalidCartId``."""
    if not isinstance(value, str) or len(value) != 36:
        raise InvalidCartId(f"cart id must be a UUID string, got {value!r:.60}")
    try:
        parsed = uuid.UUID(value)
    except ValueError as exc:
        raise InvalidCartId(f"cart id must be a UUID string, got {value!r:.60}") from exc
    return str(parsed)
