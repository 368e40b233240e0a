"""Request bodies: one strict JSON parser and the helper that validates a body.

The parser accepts camelCase keys and rewrites them to snake_case while it
decodes (so serializers see one spelling), refuses duplicate keys, NaN and
Infinity, lone surrogates and absurd nesting, and never lets a decoding error
escape as anything but ``ParseError``: hostile input is a 400, never a 500.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.request import Request
from rest_framework.serializers import Serializer

from carts.errors import BadRequest

__all__ = ["MAX_DEPTH", "CartJSONParser", "parse_body", "snake_case"]

# Our bodies nest three levels at most (items -> item, delivery -> pickup point).
MAX_DEPTH = 8
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake_case(key: str) -> str:
    """Return ``key`` in snake_case: ``unitPrice`` -> ``unit_price``."""
    return _CAMEL.sub(r"_\1", key).lower()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        name = snake_case(key)
        if name in obj:
            # Both "lineIds" and "line_ids", or a key twice: which one was meant?
            raise ParseError(f"JSON parse error - field {name!r:.80} is given more than once")
        obj[name] = value
    return obj


def _reject_constant(name: str) -> Any:
    raise ParseError(f"JSON parse error - {name} is not valid JSON")


def _check(data: Any) -> None:
    """Refuse deep nesting and strings that cannot be encoded back to UTF-8."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, str):
            _text(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _text(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _text(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # A lone "\ud800" escape: it would break every later encode (DB, response).
        raise ParseError("JSON parse error - string with an unpaired surrogate") from None


class CartJSONParser(JSONParser):
    """application/json with camelCase -> snake_case keys and strict decoding."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: dict | None = None
    ) -> Any:
        """Decode the body or raise ``ParseError`` naming what is wrong."""
        encoding = get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
            data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_reject_constant)
        except ParseError:
            raise
        except (ValueError, RecursionError) as exc:
            # ValueError covers bad JSON, bad bytes for the charset and huge integers.
            raise ParseError(f"JSON parse error - {exc!s:.200}") from None
        _check(data)
        return data


def parse_body(request: Request, serializer_class: type[Serializer]) -> dict[str, Any]:
    """Return the request body validated by ``serializer_class``.

    Raises ``ParseError``/``UnsupportedMediaType`` for an unreadable body,
    ``BadRequest`` when it is not a JSON object and ``ValidationError`` naming
    each bad or unknown field.
    """
    data = request.data
    if not isinstance(data, dict):
        raise BadRequest(f"the request body must be a JSON object, not {_json_type(data)}")
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
