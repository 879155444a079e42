"""A provider's settlement webhook, heard from payments: the settlement is pulled by a job
once the delivery's row is committed (a webhook answers fast; the pull may read pages)."""

from config.tasks import enqueue_on_commit

from .tasks import pull_settlement


def settlement_pull_when_announced(*, provider: str, provider_settlement_id: str, **_) -> None:
    enqueue_on_commit(pull_settlement, provider, provider_settlement_id)
