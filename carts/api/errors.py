"""The one error shape, ``{"error": "...", "code": 400, "type": "..."}``, everywhere.

``exception_handler`` is DRF's ``EXCEPTION_HANDLER``: it maps our
``CartSiteError`` tree (by ``.status``), DRF's exceptions and Django's
``Http404``/``PermissionDenied``/``SuspiciousOperation`` in one table. The
``handler4xx``/``handler500`` views give errors raised outside DRF (an unknown
URL, a bad Host header) the same shape. Anything else is a bug: it is left to
Django, which logs it and answers with ``handler500``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from carts.errors import CartSiteError

__all__ = [
    "error_body",
    "exception_handler",
    "handler400",
    "handler403",
    "handler404",
    "handler500",
]

log = logging.getLogger(__name__)

_REASONS = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    500: "internal_error",
}


def error_body(
    status: int,
    message: str,
    *,
    type: str | None = None,
    fields: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Return the error shape for ``status``."""
    body: dict[str, Any] = {
        "error": message,
        "code": status,
        "type": type or _REASONS.get(status, "error"),
    }
    if fields:
        body["fields"] = fields
    return body


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested ``ValidationError.detail`` into ``{"items.0.sku": [...]}``."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "body" if key == "non_field_errors" and not prefix else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            return {prefix or "body": [str(v) for v in detail]} if detail else {}
        out = {}
        for index, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "body": [str(detail)]}


def _validation(exc: drf.ValidationError) -> Response:
    fields = _flatten(exc.detail)
    summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
    return Response(
        error_body(400, f"invalid input: {summary}"[:1000], type="invalid", fields=fields),
        status=400,
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Return the error response for ``exc``, or None to let Django answer 500."""
    if isinstance(exc, CartSiteError):
        if exc.status >= 500:
            log.error("%s failed: %s", _where(context), exc, exc_info=exc)
        return Response(error_body(exc.status, exc.message, type=exc.code), status=exc.status)
    if isinstance(exc, drf.ValidationError):
        return _validation(exc)
    if isinstance(exc, Http404):
        exc = drf.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        return Response(error_body(413, "the request body is too large"), status=413)
    elif isinstance(exc, SuspiciousOperation):
        return Response(error_body(400, "bad request"), status=400)
    if not isinstance(exc, drf.APIException):
        return None
    headers = {}
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    set_rollback()
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    code = exc.status_code
    return Response(error_body(code, str(detail)), status=code, headers=headers)


def _where(context: dict[str, Any]) -> str:
    view = context.get("view")
    return view.__class__.__name__ if view is not None else "request"


def _json(status: int, message: str) -> JsonResponse:
    return JsonResponse(error_body(status, message), status=status)


def _staff_page(request: HttpRequest) -> bool:
    # The admin is for people in a browser: its errors stay Django's HTML pages.
    return request.path.startswith("/admin/")


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 view (bad Host header, too many fields...) in the error shape."""
    if _staff_page(request):
        return defaults.bad_request(request, exception)
    return _json(400, "bad request")


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 403 view in the error shape."""
    if _staff_page(request):
        return defaults.permission_denied(request, exception)
    return _json(403, "forbidden")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 view in the error shape: an unknown URL or a bad path parameter."""
    if _staff_page(request):
        return defaults.page_not_found(request, exception)
    return _json(404, f"no route for {request.method} {request.path[:200]}")


def handler500(request: HttpRequest) -> HttpResponse:
    """Django's 500 view in the error shape; the traceback is in the log, not here."""
    if _staff_page(request):
        return defaults.server_error(request)
    return _json(500, "internal server error")
