"""OpenAPI building blocks shared by the cart views (drf-spectacular)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from carts.api.serializers import CartOut, ErrorOut

__all__ = [
    "CART_COOKIE",
    "CREATE_HEADERS",
    "DELIVERY_ID",
    "ERRORS",
    "IDEMPOTENCY_KEY",
    "IF_MATCH",
    "IF_NONE_MATCH",
    "LINE_ID",
    "MUTATION_HEADERS",
    "CartAutoSchema",
    "cart_responses",
    "cookie_variant",
]

_ERROR_TEXT = {
    400: "Malformed input: bad JSON, wrong types, unknown fields, bad ids or headers.",
    404: "No such cart, line, delivery or product.",
    412: "If-Match names another version of the cart.",
    415: "The body is not application/json.",
    422: "The cart refused the mutation (limits, state) or an Idempotency-Key was reused.",
    503: "The event log could not be written; nothing was applied, retry.",
}
ERRORS = (400, 404, 412, 415, 422)

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='Apply only if the cart is at this version, e.g. "3" (the ETag); * for any.',
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="Answer 304 Not Modified when the cart is still at this version.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="At most 255 characters; a retry with the same key returns the first result.",
)
ETAG = OpenApiParameter(
    "ETag", str, OpenApiParameter.HEADER, response=True, description='The cart version, "3".'
)
SERVER_TIMING = OpenApiParameter(
    "Server-Timing",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="resolve, queue, load, apply, persist and total, in milliseconds.",
)
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="true when an Idempotency-Key matched an earlier mutation.",
)
LINE_ID = OpenApiParameter("line_id", OpenApiTypes.INT64, OpenApiParameter.PATH)
DELIVERY_ID = OpenApiParameter("delivery_id", OpenApiTypes.INT64, OpenApiParameter.PATH)
CART_COOKIE = OpenApiParameter(
    settings.CART_COOKIE_NAME,
    OpenApiTypes.UUID,
    OpenApiParameter.COOKIE,
    description="The browser's cart; created on the first mutation (Set-Cookie).",
)
MUTATION_HEADERS = [IF_MATCH, IDEMPOTENCY_KEY, ETAG, SERVER_TIMING, REPLAYED]
CREATE_HEADERS = [ETAG, SERVER_TIMING]


def cart_responses(*errors: int, created: bool = True) -> dict[int, Any]:
    """Return the responses of a cart route: the cart, then each error status."""
    responses: dict[int, Any] = {200: OpenApiResponse(CartOut, "The cart after the request.")}
    if created:
        # Only mutations create carts, and only mutations touch the event log.
        responses[201] = OpenApiResponse(CartOut, "The request created the cart.")
        errors = (*errors, 503)
    for status in errors:
        responses[status] = OpenApiResponse(ErrorOut, _ERROR_TEXT.get(status, "An error."))
    return responses


def cookie_variant(view: type) -> type:
    """Return a subclass of ``view`` that acts on the cart named by the cart cookie."""
    return type(f"Cookie{view.__name__}", (view,), {"cookie": True, "__doc__": view.__doc__})


class CartAutoSchema(AutoSchema):
    """Names operations after what they do and tells the cookie routes apart.

    A view lists ``operation_ids`` by HTTP method; the cookie variant of a
    view gets the same ids prefixed ``cookie_``, the cookie parameter and its
    own tag, so one view class documents both of its routes.
    """

    def _cookie(self) -> bool:
        return bool(getattr(self.view, "cookie", False))

    def get_operation_id(self) -> str:
        """Return e.g. ``add_item`` or ``cookie_add_item``."""
        names = getattr(self.view, "operation_ids", {})
        name = names.get(self.method.lower())
        if name is None:
            return super().get_operation_id()
        return f"cookie_{name}" if self._cookie() else name

    def get_override_parameters(self) -> list[Any]:
        """Add the cart cookie to the cookie routes."""
        params = list(super().get_override_parameters())
        return [*params, CART_COOKIE] if self._cookie() else params

    def get_tags(self) -> list[str]:
        """Tag cart routes by how they name the cart."""
        if hasattr(self.view, "cookie"):
            return ["cart (cookie)"] if self._cookie() else ["carts"]
        return super().get_tags()
