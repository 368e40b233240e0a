"""The async APIView every cart route derives from.

adrf's ``APIView`` makes handlers awaitable, but its ``async_dispatch`` runs
DRF's ``initial()`` (authentication, permissions, throttles, content
negotiation) through ``sync_to_async``: one thread hop per request. Our API has
no authentication, permissions or throttles, so ``initial()`` is pure CPU and
runs inline here; a request never leaves the event loop for view code.

Django's handler renders any response that has a ``render()`` method (DRF's
``Response`` is a ``SimpleTemplateResponse``) through ``sync_to_async``: one
more hop. Rendering JSON is pure CPU, so the view renders on the loop and hands
Django a plain ``HttpResponse`` with the same status, headers and cookies.
"""

from __future__ import annotations

import inspect
from typing import Any

from adrf.views import APIView
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from rest_framework.renderers import JSONRenderer

from carts.api.parsing import CartJSONParser
from carts.api.schema import CartAutoSchema

__all__ = ["AsyncAPIView", "rendered"]


class AsyncAPIView(APIView):
    """An adrf APIView whose dispatch never starts a thread."""

    parser_classes = [CartJSONParser]
    renderer_classes = [JSONRenderer]
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []
    schema = CartAutoSchema()
    # Operation ids of the OpenAPI schema, by HTTP method (see CartAutoSchema).
    operation_ids: dict[str, str] = {}

    async def async_dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Run DRF's request cycle with the handler awaited on the event loop."""
        self.args = args
        self.kwargs = kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            self.initial(request, *args, **kwargs)
            method = request.method.lower()
            handler = (
                getattr(self, method, self.http_method_not_allowed)
                if method in self.http_method_names
                else self.http_method_not_allowed
            )
            response = handler(request, *args, **kwargs)
            if inspect.isawaitable(response):
                response = await response
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return rendered(self.response)


def rendered(response: HttpResponse) -> HttpResponse:
    """Render a DRF response here and return it as a plain ``HttpResponse``."""
    if not isinstance(response, SimpleTemplateResponse):
        return response
    response.render()
    plain = HttpResponse(response.content, status=response.status_code)
    plain.headers = response.headers
    plain.cookies = response.cookies
    return plain
