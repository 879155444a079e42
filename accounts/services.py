from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from config.exceptions import Invalid
from config.tasks import enqueue_on_commit

from .models import User


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise Invalid(f"Password is too weak: {' '.join(exc.messages)}") from exc


def user_register(
    *, email: str, password: str, first_name: str, last_name: str, phone: str = ""
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Invalid("This email is already registered.")
    _check_password(
        password, User(email=email, first_name=first_name, last_name=last_name, phone=phone)
    )
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, password, first_name=first_name, last_name=last_name, phone=phone
            )
    except IntegrityError as exc:  # a concurrent registration of the same email won
        raise Invalid("This email is already registered.") from exc


def customer_get_or_create(*, email: str, name: str = "", phone: str = "") -> User:
    """Whom staff take a phone booking for: the account with this email (in any case), or
    a new one with no usable password (they set one through the password reset)."""
    email = email.strip().lower()
    if user := User.objects.filter(email__iexact=email).first():
        return user
    first_name, _, last_name = name.strip().partition(" ")
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, None, first_name=first_name, last_name=last_name.strip(), phone=phone
            )
    except IntegrityError:  # created meanwhile (two links for one new customer at once)
        return User.objects.get(email__iexact=email)


def password_reset_request(*, email: str) -> None:
    """Email a one-time reset link when the address is an active account's; say nothing
    either way (the API answers alike, so nobody learns who has an account)."""
    from .tasks import send_password_reset

    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None:
        enqueue_on_commit(send_password_reset, user.pk)


def password_reset_send(*, user_id: int) -> None:
    """The token is made when the email goes out: Django's generator binds it to the
    password and last login of that moment, so it works once and for
    PASSWORD_RESET_TIMEOUT."""
    user = User.objects.get(pk=user_id)
    query = urlencode(
        {
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
    )
    link = f"{settings.FRONTEND_BASE_URL}/reset-password?{query}"
    hours = max(settings.PASSWORD_RESET_TIMEOUT // 3600, 1)
    send_mail(
        "Set your paycart password",
        f"Open this link to set a new password (it works once, for {hours} hour(s)):\n\n{link}\n\n"
        "If you did not ask for it, ignore this email: your password stays as it is.",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set the password a valid reset link asks for, once; every session signed in before
    is signed out (its refresh tokens blacklisted)."""
    refused = Invalid("This password reset link is invalid, used or expired.")
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uid))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist) as exc:
        raise refused from exc
    if not default_token_generator.check_token(user, token):
        raise refused
    _check_password(new_password, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not default_token_generator.check_token(user, token):  # used meanwhile
            raise refused
        user.set_password(new_password)
        user.save(update_fields=["password"])
        signed_in = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=refresh) for refresh in signed_in], ignore_conflicts=True
        )
    return user
