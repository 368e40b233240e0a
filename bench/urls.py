"""Benchmark routes: cartsite's, plus ``/bench/json`` (the raw peer's JSON from a Django view)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench.raw import BODY
from cartsite.urls import urlpatterns as site_urlpatterns

__all__ = ["urlpatterns"]


async def fixed_json(request: HttpRequest) -> HttpResponse:
    """Return the raw peer's bytes: what is measured is the stack, not JSON encoding."""
    return HttpResponse(BODY, content_type="application/json")


urlpatterns = [path("bench/json", fixed_json), *site_urlpatterns]
