"""Admin: the catalog is edited here; carts and their event log are read-only.

A cart's page shows its state rebuilt from the stored snapshot and the events
after it, the same replay a node does on activation but without any pool, so
staff see what the log says even when no node has the cart in memory. Carts
change only through mutations: the admin never writes a cart or an event.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from google.protobuf import json_format
from google.protobuf.message import DecodeError

from carts.api.render import render_cart
from carts.errors import CartSiteError
from carts.grain import new_state
from carts.models import Cart, CartEvent, Product
from carts.mutations import registry
from proto import cart_actor_pb2 as pb

__all__ = ["CartAdmin", "CartEventAdmin", "ProductAdmin", "mutation_json", "replay_cart"]

# A cart page lists at most this many of the newest events.
HISTORY_LIMIT = 500


def replay_cart(cart: Cart) -> pb.CartState:
    """Return the state of ``cart`` rebuilt from its snapshot and later events."""
    cart_id = str(cart.id)
    if cart.snapshot is not None:
        state = pb.CartState.FromString(bytes(cart.snapshot))
        after = cart.snapshot_version
    else:
        state, after = new_state(cart_id), 0
    for blob in (
        CartEvent.objects.filter(cart_id=cart.id, seq__gt=after)
        .order_by("seq")
        .values_list("mutation", flat=True)
        .iterator()
    ):
        registry.apply(state, pb.Mutation.FromString(bytes(blob)))
    return state


def mutation_json(blob: bytes) -> str:
    """Return a stored ``Mutation`` envelope as JSON (protobuf field names)."""
    try:
        mutation = pb.Mutation.FromString(bytes(blob))
    except DecodeError:
        return "(undecodable mutation)"
    return json_format.MessageToJson(mutation, preserving_proto_field_name=True, indent=None)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted from the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """The catalog an add-by-sku resolves against."""

    list_display = ("sku", "name", "price", "tax_rate", "stock", "updated_at")
    list_display_links = ("sku", "name")
    search_fields = ("sku", "name")
    list_filter = ("tax_rate",)
    ordering = ("sku",)
    readonly_fields = ("updated_at",)
    # Image URLs typed without a scheme are https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin):
    """Carts with their state and event history, read-only."""

    list_display = ("id", "version", "created_at", "updated_at")
    search_fields = ("id",)
    date_hierarchy = "updated_at"
    fields = ("id", "version", "created_at", "updated_at", "snapshot_version", "state", "history")
    readonly_fields = fields

    @admin.display(description="State (replayed from the log)")
    def state(self, obj: Cart) -> SafeString:
        """The cart as the API would show it, rebuilt from snapshot + events."""
        try:
            state = replay_cart(obj)
        except (CartSiteError, DecodeError) as exc:
            return format_html("<strong>the log does not replay:</strong> {}", exc)
        return format_html("<pre>{}</pre>", json.dumps(render_cart(state), indent=2))

    @admin.display(description="Event history")
    def history(self, obj: Cart) -> SafeString:
        """Every event of the cart, newest first: seq, kind, mutation, node, lease, time."""
        events = CartEvent.objects.filter(cart_id=obj.id).order_by("-seq")[:HISTORY_LIMIT]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td></tr>",
            (
                (
                    e.seq,
                    e.kind,
                    mutation_json(e.mutation),
                    e.node_id,
                    e.lease_version,
                    e.idempotency_key or "",
                    e.created_at,
                )
                for e in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>seq</th><th>kind</th><th>mutation</th><th>node</th>"
            "<th>lease</th><th>idempotency key</th><th>time</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )


@admin.register(CartEvent)
class CartEventAdmin(ReadOnlyAdmin):
    """The event log across carts: the audit trail."""

    list_display = ("cart_id", "seq", "kind", "node_id", "lease_version", "created_at")
    list_filter = ("kind", "node_id")
    search_fields = ("=cart_id", "=idempotency_key")
    fields = (
        "cart_id",
        "seq",
        "kind",
        "mutation_display",
        "node_id",
        "lease_version",
        "idempotency_key",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description="Mutation")
    def mutation_display(self, obj: CartEvent) -> SafeString:
        """The stored envelope as JSON."""
        return format_html("<code>{}</code>", mutation_json(obj.mutation))
