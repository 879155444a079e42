"""Where the shop keeps a person's data: each app declares it beside its models, and the
export, the erasure and the retention sweep all read these declarations (so a new app, or
a new field, cannot be forgotten: a test fails on a personal-looking field no declaration
covers)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PersonalData:
    model: str  # "orders.Order"
    # The ORM path from a row to the id of the person it is about ("user", "payment__user").
    person: str
    fields: tuple[str, ...] = ()  # text: blanked on erasure
    json_fields: tuple[str, ...] = ()  # JSON: emptied on erasure
    # JSON whose other keys stay (an event's ids and amounts): the personal keys are erased.
    scrubbed_json_fields: tuple[str, ...] = ()
    # A law keeps these rows as they are (named, with the law, in the erasure's answer).
    kept_because: str = ""
    # Fields that look personal but are not (a product's name copied on a line, say).
    not_personal: tuple[str, ...] = field(default=())
    # Shown beside the personal fields in the person's export (an order's number, say).
    shown: tuple[str, ...] = ()


_declared: dict[str, PersonalData] = {}


def personal_data(*declarations: PersonalData) -> None:
    for declaration in declarations:
        _declared[declaration.model] = declaration


def personal_data_declared() -> list[PersonalData]:
    return sorted(_declared.values(), key=lambda declared: declared.model)
