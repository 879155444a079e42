"""Disputes (chargebacks) on PostgreSQL: the providers' events in the orders that matter,
what staff may and may not do while one is open, accepting and contesting at both
providers, and the ledger after each (the suite's audit runs after every test too)."""

import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from payments.ledger import payments_audit
from payments.models import Dispute, DisputeStatus, Payment, Refund, RefundStatus, WebhookEvent
from payments.money import to_minor
from payments.services.money_back import refund_owed
from payments.services.refunds import refund_send
from tests.factories import PaymentFactory
from tests.payments.conftest import act
from tests.payments.gateways.razorpay import fakes as razorpay
from tests.payments.gateways.stripe import fakes as stripe

pytestmark = pytest.mark.django_db


def deliver(client, event: str, dispute: dict, event_id: str | None = None):
    return razorpay.post_webhook(
        client, razorpay.dispute_webhook_body(event, dispute), event_id=event_id
    )


def stripe_deliver(client, event: str, dispute: dict):
    return stripe.post_event(client, stripe.event_body(event, dispute))


def minor(payment) -> int:
    return to_minor(payment.captured_amount)


def breaches() -> set[str]:
    return {breach.kind for breach in payments_audit()[1]}


@pytest.fixture
def alerts(settings):
    settings.DISPUTE_ALERT_EMAILS = ["ops@example.com"]


@pytest.fixture
def opened(paid_order, anon_client, rsps, alerts, django_capture_on_commit_callbacks):
    """A ₹200 order paid at Razorpay (pay_PAIDORDER), and a dispute of all of it opened."""
    razorpay.mock_disputes(rsps)
    dispute = razorpay.dispute_entity("pay_PAIDORDER")
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(anon_client, "payment.dispute.created", dispute).status_code == 200
    return dispute


def test_an_opened_dispute_is_recorded_flags_the_order_and_emails_staff_once(
    opened, paid_order, api, anon_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(anon_client, "payment.dispute.action_required", opened).status_code == 200
    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.amount, dispute.payment.order_id) == (
        DisputeStatus.OPEN,
        Decimal("200.00"),
        paid_order.pk,
    )
    assert dispute.respond_by is not None and dispute.reason_code == "chargeback_fraud"
    assert api.get(f"/api/orders/{paid_order.pk}/").json()["dispute_status"] == "OPEN"
    assert [m.to for m in mail.outbox] == [["ops@example.com"]]
    assert "dispute" in mail.outbox[0].subject.lower()
    assert list(dispute.history.values_list("what", flat=True)) == [
        "payment.dispute.created",
        "payment.dispute.action_required",
    ]
    assert breaches() == set()


def test_a_repeated_delivery_changes_nothing(opened, anon_client):
    body = razorpay.dispute_webhook_body(
        "payment.dispute.under_review", opened | {"status": "under_review"}
    )
    for _ in range(2):
        assert razorpay.post_webhook(anon_client, body, event_id="evt_SAME").status_code == 200
    dispute = Dispute.objects.get()
    assert dispute.status == DisputeStatus.UNDER_REVIEW and dispute.history.count() == 2
    assert WebhookEvent.objects.get(event_id="evt_SAME").attempts == 2


def test_a_lost_dispute_counts_as_money_returned_and_names_an_unshipped_order_until_settled(
    opened, paid_order, anon_client, staff
):
    lost = opened | {"status": "lost", "amount_deducted": 20000}
    assert deliver(anon_client, "payment.dispute.lost", lost).status_code == 200
    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.amount_deducted) == (DisputeStatus.LOST, Decimal("200.00"))
    assert breaches() == {"lost_but_open"}
    act(staff, "payments/dispute", "cancel_what_it_bought", dispute.pk)
    paid_order.refresh_from_db()
    assert paid_order.status == "refunded" and not Refund.objects.exists()
    assert breaches() == set()


def test_a_loss_reported_before_the_opening_stays_lost_after_asking_razorpay(
    paid_order, anon_client, rsps, staff
):
    razorpay.mock_disputes(rsps)
    dispute = razorpay.dispute_entity("pay_PAIDORDER", status="lost")
    assert deliver(anon_client, "payment.dispute.lost", dispute).status_code == 200
    stale = dispute | {"status": "open", "amount_deducted": 0}
    assert deliver(anon_client, "payment.dispute.created", stale).status_code == 200
    recorded = Dispute.objects.get()
    assert recorded.status == DisputeStatus.LOST
    asked = [c for c in rsps.calls if c.request.method == "GET" and "/disputes/" in c.request.url]
    assert len(asked) == 1
    assert "out of order" in recorded.history.last().what
    act(staff, "payments/dispute", "let_go_ahead", recorded.pk)
    assert breaches() == set()


