"""Settlements on PostgreSQL: what a provider paid out to the shop's bank, read from its
webhook and its API, matched line by line to our payments, refunds and disputes, and shown
as the bank statement shows it."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from payments.gateways.registry import get_provider
from payments.models import Payment, WebhookEvent
from settlements.models import Settlement, SettlementLine
from settlements.selectors import settlements_statement
from settlements.services import settlement_lines_record, settlement_store, settlements_reconcile
from tests.factories import PaymentFactory
from tests.payments.gateways.razorpay import fakes as razorpay
from tests.payments.gateways.stripe import fakes as stripe

from .conftest import fee_of, minor, payment_line

pytestmark = pytest.mark.django_db
DAY = "2026-12-03"


def rupees(paise: int) -> Decimal:
    return Decimal(paise) / 100


def announce(client, entity, capture, event_id=None):
    """Razorpay's settlement.processed, delivered and its job run."""
    with capture(execute=True):
        body = razorpay.settlement_webhook_body(entity)
        return razorpay.post_webhook(client, body, event_id=event_id)


def test_a_settlement_with_payments_a_refund_a_lost_dispute_and_an_adjustment_reconciles_to_the_paisa(
    day_of_money, razorpay_api, anon_client, django_capture_on_commit_callbacks
):
    money = day_of_money
    kept, refunded, disputed = money["kept"], money["refunded"], money["disputed"]
    refund_paise = minor(money["refund"].amount)
    lines = [
        payment_line(kept),
        payment_line(refunded),
        payment_line(disputed),
        razorpay.recon_line(money["refund"].provider_refund_id, "refund", refund_paise,
                            payment_id=refunded.provider_payment_id),
        razorpay.recon_line("disp_LOST1", "dispute", minor(disputed.captured_amount),
                            payment_id=disputed.provider_payment_id, dispute_id="disp_LOST1"),
        razorpay.recon_line("adj_GOODWILL", "adjustment", 1000, credit=1000),
    ]  # fmt: skip
    entity = razorpay.settle_at_razorpay(lines, day=DAY)

    answer = announce(anon_client, entity, django_capture_on_commit_callbacks)

    assert answer.status_code == 200
    settlement = settlements_statement().get()
    assert (settlement.provider_settlement_id, settlement.utr, settlement.status) == (
        entity["id"], entity["utr"], "processed",
    )  # fmt: skip
    assert timezone.localtime(settlement.settled_at).date().isoformat() == DAY
    paid = [minor(p.captured_amount) for p in (kept, refunded, disputed)]
    fees = [fee_of(amount) for amount in paid]
    assert settlement.gross == rupees(sum(paid))
    assert settlement.refunds == rupees(refund_paise) == money["refund"].amount
    assert settlement.disputes == disputed.captured_amount
    assert settlement.adjustments == Decimal("10.00")
    assert settlement.line_fees == settlement.fees == rupees(sum(fee for fee, _ in fees))
    assert settlement.line_tax == settlement.tax == rupees(sum(tax for _, tax in fees))
    expected_net = sum(paid) - sum(f for f, _ in fees) - refund_paise - paid[2] + 1000
    assert settlement.amount == settlement.net == rupees(expected_net)
    by_entity = {line.provider_entity_id: line for line in settlement.lines.all()}
    assert len(by_entity) == 6 and {line.flag for line in by_entity.values()} == {""}
    assert by_entity[kept.provider_payment_id].payment == kept
    assert by_entity[money["refund"].provider_refund_id].refund == money["refund"]
    assert by_entity[money["refund"].provider_refund_id].payment == refunded
    assert by_entity["disp_LOST1"].dispute == money["dispute"]
    assert by_entity["disp_LOST1"].payment == disputed
    assert by_entity["adj_GOODWILL"].payment is None
    call_command("audit_settlements", stdout=io.StringIO())  # nothing stands


