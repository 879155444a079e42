"""India's states and union territories as GST knows them (its two-digit codes, which
GSTINs and the GSTR-1 place of supply use), recognised by name, ISO 3166-2 code (`MH`,
`IN-MH`) or GST code (`27`). Names come from pycountry; the GST codes are the GST
Council's list (data: they change when states do)."""

import unicodedata

import pycountry

# ISO 3166-2:IN subdivision → GST state code.
GST_CODES = {
    "JK": "01", "HP": "02", "PB": "03", "CH": "04", "UK": "05", "HR": "06", "DL": "07",
    "RJ": "08", "UP": "09", "BR": "10", "SK": "11", "AR": "12", "NL": "13", "MN": "14",
    "MZ": "15", "TR": "16", "ML": "17", "AS": "18", "WB": "19", "JH": "20", "OD": "21",
    "CG": "22", "MP": "23", "GJ": "24", "DH": "26", "MH": "27", "KA": "29", "GA": "30",
    "LD": "31", "KL": "32", "TN": "33", "PY": "34", "AN": "35", "TS": "36", "AP": "37",
    "LA": "38",
}  # fmt: skip
# Codes still written in addresses for states whose ISO code changed.
OLD_ISO = {"OR": "OD", "CT": "CG", "UT": "UK", "TG": "TS"}


def _plain(text: str) -> str:
    """Lower case, no diacritics, single spaces, `&` as `and` ("Tamil Nādu" → "tamil nadu")."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.lower().replace("&", " and ").split())


def _by_name() -> dict[str, str]:
    subdivisions = pycountry.subdivisions.get(country_code="IN") or []
    names = {_plain(s.name): s.code.split("-")[1] for s in subdivisions}
    names |= {"orissa": "OD", "pondicherry": "PY", "uttaranchal": "UK", "new delhi": "DL"}
    return names


NAMES = _by_name()


def gst_state_code(state: str) -> str | None:
    """The GST code of a state written any of the ways shoppers and staff write it; None
    when it is none we recognise."""
    text = state.strip().upper().removeprefix("IN-")
    if text.isdigit() and text.zfill(2) in GST_CODES.values():
        return text.zfill(2)
    iso = OLD_ISO.get(text, text)
    if iso in GST_CODES:
        return GST_CODES[iso]
    named = NAMES.get(_plain(state))
    return GST_CODES.get(named) if named else None


def state_name(code: str) -> str:
    """The state's name for a GST code (as pycountry spells it, without diacritics)."""
    iso = next((iso for iso, gst in GST_CODES.items() if gst == code), None)
    subdivision = iso and pycountry.subdivisions.get(code=f"IN-{iso}")
    if not subdivision:
        return ""
    decomposed = unicodedata.normalize("NFKD", subdivision.name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
