"""HTTP headers of the cart API: ETags, preconditions, idempotency keys, timings.

A cart's ETag is its version in quotes. ``If-Match`` becomes the ``if_version``
of ``pool.apply`` (the pool checks it under the grain's lock, so there is no
race between checking and applying); ``If-None-Match`` turns a GET into a 304.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.http import HttpRequest

from carts.errors import BadRequest, PreconditionFailed

__all__ = [
    "ANY",
    "MAX_IDEMPOTENCY_KEY",
    "etag",
    "etag_matches",
    "idempotency_key",
    "if_match_version",
    "parse_etags",
    "positive_id",
    "server_timing",
]

MAX_IDEMPOTENCY_KEY = 255
MAX_ID = 2**63 - 1
ANY = "*"
_ETAG = re.compile(r'^\s*(?:W/)?"([^"]*)"\s*$')
# Order of the Server-Timing entries; unknown timings follow in their own order.
_TIMING_ORDER = ("resolve", "queue", "load", "apply", "persist")


def etag(version: int) -> str:
    """Return the strong ETag of a cart version."""
    return f'"{version}"'


def parse_etags(value: str) -> set[str]:
    """Return the opaque tags of an If-Match/If-None-Match header; ``{"*"}`` for any.

    ``W/`` prefixes are dropped: our tags are versions, weak or strong alike.
    """
    if value.strip() == ANY:
        return {ANY}
    tags = set()
    for part in value.split(","):
        if not part.strip():
            continue
        match = _ETAG.match(part)
        if match is None:
            raise BadRequest(f'malformed entity tag {part.strip()!r:.60}; expected "<version>"')
        tags.add(match.group(1))
    if not tags:
        raise BadRequest("empty entity-tag list")
    return tags


def etag_matches(value: str, version: int) -> bool:
    """True when the header ``value`` names ``version`` (or is ``*``)."""
    tags = parse_etags(value)
    return ANY in tags or str(version) in tags


def if_match_version(request: HttpRequest) -> int | None:
    """Return the version ``If-Match`` requires, or None when any version will do."""
    value = request.headers.get("If-Match")
    if value is None:
        return None
    tags = parse_etags(value)
    if ANY in tags:
        return None
    versions = {int(t) for t in tags if t.isascii() and t.isdigit() and len(t) <= 18}
    if not versions:
        raise PreconditionFailed(f"If-Match {value.strip()!r:.60} names no version of a cart")
    if len(versions) > 1:
        raise BadRequest("If-Match may name one cart version, not several")
    return versions.pop()


def idempotency_key(request: HttpRequest) -> str | None:
    """Return the ``Idempotency-Key`` header, or None; refuse one that is too long."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise BadRequest(f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
    if not key.isprintable():
        # Control characters (NUL above all) cannot be stored in the event log.
        raise BadRequest("Idempotency-Key must not contain control characters")
    return key


def positive_id(value: int, name: str) -> int:
    """Return ``value`` when it is a valid line/delivery id (1 .. 2**63-1)."""
    if not 1 <= value <= MAX_ID:
        raise BadRequest(f"{name} must be between 1 and {MAX_ID}, got {str(value)[:30]}")
    return value


def server_timing(timings: Mapping[str, float]) -> str:
    """Return a Server-Timing header value from timings in seconds."""
    names = [n for n in _TIMING_ORDER if n in timings]
    names += [n for n in timings if n not in _TIMING_ORDER]
    return ", ".join(f"{name};dur={timings[name] * 1000:.3f}" for name in names)
