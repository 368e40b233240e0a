"""The HTML pages in a real browser: Debian's chromium against a real node process.

The API docs page and the admin (login, the product form, a cart's read-only page
with its replayed state and event history) are used as a person would: links
followed, forms filled and submitted. One test walks through all of them, because
starting a node and a browser is most of the cost. Users and products are written
with the ORM before the browser opens (see the ``chromium`` fixture); everything
after that is checked over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User

from carts.models import Product
from tests.nodes import Node, database_url, start_node

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture fails (CI=true) or skips the test
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

USERNAME = "staff"
PASSWORD = "browser-test-password"
CART_ROUTES = [
    "POST /api/carts",
    "GET /api/carts/{cart_id}",
    "POST /api/carts/{cart_id}/items",
    "PUT /api/carts/{cart_id}/items",
    "DELETE /api/carts/{cart_id}/items",
    "PATCH /api/carts/{cart_id}/items/{line_id}",
    "DELETE /api/carts/{cart_id}/items/{line_id}",
    "POST /api/carts/{cart_id}/deliveries",
    "DELETE /api/carts/{cart_id}/deliveries/{delivery_id}",
    "PUT /api/carts/{cart_id}/deliveries/{delivery_id}/pickup-point",
    "GET /api/cart",
    "POST /api/cart/items",
]


@pytest.fixture
def node(transactional_db: None) -> Iterator[Node]:
    """A node on the test database, which holds a superuser and two products."""
    user = User.objects.create_superuser(USERNAME, "staff@example.com")
    # The node checks the password with its own settings, which lack the tests' MD5 hasher.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    Product.objects.create(sku="MUG", name="Stoneware mug", price=14900, stock=5)
    Product.objects.create(sku="TEA", name="Earl Grey", price=4950, tax_rate=1200, stock=9)
    env = {"DATABASE_URL": database_url(), "CART_NODE_ID": "browser-node"}
    with start_node(env) as node:
        yield node.wait_ready(timeout=60)


@pytest.fixture
def api(node: Node) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=node.url, timeout=10) as client:
        yield client


@pytest.fixture
def page(node: Node, chromium: Browser) -> Iterator[Page]:
    """A page in a fresh browser context on the node (``node`` is set up first)."""
    context = chromium.new_context(base_url=node.url)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def make_cart(api: httpx.Client) -> dict[str, Any]:
    """A cart with a few mutations: create, add two skus, change a quantity, a delivery."""
    created = api.post("/api/carts")
    assert created.status_code == 201, created.text
    cart_id = created.json()["id"]
    for sku, quantity in (("MUG", 1), ("TEA", 2)):
        added = api.post(f"/api/carts/{cart_id}/items", json={"sku": sku, "quantity": quantity})
        assert added.status_code == 200, added.text
    changed = api.patch(f"/api/carts/{cart_id}/items/1", json={"quantity": 3})
    assert changed.status_code == 200, changed.text
    delivered = api.post(f"/api/carts/{cart_id}/deliveries", json={"provider": "postnord"})
    assert delivered.status_code == 200, delivered.text
    return delivered.json()


def check_docs(page: Page) -> None:
    """/api/docs/ lists the cart routes, and their error rows lead to the one error shape."""
    response = page.goto("/api/docs/")
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    expect(page).to_have_title("cartsite API")
    for route in CART_ROUTES:
        expect(page.get_by_role("heading", name=route, exact=True)).to_have_count(1)

    add_item = page.get_by_role("heading", name="POST /api/carts/{cart_id}/items", exact=True)
    statuses = add_item.locator("xpath=following-sibling::table[1]")
    expect(statuses.locator("tr", has_text="422").get_by_role("link")).to_have_text("ErrorOut")
    statuses.locator("tr", has_text="404").get_by_role("link", name="ErrorOut").click()
    expect(page).to_have_url("/api/docs/#ErrorOut")
    shape = page.locator("h3#ErrorOut")
    expect(shape).to_be_in_viewport()
    fields = shape.locator("xpath=following-sibling::table[1]").locator("td:first-child")
    expect(fields).to_have_text(["error*", "code*", "type*", "fields"])


def log_in(page: Page) -> None:
    """Open the admin, get sent to its login form, and log in through it."""
    static: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: static.append((r.url, r.status)) if "/static/" in r.url else None,
    )
    page.goto("/admin/")
    expect(page).to_have_url("/admin/login/?next=/admin/")
    # The node serves the admin's own CSS and JS: the page is styled, its scripts run.
    assert any(url.endswith("/static/admin/css/base.css") for url, _ in static), static
    assert all(status == 200 for _, status in static), static
    expect(page.locator("#header")).to_have_css("display", "flex")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def edit_price(page: Page, api: httpx.Client) -> None:
    """A price saved through the product form is what the API answers at once."""
    assert api.get("/api/products/MUG").json()["price"] == 14900  # and now the node caches it
    page.goto("/admin/")
    page.locator("#carts-product").get_by_role("link", name="Products").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.get_by_role("link", name="MUG", exact=True).click()
    price = page.get_by_label("Price")
    expect(price).to_have_value("14900")
    price.fill("15900")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url("/admin/carts/product/")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.get_by_role("row", name="MUG")).to_contain_text("15900")
    product = api.get("/api/products/MUG")
    assert product.status_code == 200, product.text
    assert product.json()["price"] == 15900


def check_cart_page(page: Page, api: httpx.Client, cart: dict[str, Any]) -> None:
    """The cart's page shows its event history and its replayed state, and changes nothing."""
    page.goto("/admin/")
    page.locator("#carts-cart").get_by_role("link", name="Carts").click()
    expect(page.get_by_role("link", name=cart["id"])).to_have_count(1)
    expect(page.get_by_role("link", name="Add cart")).to_have_count(0)
    page.get_by_role("link", name=cart["id"]).click()
    expect(page.get_by_role("heading", name="View cart")).to_be_visible()

    history = page.locator(".field-history tbody tr")
    expect(history.locator("td:nth-child(2)")).to_have_text(
        ["set_delivery", "change_quantity", "add_item", "add_item", "create_cart"]
    )
    expect(history.locator("td:nth-child(1)")).to_have_text(["5", "4", "3", "2", "1"])
    expect(history.first).to_contain_text('"provider": "postnord"')
    expect(history.first).to_contain_text("browser-node")
    state = json.loads(page.locator(".field-state pre").inner_text())
    assert [(i["sku"], i["quantity"]) for i in state["items"]] == [("MUG", 3), ("TEA", 2)]
    assert state == api.get(f"/api/carts/{cart['id']}").json() == cart

    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    response = page.goto("/admin/carts/cart/add/")
    assert response is not None
    assert response.status == 403


def test_docs_and_admin_in_chromium(api: httpx.Client, page: Page) -> None:
    cart = make_cart(api)  # the node resolves (and caches) MUG and TEA
    check_docs(page)
    log_in(page)
    edit_price(page, api)
    check_cart_page(page, api, cart)
