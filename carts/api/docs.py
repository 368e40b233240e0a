"""An API docs page that works offline: the OpenAPI schema rendered as plain HTML.

drf-spectacular's Swagger UI and Redoc pages load their JavaScript from a CDN,
which a shop's internal network or a laptop on a train may not reach. This page
is generated on the server from the same schema as ``/api/schema/``, with no
script at all. It is not on the cart hot path, so it is an ordinary sync view.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

__all__ = ["ApiDocsView", "openapi_schema"]

_METHODS = ("get", "post", "put", "patch", "delete")
_STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
    "code{background:#f3f3f3;padding:0 .2em}h3{margin-bottom:.2rem}"
    ".m{display:inline-block;min-width:4.5rem;font-weight:bold}"
    "table{border-collapse:collapse;margin:.3rem 0 1rem}td,th{border:1px solid #ddd;"
    "padding:.15rem .5rem;text-align:left;vertical-align:top}"
)


@cache
def openapi_schema() -> dict[str, Any]:
    """Return the OpenAPI schema of this project (built once per process)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _ref(schema: dict[str, Any] | None) -> SafeString:
    if not schema:
        return mark_safe("—")
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return format_html('<a href="#{}">{}</a>', name, name)
    if schema.get("type") == "array":
        return format_html("array of {}", _ref(schema.get("items")))
    kind = schema.get("format") or schema.get("type") or "object"
    return format_html("{}", kind)


def _body(op: dict[str, Any]) -> SafeString:
    content = op.get("requestBody", {}).get("content", {})
    schema = next(iter(content.values()), {}).get("schema") if content else None
    return _ref(schema)


_LITERAL = re.compile(r"``(.+?)``")


def _prose(text: str) -> SafeString:
    """Escape a docstring-sourced description, showing ``literals`` as code."""
    return mark_safe(_LITERAL.sub(r"<code>\1</code>", str(escape(text))))


def _operation(path: str, method: str, op: dict[str, Any]) -> SafeString:
    params = format_html_join(
        ", ", "<code>{}</code> ({})", ((p["name"], p["in"]) for p in op.get("parameters", []))
    )
    responses = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                status,
                r.get("description", ""),
                _ref(next(iter(r.get("content", {}).values()), {}).get("schema")),
            )
            for status, r in op.get("responses", {}).items()
        ),
    )
    return format_html(
        "<h3><span class=m>{}</span> <code>{}</code></h3><p><strong>{}</strong> {}</p>"
        "<p>Parameters: {}<br>Request body: {}</p>"
        "<table><tr><th>Status</th><th>Meaning</th><th>Body</th></tr>{}</table>",
        method.upper(),
        path,
        op.get("summary", ""),
        _prose(op.get("description", "")),
        params or "—",
        _body(op),
        responses,
    )


def _component(name: str, schema: dict[str, Any]) -> SafeString:
    required = set(schema.get("required", []))
    rows = format_html_join(
        "",
        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                field,
                "*" if field in required else "",
                _ref(prop),
                _prose(prop.get("description", "")),
            )
            for field, prop in schema.get("properties", {}).items()
        ),
    )
    return format_html(
        '<h3 id="{}">{}</h3><p>{}</p>'
        "<table><tr><th>Field</th><th>Type</th><th></th></tr>{}</table>",
        name,
        name,
        _prose(schema.get("description", "")),
        rows,
    )


def render_docs(schema: dict[str, Any]) -> str:
    """Return the docs page of ``schema`` as HTML."""
    info = schema.get("info", {})
    operations = format_html_join(
        "",
        "{}",
        (
            (_operation(path, method, item[method]),)
            for path, item in schema.get("paths", {}).items()
            for method in _METHODS
            if method in item
        ),
    )
    components = format_html_join(
        "",
        "{}",
        ((_component(n, s),) for n, s in schema.get("components", {}).get("schemas", {}).items()),
    )
    return format_html(
        "<!doctype html><html><head><meta charset=utf-8><title>{}</title><style>{}</style>"
        "</head><body><h1>{} {}</h1><p>{}</p><p>Machine-readable: <a href=../schema/>"
        "OpenAPI schema</a>. <code>*</code> marks a required field.</p><h2>Routes</h2>{}"
        "<h2>Shapes</h2>{}</body></html>",
        info.get("title", "API"),
        mark_safe(_STYLE),
        info.get("title", "API"),
        escape(info.get("version", "")),
        info.get("description", ""),
        operations,
        components,
    )


class ApiDocsView(APIView):
    """The human-readable API reference, generated from the OpenAPI schema."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(exclude=True)
    def get(self, request: HttpRequest) -> HttpResponse:
        """Return the docs page."""
        return HttpResponse(render_docs(openapi_schema()), content_type="text/html; charset=utf-8")
