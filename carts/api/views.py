"""The REST routes of carts: thin async views that resolve, wrap and apply.

Every change goes through ``get_pool().apply(cart_id, wrap(message), ...)``.
Facts a handler needs (a product's name and price, a delivery quote) are
resolved here *before* the message is built, so the message is a complete
fact and replaying it later gives the same cart. Each view serves two routes:
``/api/carts/<id>/...`` and, as its ``cookie_variant``, ``/api/cart/...`` on
the cart named by the browser's cookie.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema
from google.protobuf.message import Message
from rest_framework.request import Request
from rest_framework.response import Response

from carts.api import schema
from carts.api.base import AsyncAPIView
from carts.api.cookies import cookie_cart_id, set_cart_cookie
from carts.api.http import (
    etag,
    etag_matches,
    idempotency_key,
    if_match_version,
    positive_id,
    server_timing,
)
from carts.api.parsing import parse_body
from carts.api.render import render_cart, render_product, render_quote
from carts.api.serializers import (
    AddItemIn,
    ChangeQuantityIn,
    CreateCartIn,
    DeliveryProviderListOut,
    ErrorOut,
    PickupPointIn,
    ProductListOut,
    ProductOut,
    SetDeliveryIn,
    SetItemsIn,
)
from carts.catalog.base import ProductInfo
from carts.errors import CartNotFound, PreconditionFailed
from carts.ids import new_cart_id, parse_cart_id
from carts.mutations import wrap
from carts.runtime import get_catalog, get_delivery_pricing, get_pool
from proto import cart_actor_pb2 as pb

__all__ = [
    "CartItemView",
    "CartItemsView",
    "CartRouteView",
    "CartView",
    "DeliveriesView",
    "DeliveryProvidersView",
    "DeliveryView",
    "PickupPointView",
    "ProductView",
    "ProductsView",
]


@dataclass(slots=True)
class _Call:
    """One mutation request on its way to the pool."""

    cart_id: str
    if_version: int | None
    key: str | None
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=dict)


def _add_item(product: ProductInfo, quantity: int) -> pb.AddItem:
    return pb.AddItem(
        sku=product.sku,
        name=product.name,
        unit_price=product.price,
        tax_rate=product.tax_rate,
        image_url=product.image_url,
        quantity=quantity,
    )


class CartRouteView(AsyncAPIView):
    """Base of every route that reads or changes one cart."""

    cookie = False  # True on the /api/cart/... variants (see schema.cookie_variant)

    def target(self, request: Request, cart_id: str | None, *, create: bool) -> str:
        """Return the cart this request acts on; a cookie-less mutation gets a new id."""
        if not self.cookie:
            return parse_cart_id(cart_id or "")
        found = cookie_cart_id(request)
        if found is not None:
            return found
        if create:
            return new_cart_id()
        raise CartNotFound("this browser has no cart yet (no valid cart cookie)")

    def begin(self, request: Request, cart_id: str | None) -> _Call:
        """Check the path and headers of a mutation before any work is done."""
        return _Call(
            cart_id=self.target(request, cart_id, create=True),
            if_version=if_match_version(request),
            key=idempotency_key(request),
        )

    def location(self, cart_id: str) -> str:
        """Return the URL of a cart."""
        if self.cookie:
            return reverse("cookie-cart")
        return reverse("cart", kwargs={"cart_id": cart_id})

    def respond(self, state: pb.CartState, *, status: int = 200) -> Response:
        """Return the cart with its ETag (and the cookie on cookie routes)."""
        response = Response(render_cart(state), status=status)
        response["ETag"] = etag(state.version)
        response["Cache-Control"] = "private, no-cache"
        if self.cookie:
            set_cart_cookie(response, state.id)
            patch_vary_headers(response, ["Cookie"])
        return response

    async def commit(self, call: _Call, message: Message) -> Response:
        """Apply ``message`` through the pool and answer with the cart and its timings."""
        result = await get_pool().apply(
            call.cart_id, wrap(message), if_version=call.if_version, idempotency_key=call.key
        )
        timings = {**call.timings, **result.timings}
        timings["total"] = time.perf_counter() - call.started
        response = self.respond(result.state, status=201 if result.created else 200)
        response["Server-Timing"] = server_timing(timings)
        if result.created:
            response["Location"] = self.location(result.state.id)
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class CartView(CartRouteView):
    """A whole cart: create one, read one."""

    operation_ids = {"post": "create_cart", "get": "get_cart"}

    @extend_schema(
        request=CreateCartIn,
        responses=schema.cart_responses(400, 415),
        parameters=schema.CREATE_HEADERS,
        summary="Create an empty cart",
    )
    async def post(self, request: Request, cart_id: str | None = None) -> Response:
        """Create an empty cart in the node's currency (a new id every time)."""
        parse_body(request, CreateCartIn)
        call = _Call(cart_id=new_cart_id(), if_version=None, key=None)
        return await self.commit(call, pb.CreateCart(currency=settings.CART_CURRENCY))

    @extend_schema(
        responses={
            **schema.cart_responses(400, 404, 412, created=False),
            304: OpenApiResponse(description="If-None-Match names the current version."),
        },
        parameters=[schema.IF_MATCH, schema.IF_NONE_MATCH, schema.ETAG],
        summary="Read a cart",
    )
    async def get(self, request: Request, cart_id: str | None = None) -> Response:
        """Return the cart; 304 when If-None-Match names its version."""
        state = await get_pool().get(self.target(request, cart_id, create=False))
        if_match = request.headers.get("If-Match")
        if if_match is not None and not etag_matches(if_match, state.version):
            raise PreconditionFailed(f"the cart is at version {state.version}", cart_id=state.id)
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None and etag_matches(if_none_match, state.version):
            response = Response(status=304)
            response["ETag"] = etag(state.version)
            return response
        return self.respond(state)


