"""cartsite's middleware: Django's behaviour, request by request, without Django's thread hops.

Every ``sync_to_async`` call made while a test runs is recorded by name; the
ones made for a middleware hook are named ``Class.hook``. Parity tests send
the same requests through Django's seven middleware and through ours (both
under ASGI, with ``AsyncClient``) and compare what a client sees.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import SyncToAsync, iscoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib import messages as django_messages
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.core.checks import run_checks
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.test import AsyncClient, override_settings
from django.urls import include, path
from django.utils.deprecation import MiddlewareMixin
from django.utils.module_loading import import_string

import carts.runtime
from carts.models import Product
from cartsite import middleware as ours
from cartsite.handler import NodeASGIHandler
from tests.asgi import asgi_request, close_shared_thread_connections, status_and_body
from tests.carts.conftest import MEMORY_STORE, STATIC_CATALOG

DJANGO_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
OUR_MIDDLEWARE = [f"cartsite.middleware.{path.rsplit('.', 1)[1]}" for path in DJANGO_MIDDLEWARE]
# Production adds servestatic's async middleware (the admin's static files) after security.
STATIC_MIDDLEWARE = "servestatic.middleware.ServeStaticMiddleware"
PRODUCTION_MIDDLEWARE = [OUR_MIDDLEWARE[0], STATIC_MIDDLEWARE, *OUR_MIDDLEWARE[1:]]

# What MiddlewareMixin hands to a thread for one request through Django's seven.
DJANGO_HOPS = sorted(
    [
        "SecurityMiddleware.process_request",
        "SessionMiddleware.process_request",
        "CommonMiddleware.process_request",
        "CsrfViewMiddleware.process_request",
        "AuthenticationMiddleware.process_request",
        "MessageMiddleware.process_request",
        "CsrfViewMiddleware.process_view",
        "XFrameOptionsMiddleware.process_response",
        "MessageMiddleware.process_response",
        "CsrfViewMiddleware.process_response",
        "CommonMiddleware.process_response",
        "SessionMiddleware.process_response",
        "SecurityMiddleware.process_response",
    ]
)

LOGIN = "/admin/login/"
ADD = {"sku": "mug", "quantity": 1}
JSON = "application/json"
PRODUCTS = "/admin/carts/product/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The product list's "updated at" column: to the minute, so two runs may differ.
UPDATED_AT = re.compile(r'(<td class="field-updated_at[^"]*">)[^<]*(</td>)')
# Headers whose values differ between any two runs (a time, a duration).
VOLATILE_HEADERS = {"Expires", "Server-Timing"}


def hop_name(func: Callable[..., Any]) -> str:
    """``Class.hook`` for a middleware hook, else the callable's qualified name."""
    owner = getattr(func, "__self__", None)
    if isinstance(owner, MiddlewareMixin):
        return f"{type(owner).__name__}.{func.__name__}"
    return getattr(func, "__qualname__", type(func).__qualname__)  # never repr: a queryset queries


HOOKS = ("process_request", "process_view", "process_response")


