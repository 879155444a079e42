"""A shopper cancels their paid order until it ships: refunded in full through the one
refund path, its stock back on the shelf, once; once shipped, 422."""

import pytest

from catalog.models import ProductVariant
from orders.models import OrderStatus
from orders.services import order_advance
from outbound.models import Event
from payments.disputes.services import dispute_record
from payments.gateways.base import DisputeReport, DisputeState
from payments.models import Refund
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def _stock(order) -> int:
    return ProductVariant.objects.get(pk=order.items.get().variant_id).stock


def test_a_paid_order_not_shipped_is_cancelled_refunded_and_its_stock_returned(api, user):
    order = OrderFactory(user=user)
    before = _stock(order)
    answer = api.post(f"/api/orders/{order.pk}/cancel/")
    assert answer.status_code == 200 and answer.json()["status"] == OrderStatus.CANCELLED
    assert _stock(order) == before + order.items.get().quantity
    refund = Refund.objects.get()
    assert refund.amount == order.total and refund.payment.order_id == order.pk
    assert Event.objects.filter(type="order.cancelled").count() == 1
    again = api.post(f"/api/orders/{order.pk}/cancel/")
    assert again.status_code == 200 and again.json()["status"] == OrderStatus.CANCELLED
    assert Refund.objects.count() == 1 and _stock(order) == before + order.items.get().quantity


def test_a_shipped_order_is_not_cancelled(api, user):
    order = OrderFactory(user=user)
    for step in (OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED):
        order_advance(order_id=order.pk, to_status=step, changed_by=None)
    answer = api.post(f"/api/orders/{order.pk}/cancel/")
    assert answer.status_code == 422 and "shipped" in answer.json()["error"]
    assert not Refund.objects.exists()


def test_while_a_dispute_is_open_a_paid_order_is_not_cancelled(api, user):
    order = OrderFactory(user=user)
    payment = order.payments.get()
    report = DisputeReport(
        provider_dispute_id="disp_OPEN2", provider_payment_id=payment.provider_payment_id,
        state=DisputeState.OPEN, amount=100, currency="INR", amount_deducted=0,
    )  # fmt: skip
    dispute_record(provider=payment.provider, report=report, what="test")
    assert api.post(f"/api/orders/{order.pk}/cancel/").status_code == 409
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_CONFIRMED and not Refund.objects.exists()