class CartItemsView(CartRouteView):
    """The lines of a cart."""

    operation_ids = {"post": "add_item", "put": "set_items", "delete": "clear_cart"}

    @extend_schema(
        request=AddItemIn,
        responses=schema.cart_responses(*schema.ERRORS),
        parameters=schema.MUTATION_HEADERS,
        summary="Add a product by sku",
    )
    async def post(self, request: Request, cart_id: str | None = None) -> Response:
        """Add ``quantity`` of ``sku``, resolved through the catalog; a sku in the cart grows."""
        call = self.begin(request, cart_id)
        data = parse_body(request, AddItemIn)
        started = time.perf_counter()
        product = await get_catalog().get(data["sku"])
        call.timings["resolve"] = time.perf_counter() - started
        return await self.commit(call, _add_item(product, data["quantity"]))

    @extend_schema(
        request=SetItemsIn,
        responses=schema.cart_responses(*schema.ERRORS),
        parameters=schema.MUTATION_HEADERS,
        summary="Replace every line",
    )
    async def put(self, request: Request, cart_id: str | None = None) -> Response:
        """Replace every line with ``items`` (skus resolved through the catalog)."""
        call = self.begin(request, cart_id)
        items = parse_body(request, SetItemsIn)["items"]
        started = time.perf_counter()
        catalog = get_catalog()
        skus = list(dict.fromkeys(item["sku"] for item in items))
        products = dict(zip(skus, await asyncio.gather(*map(catalog.get, skus)), strict=True))
        call.timings["resolve"] = time.perf_counter() - started
        message = pb.SetCartItems(
            items=[_add_item(products[item["sku"]], item["quantity"]) for item in items]
        )
        return await self.commit(call, message)

    @extend_schema(
        request=None,
        responses=schema.cart_responses(400, 412, 422),
        parameters=schema.MUTATION_HEADERS,
        summary="Empty the cart",
    )
    async def delete(self, request: Request, cart_id: str | None = None) -> Response:
        """Remove every line and delivery."""
        return await self.commit(self.begin(request, cart_id), pb.ClearCart())


class CartItemView(CartRouteView):
    """One line of a cart."""

    operation_ids = {"patch": "change_quantity", "delete": "remove_item"}

    @extend_schema(
        request=ChangeQuantityIn,
        responses=schema.cart_responses(*schema.ERRORS),
        parameters=[schema.LINE_ID, *schema.MUTATION_HEADERS],
        summary="Change the quantity of a line",
    )
    async def patch(self, request: Request, line_id: int, cart_id: str | None = None) -> Response:
        """Set the quantity of a line."""
        call = self.begin(request, cart_id)
        line = positive_id(line_id, "line_id")
        quantity = parse_body(request, ChangeQuantityIn)["quantity"]
        return await self.commit(call, pb.ChangeQuantity(line_id=line, quantity=quantity))

    @extend_schema(
        request=None,
        responses=schema.cart_responses(400, 404, 412, 422),
        parameters=[schema.LINE_ID, *schema.MUTATION_HEADERS],
        summary="Remove a line",
    )
    async def delete(self, request: Request, line_id: int, cart_id: str | None = None) -> Response:
        """Remove a line (and prune it from its delivery)."""
        call = self.begin(request, cart_id)
        line = positive_id(line_id, "line_id")
        return await self.commit(call, pb.RemoveItem(line_id=line))