class Hops(list[str]):
    """Names of the callables handed to ``sync_to_async``, in call order."""

    def middleware(self) -> list[str]:
        """The middleware hooks among them, sorted."""
        names = {f"{name}.{hook}" for name in ours.__all__ for hook in HOOKS}
        return sorted(h for h in self if h in names)


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Hops:
    """Record every ``sync_to_async`` call made while the test runs."""
    seen = Hops()
    real_call = SyncToAsync.__call__

    async def call(self: SyncToAsync[Any, Any], *args: Any, **kwargs: Any) -> Any:
        seen.append(hop_name(self.func))
        return await real_call(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", call)
    return seen


@pytest.fixture
def api_settings(settings: Any) -> Any:
    """The API on the static catalog and the in-memory event log: no database at all."""
    settings.CART_CATALOG = STATIC_CATALOG
    settings.CART_EVENT_STORE = MEMORY_STORE
    return settings


async def asgi(
    app: NodeASGIHandler, method: str, path: str, body: bytes = b""
) -> tuple[int, bytes]:
    """Send one request straight through the ASGI callable; return status and body."""
    return status_and_body(await asgi_request(app, method, path, body))


# --- the production configuration --------------------------------------------


def test_production_uses_these_classes_which_are_djangos() -> None:
    assert settings.MIDDLEWARE == PRODUCTION_MIDDLEWARE
    for mine, django in zip(OUR_MIDDLEWARE, DJANGO_MIDDLEWARE, strict=True):
        assert issubclass(import_string(mine), import_string(django))


def test_system_checks_pass_without_silencing() -> None:
    assert not settings.SILENCED_SYSTEM_CHECKS
    call_command("check")  # raises SystemCheckError on any error
    ids = {m.id for m in run_checks(include_deployment_checks=False)}
    assert not ids & {"admin.E408", "admin.E409", "admin.E410"}


# --- hops --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("middleware", "expected"),
    [(OUR_MIDDLEWARE, []), (PRODUCTION_MIDDLEWARE, []), (DJANGO_MIDDLEWARE, DJANGO_HOPS)],
)
async def test_api_requests_never_leave_the_loop(
    api_settings: Any, hops: Hops, middleware: list[str], expected: list[str]
) -> None:
    # Through the node's own handler, as uvicorn drives it.
    api_settings.MIDDLEWARE = middleware
    await sync_to_async(close_shared_thread_connections, thread_sensitive=False)()
    app = NodeASGIHandler()
    try:
        status, body = await asgi(app, "POST", "/api/carts")
        assert status == 201, body
        cart_id = UUID.search(body.decode()).group()  # type: ignore[union-attr]
        hops.clear()
        assert (await asgi(app, "GET", "/api/products"))[0] == 200
        assert hops.middleware() == expected
        hops.clear()
        item = b'{"sku": "mug", "quantity": 1}'
        assert (await asgi(app, "POST", f"/api/carts/{cart_id}/items", item))[0] == 200
        assert hops.middleware() == expected
        if not expected:
            # Nothing is left: the view renders DRF's response on the loop too.
            assert list(hops) == []
    finally:
        await carts.runtime.reset()


async def test_api_through_the_test_client_has_no_middleware_hop(
    api_settings: Any, hops: Hops
) -> None:
    client = AsyncClient()
    try:
        response = await client.post("/api/carts", content_type=JSON)
        cart_id = response.json()["id"]
        hops.clear()
        assert (await client.get("/api/products")).status_code == 200
        response = await client.post(f"/api/carts/{cart_id}/items", ADD, content_type=JSON)
        assert response.status_code == 200
        assert hops.middleware() == []
        assert (await client.get("/api/nope")).status_code == 404  # CommonMiddleware's 404 path
        assert hops.middleware() == []
    finally:
        await carts.runtime.reset()


@pytest.mark.django_db(transaction=True)
async def test_admin_pages_hop_only_to_load_and_save_the_session(
    site: Any, admin_user: AbstractBaseUser, hops: Hops
) -> None:
    client = AsyncClient(enforce_csrf_checks=True)
    await client.aforce_login(admin_user)

    hops.clear()
    assert (await client.get(PRODUCTS)).status_code == 200
    assert hops.middleware() == ["SessionMiddleware.process_response"]

    hops.clear()
    response = await client.get(LOGIN)  # logged in: redirected to the index
    assert response.status_code == 302
    assert hops.middleware() == ["SessionMiddleware.process_response"]

    # A form post: the CSRF check reads the body on the thread, as Django does.
    hops.clear()
    response = await client.post("/admin/logout/", {"csrfmiddlewaretoken": "x" * 32})
    assert response.status_code == 403
    assert hops.middleware() == ["CsrfViewMiddleware.process_view"]


# --- parity with Django's middleware ------------------------------------------