def test_an_automatic_refund_waits_while_a_dispute_is_open_and_goes_out_once_it_is_won(
    opened, paid_order, anon_client, rsps, django_capture_on_commit_callbacks
):
    sent = razorpay.mock_refunds(rsps)
    payment = Payment.objects.get()
    refund = refund_owed(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        amount=payment.amount,
        currency="INR",
        reason="cannot be shipped",
    )
    assert refund_send(refund_id=refund.pk).status == RefundStatus.REQUESTED and sent == []
    review = opened | {"status": "under_review"}
    assert deliver(anon_client, "payment.dispute.under_review", review).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        won = opened | {"status": "won"}
        assert deliver(anon_client, "payment.dispute.won", won).status_code == 200
    assert len(sent) == 1
    assert Refund.objects.get().status == RefundStatus.PROCESSED
    assert breaches() == set()


def test_a_lost_dispute_supersedes_an_automatic_refund_still_waiting(
    opened, paid_order, anon_client, rsps, staff
):
    sent = razorpay.mock_refunds(rsps)
    payment = Payment.objects.get()
    refund = refund_owed(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        amount=payment.amount,
        currency="INR",
        reason="cannot be shipped",
    )
    lost = opened | {"status": "lost", "amount_deducted": 20000}
    assert deliver(anon_client, "payment.dispute.lost", lost).status_code == 200
    refund.refresh_from_db()
    assert refund.superseded_by == Dispute.objects.get() and refund.given_up_at is not None
    assert refund_send(refund_id=refund.pk).status == RefundStatus.FAILED and sent == []
    act(staff, "payments/dispute", "cancel_what_it_bought", Dispute.objects.get().pk)
    assert breaches() == set()


def test_staff_refunds_are_refused_while_a_dispute_is_open(opened, paid_order, staff):
    page = act(staff, "orders/order", "refund_in_full", paid_order.pk, apply="1", reason="asked")
    assert "A dispute is open" in page.content.decode()
    assert not Refund.objects.exists()


def test_refunds_and_lost_disputes_above_the_capture_are_named(paid_order, anon_client, rsps):
    """A refund processed before the bank also returned the money: paid out twice."""
    razorpay.mock_disputes(rsps)
    payment = Payment.objects.get()
    Refund.objects.create(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        amount=Decimal("100.00"),
        currency="INR",
        status=RefundStatus.PROCESSED,
        reason="part refund",
        provider_refund_id="rfnd_X",
    )
    lost = razorpay.dispute_entity("pay_PAIDORDER", status="lost")
    assert deliver(anon_client, "payment.dispute.lost", lost).status_code == 200
    assert "over_returned" in breaches()
    Dispute.objects.update(resolution="goes_ahead")
    assert breaches() == {"over_returned"}
    Refund.objects.all().delete()  # the suite's audit after this test: leave it sound
    assert breaches() == set()


def test_a_dispute_of_a_payment_we_do_not_know_is_stored_flagged_and_told(
    anon_client, db, alerts, django_capture_on_commit_callbacks
):
    dispute = razorpay.dispute_entity("pay_NOTOURS")
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(anon_client, "payment.dispute.created", dispute).status_code == 200
    stored = Dispute.objects.get()
    assert stored.payment is None and stored.needs_attention
    assert WebhookEvent.objects.get().status == "PROCESSED"
    assert len(mail.outbox) == 1 and "unknown" in mail.outbox[0].body


def test_accepting_at_razorpay_calls_it_once_and_is_recorded(opened, staff, rsps):
    dispute = Dispute.objects.get()
    for _ in range(2):
        act(staff, "payments/dispute", "accept", dispute.pk, apply="1", confirm="on")
    dispute.refresh_from_db()
    assert (
        dispute.status == DisputeStatus.ACCEPTED and dispute.accepted_by.email == "ops@example.com"
    )
    assert [c.request.method for c in rsps.calls if c.request.url.endswith("/accept")] == ["POST"]
    assert dispute.amount_deducted == Decimal("200.00")
    assert dispute.payment.order.dispute_status == "ACCEPTED"
    act(staff, "payments/dispute", "let_go_ahead", dispute.pk)
    assert breaches() == set()


def test_contesting_at_razorpay_uploads_each_file_and_submits_their_ids(opened, staff, rsps):
    dispute = Dispute.objects.get()
    files = {
        "file_0": SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice", "application/pdf"),
        "file_1": SimpleUploadedFile("tracking.png", b"\x89PNG tracking", "image/png"),
    }
    act(
        staff, "payments/dispute", "contest", dispute.pk, apply="1", summary="Delivered.",
        submit="on", **files,
    )  # fmt: skip
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.UNDER_REVIEW and dispute.contested_by is not None
    assert len(razorpay.DOCUMENTS) == 2
    evidence = razorpay.DISPUTES[dispute.provider_dispute_id]["evidence"]
    assert evidence["action"] == "submit" and evidence["summary"] == "Delivered."
    assert len(evidence["others"][0]["document_ids"]) == 2


