"""The node's ASGI app with Django's stock ``ASGIHandler``: what the handler change buys."""

from __future__ import annotations

from django.core.handlers.asgi import ASGIHandler

from cartsite.asgi import build_application

__all__ = ["application"]

application = build_application(handler_class=ASGIHandler)