Step = Callable[[AsyncClient], Awaitable[list[Any]]]


async def anonymous_pages(client: AsyncClient) -> list[Any]:
    """The login page, the admin without its slash, a 404, a list page when logged out."""
    return [
        await client.get(LOGIN),
        await client.get("/admin"),  # APPEND_SLASH
        await client.get("/api/docs"),  # APPEND_SLASH on an API route
        await client.get("/api/nope"),
        await client.get("/api/nope/"),
        await client.get(PRODUCTS),
        await client.head(LOGIN),
    ]


async def login_without_token(client: AsyncClient) -> list[Any]:
    """An admin login POST without a CSRF token, then with a wrong one."""
    page = await client.get(LOGIN)
    return [
        page,
        await client.post(LOGIN, {"username": "admin", "password": "password"}),
        await client.post(
            LOGIN, {"username": "admin", "password": "password", "csrfmiddlewaretoken": "x" * 64}
        ),
    ]


async def login_without_cookie(client: AsyncClient) -> list[Any]:
    """An admin login POST from a client that never had the CSRF cookie."""
    return [await client.post(LOGIN, {"username": "admin", "password": "password"})]


async def login_and_edit(client: AsyncClient) -> list[Any]:
    """Log in with the form's token, list and edit a product, see the message, log out."""
    await Product.objects.filter(sku="mug").aupdate(price=14900, stock=0)  # as each run found it
    page = await client.get(LOGIN)
    token = TOKEN.search(page.content.decode()).group(1)  # type: ignore[union-attr]
    bad = {"username": "admin", "password": "wrong", "csrfmiddlewaretoken": token}
    good = {"username": "admin", "password": "password", "csrfmiddlewaretoken": token}
    responses = [page, await client.post(LOGIN, bad), await client.post(LOGIN, good)]
    listing = await client.get(PRODUCTS)
    token = TOKEN.search(listing.content.decode()).group(1)  # type: ignore[union-attr]
    mug = await Product.objects.aget(sku="mug")
    form = {
        "sku": "mug",
        "name": "Stoneware mug",
        "price": 12900,
        "tax_rate": 2500,
        "image_url": "",
        "stock": 5,
        "csrfmiddlewaretoken": token,
    }
    responses += [
        listing,
        await client.post(f"{PRODUCTS}{mug.pk}/change/", form),
        await client.get(PRODUCTS),  # shows "was changed successfully", once
        await client.get(PRODUCTS),
        await client.post("/admin/logout/", {"csrfmiddlewaretoken": token}),
        await client.get(PRODUCTS),  # logged out: the session is gone
    ]
    return responses


async def api_calls(client: AsyncClient) -> list[Any]:
    """The API: a stale session cookie, a cart, an item, the cookie cart."""
    client.cookies["sessionid"] = "stale"  # too short to be a key: Django deletes it
    responses = [await client.get("/api/products")]
    del client.cookies["sessionid"]
    created = await client.post("/api/carts", content_type=JSON)
    cart_id = created.json()["id"]
    return [
        *responses,
        created,
        await client.post(f"/api/carts/{cart_id}/items", ADD, content_type=JSON),
        await client.post("/api/cart/items", ADD, content_type=JSON),
        await client.get("/api/cart"),
        await client.put(f"/api/carts/{cart_id}", content_type=JSON),
    ]


