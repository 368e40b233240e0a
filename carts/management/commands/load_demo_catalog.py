"""``manage.py load_demo_catalog``: a dozen products so a fresh node has a shop.

Idempotent: each product is upserted by sku, so running it again restores the
demo prices and leaves other products alone. Prices are SEK in öre, VAT
included; tax rates are the Swedish 25 %, 12 % (food) and 6 % (books).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from carts.models import Product

__all__ = ["DEMO_PRODUCTS", "Command"]

_IMAGES = "https://images.example.com/demo"

DEMO_PRODUCTS: list[dict[str, Any]] = [
    {"sku": "MUG-STONE", "name": "Stoneware mug 35 cl", "price": 14900, "tax_rate": 2500},
    {"sku": "TEE-ORG-M", "name": "Organic cotton T-shirt, M", "price": 24900, "tax_rate": 2500},
    {"sku": "HOODIE-L", "name": "Hooded sweatshirt, L", "price": 59900, "tax_rate": 2500},
    {"sku": "SNEAKER-42", "name": "Canvas sneakers, size 42", "price": 89900, "tax_rate": 2500},
    {"sku": "HEADPHONES", "name": "Wireless headphones", "price": 129900, "tax_rate": 2500},
    {"sku": "LAMP-DESK", "name": "Desk lamp, brass", "price": 79500, "tax_rate": 2500},
    {"sku": "COFFEE-500", "name": "Coffee beans 500 g", "price": 11900, "tax_rate": 1200},
    {"sku": "CHOC-DARK", "name": "Dark chocolate 70 %, 100 g", "price": 3490, "tax_rate": 1200},
    {"sku": "TEA-EARL", "name": "Earl Grey tea, 20 bags", "price": 4950, "tax_rate": 1200},
    {"sku": "BOOK-COOK", "name": "Cookbook: Swedish home cooking", "price": 29900, "tax_rate": 600},
    {"sku": "BOOK-NOVEL", "name": "Paperback novel", "price": 13900, "tax_rate": 600},
    {"sku": "MAG-DESIGN", "name": "Design magazine, issue 4", "price": 9900, "tax_rate": 600},
]
for _product in DEMO_PRODUCTS:
    _product.setdefault("image_url", f"{_IMAGES}/{_product['sku'].lower()}.jpg")
    _product.setdefault("stock", 100)


class Command(BaseCommand):
    help = "Create or update the demo products (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Upsert every demo product by sku."""
        created = 0
        with transaction.atomic():
            for product in DEMO_PRODUCTS:
                defaults = {k: v for k, v in product.items() if k != "sku"}
                _, was_created = Product.objects.update_or_create(
                    sku=product["sku"], defaults=defaults
                )
                created += was_created
        self.stdout.write(
            f"demo catalog: {created} created, {len(DEMO_PRODUCTS) - created} updated"
        )
