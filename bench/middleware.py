"""Async-native versions of cartsite's middleware: a proposal, measured by the bench.

Django's ``MiddlewareMixin`` runs every ``process_request``/``process_view``/
``process_response`` of an async request through ``sync_to_async``: thirteen
thread hops per request with cartsite's seven middleware. These adapters call
the same hooks inline on the event loop, because none of them does I/O unless
the request used the session or the messages (the admin's sync views, never
the API): then, and only then, that hook hops to the shared thread as before.
CSRF is inline only with cookie-stored tokens (``CSRF_USE_SESSIONS`` False).

``BENCH_MIDDLEWARE=inline`` (the ``cart-inline`` peer) swaps them in (see
``bench/settings.py``); moved to ``cartsite/middleware.py`` and named in
``MIDDLEWARE``, they would serve the node the same way. Being async-only,
Django's sync test client still runs them (through ``async_to_sync``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import markcoroutinefunction, sync_to_async
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils.deprecation import MiddlewareMixin

__all__ = [
    "Auth",
    "Common",
    "Csrf",
    "InlineMiddleware",
    "Messages",
    "Security",
    "Session",
    "XFrame",
]

GetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


class InlineMiddleware:
    """Run a ``MiddlewareMixin``'s hooks on the event loop; hop only when ``needs_thread``."""

    sync_capable = False
    async_capable = True
    wrapped: type[MiddlewareMixin]

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.inner = self.wrapped(get_response)
        markcoroutinefunction(self)

    def needs_thread(self, request: HttpRequest) -> bool:
        """True when ``process_response`` may do I/O for this request."""
        return False

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """The hooks of ``MiddlewareMixin.__acall__``, without its thread hops."""
        response = None
        if hasattr(self.inner, "process_request"):
            response = self.inner.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self.inner, "process_response"):
            if self.needs_thread(request):
                return await sync_to_async(self.inner.process_response)(request, response)
            response = self.inner.process_response(request, response)
        return response


class Security(InlineMiddleware):
    wrapped = SecurityMiddleware


class Common(InlineMiddleware):
    wrapped = CommonMiddleware


class Auth(InlineMiddleware):
    wrapped = AuthenticationMiddleware  # request.user stays lazy: no query here


class XFrame(InlineMiddleware):
    wrapped = XFrameOptionsMiddleware


class Session(InlineMiddleware):
    wrapped = SessionMiddleware

    def needs_thread(self, request: HttpRequest) -> bool:
        # A session read or written loads or saves through the session store.
        session = getattr(request, "session", None)
        return session is not None and (session.accessed or session.modified)


class Messages(InlineMiddleware):
    wrapped = MessageMiddleware

    def needs_thread(self, request: HttpRequest) -> bool:
        # Storing messages may write the session (FallbackStorage).
        storage = getattr(request, "_messages", None)
        return storage is not None and (storage.used or storage.added_new)


class Csrf(InlineMiddleware):
    wrapped = CsrfViewMiddleware

    async def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        """Django's CSRF check, inline (cookie tokens; the API's views are exempt)."""
        return self.inner.process_view(request, view, args, kwargs)