def test_contesting_at_stripe_uploads_the_file_and_submits_the_evidence(anon_client, staff, rsps):
    stripe.mock_disputes(rsps)
    payment = PaymentFactory(provider="stripe", state="paid")
    dispute = stripe.dispute_object(payment.provider_payment_id, amount=minor(payment))
    assert stripe_deliver(anon_client, "charge.dispute.created", dispute).status_code == 200
    recorded = Dispute.objects.get()
    assert recorded.status == DisputeStatus.OPEN and recorded.payment == payment
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf")
    signed = SimpleUploadedFile("signed.png", b"\x89PNG signature", "image/png")
    act(
        staff, "payments/dispute", "contest", recorded.pk, apply="1", summary="Shipped and signed.",
        submit="on", file_0=upload, file_1=signed,
    )  # fmt: skip
    recorded.refresh_from_db()
    assert recorded.status == DisputeStatus.UNDER_REVIEW
    evidence = stripe.DISPUTES[recorded.provider_dispute_id]["evidence"]
    assert evidence["uncategorized_text"] == "Shipped and signed."
    assert [upload["filename"] for upload in stripe.FILES.values()] == ["receipt.pdf", "signed.png"]
    assert evidence["uncategorized_file"].startswith("file_")
    assert evidence["service_documentation"].startswith("file_")
    assert (
        stripe_deliver(
            anon_client,
            "charge.dispute.closed",
            stripe.DISPUTES[recorded.provider_dispute_id] | {"status": "won"},
        ).status_code
        == 200
    )
    recorded.refresh_from_db()
    assert recorded.status == DisputeStatus.WON and breaches() == set()


def test_accepting_at_stripe_closes_it_there(anon_client, staff, rsps):
    stripe.mock_disputes(rsps)
    payment = PaymentFactory(provider="stripe", state="paid")
    dispute = stripe.dispute_object(payment.provider_payment_id, amount=minor(payment))
    stripe_deliver(anon_client, "charge.dispute.created", dispute)
    recorded = Dispute.objects.get()
    act(staff, "payments/dispute", "accept", recorded.pk, apply="1", confirm="on")
    recorded.refresh_from_db()
    assert recorded.status == DisputeStatus.ACCEPTED
    assert any(c.request.url.endswith("/close") for c in rsps.calls)
    act(staff, "payments/dispute", "cancel_what_it_bought", recorded.pk)
    assert breaches() == set()


def test_a_provider_refusal_is_shown_to_staff_not_a_500(opened, staff, rsps):
    razorpay.DISPUTES[opened["id"]]["status"] = "closed"  # Razorpay moved on meanwhile
    page = act(
        staff, "payments/dispute", "accept", Dispute.objects.get().pk, apply="1", confirm="on"
    )
    assert (
        page.status_code == 200 and "Only an open dispute can be accepted" in page.content.decode()
    )
    assert Dispute.objects.get().status == DisputeStatus.OPEN


def test_phonepe_disputes_are_entered_by_staff_and_count_the_same(staff):
    payment = PaymentFactory(provider="phonepe", state="paid")
    act(
        staff, "payments/payment", "record_dispute", payment.pk, apply="1",
        provider_dispute_id="PP-DSP-1", amount=str(payment.captured_amount), reason_code="not received",
    )  # fmt: skip
    dispute = Dispute.objects.get()
    assert dispute.status == DisputeStatus.OPEN and dispute.payment == payment
    act(staff, "payments/dispute", "record_lost", dispute.pk)
    dispute.refresh_from_db()
    assert (
        dispute.status == DisputeStatus.LOST and dispute.amount_deducted == payment.captured_amount
    )
    act(staff, "payments/dispute", "let_go_ahead", dispute.pk)
    assert breaches() == set()


def test_only_staff_allowed_to_change_disputes_can_act_on_them(opened, client):
    clerk = User.objects.create_user("clerk@example.com", "clerk-pass-123", is_staff=True)
    from django.contrib.auth.models import Permission

    clerk.user_permissions.add(Permission.objects.get(codename="view_dispute"))
    client.force_login(clerk)
    dispute = Dispute.objects.get()
    act(client, "payments/dispute", "accept", dispute.pk, apply="1", confirm="on")
    assert Dispute.objects.get().status == DisputeStatus.OPEN
    clerk.user_permissions.add(Permission.objects.get(codename="change_dispute"))
    act(client, "payments/dispute", "accept", dispute.pk, apply="1", confirm="on")
    assert Dispute.objects.get().status == DisputeStatus.ACCEPTED
    Dispute.objects.update(resolution="goes_ahead")