class DeliveriesView(CartRouteView):
    """The deliveries of a cart."""

    operation_ids = {"post": "set_delivery"}

    @extend_schema(
        request=SetDeliveryIn,
        responses=schema.cart_responses(*schema.ERRORS),
        parameters=schema.MUTATION_HEADERS,
        summary="Deliver lines with a provider",
    )
    async def post(self, request: Request, cart_id: str | None = None) -> Response:
        """Deliver ``line_ids`` (every undelivered line when absent) at the provider's quote."""
        call = self.begin(request, cart_id)
        data = parse_body(request, SetDeliveryIn)
        started = time.perf_counter()
        quote = get_delivery_pricing().quote(data["provider"])
        call.timings["resolve"] = time.perf_counter() - started
        message = pb.SetDelivery(
            provider=quote.provider,
            line_ids=data.get("line_ids", []),
            base_price=quote.base_price,
            free_over=quote.free_over,
            tax_rate=quote.tax_rate,
        )
        if "pickup_point" in data:
            message.pickup_point.CopyFrom(pb.PickupPoint(**data["pickup_point"]))
        return await self.commit(call, message)


class DeliveryView(CartRouteView):
    """One delivery of a cart."""

    operation_ids = {"delete": "remove_delivery"}

    @extend_schema(
        request=None,
        responses=schema.cart_responses(400, 404, 412, 422),
        parameters=[schema.DELIVERY_ID, *schema.MUTATION_HEADERS],
        summary="Remove a delivery",
    )
    async def delete(
        self, request: Request, delivery_id: int, cart_id: str | None = None
    ) -> Response:
        """Remove a delivery; its lines become undelivered."""
        call = self.begin(request, cart_id)
        delivery = positive_id(delivery_id, "delivery_id")
        return await self.commit(call, pb.RemoveDelivery(delivery_id=delivery))


class PickupPointView(CartRouteView):
    """Where a delivery is collected."""

    operation_ids = {"put": "set_pickup_point"}

    @extend_schema(
        request=PickupPointIn,
        responses=schema.cart_responses(*schema.ERRORS),
        parameters=[schema.DELIVERY_ID, *schema.MUTATION_HEADERS],
        summary="Choose the pickup point of a delivery",
    )
    async def put(self, request: Request, delivery_id: int, cart_id: str | None = None) -> Response:
        """Set the pickup point of a delivery; prices do not change."""
        call = self.begin(request, cart_id)
        delivery = positive_id(delivery_id, "delivery_id")
        point = pb.PickupPoint(**parse_body(request, PickupPointIn))
        return await self.commit(call, pb.SetPickupPoint(delivery_id=delivery, pickup_point=point))


class ProductsView(AsyncAPIView):
    """The catalog."""

    operation_ids = {"get": "list_products"}

    @extend_schema(responses={200: ProductListOut}, summary="List the products", tags=["catalog"])
    async def get(self, request: Request) -> Response:
        """Return every product, ordered by sku."""
        products = await get_catalog().list()
        return Response({"products": [render_product(p) for p in products]})


class ProductView(AsyncAPIView):
    """One product of the catalog."""

    operation_ids = {"get": "get_product"}

    @extend_schema(
        responses={200: ProductOut, 404: ErrorOut}, summary="Read a product", tags=["catalog"]
    )
    async def get(self, request: Request, sku: str) -> Response:
        """Return the product with ``sku``."""
        return Response(render_product(await get_catalog().get(sku)))


class DeliveryProvidersView(AsyncAPIView):
    """The delivery providers this node quotes."""

    operation_ids = {"get": "list_delivery_providers"}

    @extend_schema(
        responses={200: DeliveryProviderListOut},
        summary="List delivery providers",
        tags=["catalog"],
    )
    async def get(self, request: Request) -> Response:
        """Return each provider's base price, free-over threshold and tax rate."""
        pricing = get_delivery_pricing()
        return Response(
            {"providers": [render_quote(pricing.quote(n)) for n in pricing.providers()]}
        )
