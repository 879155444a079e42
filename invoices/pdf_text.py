"""Text from a shopper, staff or a provider as ReportLab paragraph markup: always data, never
markup (escaped: `<i>`, `<img src=…>`, `<font name=…>` print as typed), without control
and bidi-override characters, each run of an Indian script in a Noto font of its own
(Debian's fonts-noto-core) and shaped by HarfBuzz (uharfbuzz), so conjuncts and vowel
signs are drawn as the script writes them. Where the fonts are missing, Helvetica draws
what it can: a document is never refused for want of a font."""

import functools
import logging
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

BASE = "NotoSans"
# Each script's Unicode block and its Noto family (the block's own digits and dandas too).
SCRIPTS = [
    (0x0900, 0x097F, "NotoSansDevanagari"),
    (0x0980, 0x09FF, "NotoSansBengali"),
    (0x0A00, 0x0A7F, "NotoSansGurmukhi"),
    (0x0A80, 0x0AFF, "NotoSansGujarati"),
    (0x0B00, 0x0B7F, "NotoSansOriya"),
    (0x0B80, 0x0BFF, "NotoSansTamil"),
    (0x0C00, 0x0C7F, "NotoSansTelugu"),
    (0x0C80, 0x0CFF, "NotoSansKannada"),
    (0x0D00, 0x0D7F, "NotoSansMalayalam"),
]
# Joiners that belong to whatever run they are in (they shape with it), as marks do.
JOINERS = {"\u200c", "\u200d", "\u25cc"}
MAX_LENGTH = 500


def _register(family: str) -> bool:
    folder = Path(settings.PDF_FONT_DIR)
    regular, bold = folder / f"{family}-Regular.ttf", folder / f"{family}-Bold.ttf"
    if not regular.exists():
        return False
    pdfmetrics.registerFont(TTFont(family, str(regular)))
    pdfmetrics.registerFont(TTFont(f"{family}-Bold", str(bold if bold.exists() else regular)))
    addMapping(family, 0, 0, family)
    addMapping(family, 1, 0, f"{family}-Bold")
    addMapping(family, 0, 1, family)
    addMapping(family, 1, 1, f"{family}-Bold")
    return True


@functools.cache
def fonts() -> tuple[str, dict[str, str]]:
    """The base font's name and each script's font, registered once per process."""
    if not _register(BASE):
        logger.warning(
            "Noto fonts not found in %s: PDFs fall back to Helvetica", settings.PDF_FONT_DIR
        )
        return "Helvetica", {}
    return BASE, {family: family for *_, family in SCRIPTS if _register(family)}


def _script_font(char: str) -> str | None:
    code = ord(char)
    for first, last, family in SCRIPTS:
        if first <= code <= last:
            return fonts()[1].get(family)
    return None


def _kept(char: str) -> bool:
    """Not a control or format character (NUL, bidi overrides and isolates), but the
    joiners that Indian scripts need."""
    return char in JOINERS or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn")


def as_text(value) -> str:
    """`value` as paragraph markup that prints exactly its characters."""
    text = "".join(ch if _kept(ch) else " " if ch in "\t\n\r" else "" for ch in str(value))
    text = text[:MAX_LENGTH]
    runs: list[tuple[str | None, str]] = []
    for char in text:
        font = _script_font(char)
        # A space stays in its script's run: a reader copying the name gets it back.
        joins = char in JOINERS or char == " " or unicodedata.category(char) in ("Mn", "Mc")
        if runs and (font == runs[-1][0] or (font is None and joins)):
            runs[-1] = (runs[-1][0], runs[-1][1] + char)
        else:
            runs.append((font, char))
    return "".join(
        f'<font name="{font}">{escape(run)}</font>' if font else escape(run) for font, run in runs
    )
