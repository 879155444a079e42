"""Carts made for payment links before carts said so now say so: the customer's cart
endpoints neither list nor accept them."""

from django.db import migrations


def mark_link_carts(apps, schema_editor):
    Cart = apps.get_model("cart", "Cart")
    PaymentLink = apps.get_model("payments", "PaymentLink")
    carts = PaymentLink.objects.exclude(payment__cart=None).values("payment__cart")
    Cart.objects.filter(pk__in=carts).update(for_payment_link=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cart", "0003_cart_for_payment_link"),
        ("payments", "0013_idempotency_key_and_rotations"),
    ]

    operations = [migrations.RunPython(mark_link_carts, migrations.RunPython.noop)]