# Each scenario: the client's options, and the statuses Django's middleware gives.
SCENARIOS: dict[str, tuple[Step, dict[str, Any], list[int]]] = {
    "anonymous": (anonymous_pages, {}, [200, 301, 301, 404, 404, 302, 200]),
    "login-without-token": (login_without_token, {"enforce_csrf_checks": True}, [200, 403, 403]),
    "login-without-cookie": (login_without_cookie, {"enforce_csrf_checks": True}, [403]),
    "login-and-edit": (
        login_and_edit,
        {"enforce_csrf_checks": True},
        [200, 200, 302, 200, 302, 200, 200, 200, 302],
    ),
    "api": (api_calls, {}, [200, 201, 200, 201, 200, 405]),
}
# Settings that change what the hooks do: session-stored CSRF secrets, saving on
# every request, HTTPS with HSTS and other header values.
VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "csrf-in-session": {"CSRF_USE_SESSIONS": True},
    "save-every-request": {"SESSION_SAVE_EVERY_REQUEST": True},
    "https": {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_REDIRECT_EXEMPT": [r"^api/"],
        "X_FRAME_OPTIONS": "SAMEORIGIN",
        "SECURE_REFERRER_POLICY": "no-referrer",
    },
}


def seen(response: Any) -> dict[str, Any]:
    """What a client sees of ``response``, with tokens, ids and times masked."""
    headers = {
        name: ("<set>" if name in VOLATILE_HEADERS else UUID.sub("<id>", value))
        for name, value in response.headers.items()
    }
    cookies = {
        name: (
            morsel.value == "",
            morsel["max-age"],
            morsel["path"],
            morsel["samesite"],
            morsel["httponly"],
            morsel["secure"],
        )
        for name, morsel in response.cookies.items()
    }
    body = b"" if response.streaming else response.content
    text = UUID.sub("<id>", TOKEN.sub("<token>", body.decode(errors="replace")))
    text = UPDATED_AT.sub(r"\1<time>\2", text)
    return {"status": response.status_code, "headers": headers, "cookies": cookies, "body": text}


