import pytest
from django.test import Client

from accounts.models import User
from orders.models import Order, OrderStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return User.objects.create_superuser("staff@example.com", "staff-pass-123")


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def paid_order():
    return Order.objects.create_numbered(
        user=UserFactory(),
        status=OrderStatus.PAYMENT_CONFIRMED,
        subtotal=1,
        total=1,
        is_locked=True,
    )


def act(client, action, order):
    return client.post(
        "/admin/orders/order/",
        {"action": action, "_selected_action": [order.pk]},
        follow=True,
    )


def test_staff_move_a_paid_order_through_shipping_and_each_step_is_recorded(staff_client, staff):
    order = paid_order()
    for action in ("mark_awaiting_shipment", "mark_shipped", "mark_delivered"):
        act(staff_client, action, order)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    changes = list(order.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert changes == [
        ("payment_confirmed", "awaiting_shipment", staff.pk),
        ("awaiting_shipment", "shipped", staff.pk),
        ("shipped", "delivered", staff.pk),
    ]


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (OrderStatus.PAYMENT_CONFIRMED, "mark_shipped"),  # skipping a step
        (OrderStatus.PAYMENT_CONFIRMED, "mark_delivered"),
        (OrderStatus.SHIPPED, "mark_awaiting_shipment"),  # going back
        (OrderStatus.PENDING_PAYMENT, "mark_awaiting_shipment"),  # not paid
        (OrderStatus.CANCELLED, "mark_shipped"),
    ],
)
def test_forbidden_transitions_are_refused_with_a_clear_message(staff_client, start, action):
    order = paid_order()
    Order.objects.filter(pk=order.pk).update(status=start)
    page = act(staff_client, action, order).content.decode()
    assert "cannot go from" in page
    order.refresh_from_db()
    assert order.status == start and not order.status_changes.exists()


def test_locked_orders_have_read_only_addresses_in_admin(staff_client):
    order = paid_order()
    page = staff_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert 'name="shipping_address"' not in page and 'name="billing_address"' not in page
    Order.objects.filter(pk=order.pk).update(is_locked=False)
    page = staff_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert 'name="shipping_address"' in page
