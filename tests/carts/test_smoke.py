import pytest

from carts.models import Product


@pytest.mark.django_db
def test_database_roundtrip() -> None:
    Product.objects.create(sku="s1", name="n", price=100)
    assert Product.objects.get(sku="s1").price == 100
