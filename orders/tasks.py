from celery import shared_task

from config.tasks import retry_later

from .receipts import order_cancellation_send, receipt_send


@shared_task(bind=True, max_retries=8)
def send_receipt(self, order_id: int) -> None:
    try:
        receipt_send(order_id=order_id)
    except Exception as exc:  # a mail outage: try again later
        retry_later(self, exc)


@shared_task(bind=True, max_retries=8)
def send_order_cancellation(self, order_id: int) -> None:
    try:
        order_cancellation_send(order_id=order_id)
    except Exception as exc:  # a mail outage: try again later
        retry_later(self, exc)
