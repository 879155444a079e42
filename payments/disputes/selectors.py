from django.db.models import QuerySet

from ..models import OPEN_DISPUTE_STATUSES, Dispute


def disputes_open() -> QuerySet[Dispute]:
    """Open and under review, soonest deadline first (those with none last)."""
    return Dispute.objects.filter(status__in=OPEN_DISPUTE_STATUSES).select_related("payment")
