from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from config.exceptions import Invalid

from .models import User


def user_register(
    *, email: str, password: str, first_name: str, last_name: str, phone: str = ""
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Invalid("This email is already registered.")
    candidate = User(email=email, first_name=first_name, last_name=last_name, phone=phone)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise Invalid(f"Password is too weak: {' '.join(exc.messages)}") from exc
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, password, first_name=first_name, last_name=last_name, phone=phone
            )
    except IntegrityError as exc:  # a concurrent registration of the same email won
        raise Invalid("This email is already registered.") from exc
