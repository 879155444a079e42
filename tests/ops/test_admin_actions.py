"""One refusal ladder in admin: every action that changes state declares the permission of
what it changes, so view-only staff are refused each of them; a service's refusal or the
provider's trouble is shown to staff as a message, never a 500."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory

from tests.factories import BookingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer():
    """Staff who may look at everything in admin and change nothing."""
    user = UserFactory(email="viewer@example.com", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


def registered_actions():
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.actions or []:
            yield model, model_admin, name


def test_every_registered_action_declares_a_permission_beyond_viewing():
    names = [(model.__name__, name) for model, _, name in registered_actions()]
    assert ("Booking", "reschedule") in names and ("Order", "mark_shipped") in names
    for model, model_admin, name in registered_actions():
        action = getattr(model_admin, name)
        allowed = set(getattr(action, "allowed_permissions", ()))
        # Beyond add, change and delete: a permission the admin checks itself (recording a
        # dispute from a payment needs payments.change_dispute).
        custom = {perm for perm in allowed if hasattr(model_admin, f"has_{perm}_permission")}
        assert allowed and allowed <= {"change", "delete", "add"} | custom, (
            f"{model.__name__}.{name}"
        )


def test_view_only_staff_are_offered_no_action_and_posting_one_changes_nothing(viewer):
    request = RequestFactory().get("/admin/")
    request.user = viewer
    client = Client()
    client.force_login(viewer)
    booking = BookingFactory()
    for model, model_admin, name in registered_actions():
        assert model_admin.has_view_permission(request)
        assert name not in model_admin.get_actions(request), f"{model.__name__}.{name}"
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        answer = client.post(url, {"action": name, "_selected_action": ["1"]}, follow=True)
        assert answer.status_code == 200, f"{model.__name__}.{name}: {answer.status_code}"
    booking.refresh_from_db()
    assert booking.status == "CONFIRMED"


@pytest.mark.ledger_breach("refund_failed")  # still owed: nobody could retry it yet
def test_a_provider_outage_during_an_admin_refund_retry_is_shown_not_a_500(staff, rsps):
    from payments.models import Refund, RefundStatus
    from tests.factories import PaymentFactory

    payment = PaymentFactory(state="paid")
    refund = Refund.objects.create(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        amount=payment.amount,
        currency="INR",
        reason="refused once",
        status=RefundStatus.FAILED,
    )
    # Nothing answers at Razorpay: the failed attempt cannot be confirmed failed.
    page = staff.post(
        "/admin/payments/refund/",
        {"action": "retry", "_selected_action": [str(refund.pk)]},
        follow=True,
    )
    assert page.status_code == 200
    shown = " ".join(str(m) for m in page.context["messages"])
    assert "could not confirm that this refund failed" in shown
    assert Refund.objects.count() == 1
