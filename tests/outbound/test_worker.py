"""The relay as a job on a real Celery worker over a real Redis: an event's commit enqueues
it; the worker delivers the event, signed."""

import pytest
from django.db import transaction

from outbound.models import Delivery
from outbound.services import event_record
from tests.jobs.test_celery_worker import start_worker, wait_for

from .conftest import verified

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_events_commit_enqueues_the_relay_and_a_worker_delivers_it(
    queue, redis_url, receiver, tmp_path
):
    endpoint = receiver.endpoint()
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record(type="test.noted", data={"id": 1})
        raise RuntimeError("the change failed")
    assert queue.llen("celery") == 0 and not Delivery.objects.exists()
    with transaction.atomic():
        event = event_record(type="test.noted", data={"id": 2})
    assert queue.llen("celery") == 1  # waiting for a worker
    with open(tmp_path / "worker.log", "w") as log:
        worker = start_worker(redis_url, receiver.url, log=log, OUTBOUND_ALLOW_PRIVATE_TARGETS="1")
        try:
            wait_for(lambda: Delivery.objects.get().status == "delivered")
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    [got] = receiver.at("/ok")
    assert verified(got, endpoint.secret)["data"] == {"id": 2}
    assert got.headers["webhook-id"] == event.public_id
