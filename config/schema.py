from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

# Times of day are the temple's local wall-clock times, without an offset: RFC 3339's
# `format: time` would demand one.
LOCAL_TIME = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "10:00:00"}


class AutoSchema(SpectacularAutoSchema):
    """Views keep their input serializer nested as `InputSerializer`; name its schema
    component after the view (`VerifyApiInput`) so the components do not collide."""

    def get_serializer_name(self, serializer, direction):
        qualname = type(serializer).__qualname__
        if "." in qualname:
            return qualname.replace(".", "").removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and isinstance(field, serializers.TimeField):
            return _local_times(schema)
        return schema


def _local_times(schema):
    """`schema` with each RFC 3339 time (also where it is one choice of a nullable anyOf)
    read as a local time."""
    if isinstance(schema, dict):
        if schema.get("format") == "time":
            return {**{k: v for k, v in schema.items() if k != "format"}, **LOCAL_TIME}
        return {key: _local_times(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_local_times(item) for item in schema]
    return schema


ERROR_RESPONSE = {
    "description": "An error: one clear sentence in `error`",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOutput"}}},
}


def document_errors(result, generator, request, public):
    """Every operation may answer an error the one exception handler shapes (401 without
    a token, 404, 405, 429, a 5xx of a provider): say so, with its body, wherever an
    operation does not describe a status itself."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                for wildcard in ("4XX", "5XX"):
                    operation["responses"].setdefault(wildcard, ERROR_RESPONSE)
    return result