def test_each_flag_is_raised_listed_by_the_audit_counted_and_shown(
    razorpay_api, staff, settings, rsps
):
    matched, short, held = (PaymentFactory(state="paid") for _ in range(3))
    old_unsettled, old_settled, recent, phonepe = (
        PaymentFactory(state="paid"), PaymentFactory(state="paid"), PaymentFactory(state="paid"),
        PaymentFactory(state="paid", provider="phonepe"),
    )  # fmt: skip
    six_days_ago = timezone.now() - timedelta(days=6)
    Payment.objects.filter(pk__in=[old_unsettled.pk, old_settled.pk, phonepe.pk]).update(
        completed_at=six_days_ago
    )
    Payment.objects.filter(pk=recent.pk).update(completed_at=timezone.now() - timedelta(days=4))
    razorpay.settle_at_razorpay(
        [
            payment_line(matched),
            payment_line(old_settled),
            razorpay.recon_line("pay_NOTOURS", "payment", 5000),
            razorpay.recon_line(short.provider_payment_id, "payment",
                                minor(short.captured_amount) - 100),
            razorpay.recon_line(held.provider_payment_id, "payment",
                                minor(held.captured_amount), on_hold=True, settled=False),
        ],
        day=DAY,
    )  # fmt: skip

    settlements_reconcile(days=[timezone.datetime.fromisoformat(DAY).date()])

    flags = dict(SettlementLine.objects.values_list("provider_entity_id", "flag"))
    assert flags == {
        matched.provider_payment_id: "", old_settled.provider_payment_id: "",
        "pay_NOTOURS": "unmatched", short.provider_payment_id: "amount_mismatch",
        held.provider_payment_id: "on_hold",
    }  # fmt: skip
    out = io.StringIO()
    with pytest.raises(CommandError, match="4 settlement findings"):
        call_command("audit_settlements", stdout=out)
    listed = out.getvalue()
    assert "unmatched: razorpay payment pay_NOTOURS 50.00" in listed
    assert f"amount_mismatch: razorpay payment {short.provider_payment_id}" in listed
    assert f"on_hold: razorpay payment {held.provider_payment_id}" in listed
    assert f"unsettled: razorpay payment {old_unsettled.provider_payment_id}" in listed
    for not_flagged in (old_settled, recent, phonepe, matched):
        assert f"unsettled: razorpay payment {not_flagged.provider_payment_id}" not in listed
    settings.METRICS_TOKEN = "scrape"
    text = staff.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape").content.decode()
    assert "paycart_settlement_lines_unmatched 1.0" in text
    assert "paycart_payments_unsettled 1.0" in text
    assert 'paycart_settlement_lines_flagged{flag="amount_mismatch"} 1.0' in text
    page = staff.get("/admin/payment-health/").content.decode()
    assert "Settlements to look at: 4" in page
    assert "pay_NOTOURS" in page and old_unsettled.provider_payment_id in page


def test_the_same_settlement_delivered_twice_and_pulled_again_changes_nothing(
    razorpay_api, anon_client, django_capture_on_commit_callbacks
):
    payment = PaymentFactory(state="paid")
    entity = razorpay.settle_at_razorpay([payment_line(payment)], day=DAY)
    first = announce(anon_client, entity, django_capture_on_commit_callbacks, event_id="evt_S1")
    before = list(SettlementLine.objects.values())
    again = announce(anon_client, entity, django_capture_on_commit_callbacks, event_id="evt_S1")
    settlements_reconcile(days=[timezone.datetime.fromisoformat(DAY).date()])
    assert first.status_code == again.status_code == 200
    assert WebhookEvent.objects.get(event_id="evt_S1").attempts == 2
    assert Settlement.objects.count() == 1
    after = list(SettlementLine.objects.values())
    assert [(x["id"], x["flag"], x["payment_id"]) for x in after] == [
        (x["id"], x["flag"], x["payment_id"]) for x in before
    ]
    assert len(after) == 1


