"""The ASGI application of one node: Django over HTTP, Channels over WebSocket.

Run it with lifespan "on" (``python manage.py runnode`` does): the node's
start and stop steps (``cartsite.lifespan.STEPS``) run in the ASGI lifespan.
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartsite.settings")
django.setup(set_prefix=False)

# Imported after setup: routing, consumers and the lifespan steps import models.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.handlers.asgi import ASGIHandler  # noqa: E402

from cartsite.handler import NodeASGIHandler  # noqa: E402
from cartsite.lifespan import STEPS, Lifespan, Step  # noqa: E402
from cartsite.routing import websocket_urlpatterns  # noqa: E402

__all__ = ["application", "build_application"]


def build_application(
    *,
    handler_class: type[ASGIHandler] = NodeASGIHandler,
    steps: tuple[Step, ...] | None = None,
) -> ProtocolTypeRouter:
    """Return the node's ASGI app: HTTP, WebSocket and lifespan by scope type."""
    return ProtocolTypeRouter(
        {
            "http": handler_class(),
            "websocket": URLRouter(websocket_urlpatterns),
            "lifespan": Lifespan(STEPS if steps is None else steps),
        }
    )


application = build_application()
