"""Django's middleware, without a thread hop per hook under ASGI.

Django's ``MiddlewareMixin`` runs each ``process_request`` and
``process_response`` of an async request through ``sync_to_async``, and the
handler wraps every sync ``process_view`` the same way: thirteen hops to
asgiref's thread per request with the seven middleware cartsite needs, the
largest cost left on the hot path (``bench/README.md``). Each class here
subclasses Django's (so the admin's checks, admin.E408-E410, see what they
look for) and changes only the async call path: the same hooks of Django's
class run on the event loop, and one of them hops to the shared thread only
for a request that makes it do blocking I/O. The sync path (WSGI, Django's
test ``Client``) is Django's, untouched.

Why each is safe inline:

- ``SecurityMiddleware``, ``CommonMiddleware``, ``XFrameOptionsMiddleware``:
  header work, redirects and URL resolution (``APPEND_SLASH`` on a 404) on
  the request and response already in memory; no I/O.
- ``SessionMiddleware``: ``process_request`` builds a lazy ``SessionStore``
  (Django's stores load on first access). ``process_response`` loads or saves
  only when the session was accessed or modified, or when
  ``SESSION_SAVE_EVERY_REQUEST`` meets a non-empty session: then it hops.
- ``AuthenticationMiddleware``: sets a lazy ``request.user`` and
  ``request.auser``; the user lookup happens where the view evaluates them
  (the admin's sync views, on their thread), never here.
- ``MessageMiddleware``: ``process_request`` builds the storage (nothing is
  read); ``BaseStorage.update`` does nothing unless messages were read or
  added, which may read or write the session: then it hops (and always with
  a storage that overrides ``update``).
- ``CsrfViewMiddleware``: with cookie tokens (``CSRF_USE_SESSIONS`` False)
  ``process_request`` and ``process_response`` read and set a cookie.
  ``process_view`` runs inline when Django's returns before reading the body:
  a safe method, an exempt view (DRF's, the API's), a request already checked.
  An unsafe request to a protected view (an admin form) hops: the check parses
  the body, which may be spooled to disk, and a rejection calls
  ``CSRF_FAILURE_VIEW``, a sync view of the project's choosing. With
  ``CSRF_USE_SESSIONS`` every hook that reads or writes the session hops.

A hook that reached the database inline would raise Django's
``SynchronousOnlyOperation``, so a mistake in the rules above fails loudly
there; other blocking I/O (a cache-backed session) would not, which is why a
session touched at all is enough to hop.
``tests/test_middleware.py`` compares every class with Django's, request by
request, and counts the hops.

``manage.py check --deploy`` looks for Django's dotted paths in
``MIDDLEWARE``, so it reports these as missing (security.W001-W003) and skips
the warnings that depend on them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.messages.storage.base import BaseStorage
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest, HttpResponseBase
from django.middleware import clickjacking, common, csrf, security
from django.utils.deprecation import MiddlewareMixin

__all__ = [
    "AsyncNativeMiddleware",
    "AuthenticationMiddleware",
    "CommonMiddleware",
    "CsrfViewMiddleware",
    "MessageMiddleware",
    "SecurityMiddleware",
    "SessionMiddleware",
    "XFrameOptionsMiddleware",
]

# The methods Django's CsrfViewMiddleware.process_view accepts before reading the body.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


async def _run(hook: Callable[..., Any], in_thread: bool, *args: Any) -> Any:
    """Call ``hook`` on the event loop, or on asgiref's shared thread when ``in_thread``."""
    if in_thread:
        return await sync_to_async(hook, thread_sensitive=True)(*args)
    return hook(*args)


