"""Erasing a person: every declared table's personal fields, in short batches, except what
a law keeps (issued tax documents); amounts, states and numbers stay, so the money ledger
holds after any erasure."""

from datetime import timedelta

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import Guest, User
from config.exceptions import Conflict
from config.personal_data import PersonalData, personal_data_declared
from config.tasks import enqueue_on_commit
from waitlist.models import STANDING, WaitlistEntry
from waitlist.services import waitlist_leave

from .events import erased_event
from .models import Erasure, ErasureStatus
from .selectors import erasure_blockers

BATCH = 500  # rows per statement: no erasure holds a table's rows locked for long
# Keys inside a JSON payload that carry a person (an event's addresses, an invoice's buyer).
PERSONAL_KEYS = {
    "shipping_address", "billing_address", "provider_shipping_address", "buyer", "email",
    "phone", "contact", "customer",
}  # fmt: skip
MONEY_RECORDS = (
    "Payments, refunds, disputes, orders and bookings: their amounts, states, numbers and "
    "dates stay (books of account; the money ledger), with nothing personal left in them."
)


def erasure_request(*, user: User, asked_by: str, job: bool = True) -> Erasure:
    """Scheduled (run by a job, or by the caller with `job` False), or Conflict naming
    what is still open (409 `open`)."""
    if open_things := erasure_blockers(user.pk):
        raise Conflict("Something is still open: it must end first.", open=open_things)
    erasure = Erasure.objects.create(person_id=user.pk, asked_by=asked_by, kept=_kept_for(user.pk))
    if job:
        enqueue_on_commit("privacy.tasks.erase_person", str(erasure.pk))
    return erasure


def _kept_for(user_id: int) -> list[dict]:
    kept = [{"what": "money records", "why": MONEY_RECORDS}]
    for declared in personal_data_declared():
        if declared.kept_because:
            model = apps.get_model(declared.model)
            count = model.objects.filter(**{declared.person: user_id}).count()
            if count:
                name = model._meta.verbose_name_plural
                kept.append({"what": f"{count} {name}", "why": declared.kept_because})
    return kept


# An erasure still scheduled this long after it was asked for lost its job (a broker
# outage): beat runs it again.
UNFINISHED_AFTER = timedelta(minutes=10)


def erasures_finish_unfinished() -> int:
    due = Erasure.objects.filter(
        status=ErasureStatus.SCHEDULED, created_at__lt=timezone.now() - UNFINISHED_AFTER
    ).values_list("pk", flat=True)
    for erasure_id in list(due):
        erasure_run(erasure_id=str(erasure_id))
    return len(due)


def erasure_run(*, erasure_id: str) -> Erasure:
    """The erasure's job: safe to run again (what is erased stays erased)."""
    erasure = Erasure.objects.get(pk=erasure_id)
    if erasure.status == ErasureStatus.DONE:
        return erasure
    user_id = erasure.person_id
    for entry in WaitlistEntry.objects.filter(user_id=user_id, status__in=STANDING):
        waitlist_leave(entry=entry)  # an offer it holds passes on
    erased = {}
    for declared in personal_data_declared():
        if declared.person and not declared.kept_because:
            erased[declared.model] = _erase(declared, user_id)
    _account_closed(user_id)
    with transaction.atomic():
        erasure.status, erasure.done_at, erasure.erased = ErasureStatus.DONE, timezone.now(), erased
        erasure.save(update_fields=["status", "done_at", "erased"])
        erased_event(str(erasure.pk))
    return erasure


def _erase(declared: PersonalData, user_id: int) -> int:
    model = apps.get_model(declared.model)
    rows = model.objects.filter(**{declared.person: user_id}).order_by("pk")
    blank: dict[str, object] = {name: "" for name in declared.fields}
    blank |= {name: {} for name in declared.json_fields}
    if declared.model == User._meta.label:
        blank["email"] = f"erased-{user_id}@erased.invalid"  # unique: a placeholder
    count = 0
    last = None
    while True:
        batch = rows.filter(pk__gt=last) if last is not None else rows
        pks = list(batch.values_list("pk", flat=True)[:BATCH])
        if not pks:
            return count
        last = pks[-1]
        if blank:
            model.objects.filter(pk__in=pks).update(**blank)
        for name in declared.scrubbed_json_fields:
            _scrub_rows(model, pks, name)
        count += len(pks)


def _scrub_rows(model, pks: list, name: str) -> None:
    changed = []
    for row in model.objects.filter(pk__in=pks).only("pk", name):
        setattr(row, name, scrubbed(getattr(row, name)))
        changed.append(row)
    model.objects.bulk_update(changed, [name])


def scrubbed(value):
    """A JSON value with every personal key's value erased, everything else kept."""
    if isinstance(value, dict):
        return {k: None if k in PERSONAL_KEYS else scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrubbed(item) for item in value]
    return value


def _account_closed(user_id: int) -> None:
    """Sign-in refused and every token dead; a guest's cart token gone; admin's history
    names the row by its id only."""
    user = User.objects.get(pk=user_id)
    user.set_unusable_password()
    user.is_active = False
    user.save(update_fields=["password", "is_active"])
    Guest.objects.filter(user_id=user_id).delete()
    live = OutstandingToken.objects.filter(user_id=user_id, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in live], ignore_conflicts=True
    )
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user_id)
    ).update(object_repr=f"erased user {user_id}")
