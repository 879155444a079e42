"""The catalogue moved from orders and bookings into its own app without touching a row: a
database as it stood before the move (products, variants, pujas, slots, a cart, a hold, an
order and a booking in it) migrates forward cleanly, and everything in it is read back
through the catalog app's models, its foreign keys intact."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bookings.models import Booking
from cart.models import Cart, CartItem
from catalog.models import BookingSlot, Product, ProductVariant, PujaPackage, PujaService
from holds.models import Hold
from orders.models import OrderItem

# Where main stood before the catalog app existed.
BEFORE = [
    ("catalog", None),
    ("orders", "0004_sent_claims"),
    ("bookings", "0004_slot_capacity"),
    ("cart", "0003_cart_for_payment_link"),
    ("holds", "0002_covering_sum_indexes"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]] or None).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_migrates_with_its_rows_and_keys_intact():
    old = migrate(BEFORE)
    old_ct = old.get_model("contenttypes", "ContentType")
    old_ct.objects.get_or_create(app_label="orders", model="product")
    user = old.get_model("accounts", "User").objects.create(email="before@example.com")
    product = old.get_model("orders", "Product").objects.create(name="Lamp", price=Decimal("10"))
    variant = old.get_model("orders", "ProductVariant").objects.create(
        product=product, name="Brass", sku="LAMP-B", price=Decimal("12.50"), stock=7
    )
    service = old.get_model("bookings", "PujaService").objects.create(name="Ganesh puja")
    package = old.get_model("bookings", "PujaPackage").objects.create(
        service=service, name="Basic", price=Decimal("501"), duration_minutes=30
    )
    slot = old.get_model("bookings", "BookingSlot").objects.create(
        puja_service=service,
        selected_date=datetime.date(2031, 1, 2),
        selected_time=datetime.time(9, 0),
    )
    cart = old.get_model("cart", "Cart").objects.create(
        user=user, puja_service=service, package=package
    )
    old.get_model("cart", "CartItem").objects.create(cart=cart, variant=variant, quantity=2)
    old.get_model("bookings", "Booking").objects.create(
        user=user,
        puja_service=service,
        package=package,
        selected_date=slot.selected_date,
        selected_time=slot.selected_time,
        total_amount=Decimal("501"),
    )
    order = old.get_model("orders", "Order").objects.create(
        user=user, order_number="ORD-BEFORE", subtotal=Decimal("25"), total=Decimal("25")
    )
    old.get_model("orders", "OrderItem").objects.create(
        order=order,
        product=product,
        variant=variant,
        product_name="Lamp",
        variant_name="Brass",
        unit_price=Decimal("12.50"),
        quantity=2,
    )

    migrate(latest())

    moved = ProductVariant.objects.select_related("product").get(sku="LAMP-B")
    assert (moved.product.name, moved.stock, moved.price) == ("Lamp", 7, Decimal("12.50"))
    assert Product.objects.get().variants.get() == moved
    assert PujaPackage.objects.get().service == PujaService.objects.get(name="Ganesh puja")
    assert BookingSlot.objects.get().puja_service.name == "Ganesh puja"
    assert CartItem.objects.get().variant == moved
    assert Cart.objects.get(pk=cart.pk).package.name == "Basic"
    assert OrderItem.objects.get().variant == moved
    assert Booking.objects.get().puja_service.slot_capacity == 1
    assert not Hold.objects.exists()
    # Staff permissions and admin history follow the model to its new app.
    assert ContentType.objects.filter(app_label="catalog", model="product").exists()
    assert not ContentType.objects.filter(app_label="orders", model="product").exists()
    # The tables are the ones main had: nothing was copied or renamed.
    tables = connection.introspection.table_names()
    assert {"orders_product", "orders_productvariant", "bookings_bookingslot"} <= set(tables)
    assert not [table for table in tables if table.startswith("catalog_")]
