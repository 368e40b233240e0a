"""Storage of the cart domain: the catalog and the event log (the truth).

``CartEvent`` rows are the log: ``(cart_id, seq)`` is unique, which is the
storage fence a stale owner's write loses on. ``Cart`` is one row per cart kept
by the group committer: its version and time for the admin, and the latest
snapshot so activation replays only the events after it.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from carts.grain import MAX_SKU, MAX_TEXT, MAX_URL


class Product(models.Model):
    """A product of the shop; an add-by-sku resolves against it."""

    sku = models.CharField(max_length=MAX_SKU, unique=True)
    name = models.CharField(max_length=MAX_TEXT)
    price = models.PositiveBigIntegerField(help_text="Minor units (öre/cents), VAT included.")
    tax_rate = models.PositiveIntegerField(
        default=2500,
        validators=[MaxValueValidator(10_000)],
        help_text="Basis points: 2500 = 25 %.",
    )
    image_url = models.URLField(max_length=MAX_URL, blank=True)
    stock = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Cart(models.Model):
    """One row per cart: current version, times and the latest snapshot."""

    id = models.UUIDField(primary_key=True)
    version = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    snapshot = models.BinaryField(null=True, editable=False)
    snapshot_version = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"cart {self.id} v{self.version}"


class CartEvent(models.Model):
    """One applied mutation: the serialized ``Mutation`` envelope and its context."""

    cart_id = models.UUIDField()
    seq = models.BigIntegerField(help_text="The cart version this event produced.")
    kind = models.CharField(max_length=40, help_text="The Mutation.kind case.")
    mutation = models.BinaryField()
    lease_version = models.BigIntegerField(default=0)
    node_id = models.CharField(max_length=64)
    # NULL, not "", for "no key": the index then holds only keyed events.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["cart_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["cart_id", "seq"], name="cart_event_fence"),
        ]
        indexes = [
            models.Index(fields=["cart_id", "idempotency_key"], name="cart_event_idem"),
        ]

    def __str__(self) -> str:
        return f"{self.cart_id}#{self.seq} {self.kind}"