def test_an_older_answer_never_takes_a_processed_settlement_back_and_a_failed_one_is_revisited(
    razorpay_api, anon_client, django_capture_on_commit_callbacks
):
    first, second = PaymentFactory(state="paid"), PaymentFactory(state="paid")
    processed = razorpay.settle_at_razorpay([payment_line(first)], day=DAY)
    announce(anon_client, processed, django_capture_on_commit_callbacks)
    # Out of order: Razorpay's API now answers an older state of it.
    razorpay.SETTLEMENTS[processed["id"]]["status"] = "created"
    settlements_reconcile(days=[timezone.datetime.fromisoformat(DAY).date()])
    assert Settlement.objects.get(provider_settlement_id=processed["id"]).status == "processed"

    failed = razorpay.settle_at_razorpay([payment_line(second)], day="2026-11-20", status="failed")
    announce(anon_client, failed, django_capture_on_commit_callbacks)
    assert Settlement.objects.get(provider_settlement_id=failed["id"]).status == "failed"
    razorpay.SETTLEMENTS[failed["id"]]["status"] = "processed"  # paid out again
    summary = settlements_reconcile(days=[timezone.datetime.fromisoformat(DAY).date()])
    assert summary.revisited == 1
    assert Settlement.objects.get(provider_settlement_id=failed["id"]).status == "processed"


def test_lines_pulled_before_their_settlement_are_linked_to_it_when_it_comes(razorpay_api):
    payment = PaymentFactory(state="paid")
    entity = razorpay.settle_at_razorpay([payment_line(payment)], day=DAY)
    gateway = get_provider("razorpay")
    report = gateway.fetch_settlement(provider_settlement_id=entity["id"])
    for page in gateway.settlement_lines(settlement=report):
        settlement_lines_record(provider="razorpay", reports=page)
    assert SettlementLine.objects.get().settlement is None
    settlement_store(provider="razorpay", report=report)
    assert SettlementLine.objects.get().settlement.provider_settlement_id == entity["id"]


def test_a_razorpay_day_of_more_than_one_page_is_read_page_by_page(razorpay_api):
    payment = PaymentFactory(state="paid")
    lines = [payment_line(payment)] + [
        razorpay.recon_line(f"pay_OTHER{n:05d}", "payment", 10000, fee=236, tax=36)
        for n in range(1500)
    ]
    razorpay.settle_at_razorpay(lines, day=DAY)
    summary = settlements_reconcile(days=[timezone.datetime.fromisoformat(DAY).date()])
    recon = [q for q in razorpay_api if "skip" in q]
    assert [(q["count"], q["skip"]) for q in recon] == [("1000", "0"), ("1000", "1000")]
    assert summary.lines == 1501 == SettlementLine.objects.count()
    assert settlements_statement().get().net == settlements_statement().get().amount


def test_a_stripe_payout_is_read_from_its_balance_transactions_over_pages(
    stripe_api, anon_client, django_capture_on_commit_callbacks
):
    payment = PaymentFactory(state="paid", provider="stripe")
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id="pi_PAIDINTENT")
    amount = minor(payment.captured_amount)
    fee, tax = fee_of(amount)
    txns = [stripe.charge_txn("pi_PAIDINTENT", amount, fee=fee, tax=tax)] + [
        stripe.charge_txn(f"pi_ELSEWHERE{n}", 5000, fee=118, tax=18) for n in range(120)
    ]
    payout = stripe.pay_out_at_stripe(txns, arrival=int(timezone.now().timestamp()))
    with django_capture_on_commit_callbacks(execute=True):
        body = stripe.event_body("payout.paid", payout)
        assert stripe.post_event(anon_client, body).status_code == 200

    lists = [q for q in stripe_api if q.get("payout")]
    assert len(lists) == 2 and lists[1]["starting_after"] == txns[99]["id"]
    settlement = settlements_statement().get()
    assert (settlement.provider_settlement_id, settlement.utr) == (
        payout["id"],
        payout["trace_id"]["value"],
    )
    assert settlement.lines.count() == 121  # the payout's own transaction is not a line
    assert settlement.net == settlement.amount == rupees(payout["amount"])
    assert settlement.tax == rupees(tax + 120 * 18)
    ours = settlement.lines.get(provider_entity_id="pi_PAIDINTENT")
    assert (ours.payment_id, ours.flag, ours.fee, ours.tax) == (
        payment.pk, "", rupees(fee), rupees(tax),
    )  # fmt: skip
    assert settlement.lines.filter(flag="unmatched").count() == 120


