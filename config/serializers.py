"""Input pieces every API shares, so a rule about what clients may send lives once."""

import re
from collections.abc import Mapping
from datetime import datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_ID = 2**63 - 1  # PostgreSQL bigint: a larger id can name nothing
SLOT_TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p", "%I%p"]


class Input(serializers.Serializer):
    """Base of every input serializer: an optional field sent as null or "" is simply
    not given (the frontends send both for "nothing here")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not field.required:  # so the schema says null and "" are accepted
                field.allow_null = True
                if isinstance(field, serializers.CharField):
                    field.allow_blank = True

    def _given(self, key: str, value) -> bool:
        field = self.fields.get(key)
        return field is None or field.required or not (value is None or value == "")

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            data = {key: value for key, value in data.items() if self._given(key, value)}
        return super().to_internal_value(data)


class WholeNumberField(serializers.IntegerField):
    """ASCII digits only: int() also reads "١٢" and "¹", which no client means."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not data.strip().isascii()):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(WholeNumberField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field({"type": "string", "example": "6:30 PM"})
class SlotTimeField(serializers.TimeField):
    """A time of day as the booking frontends send it: "10:00", "10:00:00", "6:30 PM",
    "07:15 pm". Seconds are dropped, so one slot is one slot whatever its spelling."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=SLOT_TIME_FORMATS, **kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            value = re.sub(r"\s+", " ", value.strip())
        return super().to_internal_value(value).replace(second=0, microsecond=0)


def local_iso(moment: datetime | None) -> str | None:
    """A timestamp as every answer shows it: ISO 8601 in the TIME_ZONE setting."""
    return serializers.DateTimeField().to_representation(moment) if moment else None


class ErrorOutput(serializers.Serializer):
    """Every error answer: one clear sentence, and what else the error says."""

    error = serializers.CharField()
    details = serializers.DictField(
        required=False, help_text="DRF's field errors, when the input did not validate"
    )
    held_until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="409 of a hold: when what is held is free again if not paid first",
    )
    retry_after = serializers.IntegerField(
        required=False,
        help_text="429 of too many checkouts, 409 of a request still running: seconds to wait "
        "before trying again (also the Retry-After header)",
    )
