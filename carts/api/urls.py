"""Routes of the REST API: carts by id, the cookie cart, the catalog, schema and docs.

Paths have no trailing slash (``/api/carts/<id>/items``). Line and delivery
ids use the ``int`` converter: a non-numeric id is an unknown route (404 in the
error shape); a numeric one out of int64 range is a 400 from the view.
"""

from __future__ import annotations

from django.urls import URLPattern, path
from drf_spectacular.views import SpectacularAPIView

from carts.api.docs import ApiDocsView
from carts.api.schema import cookie_variant
from carts.api.views import (
    CartItemsView,
    CartItemView,
    CartView,
    DeliveriesView,
    DeliveryProvidersView,
    DeliveryView,
    PickupPointView,
    ProductsView,
    ProductView,
)

__all__ = ["urlpatterns"]

# One view class per resource, two routes each: by id, and on the cookie's cart.
_CART_ROUTES = [
    ("/items", CartItemsView, "cart-items"),
    ("/items/<int:line_id>", CartItemView, "cart-item"),
    ("/deliveries", DeliveriesView, "cart-deliveries"),
    ("/deliveries/<int:delivery_id>", DeliveryView, "cart-delivery"),
    ("/deliveries/<int:delivery_id>/pickup-point", PickupPointView, "cart-pickup-point"),
]

urlpatterns: list[URLPattern] = [
    path("api/carts", CartView.as_view(http_method_names=["post", "options"]), name="carts"),
    path(
        "api/carts/<str:cart_id>",
        CartView.as_view(http_method_names=["get", "head", "options"]),
        name="cart",
    ),
    path("api/cart", cookie_variant(CartView).as_view(), name="cookie-cart"),
    *(
        path(f"api/carts/<str:cart_id>{suffix}", view.as_view(), name=name)
        for suffix, view, name in _CART_ROUTES
    ),
    *(
        path(f"api/cart{suffix}", cookie_variant(view).as_view(), name=f"cookie-{name}")
        for suffix, view, name in _CART_ROUTES
    ),
    path("api/products", ProductsView.as_view(), name="products"),
    path("api/products/<str:sku>", ProductView.as_view(), name="product"),
    path("api/delivery-providers", DeliveryProvidersView.as_view(), name="delivery-providers"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(), name="docs"),
]