def test_open_disputes_show_as_metrics_and_on_the_health_page(opened, staff, settings):
    from tests.documented import DocumentedClient

    settings.METRICS_TOKEN = "scrape"
    metrics = DocumentedClient().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape")
    text = metrics.content.decode()
    assert "paycart_disputes_open 1.0" in text and "paycart_disputes_due_soon 0.0" in text
    page = staff.get("/admin/payment-health/").content.decode()
    assert "Disputes open: 1" in page and opened["id"] in page


def test_staff_are_emailed_once_more_when_a_deadline_is_near(opened, settings):
    from payments.tasks import alert_disputes_due_soon

    settings.DISPUTE_DUE_SOON_HOURS = 24 * 6  # the fake dispute is due in 5 days
    mail.outbox.clear()
    alert_disputes_due_soon()
    alert_disputes_due_soon()
    assert len(mail.outbox) == 1 and "due soon" in mail.outbox[0].subject


def test_reconciliation_asks_about_open_disputes_past_their_deadline(opened, rsps, staff):
    from payments.disputes.services import disputes_reconcile

    Dispute.objects.update(respond_by="2020-01-01T00:00:00Z")
    razorpay.DISPUTES[opened["id"]].update(status="lost", amount_deducted=20000)
    assert disputes_reconcile() == 1
    assert Dispute.objects.get().status == DisputeStatus.LOST
    act(staff, "payments/dispute", "let_go_ahead", Dispute.objects.get().pk)


def test_the_history_says_who_did_what(opened, staff):
    dispute = Dispute.objects.get()
    act(staff, "payments/dispute", "accept", dispute.pk, apply="1", confirm="on")
    lines = list(dispute.history.values_list("what", "by__email"))
    assert lines[-1] == ("accepted by staff", "ops@example.com")
    page = staff.get(f"/admin/payments/dispute/{dispute.pk}/change/").content.decode()
    assert "accepted by staff" in page
    act(staff, "payments/dispute", "let_go_ahead", dispute.pk)
    assert json.loads(json.dumps(breaches(), default=list)) == []


@pytest.mark.parametrize(
    ("provider", "events"),
    [
        (
            "razorpay",
            ["created", "under_review", "action_required", "won", "lost", "closed"],
        ),
        ("stripe", ["created", "updated", "closed", "funds_withdrawn", "funds_reinstated"]),
    ],
)
def test_every_dispute_event_of_each_provider_is_read_as_a_dispute(provider, events):
    from payments.gateways.registry import get_provider

    adapter = get_provider(provider)
    for name in events:
        if provider == "razorpay":
            event = f"payment.dispute.{name}"
            body = razorpay.dispute_webhook_body(event, razorpay.dispute_entity("pay_X"))
        else:
            event = f"charge.dispute.{name}"
            body = stripe.event_body(event, stripe.dispute_object("pi_X"))
        notice = adapter.read_webhook(body=body)
        assert notice.dispute is not None and notice.event_type == event


def test_the_list_puts_the_soonest_deadline_first_and_marks_the_overdue(staff):
    from datetime import timedelta

    from django.utils import timezone

    payment = PaymentFactory(provider="phonepe", state="paid")
    now = timezone.now()
    for name, days in (("LATER", 5), ("OVERDUE", -1), ("SOON", 1)):
        Dispute.objects.create(
            payment=payment, provider="phonepe", provider_dispute_id=name,
            amount=Decimal("1.00"), status="OPEN", respond_by=now + timedelta(days=days),
        )  # fmt: skip
    page = staff.get("/admin/payments/dispute/").content.decode()
    assert page.index("OVERDUE") < page.index("SOON") < page.index("LATER")
    assert page.count("overdue</strong>") == 1


def test_a_booking_answer_carries_its_dispute_status(staff, user, api):
    from bookings.models import Booking
    from tests.factories import booking_cart_of

    payment = PaymentFactory(cart=booking_cart_of(user), provider="phonepe", state="paid")
    booking = Booking.objects.get(payment=payment)
    assert api.get(f"/api/booking/bookings/{booking.pk}/").json()["dispute_status"] is None
    act(
        staff, "payments/payment", "record_dispute", payment.pk, apply="1",
        provider_dispute_id="PP-DSP-9", amount=str(payment.captured_amount),
    )  # fmt: skip
    assert api.get(f"/api/booking/bookings/{booking.pk}/").json()["dispute_status"] == "OPEN"
    act(staff, "payments/dispute", "record_won", Dispute.objects.get().pk)
    assert api.get(f"/api/booking/bookings/{booking.pk}/").json()["dispute_status"] == "WON"
