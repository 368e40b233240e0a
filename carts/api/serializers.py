"""DRF serializers: strict input bodies, and the output shapes for the schema.

Input serializers refuse unknown fields and coercion (``"2"`` is not a
quantity, ``5`` is not a sku). Output serializers describe what
``carts.api.render`` produces; the views render protobuf state directly (it is
faster and keeps int64 money as JSON integers) and a test keeps both in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from carts.grain import MAX_LINES, MAX_QUANTITY, MAX_SKU, MAX_TEXT

__all__ = [
    "AddItemIn",
    "CartOut",
    "ChangeQuantityIn",
    "CreateCartIn",
    "DeliveryOut",
    "DeliveryProviderListOut",
    "DeliveryProviderOut",
    "ErrorOut",
    "ItemRefIn",
    "LineItemOut",
    "PickupPointIn",
    "PickupPointOut",
    "ProductListOut",
    "ProductOut",
    "SetDeliveryIn",
    "SetItemsIn",
    "StrictSerializer",
    "TotalsOut",
]

MAX_ID = 2**63 - 1  # line and delivery ids are int64


class StrictIntegerField(serializers.IntegerField):
    """An integer that must be a JSON number without a fraction (not a string, not a bool)."""

    def to_internal_value(self, data: Any) -> int:
        """Refuse anything but an ``int``."""
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A string that must be a JSON string."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        """Refuse anything but a ``str``."""
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses fields it does not declare."""

    def to_internal_value(self, data: Any) -> Any:
        """Name every unknown field before validating the known ones."""
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name[:80]: ["Unknown field."] for name in unknown[:20]}
                )
        return super().to_internal_value(data)


def _quantity() -> StrictIntegerField:
    return StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)


def _sku() -> StrictCharField:
    return StrictCharField(max_length=MAX_SKU)


def _id(**kwargs: Any) -> StrictIntegerField:
    return StrictIntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- input -----------------------------------------------------------------


class CreateCartIn(StrictSerializer):
    """Body of a cart creation: empty (the currency is the node's)."""


class AddItemIn(StrictSerializer):
    """Add ``quantity`` of the product ``sku``; name and price come from the catalog."""

    sku = _sku()
    quantity = _quantity()


class ItemRefIn(StrictSerializer):
    """One line of a replace-all: a sku and its quantity."""

    sku = _sku()
    quantity = _quantity()


class SetItemsIn(StrictSerializer):
    """Replace every line of the cart (an empty list empties it)."""

    items = serializers.ListField(child=ItemRefIn(), max_length=MAX_LINES, allow_empty=True)


class ChangeQuantityIn(StrictSerializer):
    """Set the quantity of a line."""

    quantity = _quantity()


class PickupPointIn(StrictSerializer):
    """Where a parcel is collected; only ``id`` is required."""

    id = StrictCharField(max_length=MAX_TEXT)
    name = StrictCharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    address = StrictCharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    city = StrictCharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    zip = StrictCharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    country = StrictCharField(max_length=MAX_TEXT, required=False, allow_blank=True)


class SetDeliveryIn(StrictSerializer):
    """Deliver ``line_ids`` (every undelivered line when absent) with ``provider``."""

    provider = StrictCharField(max_length=MAX_TEXT)
    line_ids = serializers.ListField(
        child=_id(), max_length=MAX_LINES, required=False, allow_empty=True
    )
    pickup_point = PickupPointIn(required=False)


# --- output ----------------------------------------------------------------


class LineItemOut(serializers.Serializer):
    """One line; money in minor units, VAT included; tax rate in basis points."""

    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    unit_price = serializers.IntegerField()
    tax_rate = serializers.IntegerField()
    quantity = serializers.IntegerField()
    image_url = serializers.CharField()
    discount = serializers.IntegerField()
    total_price = serializers.IntegerField()
    total_tax = serializers.IntegerField()


class PickupPointOut(serializers.Serializer):
    """A chosen pickup point."""

    id = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    city = serializers.CharField()
    zip = serializers.CharField()
    country = serializers.CharField()


class DeliveryOut(serializers.Serializer):
    """A delivery of some lines; ``price`` is after the free-over rule."""

    id = serializers.IntegerField()
    provider = serializers.CharField()
    line_ids = serializers.ListField(child=serializers.IntegerField())
    pickup_point = PickupPointOut(allow_null=True)
    base_price = serializers.IntegerField()
    free_over = serializers.IntegerField()
    tax_rate = serializers.IntegerField()
    price = serializers.IntegerField()
    tax = serializers.IntegerField()


class TotalsOut(serializers.Serializer):
    """Exact sums of the lines and deliveries."""

    items = serializers.IntegerField()
    items_tax = serializers.IntegerField()
    delivery = serializers.IntegerField()
    delivery_tax = serializers.IntegerField()
    discount = serializers.IntegerField()
    total = serializers.IntegerField()
    tax = serializers.IntegerField()
    quantity = serializers.IntegerField()


class CartOut(serializers.Serializer):
    """The whole cart; ``version`` is also its ETag."""

    id = serializers.UUIDField()
    version = serializers.IntegerField()
    currency = serializers.CharField()
    items = LineItemOut(many=True)
    deliveries = DeliveryOut(many=True)
    totals = TotalsOut()
    checkout_order_id = serializers.CharField(allow_null=True)
    checkout_status = serializers.CharField(allow_null=True)


class ProductOut(serializers.Serializer):
    """A product of the catalog."""

    sku = serializers.CharField()
    name = serializers.CharField()
    price = serializers.IntegerField()
    tax_rate = serializers.IntegerField()
    image_url = serializers.CharField()
    stock = serializers.IntegerField()


class ProductListOut(serializers.Serializer):
    """Every product, ordered by sku."""

    products = ProductOut(many=True)


class DeliveryProviderOut(serializers.Serializer):
    """A provider's quote."""

    provider = serializers.CharField()
    base_price = serializers.IntegerField()
    free_over = serializers.IntegerField()
    tax_rate = serializers.IntegerField()


class DeliveryProviderListOut(serializers.Serializer):
    """Every delivery provider this node can quote."""

    providers = DeliveryProviderOut(many=True)


class ErrorOut(serializers.Serializer):
    """The one error shape of every 4xx and 5xx."""

    error = serializers.CharField()
    code = serializers.IntegerField(help_text="The HTTP status.")
    type = serializers.CharField(help_text="A stable machine-readable error code.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation messages by field path.",
    )
