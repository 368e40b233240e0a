"""The cart cookie: which cart the ``/api/cart/...`` routes act on.

A browser without a cookie, or with one that is not a cart id (tampered,
truncated, from an older scheme), simply has no cart yet: a mutation starts a
new one, a read answers 404. The cookie is HttpOnly (scripts never need the
id), SameSite=Lax and Secure unless ``DEV_INSECURE_COOKIES`` is on.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from carts.errors import InvalidCartId
from carts.ids import parse_cart_id

__all__ = ["cookie_cart_id", "set_cart_cookie"]


def cookie_cart_id(request: HttpRequest) -> str | None:
    """Return the cart id of the cart cookie, or None when absent or malformed."""
    value = request.COOKIES.get(settings.CART_COOKIE_NAME)
    if not value:
        return None
    try:
        return parse_cart_id(value)
    except InvalidCartId:
        return None


def set_cart_cookie(response: HttpResponseBase, cart_id: str) -> None:
    """Point the cart cookie of ``response`` at ``cart_id`` (and renew its max-age)."""
    response.set_cookie(
        settings.CART_COOKIE_NAME,
        cart_id,
        max_age=settings.CART_COOKIE_MAX_AGE,
        path="/",
        secure=not settings.DEV_INSECURE_COOKIES,
        httponly=True,
        samesite="Lax",
    )
