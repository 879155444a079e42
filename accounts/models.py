from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from config.personal_data import PersonalData, personal_data


class UserManager(BaseUserManager):
    """Emails are stored lower-cased and looked up case-insensitively."""

    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email.strip().lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # A guest (no account: a cart token) has a placeholder email of its own, so a person may
    # check out as a guest many times and register later; receipts go to contact_email.
    # Defaults in the database too: the release before this one still inserts users.
    is_guest = models.BooleanField(default=False, db_default=False, editable=False)
    contact_email = models.EmailField(blank=True, db_default="")
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def reach_email(self) -> str:
        """Where their receipts and notices go: the account's email, or a guest's contact."""
        return self.contact_email if self.is_guest else self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()


class Guest(models.Model):
    """A shopper without an account. Its User row (is_guest) owns its carts, payments,
    holds, orders and bookings exactly as an account would; the client proves it with the
    cart token, of which only the SHA-256 is kept."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="guest"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Guest {self.user_id}"


personal_data(
    PersonalData(
        "accounts.User",
        person="pk",
        # The email is unique: an erasure writes a placeholder (erased-<id>@erased.invalid).
        fields=("email", "first_name", "last_name", "phone", "contact_email"),
    )
)
