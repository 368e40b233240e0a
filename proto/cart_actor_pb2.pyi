from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PickupPoint(_message.Message):
    __slots__ = ("id", "name", "address", "city", "zip", "country")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    ZIP_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    address: str
    city: str
    zip: str
    country: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., address: _Optional[str] = ..., city: _Optional[str] = ..., zip: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class CartItem(_message.Message):
    __slots__ = ("id", "sku", "name", "unit_price", "tax_rate", "quantity", "image_url", "discount", "total_price", "total_tax")
    ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PRICE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TAX_FIELD_NUMBER: _ClassVar[int]
    id: int
    sku: str
    name: str
    unit_price: int
    tax_rate: int
    quantity: int
    image_url: str
    discount: int
    total_price: int
    total_tax: int
    def __init__(self, id: _Optional[int] = ..., sku: _Optional[str] = ..., name: _Optional[str] = ..., unit_price: _Optional[int] = ..., tax_rate: _Optional[int] = ..., quantity: _Optional[int] = ..., image_url: _Optional[str] = ..., discount: _Optional[int] = ..., total_price: _Optional[int] = ..., total_tax: _Optional[int] = ...) -> None: ...

class Delivery(_message.Message):
    __slots__ = ("id", "provider", "line_ids", "pickup_point", "base_price", "free_over", "tax_rate", "price", "tax")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    LINE_IDS_FIELD_NUMBER: _ClassVar[int]
    PICKUP_POINT_FIELD_NUMBER: _ClassVar[int]
    BASE_PRICE_FIELD_NUMBER: _ClassVar[int]
    FREE_OVER_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    TAX_FIELD_NUMBER: _ClassVar[int]
    id: int
    provider: str
    line_ids: _containers.RepeatedScalarFieldContainer[int]
    pickup_point: PickupPoint
    base_price: int
    free_over: int
    tax_rate: int
    price: int
    tax: int
    def __init__(self, id: _Optional[int] = ..., provider: _Optional[str] = ..., line_ids: _Optional[_Iterable[int]] = ..., pickup_point: _Optional[_Union[PickupPoint, _Mapping]] = ..., base_price: _Optional[int] = ..., free_over: _Optional[int] = ..., tax_rate: _Optional[int] = ..., price: _Optional[int] = ..., tax: _Optional[int] = ...) -> None: ...

class Totals(_message.Message):
    __slots__ = ("items", "items_tax", "delivery", "delivery_tax", "discount", "total", "tax", "quantity")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    ITEMS_TAX_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_TAX_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    items: int
    items_tax: int
    delivery: int
    delivery_tax: int
    discount: int
    total: int
    tax: int
    quantity: int
    def __init__(self, items: _Optional[int] = ..., items_tax: _Optional[int] = ..., delivery: _Optional[int] = ..., delivery_tax: _Optional[int] = ..., discount: _Optional[int] = ..., total: _Optional[int] = ..., tax: _Optional[int] = ..., quantity: _Optional[int] = ...) -> None: ...

class CartState(_message.Message):
    __slots__ = ("id", "version", "currency", "items", "deliveries", "totals", "next_line_id", "next_delivery_id", "checkout_order_id", "checkout_status")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    CHECKOUT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CHECKOUT_STATUS_FIELD_NUMBER: _ClassVar[int]
    id: str
    version: int
    currency: str
    items: _containers.RepeatedCompositeFieldContainer[CartItem]
    deliveries: _containers.RepeatedCompositeFieldContainer[Delivery]
    totals: Totals
    next_line_id: int
    next_delivery_id: int
    checkout_order_id: str
    checkout_status: str
    def __init__(self, id: _Optional[str] = ..., version: _Optional[int] = ..., currency: _Optional[str] = ..., items: _Optional[_Iterable[_Union[CartItem, _Mapping]]] = ..., deliveries: _Optional[_Iterable[_Union[Delivery, _Mapping]]] = ..., totals: _Optional[_Union[Totals, _Mapping]] = ..., next_line_id: _Optional[int] = ..., next_delivery_id: _Optional[int] = ..., checkout_order_id: _Optional[str] = ..., checkout_status: _Optional[str] = ...) -> None: ...

class CreateCart(_message.Message):
    __slots__ = ("currency",)
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    currency: str
    def __init__(self, currency: _Optional[str] = ...) -> None: ...

