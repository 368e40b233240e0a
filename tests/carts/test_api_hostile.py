"""A battery of hostile input against every route: nothing may answer 500.

Every answer below 500 is fine; every error must be in the one shape. The
requests go through the whole stack (middleware, DRF, the pool, the event log
on PostgreSQL), so a NUL byte or a lone surrogate that slipped through to the
database or the JSON renderer would show up here as a 500 or an exception.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.carts.conftest import Api

pytestmark = pytest.mark.django_db(transaction=True)

VALID_BODIES: list[Any] = [
    {"sku": "mug", "quantity": 1},
    {"quantity": 2},
    {"provider": "dhl"},
    {"id": "p1"},
    {"items": [{"sku": "mug", "quantity": 1}]},
]
HOSTILE_BODIES: list[bytes] = [
    b"",
    b"{",
    b"}",
    b"{}",
    b"null",
    b"[]",
    b"[{}]",
    b'"x"',
    b"1",
    b"true",
    b"\xff\xfe\x00\x00",
    b'{"sku": "m\xffug", "quantity": 1}',
    b'{"sku": null, "quantity": null}',
    b'{"sku": "mug", "quantity": "2"}',
    b'{"sku": "mug", "quantity": true}',
    b'{"sku": 5, "quantity": 1}',
    b'{"sku": "mug", "quantity": 1.5}',
    b'{"sku": "mug", "quantity": -1}',
    b'{"sku": "mug", "quantity": 1e400}',
    b'{"sku": "mug", "quantity": NaN}',
    b'{"sku": "mug", "quantity": -Infinity}',
    b'{"sku": "mug", "quantity": 123456789012345678901234567890}',
    b'{"sku": "mug", "quantity": ' + b"9" * 5000 + b"}",
    b'{"sku": "' + b"x" * 100_000 + b'", "quantity": 1}',
    b'{"sku": "\\u0000", "quantity": 1}',
    b'{"sku": "\\ud800", "quantity": 1}',
    b'{"\\ud800": 1}',
    b'{"id": "p", "name": "\\udfff"}',
    b'{"sku": "mug", "sku": "book", "quantity": 1}',
    b'{"provider": "dhl", "lineIds": [1], "line_ids": [1]}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50 + b"1" + b"}" * 50,
    b'{"items": "x"}',
    b'{"items": [1, 2]}',
    b'{"items": [[{"sku": "mug", "quantity": 1}]]}',
    b'{"items": null}',
    json.dumps({"items": [{"sku": "mug", "quantity": 1}] * 101}).encode(),
    json.dumps({"items": [{"sku": "mug", "quantity": 999}] * 2}).encode(),
    json.dumps({"items": [{"sku": f"s{i}", "quantity": 1} for i in range(100)]}).encode(),
    b'{"provider": "dhl", "line_ids": [0, -1, 9223372036854775808]}',
    b'{"provider": "dhl", "line_ids": [9223372036854775807]}',
    b'{"provider": "dhl", "line_ids": "1"}',
    b'{"provider": "dhl", "line_ids": [1, 1, 1]}',
    b'{"provider": "dhl", "pickup_point": "x"}',
    b'{"provider": "dhl", "pickupPoint": {"id": ""}}',
    b'{"provider": "dhl", "pickupPoint": {"id": "p", "zip": 12345}}',
    b'{"provider": "", "line_ids": []}',
    b'{"provider": "\\u0000"}',
    b'{"provider": "' + b"p" * 300 + b'"}',
    b'{"id": "p", "name": {"x": 1}}',
    b'{"id": "' + b"x" * 201 + b'"}',
    b'{"quantity": 5, "__proto__": {}}',
    b'{"Quantity": 5}',
    b'{"QUANTITY": 5}',
    b'{"": 1}',
    *(json.dumps(body).encode() for body in VALID_BODIES),
]
CONTENT_TYPES: list[str] = [
    "",
    "application/json; charset=utf-8",
    "application/json; charset=bz2_codec",
    "application/json; charset=utf-16",
    "application/json; charset=nope",
    "application/vnd.api+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=xyz",
    "*/*",
]
HOSTILE_HEADERS: list[dict[str, str]] = [
    {"If-Match": "garbage"},
    {"If-Match": '"'},
    {"If-Match": "W/"},
    {"If-Match": ","},
    {"If-Match": '"' + "9" * 40 + '"'},
    {"If-Match": '"-1"'},
    {"If-Match": '*, "1"'},
    {"If-None-Match": "garbage"},
    {"If-None-Match": "*"},
    {"Idempotency-Key": "k" * 10_000},
    {"Idempotency-Key": " "},
    {"Idempotency-Key": "kéy\xa0¥"},
    {"Idempotency-Key": "k\x7f"},
    {"Accept": "application/xml"},
    {"Accept": "text/html"},
    {"Accept": ";;;"},
    {"Cookie": "cartid=" + "x" * 5000},
    {"Cookie": "cartid=%00; cartid=1"},
    {"Cookie": 'cartid="\\"'},
]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"]
ID_SEGMENTS = [
    "nope",
    "%00",
    "0" * 36,
    "{" + str(uuid.UUID(int=1)) + "}",
    str(uuid.uuid4()).upper(),
    "..",
    "%2F",
    "%ff",
    "a" * 5000,
    "٣",
]
NUMBER_SEGMENTS = ["0", "-1", "1.5", "99999999999999999999999", "9" * 5000, "١٢٣", "%00", "1e3"]


def check(failures: list[str], response: Any, what: str) -> None:
    """Record ``what`` when the response is a 500 or an error out of shape."""
    status = response.status_code
    if status >= 500:
        failures.append(f"{what}: {status} {response.content[:200]!r}")
        return
    if status < 400 or what.startswith("HEAD "):
        return
    try:
        body = json.loads(response.content)
        ok = body["code"] == status and isinstance(body["error"], str) and body["error"]
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        failures.append(f"{what}: {status} out of shape: {response.content[:200]!r}")


async def endpoints(api: Api) -> list[tuple[str, str]]:
    """Every (method, path) the API serves, on a cart with line 1 and delivery 1."""
    cart_id = await api.new_cart()
    await api.post(f"/api/carts/{cart_id}/items", {"sku": "mug", "quantity": 1})
    await api.post(f"/api/carts/{cart_id}/deliveries", {"provider": "dhl"})
    pairs = [("POST", "/api/carts"), ("POST", "/api/cart")]
    for prefix in (f"/api/carts/{cart_id}", "/api/cart"):
        pairs += [
            ("GET", prefix),
            ("POST", f"{prefix}/items"),
            ("PUT", f"{prefix}/items"),
            ("DELETE", f"{prefix}/items"),
            ("PATCH", f"{prefix}/items/1"),
            ("DELETE", f"{prefix}/items/1"),
            ("POST", f"{prefix}/deliveries"),
            ("DELETE", f"{prefix}/deliveries/1"),
            ("PUT", f"{prefix}/deliveries/1/pickup-point"),
        ]
    catalog = ["/api/products", "/api/products/mug", "/api/delivery-providers"]
    return pairs + [("GET", path) for path in catalog]


async def test_hostile_bodies(api: Api) -> None:
    failures: list[str] = []
    for method, path in await endpoints(api):
        if method in ("POST", "PUT", "PATCH"):
            for raw in HOSTILE_BODIES:
                response = await api.call(method, path, raw=raw)
                check(failures, response, f"{method} {path} {raw[:60]!r}")
    assert not failures, "\n".join(failures[:20])


async def test_hostile_methods_content_types_and_headers(api: Api) -> None:
    failures: list[str] = []
    body = json.dumps({"sku": "mug", "quantity": 1})
    pairs = await endpoints(api)
    for path in dict.fromkeys(path for _, path in pairs):
        for method in METHODS:
            check(failures, await api.call(method, path), f"{method} {path}")
    for method, path in pairs:
        for content_type in CONTENT_TYPES:
            response = await api.call(method, path, raw=body, content_type=content_type)
            check(failures, response, f"{method} {path} {content_type}")
        for headers in HOSTILE_HEADERS:
            response = await api.call(method, path, raw=body, headers=headers)
            check(failures, response, f"{method} {path} {str(headers)[:60]}")
    assert not failures, "\n".join(failures[:20])


async def test_hostile_path_parameters(api: Api) -> None:
    failures: list[str] = []
    body = json.dumps({"quantity": 1})
    templates = [
        ("GET", "/api/carts/{}"),
        ("POST", "/api/carts/{}/items"),
        ("PATCH", "/api/carts/{}/items/1"),
        ("PUT", "/api/carts/{}/deliveries/1/pickup-point"),
        ("GET", "/api/products/{}"),
    ]
    numbered = [
        ("PATCH", "/api/cart/items/{}"),
        ("DELETE", "/api/cart/deliveries/{}"),
        ("PUT", "/api/cart/deliveries/{}/pickup-point"),
    ]
    requests = [(m, t.format(s)) for m, t in templates for s in ID_SEGMENTS]
    requests += [(m, t.format(n)) for m, t in numbered for n in NUMBER_SEGMENTS]
    for method, path in requests:
        check(failures, await api.call(method, path, raw=body), f"{method} {path[:80]}")
    assert not failures, "\n".join(failures[:20])
