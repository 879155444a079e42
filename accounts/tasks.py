from celery import shared_task

from config.tasks import retry_later

from .services import password_reset_send


@shared_task(bind=True, max_retries=5)
def send_password_reset(self, user_id: int) -> None:
    try:
        password_reset_send(user_id=user_id)
    except Exception as exc:  # a mail outage: try again later
        retry_later(self, exc)
