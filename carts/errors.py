"""The one exception tree of cartsite.

Every error a caller can see derives from ``CartSiteError`` and carries the HTTP
status it maps to, a stable machine-readable ``code`` and the context it
happened in (cart id, mutation type). Lower layers (database, gRPC, Klarna)
map their own errors into this tree once, at their edge, chained with
``raise ... from exc``.

    CartSiteError                      500
    ├── BadRequest                     400  malformed input at the edge
    │   └── InvalidCartId              400
    ├── CartError                      422  a mutation its handler refused
    │   ├── LimitExceeded              422  quantity, line count, string length
    │   └── LineNotFound               404
    │       └── DeliveryNotFound       404
    ├── NotFound                       404
    │   ├── CartNotFound               404
    │   └── ProductNotFound            404
    ├── PreconditionFailed             412  If-Match against another version
    ├── IdempotencyConflict            422  a key reused for another mutation
    ├── MutationNotRegistered          500  a message type without a handler
    └── StorageError                   503  the event log could not be written
        └── StaleWrite                 409  another writer took the sequence number

This module is pure: the domain imports it without Django.
"""

from __future__ import annotations

__all__ = [
    "BadRequest",
    "CartError",
    "CartNotFound",
    "CartSiteError",
    "DeliveryNotFound",
    "IdempotencyConflict",
    "InvalidCartId",
    "LimitExceeded",
    "LineNotFound",
    "MutationNotRegistered",
    "NotFound",
    "PreconditionFailed",
    "ProductNotFound",
    "StaleWrite",
    "StorageError",
]


class CartSiteError(Exception):
    """Base of every cartsite error; carries an HTTP status and context."""

    status: int = 500
    code: str = "internal_error"

    def __init__(
        self, message: str, *, cart_id: str | None = None, mutation: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.cart_id = cart_id
        self.mutation = mutation

    def __str__(self) -> str:
        where = ", ".join(
            f"{k}={v}" for k, v in (("cart", self.cart_id), ("mutation", self.mutation)) if v
        )
        return f"{self.message} ({where})" if where else self.message


class BadRequest(CartSiteError):
    status = 400
    code = "bad_request"


class InvalidCartId(BadRequest):
    code = "invalid_cart_id"


class CartError(CartSiteError):
    """A mutation its handler refused; the cart is left unchanged."""

    status = 422
    code = "invalid_mutation"


class LimitExceeded(CartError):
    code = "limit_exceeded"


class LineNotFound(CartError):
    status = 404
    code = "line_not_found"


class DeliveryNotFound(LineNotFound):
    code = "delivery_not_found"


class NotFound(CartSiteError):
    status = 404
    code = "not_found"


class CartNotFound(NotFound):
    code = "cart_not_found"


class ProductNotFound(NotFound):
    code = "product_not_found"


class PreconditionFailed(CartSiteError):
    status = 412
    code = "version_mismatch"


class IdempotencyConflict(CartSiteError):
    status = 422
    code = "idempotency_key_reused"


class MutationNotRegistered(CartSiteError):
    code = "mutation_not_registered"


class StorageError(CartSiteError):
    status = 503
    code = "storage_unavailable"


class StaleWrite(StorageError):
    """The (cart_id, seq) fence rejected a write: another owner got there first."""

    status = 409
    code = "stale_write"
