"""Event types, each declared by the app that emits it: a name, a version and its payload's
shape as a TypedDict (plain data, checked by mypy where the app builds it). Apps register
theirs at ready(), as gauges and health sections are, so outbound knows no app's names.
Every payload is checked against its type before it is written, and written as JSON the way
the REST API writes the same things (money as a string, times in ISO 8601); a key the type
does not declare is never sent. Each type's JSON Schema is published
(GET /api/events/schemas/, docs/events.md)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any

from django.utils import timezone
from pydantic import AfterValidator, TypeAdapter, WithJsonSchema

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
PAISE = Decimal("0.01")

# A payload's field types where JSON alone would not say it as the REST API does: money as a
# decimal string ("1180.00"), a time in the shop's time zone ("…T10:33:02+05:30").
Money = Annotated[
    Decimal,
    AfterValidator(lambda amount: amount.quantize(PAISE)),
    WithJsonSchema({"type": "string", "format": "decimal"}),
]
Moment = Annotated[datetime, AfterValidator(timezone.localtime)]


@dataclass(frozen=True)
class EventType:
    name: str  # "order.paid"
    payload: Any  # a TypedDict: the `data` of every event of this type
    description: str
    # Within a version a field is only ever added, never renamed, dropped or retyped.
    version: int = 1

    @cached_property
    def _adapter(self) -> TypeAdapter:
        return TypeAdapter(self.payload)

    @cached_property
    def payload_keys(self) -> frozenset[str]:
        """The keys its payload declares (required or not)."""
        return frozenset(self.payload.__annotations__)

    def data(self, payload: dict) -> dict:
        """`payload` as the event's JSON data; a ValueError (pydantic's ValidationError)
        naming the fields that are not of this type."""
        return self._adapter.dump_python(self._adapter.validate_python(payload), mode="json")

    @cached_property
    def schema(self) -> dict:
        """The JSON Schema every event's `data` of this type and version is valid against."""
        shape = self._adapter.json_schema(mode="serialization")
        return {
            "$schema": JSON_SCHEMA,
            "$id": f"urn:paycart:event:{self.name}:{self.version}",
            **shape,
            "title": f"{self.name} (version {self.version})",
            "description": self.description,
        }


_types: dict[str, EventType] = {}
# Every registered type's name, sorted: the API's enum of event types (complete once every
# app is ready; the OpenAPI schema names it EventTypeEnum).
EVENT_TYPE_NAMES: list[str] = []


def event_types_register(*types: EventType) -> None:
    for kind in types:
        if kind.name in _types and _types[kind.name] != kind:
            raise ValueError(f"Event type {kind.name!r} is declared twice")
        _types[kind.name] = kind
    EVENT_TYPE_NAMES[:] = sorted(_types)


def event_type(name: str) -> EventType | None:
    return _types.get(name)


def event_types() -> list[EventType]:
    return sorted(_types.values(), key=lambda kind: kind.name)