class AsyncNativeMiddleware(MiddlewareMixin):
    """A ``MiddlewareMixin`` whose async path runs its hooks inline unless they need a thread.

    Put it before Django's class: ``class X(AsyncNativeMiddleware, django.X)``.
    """

    def __call__(self, request: HttpRequest) -> Any:
        """Django's sync path, or the inline async one."""
        if self.async_mode:
            return self._acall_inline(request)
        return super().__call__(request)

    def request_needs_thread(self, request: HttpRequest) -> bool:
        """True when ``process_request`` may do blocking I/O for ``request``."""
        return False

    def response_needs_thread(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        """True when ``process_response`` may do blocking I/O for ``request``."""
        return False

    async def _acall_inline(self, request: HttpRequest) -> HttpResponseBase:
        # MiddlewareMixin.__acall__, with each hop made conditional.
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        response = None
        if hasattr(self, "process_request"):
            response = await _run(self.process_request, self.request_needs_thread(request), request)
        response = response or await get_response(request)
        if hasattr(self, "process_response"):
            response = await _run(
                self.process_response,
                self.response_needs_thread(request, response),
                request,
                response,
            )
        return response


class SecurityMiddleware(AsyncNativeMiddleware, security.SecurityMiddleware):
    """Django's ``SecurityMiddleware``: headers and the HTTPS redirect, inline."""


class CommonMiddleware(AsyncNativeMiddleware, common.CommonMiddleware):
    """Django's ``CommonMiddleware``: user agents, ``PREPEND_WWW``, ``APPEND_SLASH``, inline."""


class AuthenticationMiddleware(AsyncNativeMiddleware, auth.AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware``: the lazy ``request.user``, set inline."""


class XFrameOptionsMiddleware(AsyncNativeMiddleware, clickjacking.XFrameOptionsMiddleware):
    """Django's ``XFrameOptionsMiddleware``: the ``X-Frame-Options`` header, inline."""


class SessionMiddleware(AsyncNativeMiddleware, sessions.SessionMiddleware):
    """Django's ``SessionMiddleware``: hops only to load or save a session."""

    def response_needs_thread(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        """True when the session was used, or is to be saved on every request."""
        session = getattr(request, "session", None)
        if session is None:
            return False  # Django's hook returns at once
        if getattr(session, "accessed", True) or getattr(session, "modified", True):
            return True
        return settings.SESSION_SAVE_EVERY_REQUEST and not session.is_empty()


class MessageMiddleware(AsyncNativeMiddleware, messages.MessageMiddleware):
    """Django's ``MessageMiddleware``: hops only when messages were read or added."""

    def response_needs_thread(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        """True when storing the messages may read or write the session."""
        storage = getattr(request, "_messages", None)
        if storage is None:
            return False  # Django's hook does nothing
        if type(storage).update is not BaseStorage.update:
            return True  # a storage of its own: assume it does I/O
        return bool(storage.used or storage.added_new)


class CsrfViewMiddleware(AsyncNativeMiddleware, csrf.CsrfViewMiddleware):
    """Django's ``CsrfViewMiddleware``: hops only to check an unsafe request's body."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        super().__init__(get_response)
        if self.async_mode:
            # The handler adapts process_view to its own mode: a coroutine
            # function runs on the loop, a sync one through sync_to_async.
            self.process_view = self.aprocess_view  # type: ignore[method-assign]

    def request_needs_thread(self, request: HttpRequest) -> bool:
        """True when the CSRF secret lives in the session."""
        return settings.CSRF_USE_SESSIONS

    def response_needs_thread(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        """True when a new CSRF secret is to be written to the session."""
        return settings.CSRF_USE_SESSIONS and bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))

    def view_needs_thread(self, request: HttpRequest, callback: Callable[..., Any]) -> bool:
        """False when Django's ``process_view`` returns before it reads the body."""
        return not (
            getattr(request, "csrf_processing_done", False)
            or getattr(callback, "csrf_exempt", False)
            or request.method in SAFE_METHODS
            or getattr(request, "_dont_enforce_csrf_checks", False)
        )

    async def aprocess_view(
        self,
        request: HttpRequest,
        callback: Callable[..., Any],
        callback_args: tuple[Any, ...],
        callback_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        """Django's ``process_view``, inline unless it has a body to check."""
        return await _run(
            super().process_view,
            self.view_needs_thread(request, callback),
            request,
            callback,
            callback_args,
            callback_kwargs,
        )
