"""GSTINs: 15 characters — the state's GST code (2 digits), the holder's PAN (10), an entity
number, `Z`, and a check character computed over the first 14 (mod 36, weights 1 and 2).
The state code is one the GST network assigns: 01–38 (the states and union territories,
25 and 28 kept for registrations from before Daman and Diu merged and Andhra Pradesh
divided), 97 (other territory) and 99 (centre jurisdiction)."""

import re

CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATE_CODES = frozenset({f"{code:02d}" for code in range(1, 39)} | {"97", "99"})
SHAPE = re.compile(r"[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]")


def gstin_check_character(first_14: str) -> str:
    total = 0
    for position, character in enumerate(first_14):
        product = CHARACTERS.index(character) * (2 if position % 2 else 1)
        total += product // 36 + product % 36
    return CHARACTERS[(36 - total % 36) % 36]


def gstin_normal(value: str) -> str:
    return value.strip().upper()


def gstin_valid(value: str) -> bool:
    """Its shape, a state code the GST network assigns, and its check character: a typo in
    any one character is caught."""
    gstin = gstin_normal(value)
    return (
        bool(SHAPE.fullmatch(gstin))
        and gstin[:2] in STATE_CODES
        and gstin[14] == gstin_check_character(gstin[:14])
    )


def gstin_state_code(gstin: str) -> str:
    return gstin_normal(gstin)[:2]
