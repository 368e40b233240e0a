"""WebSocket routes of a node, mounted by ``cartsite.asgi`` under Channels' URLRouter.

The live-updates consumer (``/ws/carts/<id>/``) is added here, e.g.
``path("ws/carts/<str:cart_id>/", CartConsumer.as_asgi())``.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

__all__ = ["websocket_urlpatterns"]

websocket_urlpatterns: list[URLPattern | URLResolver] = []
