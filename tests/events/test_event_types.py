"""Every event type is declared by the app that emits it and published with its JSON
Schema (GET /api/events/schemas/ for staff, docs/events.md); every event the flows send
carries its version and is valid against that schema; and where an event and a REST answer
describe the same thing, their shared fields have the same types."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from orders.services import order_advance
from outbound.models import Event
from outbound.published import events_page
from outbound.registry import event_type, event_types
from outbound.services import event_record
from tests.conftest import client_for
from tests.factories import BookingFactory, OrderFactory, PaymentFactory, RefundFactory, UserFactory
from tests.outbound.test_events import dispute_opened_and_lost, settled_at_razorpay

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
ALL = [
    "booking.cancelled", "booking.confirmed", "credit_note.issued", "dispute.closed",
    "dispute.opened", "invoice.issued", "order.cancelled", "order.paid", "order.refunded",
    "order.status_changed", "payment.failed", "person.erased", "refund.failed",
    "refund.processed", "settlement.reconciled", "waitlist.offered",
]  # fmt: skip
# Each event type and the REST answer (an OpenAPI component) describing the same thing.
# Disputes and settlements have none: staff see them in admin.
REST_ANSWERS = {
    "order.paid": "OrderOutput", "order.cancelled": "OrderOutput",
    "order.refunded": "OrderOutput", "order.status_changed": "OrderOutput",
    "booking.confirmed": "BookingOutput", "booking.cancelled": "BookingOutput",
    "refund.processed": "RefundStateOutput", "refund.failed": "RefundStateOutput",
    "payment.failed": "PaymentOrderOutput",
    "invoice.issued": "DocumentOutput", "credit_note.issued": "DocumentOutput",
}  # fmt: skip


def offer_a_freed_place() -> None:
    """A full slot, a devotee waiting for it, its booking cancelled: the place is offered."""
    from payments.services.devotee_cancel import booking_cancel_by_owner
    from waitlist.services import waitlist_join, waitlist_offer_freed_places

    full = BookingFactory()
    slot = {"selected_date": full.selected_date, "selected_time": full.selected_time}
    waitlist_join(
        user=UserFactory(), contact=None, puja_service_id=full.puja_service_id,
        package_id=full.package_id, **slot,
    )  # fmt: skip
    booking_cancel_by_owner(user=full.user, booking_id=full.pk)
    assert waitlist_offer_freed_places() == 1


def erase_someone() -> None:
    from privacy.services import erasure_request, erasure_run

    erasure = erasure_request(user=UserFactory(), asked_by="the person", job=False)
    erasure_run(erasure_id=str(erasure.pk))


def staff_who_read_events():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_event"))
    return client_for(user)


def test_staff_read_every_event_types_schema_and_nobody_else_does():
    answer = staff_who_read_events().get("/api/events/schemas/")
    assert answer.status_code == 200
    assert [kind["type"] for kind in answer.json()] == ALL
    for kind in answer.json():
        assert kind["version"] == 1 and kind["description"]
        Draft202012Validator.check_schema(kind["schema"])
        assert kind["schema"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    refused = client_for(UserFactory()).get("/api/events/schemas/")
    assert refused.status_code == 403 and "error" in refused.json()


def test_the_published_page_is_the_registrys():
    assert (ROOT / "docs/events.md").read_text() == events_page(), (
        "docs/events.md is stale: python manage.py event_schemas --out docs/events.md"
    )


@pytest.mark.ledger_breach("refund_failed")  # a refused refund is owed until staff act
def test_every_event_the_flows_send_carries_its_version_and_is_valid(rsps):
    paid = PaymentFactory(state="paid")  # order.paid, invoice.issued
    RefundFactory(payment=paid, state="processed")  # order.refunded, refund.processed, note
    RefundFactory(state="failed")
    PaymentFactory(state="failed")
    OrderFactory(state="cancelled")
    BookingFactory(state="CANCELLED")  # booking.confirmed, then booking.cancelled
    shipped = PaymentFactory(state="paid").order
    order_advance(order_id=shipped.pk, to_status="awaiting_shipment", changed_by=None)
    disputed = PaymentFactory(state="paid")
    dispute_opened_and_lost(disputed)
    settled_at_razorpay(rsps, disputed)
    offer_a_freed_place()  # waitlist.offered
    erase_someone()  # person.erased
    schemas = {kind.name: kind.schema for kind in event_types()}
    for event in Event.objects.all():
        envelope = event.envelope
        assert envelope["version"] == event_type(event.type).version == 1
        validator = Draft202012Validator(
            schemas[event.type], format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        assert not list(validator.iter_errors(envelope["data"])), event.type
    assert sorted(set(Event.objects.values_list("type", flat=True))) == ALL


def _resolved(schema: dict, defs: dict) -> tuple[str | None, str | None, bool]:
    """(JSON type, format, nullable) of an event's or an OpenAPI field's schema."""
    if "$ref" in schema:
        return _resolved(defs[schema["$ref"].split("/")[-1]], defs)
    if "allOf" in schema:
        kind, shape, _ = _resolved(schema["allOf"][0], defs)
        return kind, shape, bool(schema.get("nullable"))
    if "anyOf" in schema:
        kinds = [_resolved(choice, defs) for choice in schema["anyOf"]]
        real = [k for k in kinds if k[0] != "null"]
        return real[0][0], real[0][1], len(real) < len(kinds)
    return schema.get("type"), schema.get("format"), bool(schema.get("nullable"))


def _disagreements(event: dict, rest: dict, event_defs: dict, rest_defs: dict, at: str) -> list:
    found = []
    event_fields = event.get("properties", {})
    rest_fields = rest.get("properties", {})
    for name in sorted(set(event_fields) & set(rest_fields)):
        mine, theirs = event_fields[name], rest_fields[name]
        kind, shape, nullable = _resolved(mine, event_defs)
        rest_kind, rest_shape, rest_nullable = _resolved(theirs, rest_defs)
        if rest_kind is None:  # the REST answer says "any JSON"
            continue
        if (kind, nullable) != (rest_kind, rest_nullable) or (
            shape and rest_shape and shape != rest_shape
        ):
            found.append(
                (f"{at}.{name}", (kind, shape, nullable), (rest_kind, rest_shape, rest_nullable))
            )
        elif kind == "array":
            items = mine.get("items", {})
            rest_items = theirs.get("items", {})
            found += _disagreements(
                event_defs.get(items.get("$ref", "").split("/")[-1], items),
                rest_defs.get(rest_items.get("$ref", "").split("/")[-1], rest_items),
                event_defs, rest_defs, f"{at}.{name}[]",
            )  # fmt: skip
    return found


def test_each_events_fields_agree_with_the_rest_answer_of_the_same_thing():
    openapi = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for name, component in REST_ANSWERS.items():
        schema = event_type(name).schema
        shared = set(schema["properties"]) & set(openapi[component]["properties"])
        assert len(shared) >= 4, (name, shared)
        assert (
            _disagreements(schema, openapi[component], schema.get("$defs", {}), openapi, name) == []
        )


def test_a_payload_not_of_its_type_is_logged_and_sent_never_undoing_the_change(settings, caplog):
    """Outside the tests (OUTBOUND_EVENTS_STRICT off) a payload bug must not roll back the
    paid order it reports: it is logged naming the fields, without their values, and sent
    with only the keys its type declares."""
    settings.OUTBOUND_EVENTS_STRICT = False
    event = event_record(type="order.paid", data={"id": "forty-two", "secret": "s3cret"})
    # Sent with what its type declares, never an undeclared key (personal data, a token).
    assert Event.objects.get().data == {"id": "forty-two"} == event.data
    (record,) = [r for r in caplog.records if r.msg == "event_payload_not_of_its_type"]
    assert record.type == "order.paid" and "id" in record.fields and "items" in record.fields
    assert "forty-two" not in caplog.text and "s3cret" not in caplog.text
    settings.OUTBOUND_EVENTS_STRICT = True
    with pytest.raises(ValueError, match="OrderPayload"):
        event_record(type="order.paid", data={"id": 42})
