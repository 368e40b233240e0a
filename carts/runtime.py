"""The node's swappable parts, built lazily from settings and reset when they change.

Each part is named by a dotted path in settings, in the ``{BACKEND, OPTIONS}``
shape of Channels' layers: ``CART_EVENT_STORE``, ``CART_CATALOG``,
``CART_DELIVERY_PRICING``. ``get_pool()`` is the entry point for everything
that changes or reads a cart. Bad configuration fails loudly, naming the setting.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from carts.catalog.base import CatalogBackend
from carts.eventstore.base import EventStore
from carts.pool import GrainPool
from carts.pricing import DeliveryPricing

__all__ = ["get_catalog", "get_delivery_pricing", "get_pool", "load_backend", "reset"]

T = TypeVar("T")
_instances: dict[str, Any] = {}


def load_backend(setting: str, base: type[T]) -> T:
    """Instantiate the ``{BACKEND, OPTIONS}`` named by ``setting`` as a ``base``."""
    conf = getattr(settings, setting, None)
    if not isinstance(conf, dict) or "BACKEND" not in conf:
        raise ImproperlyConfigured(f"{setting} must be a dict with a BACKEND dotted path")
    try:
        cls = import_string(conf["BACKEND"])
    except ImportError as exc:
        raise ImproperlyConfigured(f"{setting}: cannot import {conf['BACKEND']!r}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ImproperlyConfigured(f"{setting}: {conf['BACKEND']} is not a {base.__name__}")
    try:
        return cls(**conf.get("OPTIONS", {}))
    except TypeError as exc:
        raise ImproperlyConfigured(f"{setting}: bad OPTIONS for {conf['BACKEND']}: {exc}") from exc


def _get(name: str, factory: Any) -> Any:
    try:
        return _instances[name]
    except KeyError:
        instance = _instances[name] = factory()
        return instance


def get_catalog() -> CatalogBackend:
    """Return the catalog backend of ``CART_CATALOG``."""
    return _get("catalog", lambda: load_backend("CART_CATALOG", CatalogBackend))


def get_delivery_pricing() -> DeliveryPricing:
    """Return the delivery-price strategy of ``CART_DELIVERY_PRICING``."""
    return _get("pricing", lambda: load_backend("CART_DELIVERY_PRICING", DeliveryPricing))


def get_pool() -> GrainPool:
    """Return this node's grain pool, built on first use."""
    return _get(
        "pool",
        lambda: GrainPool(
            store=load_backend("CART_EVENT_STORE", EventStore),
            node_id=settings.CART_NODE_ID,
            currency=settings.CART_CURRENCY,
            ttl=settings.CART_GRAIN_TTL,
            snapshot_every=settings.CART_SNAPSHOT_EVERY,
            max_batch=settings.CART_COMMIT_MAX_BATCH,
        ),
    )


async def reset() -> None:
    """Stop the pool (committing what is queued) and forget every built part."""
    pool = _instances.pop("pool", None)
    _instances.clear()
    if pool is not None:
        await pool.stop()


# The built part each setting configures; every other CART_ setting shapes the pool.
_PART_OF_SETTING = {"CART_CATALOG": "catalog", "CART_DELIVERY_PRICING": "pricing"}


@receiver(setting_changed)
def _reset_on_change(*, setting: str, **kwargs: Any) -> None:
    # A test that overrides a part's setting gets a part built from the new value.
    if setting.startswith("CART_"):
        _instances.pop(_PART_OF_SETTING.get(setting, "pool"), None)
