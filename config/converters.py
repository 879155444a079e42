"""Path parameters are checked by the URL itself: anything else is a 404 before a view or
the database sees it (no Unicode digits, NUL bytes or numbers past bigint)."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"  # ASCII digits that fit a PostgreSQL bigint

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class RefConverter:
    """A public reference: cart_id (CART_USER1_001), merchant order id (MO…)."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


# Registered once, when this module is first imported (config.urls imports it).
register_converter(IdConverter, "id")
register_converter(RefConverter, "ref")
