"""Pure pieces of the API: key normalization, JSON decoding, headers, error flattening."""

from __future__ import annotations

import io

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.exceptions import ValidationError as DRFValidationError

from carts.api.errors import _flatten, error_body, exception_handler
from carts.api.http import etag, etag_matches, parse_etags, server_timing
from carts.api.parsing import MAX_DEPTH, CartJSONParser, snake_case
from carts.errors import BadRequest, CartNotFound, LimitExceeded, PreconditionFailed


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("unitPrice", "unit_price"),
        ("lineIds", "line_ids"),
        ("pickupPoint", "pickup_point"),
        ("imageURL", "image_url"),
        ("line_ids", "line_ids"),
        ("quantity", "quantity"),
        ("ID", "id"),
        ("zip", "zip"),
    ],
)
def test_snake_case(key: str, expected: str) -> None:
    assert snake_case(key) == expected


def parse(raw: bytes, encoding: str = "utf-8") -> object:
    return CartJSONParser().parse(io.BytesIO(raw), "application/json", {"encoding": encoding})


def test_parser_normalizes_keys_recursively() -> None:
    raw = b'{"lineIds": [1], "pickupPoint": {"id": "p", "zipCode": "1"}, "items": [{"skuId": 1}]}'
    assert parse(raw) == {
        "line_ids": [1],
        "pickup_point": {"id": "p", "zip_code": "1"},
        "items": [{"sku_id": 1}],
    }


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"a": NaN}',
        b'{"a": -Infinity}',
        b'{"a": 1, "a": 2}',
        b'{"lineIds": 1, "line_ids": 2}',
        b'{"a": "\\ud800"}',
        b'{"\\udc00": 1}',
        b'["\\ud800"]',
        b"\xff",
        b"[" * 50_000 + b"]" * 50_000,
        b"[" * (MAX_DEPTH + 2) + b"]" * (MAX_DEPTH + 2),
        b"9" * 5000,
    ],
)
def test_parser_refuses_with_parse_error(raw: bytes) -> None:
    with pytest.raises(ParseError):
        parse(raw)


def test_parser_refuses_non_text_charsets() -> None:
    with pytest.raises(ParseError):
        parse(b"{}", encoding="bz2_codec")
    assert parse('{"a": "é"}'.encode("utf-16"), encoding="utf-16") == {"a": "é"}


def test_etags() -> None:
    assert etag(3) == '"3"'
    assert parse_etags('W/"3", "4" ,') == {"3", "4"}
    assert parse_etags(" * ") == {"*"}
    assert etag_matches("*", 9)
    assert etag_matches('"1", W/"9"', 9)
    assert not etag_matches('"1"', 9)
    for bad in ("3", '"3', "W/", ",", '"3" junk'):
        with pytest.raises(BadRequest):
            parse_etags(bad)


def test_server_timing_orders_known_entries_and_uses_milliseconds() -> None:
    value = server_timing({"total": 0.01, "persist": 0.0019, "apply": 0.00003, "resolve": 0.0001})
    assert value == "resolve;dur=0.100, apply;dur=0.030, persist;dur=1.900, total;dur=10.000"
    assert server_timing({}) == ""


def test_flatten_validation_details() -> None:
    detail = {
        "items": [{}, {"quantity": ["too big"]}],
        "pickup_point": {"id": ["required"]},
        "non_field_errors": ["bad"],
        "sku": ["a", "b"],
    }
    assert _flatten(detail) == {
        "items.1.quantity": ["too big"],
        "pickup_point.id": ["required"],
        "body": ["bad"],
        "sku": ["a", "b"],
    }
    assert _flatten(["just one"]) == {"body": ["just one"]}


def test_exception_handler_maps_our_tree_and_drf() -> None:
    cases = [
        (CartNotFound("no cart", cart_id="c"), 404, "cart_not_found"),
        (LimitExceeded("too many"), 422, "limit_exceeded"),
        (PreconditionFailed("moved on"), 412, "version_mismatch"),
        (ParseError("bad json"), 400, "bad_request"),
        (DRFValidationError({"sku": ["required"]}), 400, "invalid"),
    ]
    for exc, status, code in cases:
        response = exception_handler(exc, {})
        assert response is not None
        assert response.status_code == status
        assert response.data["code"] == status
        assert response.data["type"] == code
    # The message is the error's own, without the context suffix of str(exc).
    assert exception_handler(CartNotFound("no cart", cart_id="c"), {}).data["error"] == "no cart"
    assert exception_handler(RuntimeError("bug"), {}) is None


def test_error_body_shape() -> None:
    assert error_body(404, "gone") == {"error": "gone", "code": 404, "type": "not_found"}
    assert error_body(400, "x", type="invalid", fields={"a": ["b"]})["fields"] == {"a": ["b"]}
