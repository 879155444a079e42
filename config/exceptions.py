"""Domain errors: what services raise when they refuse. They know nothing of HTTP; the API
layer's one exception handler (config/errors.py) maps each kind to its status and the
contract's {"error": ..., **extra} body. Extra keyword arguments are fields of that body."""


class DomainError(Exception):
    """A refusal explained in one sentence (its message), with optional extra fields."""

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.extra = extra


class Invalid(DomainError):
    """What was asked cannot be done as asked (an empty cart, a used-up coupon)."""


class Missing(DomainError):
    """There is no such thing for you: missing, or someone else's."""


class Conflict(DomainError):
    """It cannot be done now because of something else under way."""


class Unprocessable(DomainError):
    """The request contradicts an earlier one (an idempotency key reused for another body)."""


class TooMany(DomainError):
    """Fair use: more at once than one user may have (open checkouts holding stock); the
    `retry_after` field says in how many seconds one of them ends."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, retry_after=max(int(retry_after), 1))


class ProviderDown(DomainError):
    """The payment provider could not be reached or asked; the message says what to do."""


class RetryLater(DomainError):
    """The work could not be done now; a later delivery or retry will do it."""


class Unfulfillable(Invalid):
    """What was bought can no longer be supplied (stock gone, product removed, slot taken,
    coupon used up). Checkout refuses it; fulfilment after payment flags the payment for
    refund instead."""


class HeldElsewhere(Unfulfillable):
    """What was asked for exists, but another shopper's open checkout holds it until
    `held_until`. After payment it is unfulfillable like any other shortage."""

    def __init__(self, message: str, *, held_until):
        super().__init__(message)
        self.held_until = held_until


class ProviderTrouble(Exception):
    """Base of a provider adapter's errors: their messages are safe to log, not to show.
    One that escapes a service answers 502 with a generic sentence."""
