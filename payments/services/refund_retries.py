"""What staff do with a refund that failed: retry it, as a new attempt with a new
idempotency key (the provider would refuse the old key again), or give it up with a
reason when the money went back another way. A failed attempt is retried once; the retry
asks for no more than is still left of the capture, so a retry never refunds twice what
another refund has returned meanwhile."""

from django.db import transaction
from django.utils import timezone

from ..gateways.base import ProviderFailure
from ..gateways.registry import get_provider
from ..models import Payment, Refund, RefundStatus
from .money_back import RefundRefused, money_back_of, refund_attempt, returnable_left
from .refunds import refund_check_with_provider, refund_record


def _retryable(refund: Refund) -> None:
    if refund.status != RefundStatus.FAILED:
        raise RefundRefused(f"Only a failed refund can be retried; this one is {refund.status}.")
    if refund.given_up_at is not None:
        raise RefundRefused("This refund was given up; it is not retried.")
    if Refund.objects.filter(retry_of=refund).exists():
        raise RefundRefused("This refund was retried already; retry its newest attempt.")


def _confirmed_failed(refund: Refund) -> Refund:
    """The failed attempt as its provider sees it now, asked outside any lock: by the
    provider's refund id when it gave one, else by our id among the payment's refunds (a
    refusal may still have gone through). A new attempt is sent only once the provider
    confirms this one failed or never existed, so the money never goes out twice."""
    try:
        if refund.provider_refund_id:
            return refund_check_with_provider(refund)
        found = get_provider(refund.payment.provider).find_refund(
            reference=str(refund.pk), provider_payment_id=refund.provider_payment_id
        )
    except ProviderFailure as exc:
        raise RefundRefused(
            "The provider could not confirm that this refund failed; retry later."
        ) from exc
    if found is None:  # the provider never made it: nothing of it can come back later
        return refund
    return refund_record(refund_id=refund.pk, result=found)


def refund_retry(*, refund_id, staff) -> Refund:
    """A new attempt for a failed refund, once the provider confirms the failed attempt
    failed; the failed attempt itself when its provider says it did not fail after all
    (it is recorded as the provider says, and nothing is sent)."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    _retryable(refund)
    refund = _confirmed_failed(refund)
    if refund.status != RefundStatus.FAILED:
        return refund
    with transaction.atomic():  # payment, then refund: the order every money path locks in
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        _retryable(refund)
        left = returnable_left(payment, refund.provider_payment_id)
        if left <= 0:
            raise RefundRefused(
                "Nothing is left to refund: other refunds have returned this money since."
            )
        return refund_attempt(
            payment=payment,
            amount=min(refund.amount, left),
            reason=refund.reason,
            staff=staff,
            provider_payment_id=refund.provider_payment_id,
            retry_of=refund,
        )


def refund_give_up(*, refund_id, staff, reason: str) -> Refund:
    """Staff close a failed refund that will not be retried (returned by bank transfer,
    say), saying why; the ledger then counts its money as returned another way."""
    if not reason.strip():
        raise RefundRefused("Say why this refund is given up.")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(refunds=refund_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        _retryable(refund)
        figure = money_back_of(payment, refund.provider_payment_id)
        if refund.amount > figure.left:
            # Given up, it would count as returned on top of what went back since.
            raise RefundRefused(
                f"Only {max(figure.left, 0)} of this refund is still owed (the bank returned "
                f"{figure.taken_by_disputes} through a dispute): retry it for that instead."
            )
        refund.given_up_at = timezone.now()
        refund.given_up_by = staff
        refund.given_up_reason = reason.strip()[:255]
        refund.save(update_fields=["given_up_at", "given_up_by", "given_up_reason", "updated_at"])
    return refund