def test_reconcile_settlements_reads_the_days_asked_and_beat_runs_it_daily(
    razorpay_api, stripe_api, settings
):
    settings.SETTLEMENT_LOOKBACK_DAYS = 3
    out = io.StringIO()
    call_command("reconcile_settlements", "--date", "2026-12-03", "--days", "2", stdout=out)
    days = {(q["month"], q["day"]) for q in razorpay_api}
    assert days == {("12", "2"), ("12", "3")}
    assert "Days 2026-12-02…2026-12-03" in out.getvalue()
    razorpay_api.clear()
    call_command("reconcile_settlements", stdout=io.StringIO())
    assert len({q["day"] for q in razorpay_api}) == 3
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reconcile_settlements", "--date", "03-12-2026")
    with pytest.raises(CommandError, match="between 1 and 366"):
        call_command("reconcile_settlements", "--days", "0")
    from config.celery import app

    entry = next(
        e for e in app.conf.beat_schedule.values()
        if e["task"] == "settlements.tasks.reconcile_settlements"
    )  # fmt: skip
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {30})


def test_a_provider_that_cannot_be_reached_is_reported_and_the_others_still_pulled(
    razorpay_api, rsps, settings
):
    import re

    import responses

    rsps.add(responses.GET, re.compile(r".*/v1/payouts\?.*"), status=503)
    payment = PaymentFactory(state="paid")
    razorpay.settle_at_razorpay([payment_line(payment)], day=DAY)
    with pytest.raises(CommandError, match="Not pulled: stripe"):
        call_command("reconcile_settlements", "--date", DAY, stdout=io.StringIO())
    assert SettlementLine.objects.get().payment == payment


def test_every_settlement_event_is_read_and_a_failed_payout_recorded_as_failed(
    stripe_api, razorpay_api, anon_client, django_capture_on_commit_callbacks
):
    from payments.providers.razorpay.settlements import SETTLEMENT_EVENTS as RAZORPAY_EVENTS
    from payments.providers.stripe.settlements import SETTLEMENT_EVENTS as STRIPE_EVENTS
    from settlements.selectors import settlement_providers

    assert {"settlement.processed"} == RAZORPAY_EVENTS
    assert {"payout.paid", "payout.failed", "payout.reconciliation_completed"} == STRIPE_EVENTS
    payout = stripe.pay_out_at_stripe([], arrival=int(timezone.now().timestamp()), status="failed")
    for event in sorted(STRIPE_EVENTS):
        with django_capture_on_commit_callbacks(execute=True):
            body = stripe.event_body(event, payout)
            assert stripe.post_event(anon_client, body).status_code == 200
    assert Settlement.objects.get().status == "failed"
    assert WebhookEvent.objects.filter(provider="stripe", status="PROCESSED").count() == 3
    # Without Razorpay's event id header, the settlement's id keeps deliveries apart.
    entity = razorpay.settle_at_razorpay([], day=DAY, amount=0)
    with django_capture_on_commit_callbacks(execute=True):
        body = razorpay.settlement_webhook_body(entity)
        answer = anon_client.post(
            "/api/payments/webhook/razorpay/", body, content_type="application/json",
            HTTP_X_RAZORPAY_SIGNATURE=razorpay.sign_webhook(body),
        )  # fmt: skip
    assert answer.status_code == 200
    assert WebhookEvent.objects.filter(event_id=f"settlement.processed:{entity['id']}").exists()
    assert settlement_providers() == ["razorpay", "stripe"]  # PhonePe has no settlement API


def test_a_settlement_event_that_names_no_settlement_is_acknowledged_and_kept(anon_client):
    body = b'{"entity": "event", "event": "settlement.processed", "payload": {}}'
    answer = anon_client.post(
        "/api/payments/webhook/razorpay/", body, content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE=razorpay.sign_webhook(body),
    )  # fmt: skip
    assert answer.status_code == 200  # signed: Razorpay would only send it again
    assert WebhookEvent.objects.get().signature_valid
    assert not Settlement.objects.exists()
