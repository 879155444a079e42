"""Razorpay's client-side verify. Checkout's signature only binds a payment id to our
order; it proves no money was taken. So the payment is fetched from Razorpay (no lock
held), captured when it is only authorised and the settings say so, and only a capture
for this order goes on to the one fulfilment service, which checks amount and currency."""

from dataclasses import dataclass

from django.conf import settings

from config.exceptions import Invalid, Missing, ProviderDown

from ...gateways.base import Charge, ChargeState, InvalidSignature, ProviderFailure
from ...models import Payment
from ...money import to_minor
from ...services.fulfilment import Fulfilment, payment_fulfil
from ...services.transitions import payment_mark_failed
from . import GATEWAY
from .provider import razorpay_provider


@dataclass(frozen=True)
class AwaitingCapture:
    """Authorised, not captured: the payment.captured webhook will finish it."""

    payment: Payment


def _captured_charge(payment: Payment, provider_payment_id: str) -> Charge:
    provider = razorpay_provider()
    try:
        charge = provider.fetch_payment(provider_payment_id=provider_payment_id)
        if charge.state == ChargeState.AUTHORIZED and settings.RAZORPAY_CAPTURE_AUTHORIZED:
            charge = provider.capture_payment(
                provider_payment_id=provider_payment_id,
                amount=to_minor(payment.amount),
                currency=payment.currency,
            )
    except ProviderFailure as exc:
        raise ProviderDown("Razorpay could not confirm the payment; please retry.") from exc
    if charge.provider_order_id != payment.provider_order_id:
        raise Invalid("This Razorpay payment belongs to another order.")
    return charge


def payment_verify_razorpay(
    *, user, provider_order_id: str, provider_payment_id: str, signature: str
) -> Fulfilment | AwaitingCapture:
    payment = Payment.objects.filter(
        user=user, provider=GATEWAY.name, provider_order_id=provider_order_id
    ).first()
    if payment is None:
        raise Missing("Payment not found.")
    try:
        razorpay_provider().verify_checkout_signature(
            provider_order_id=provider_order_id,
            provider_payment_id=provider_payment_id,
            signature=signature,
        )
    except InvalidSignature as exc:
        raise Invalid("Invalid payment signature.") from exc
    if payment.fulfilled_at and payment.provider_payment_id == provider_payment_id:
        return Fulfilment(payment=payment)  # a repeated verify: Razorpay already confirmed it
    charge = _captured_charge(payment, provider_payment_id)
    if charge.state == ChargeState.AUTHORIZED:
        return AwaitingCapture(payment=payment)
    if charge.state == ChargeState.FAILED:
        payment_mark_failed(payment_id=payment.pk, reason=charge.reason or "payment failed")
        raise Invalid("Razorpay reports this payment as failed.")
    if charge.state != ChargeState.PAID:
        raise Invalid("Razorpay has not captured this payment yet; please retry shortly.")
    return payment_fulfil(payment_id=payment.pk, charge=charge)
