from .models import Order, OrderStatus, Product


def products_active():
    return Product.objects.filter(is_active=True).prefetch_related("variants")


def orders_for_user(*, user):
    return (
        Order.objects.filter(user=user).exclude(status=OrderStatus.DRAFT).prefetch_related("items")
    )