class AddItem(_message.Message):
    __slots__ = ("sku", "name", "unit_price", "tax_rate", "image_url", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    unit_price: int
    tax_rate: int
    image_url: str
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., unit_price: _Optional[int] = ..., tax_rate: _Optional[int] = ..., image_url: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class RemoveItem(_message.Message):
    __slots__ = ("line_id",)
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    line_id: int
    def __init__(self, line_id: _Optional[int] = ...) -> None: ...

class ChangeQuantity(_message.Message):
    __slots__ = ("line_id", "quantity")
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    line_id: int
    quantity: int
    def __init__(self, line_id: _Optional[int] = ..., quantity: _Optional[int] = ...) -> None: ...

class SetCartItems(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[AddItem]
    def __init__(self, items: _Optional[_Iterable[_Union[AddItem, _Mapping]]] = ...) -> None: ...

class SetDelivery(_message.Message):
    __slots__ = ("provider", "line_ids", "pickup_point", "base_price", "free_over", "tax_rate")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    LINE_IDS_FIELD_NUMBER: _ClassVar[int]
    PICKUP_POINT_FIELD_NUMBER: _ClassVar[int]
    BASE_PRICE_FIELD_NUMBER: _ClassVar[int]
    FREE_OVER_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    provider: str
    line_ids: _containers.RepeatedScalarFieldContainer[int]
    pickup_point: PickupPoint
    base_price: int
    free_over: int
    tax_rate: int
    def __init__(self, provider: _Optional[str] = ..., line_ids: _Optional[_Iterable[int]] = ..., pickup_point: _Optional[_Union[PickupPoint, _Mapping]] = ..., base_price: _Optional[int] = ..., free_over: _Optional[int] = ..., tax_rate: _Optional[int] = ...) -> None: ...

class RemoveDelivery(_message.Message):
    __slots__ = ("delivery_id",)
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    delivery_id: int
    def __init__(self, delivery_id: _Optional[int] = ...) -> None: ...

class SetPickupPoint(_message.Message):
    __slots__ = ("delivery_id", "pickup_point")
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    PICKUP_POINT_FIELD_NUMBER: _ClassVar[int]
    delivery_id: int
    pickup_point: PickupPoint
    def __init__(self, delivery_id: _Optional[int] = ..., pickup_point: _Optional[_Union[PickupPoint, _Mapping]] = ...) -> None: ...

class ClearCart(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Mutation(_message.Message):
    __slots__ = ("create_cart", "add_item", "remove_item", "change_quantity", "set_cart_items", "set_delivery", "remove_delivery", "set_pickup_point", "clear_cart")
    CREATE_CART_FIELD_NUMBER: _ClassVar[int]
    ADD_ITEM_FIELD_NUMBER: _ClassVar[int]
    REMOVE_ITEM_FIELD_NUMBER: _ClassVar[int]
    CHANGE_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SET_CART_ITEMS_FIELD_NUMBER: _ClassVar[int]
    SET_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    REMOVE_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    SET_PICKUP_POINT_FIELD_NUMBER: _ClassVar[int]
    CLEAR_CART_FIELD_NUMBER: _ClassVar[int]
    create_cart: CreateCart
    add_item: AddItem
    remove_item: RemoveItem
    change_quantity: ChangeQuantity
    set_cart_items: SetCartItems
    set_delivery: SetDelivery
    remove_delivery: RemoveDelivery
    set_pickup_point: SetPickupPoint
    clear_cart: ClearCart
    def __init__(self, create_cart: _Optional[_Union[CreateCart, _Mapping]] = ..., add_item: _Optional[_Union[AddItem, _Mapping]] = ..., remove_item: _Optional[_Union[RemoveItem, _Mapping]] = ..., change_quantity: _Optional[_Union[ChangeQuantity, _Mapping]] = ..., set_cart_items: _Optional[_Union[SetCartItems, _Mapping]] = ..., set_delivery: _Optional[_Union[SetDelivery, _Mapping]] = ..., remove_delivery: _Optional[_Union[RemoveDelivery, _Mapping]] = ..., set_pickup_point: _Optional[_Union[SetPickupPoint, _Mapping]] = ..., clear_cart: _Optional[_Union[ClearCart, _Mapping]] = ...) -> None: ...
