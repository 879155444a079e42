"""The event types as integrators read them: docs/events.md, written from the registry by
`manage.py event_schemas` (a test keeps the committed page equal to it)."""

import json

from .registry import EventType, event_types

INTRO = """# Outbound events

<!-- Written by `python manage.py event_schemas --out docs/events.md`; do not edit. -->

Every event is `{"id": "evt_…", "type", "version", "created_at", "data"}`, signed as
Standard Webhooks says ([api.md](api.md#outbound-events-webhooks-to-the-shops-own-systems)).
Each type's `data` is valid against its JSON Schema below (also served to staff at
`GET /api/events/schemas/`). Within a version a field is only ever added: never renamed,
dropped or given another type; receivers ignore fields they do not know. Money is a decimal
string (`"1180.00"`), times are ISO 8601 in the shop's time zone.
"""


def _type_of(schema: dict, defs: dict) -> str:
    if "$ref" in schema:
        return _type_of(defs[schema["$ref"].split("/")[-1]], defs)
    if "anyOf" in schema:
        return " or ".join(_type_of(choice, defs) for choice in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type_of(schema['items'], defs)}"
    if schema.get("type") == "object":
        return "object (" + ", ".join(schema.get("properties", {})) + ")"
    return schema.get("format", schema.get("type", "any"))


def _section(kind: EventType) -> str:
    schema = kind.schema
    defs, required = schema.get("$defs", {}), set(schema.get("required", []))
    rows = "\n".join(
        f"| `{name}` | {_type_of(field, defs)} | {'yes' if name in required else 'no'} |"
        for name, field in schema["properties"].items()
    )
    return (
        f"## `{kind.name}` (version {kind.version})\n\n{kind.description}\n\n"
        f"| field | type | always there |\n|---|---|---|\n{rows}\n\n"
        f"<details><summary>JSON Schema</summary>\n\n```json\n"
        f"{json.dumps(schema, indent=2, sort_keys=True)}\n```\n\n</details>\n"
    )


def events_page() -> str:
    return "\n".join([INTRO, *(_section(kind) for kind in event_types())])