class HttpsClient(AsyncClient):
    """A browser on HTTPS: every request secure, with its ``Origin`` (the strict CSRF check)."""

    def generic(self, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        """Django's request, made secure."""
        kwargs["secure"] = True
        kwargs["headers"] = {"Origin": "https://testserver", **(kwargs.get("headers") or {})}
        return super().generic(method, path, *args, **kwargs)


async def run(
    step: Step,
    middleware: list[str],
    options: dict[str, Any],
    *,
    client_class: type[AsyncClient] | None = None,
) -> list[dict[str, Any]]:
    """Run ``step`` through ``middleware`` on a fresh client; return what it saw."""
    if client_class is None:
        client_class = HttpsClient if settings.SECURE_SSL_REDIRECT else AsyncClient
    with override_settings(MIDDLEWARE=middleware):
        return [seen(r) for r in await step(client_class(**options))]


@pytest.fixture
async def site(admin_user: AbstractBaseUser, api_settings: Any) -> AsyncIterator[Any]:
    """A superuser (admin / password) and one product to edit; the pool reset afterwards."""
    await Product.objects.acreate(sku="mug", name="Stoneware mug", price=14900)
    yield api_settings
    await carts.runtime.reset()
    # The async ORM and the admin's views left a connection there: tests without
    # database access that run later would find it (and the handler would hop).
    await sync_to_async(close_shared_thread_connections, thread_sensitive=False)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_clients_see_what_djangos_middleware_gives(
    site: Any, scenario: str, variant: str
) -> None:
    step, options, statuses = SCENARIOS[scenario]
    overrides = VARIANTS[variant]
    with override_settings(**overrides):
        django = await run(step, DJANGO_MIDDLEWARE, options)
        mine = await run(step, OUR_MIDDLEWARE, options)
    assert [s["status"] for s in django] == statuses
    for n, (theirs, ours_) in enumerate(zip(django, mine, strict=True)):
        assert ours_ == theirs, f"request {n} of {scenario}"


@pytest.mark.django_db(transaction=True)
async def test_plain_http_is_redirected_as_django_does(site: Any) -> None:
    async def step(client: AsyncClient) -> list[Any]:
        return [await client.get(LOGIN), await client.get("/api/products")]

    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^api/"]):
        django = await run(step, DJANGO_MIDDLEWARE, {}, client_class=AsyncClient)
        mine = await run(step, OUR_MIDDLEWARE, {}, client_class=AsyncClient)
    assert [s["status"] for s in django] == [301, 200]
    assert django[0]["headers"]["Location"] == "https://testserver/admin/login/"
    assert mine == django


@pytest.mark.django_db(transaction=True)
async def test_the_session_is_saved_and_the_user_found(site: Any) -> None:
    client = AsyncClient(enforce_csrf_checks=True)
    with override_settings(MIDDLEWARE=OUR_MIDDLEWARE):
        page = await client.get(LOGIN)
        token = TOKEN.search(page.content.decode()).group(1)  # type: ignore[union-attr]
        form = {"username": "admin", "password": "password", "csrfmiddlewaretoken": token}
        response = await client.post(LOGIN, form)
        assert response.status_code == 302
        key = client.cookies["sessionid"].value
        assert await Session.objects.filter(session_key=key).aexists()
        response = await client.get("/admin/")
        assert response.status_code == 200
        assert "<strong>admin</strong>." in response.content.decode()
        for name, value in [
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]:
            assert response[name] == value


async def token_view(request: HttpRequest) -> HttpResponse:
    """An async view that asks for a CSRF token and never touches the session itself."""
    get_token(request)
    return HttpResponse("token")


async def message_view(request: HttpRequest) -> HttpResponse:
    """An async view that adds a message and never touches the session itself."""
    django_messages.info(request, "saved")
    return HttpResponse("message")


urlpatterns = [
    path("token", token_view),
    path("message", message_view),
    path("", include("cartsite.urls")),
]


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
async def test_session_work_left_to_the_middleware_hops(
    site: Any, admin_user: AbstractBaseUser, hops: Hops
) -> None:
    # The views leave it to the middleware to load and write a stored session.
    async def step(client: AsyncClient) -> list[Any]:
        await client.aforce_login(admin_user)
        key = client.cookies["sessionid"].value
        responses = [await client.get("/token"), await client.get("/message")]
        store = await Session.objects.aget(session_key=key)
        data = store.get_decoded()
        assert data["_csrftoken"]
        assert "saved" in data["_messages"]
        return responses

    storage = "django.contrib.messages.storage.session.SessionStorage"
    with override_settings(CSRF_USE_SESSIONS=True, MESSAGE_STORAGE=storage):
        django = await run(step, DJANGO_MIDDLEWARE, {})
        hops.clear()
        mine = await run(step, OUR_MIDDLEWARE, {})
    assert mine == django
    assert [s["status"] for s in mine] == [200, 200]
    assert "CsrfViewMiddleware.process_response" in hops.middleware()
    assert "MessageMiddleware.process_response" in hops.middleware()


def test_the_sync_path_is_djangos(rf: Any) -> None:
    # WSGI and Django's test Client build the chain in sync mode: Django's __call__.
    sync = ours.CsrfViewMiddleware(lambda request: HttpResponse())
    assert not sync.async_mode
    assert not iscoroutinefunction(sync.process_view)
    assert sync(rf.get("/")).status_code == 200
    # In async mode the handler gets a coroutine function, which it awaits on the loop.
    assert iscoroutinefunction(ours.CsrfViewMiddleware(token_view).process_view)


async def test_node_serves_the_admins_static_files_on_the_loop(hops: Hops) -> None:
    """The admin's CSS comes from the node itself, cacheable, without a thread hop."""
    app = NodeASGIHandler()
    sent = await asgi_request(app, "GET", "/static/admin/css/base.css")
    status, body = status_and_body(sent)
    headers = {k.decode().lower(): v.decode() for k, v in sent[0]["headers"]}
    assert status == 200
    assert headers["content-type"].startswith("text/css")
    assert b"body" in body
    assert "cache-control" in headers
    assert list(hops) == []
    missing = await asgi_request(app, "GET", "/static/admin/css/no-such-file.css")
    assert missing[0]["status"] == 404
