"""The admin: the catalog is edited there; carts and events are shown, never changed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from carts.admin import replay_cart
from carts.grain import new_state
from carts.models import Cart, CartEvent, Product
from carts.mutations import registry, wrap
from proto import cart_actor_pb2 as pb

pytestmark = pytest.mark.django_db

MUTATIONS = [
    wrap(pb.CreateCart(currency="SEK")),
    wrap(pb.AddItem(sku="mug", name="Stoneware mug", unit_price=14900, tax_rate=2500, quantity=2)),
    wrap(pb.SetDelivery(provider="postnord", base_price=4900, tax_rate=2500)),
    wrap(pb.ChangeQuantity(line_id=1, quantity=3)),
]


def store_cart(mutations: list[pb.Mutation], *, snapshot_at: int = 0) -> Cart:
    """Write a cart's log the way the event store does: events, plus an optional snapshot."""
    cart_id = uuid.uuid4()
    now = datetime.now(UTC)
    state = new_state(str(cart_id))
    snapshot = None
    for seq, mutation in enumerate(mutations, start=1):
        reg = registry.apply(state, mutation)
        CartEvent.objects.create(
            cart_id=cart_id,
            seq=seq,
            kind=reg.kind,
            mutation=mutation.SerializeToString(deterministic=True),
            node_id="node-7",
            lease_version=4,
            idempotency_key="key-2" if seq == 2 else None,
            created_at=now,
        )
        if seq == snapshot_at:
            snapshot = state.SerializeToString(deterministic=True)
    return Cart.objects.create(
        id=cart_id,
        version=len(mutations),
        created_at=now,
        updated_at=now,
        snapshot=snapshot,
        snapshot_version=snapshot_at if snapshot else 0,
    )


def test_replay_rebuilds_the_state_with_or_without_a_snapshot() -> None:
    for snapshot_at in (0, 2, 4):
        state = replay_cart(store_cart(MUTATIONS, snapshot_at=snapshot_at))
        assert state.version == 4
        assert [(i.sku, i.quantity) for i in state.items] == [("mug", 3)]
        assert state.totals.total == 3 * 14900 + 4900


def test_product_list_search_and_edit(admin_client: Client) -> None:
    Product.objects.create(sku="mug", name="Stoneware mug", price=14900)
    Product.objects.create(sku="tea", name="Earl Grey", price=4950, tax_rate=1200)
    page = admin_client.get("/admin/carts/product/").content.decode()
    assert "Stoneware mug" in page
    assert "Earl Grey" in page
    page = admin_client.get("/admin/carts/product/?q=grey").content.decode()
    assert "Earl Grey" in page
    assert "Stoneware mug" not in page
    mug = Product.objects.get(sku="mug")
    response = admin_client.post(
        f"/admin/carts/product/{mug.pk}/change/",
        {
            "sku": "mug",
            "name": "Stoneware mug",
            "price": 12900,
            "tax_rate": 2500,
            "image_url": "",
            "stock": 5,
        },
    )
    assert response.status_code == 302
    mug.refresh_from_db()
    assert (mug.price, mug.stock) == (12900, 5)


def test_cart_list_shows_version(admin_client: Client) -> None:
    cart = store_cart(MUTATIONS)
    response = admin_client.get("/admin/carts/cart/")
    assert response.status_code == 200
    page = response.content.decode()
    assert str(cart.id) in page
    assert '<td class="field-version">4</td>' in page


def test_cart_detail_shows_state_and_history(admin_client: Client) -> None:
    cart = store_cart(MUTATIONS, snapshot_at=2)
    response = admin_client.get(f"/admin/carts/cart/{cart.id}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    # The replayed state, as the API would render it.
    assert "&quot;total_price&quot;: 44700" in page
    assert "&quot;provider&quot;: &quot;postnord&quot;" in page
    # The history: every event with its kind, JSON mutation, node, lease and key.
    for kind in ("create_cart", "add_item", "set_delivery", "change_quantity"):
        assert f"<td>{kind}</td>" in page
    assert "&quot;unit_price&quot;: &quot;14900&quot;" in page  # json_format renders int64 as str
    assert "<td>node-7</td>" in page
    assert "<td>key-2</td>" in page
    # Read-only: no save buttons.
    assert 'name="_save"' not in page


def test_a_log_that_does_not_replay_is_reported_not_a_crash(admin_client: Client) -> None:
    cart = store_cart(MUTATIONS[:2])
    CartEvent.objects.create(
        cart_id=cart.id,
        seq=3,
        kind="remove_item",
        mutation=wrap(pb.RemoveItem(line_id=99)).SerializeToString(),
        node_id="node-7",
        created_at=datetime.now(UTC),
    )
    response = admin_client.get(f"/admin/carts/cart/{cart.id}/change/")
    assert response.status_code == 200
    assert "the log does not replay" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/carts/cart/add/",
        "/admin/carts/cartevent/add/",
    ],
)
def test_carts_and_events_cannot_be_added(admin_client: Client, url: str) -> None:
    assert admin_client.get(url).status_code == 403


def test_carts_and_events_cannot_be_changed_or_deleted(admin_client: Client) -> None:
    cart = store_cart(MUTATIONS)
    event = CartEvent.objects.get(cart_id=cart.id, seq=1)
    assert admin_client.post(f"/admin/carts/cart/{cart.id}/delete/").status_code == 403
    assert admin_client.post(f"/admin/carts/cartevent/{event.pk}/delete/").status_code == 403
    response = admin_client.post(f"/admin/carts/cart/{cart.id}/change/", {"version": 99})
    assert response.status_code == 403
    cart.refresh_from_db()
    assert cart.version == 4
    assert CartEvent.objects.filter(cart_id=cart.id).count() == 4


def test_event_log_list_and_detail(admin_client: Client) -> None:
    cart = store_cart(MUTATIONS)
    page = admin_client.get(f"/admin/carts/cartevent/?q={cart.id}").content.decode()
    assert page.count(str(cart.id)) >= 4
    assert admin_client.get("/admin/carts/cartevent/?q=not-a-uuid").status_code == 200
    event = CartEvent.objects.get(cart_id=cart.id, seq=2)
    page = admin_client.get(f"/admin/carts/cartevent/{event.pk}/change/").content.decode()
    assert "&quot;add_item&quot;" in page


def test_anonymous_users_are_sent_to_login(client: Client) -> None:
    response: Any = client.get("/admin/carts/cart/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_errors_are_html_pages_while_api_errors_stay_json(admin_client: Any) -> None:
    """Staff in a browser get Django's error pages; API clients keep the JSON shape."""
    forbidden = admin_client.get("/admin/carts/cart/add/")
    assert forbidden.status_code == 403
    assert forbidden["Content-Type"].startswith("text/html")
    missing = admin_client.get("/admin/carts/no-such-model/")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("text/html")
    api = admin_client.get("/api/no-such-route")
    assert api.status_code == 404
    assert api.json()["code"] == 404
