"""Jobs on a real Celery worker over a real Redis: a refund waits in the queue until a
worker picks it up; a task enqueued in a rolled-back transaction never reaches the queue."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from catalog.models import ProductVariant
from config.tasks import enqueue_on_commit
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from payments.tasks import send_refund
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.flows import create_payment
from tests.sandbox_checkout import pay_razorpay_without_webhook

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(
    redis_url: str, provider_origin: str, *, log=None, **extra_env
) -> subprocess.Popen:
    """A worker process; its output goes to `log` (an open file) when given."""
    env = (
        {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": redis_url,
            "TEST_PROVIDER_ORIGIN": provider_origin,
        }
        | extra_env
    )
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
    )  # fmt: skip


def wait_for(condition, seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_refund_waits_in_the_queue_until_a_worker_sends_it(
    sandbox_site, queue, redis_url, tmp_path
):
    shopper = client_for(UserFactory())
    variant = ProductVariant.objects.get(sku="DIYA-S")
    added = {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 1}
    assert shopper.post("/api/cart/items/", added, format="json").status_code == 201
    order_id = create_payment(shopper).json()["razorpay_order_id"]
    checkout = pay_razorpay_without_webhook(sandbox_site, order_id)
    ProductVariant.objects.filter(pk=variant.pk).update(stock=0)  # sold out meanwhile

    flagged = shopper.post(
        "/api/payments/verify/", checkout, format="json", HTTP_X_REQUEST_ID="req-refund-1"
    )
    assert flagged.status_code == 409 and flagged.json()["refunded"] is True
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.REQUESTED and refund.attempts == 0
    assert queue.llen("celery") == 1  # waiting for a worker

    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    with open(tmp_path / "worker.log", "w") as log:
        worker = start_worker(
            redis_url,
            sandbox_site,
            log=log,
            LOG_FORMAT="json",
            LOG_LEVEL="INFO",
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        )
        try:
            wait_for(lambda: Refund.objects.get().status == RefundStatus.PROCESSED)
            # …and the relay of its events, which its commit enqueued
            wait_for(lambda: queue.llen("celery") == 0)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    refund.refresh_from_db()
    assert refund.attempts == 1 and refund.provider_refund_id.startswith("rfnd_")
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert queue.llen("celery") == 0
    status = shopper.get(f"/api/payments/{refund.payment_id}/check-booking/").json()
    assert status["refund"]["status"] == "PROCESSED"

    # The worker's JSON lines carry the id of the request that enqueued the job.
    lines = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines()
             if line.startswith("{")]  # fmt: skip
    # (the refund's events were relayed by the worker too: outbound.tasks.relay_outbound)
    (finished,) = [line for line in lines if line["event"] == "task_finished"
                   and line["task"] == "payments.tasks.send_refund"]  # fmt: skip
    assert finished["task"] == "payments.tasks.send_refund" and finished["outcome"] == "succeeded"
    assert finished["request_id"] == "req-refund-1" and finished["queue_delay_ms"] > 0
    (settled,) = [line for line in lines if line["event"] == "refund_status_changed"]
    assert settled["request_id"] == "req-refund-1" and settled["status"] == "PROCESSED"
    # Its metrics are in its own file of the shared folder, as a scrape reads them.
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(metrics_dir))
    runs = {"task": "payments.tasks.send_refund", "outcome": "succeeded"}
    assert registry.get_sample_value("paycart_task_runs_total", runs) == 1
    delay = {"task": "payments.tasks.send_refund"}
    assert registry.get_sample_value("paycart_task_queue_delay_seconds_count", delay) == 1


def test_a_task_enqueued_in_a_rolled_back_transaction_never_reaches_the_queue(queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(send_refund, "00000000-0000-0000-0000-000000000000")
        raise RuntimeError("the request failed")
    assert queue.llen("celery") == 0
    with transaction.atomic():
        enqueue_on_commit(send_refund, "00000000-0000-0000-0000-000000000000")
    assert queue.llen("celery") == 1


def test_a_broker_outage_never_fails_a_paid_request_and_the_receipt_goes_out_later(
    rsps, queue, settings
):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from config.celery import app
    from orders.models import Order
    from payments.services.notifications import notifications_resend_unsent
    from tests.conftest import _point_celery_at
    from tests.factories import VariantFactory
    from tests.flows import add_to_cart, verify
    from tests.payments.gateways.razorpay.fakes import mock_order_create

    mock_order_create(rsps)
    shopper = client_for(UserFactory())
    add_to_cart(shopper, VariantFactory(price="100.00", stock=5), 1)
    order_id = create_payment(shopper).json()["razorpay_order_id"]
    _point_celery_at(app, broker_url="redis://127.0.0.1:1/0", eager=False)  # nobody there
    assert verify(shopper, order_id).status_code == 200
    order = Order.objects.get()
    assert order.receipt_sent_at is None and mail.outbox == []

    _point_celery_at(app, broker_url="", eager=True)  # the broker is back
    Order.objects.update(paid_at=timezone.now() - timedelta(minutes=15))
    assert notifications_resend_unsent() == 1
    assert notifications_resend_unsent() == 0
    assert len(mail.outbox) == 1
