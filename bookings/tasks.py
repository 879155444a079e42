from celery import shared_task

from config.tasks import retry_later

from .notifications import booking_cancellation_send, booking_confirmation_send


@shared_task(bind=True, max_retries=8)
def send_booking_confirmation(self, booking_id: int) -> None:
    try:
        booking_confirmation_send(booking_id=booking_id)
    except Exception as exc:  # a mail outage: try again later
        retry_later(self, exc)


@shared_task(bind=True, max_retries=8)
def send_booking_cancellation(self, booking_id: int) -> None:
    try:
        booking_cancellation_send(booking_id=booking_id)
    except Exception as exc:  # a mail outage: try again later
        retry_later(self, exc)
