"""Shaped text that copies as typed. HarfBuzz draws a conjunct as one glyph (र्म) and a vowel
sign before its consonant (ि in कि); a PDF maps each glyph to at most its own characters, so a
reader copying the name would get glyph codes in drawn order. Each shaped cluster is
therefore wrapped in marked content carrying its characters as typed (`/ActualText`, PDF
32000 §14.9.4), which PDF readers (PDFium, Acrobat, poppler) give back instead of the glyphs.

ReportLab keeps no link from a glyph to its characters, so `shapeFragWord`, which paragraphs
shape words with, is wrapped once (`keep_cluster_text`) to note each cluster's characters on
its first glyph, and `CopyableCanvas` writes them out."""

import functools
from itertools import pairwise
from typing import Any

from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import paragraph

# ReportLab's drawing of one string in a text object (private: not in its type stubs).
_draw = vars(PDFTextObject)["_formatText"]
# ReportLab's mark for a character added to a shaped string unshaped (a space between words).
UNSHAPED = 0x7FFFFFFF


def _glyphs_of(text: ShapedStr) -> list:
    """A shaped string's glyphs: cluster, advances, offsets (ReportLab's, untyped)."""
    return vars(text)["__shapeData__"]


def _with_cluster_text(shape):
    @functools.wraps(shape)
    def shape_keeping_text(word, *args, **kwargs):
        shaped = shape(word, *args, **kwargs)
        if shaped is word:
            return shaped
        typed = "".join(text for frag, text in word[1:] if not hasattr(frag, "cbDefn"))
        strings = [
            text for item in shaped[1:] if isinstance(item, tuple)
            for text in item[1:] if isinstance(text, ShapedStr)
        ]  # fmt: skip
        starts = sorted(
            {glyph.cluster for text in strings for glyph in _glyphs_of(text)}
            & set(range(len(typed)))
        )
        ends = dict(pairwise([*starts, len(typed)]))
        for text in strings:
            glyphs = _glyphs_of(text)
            for index, glyph in enumerate(glyphs):
                if glyph.cluster in ends:
                    first = type(glyph)(*glyph)
                    first.typed = typed[glyph.cluster : ends.pop(glyph.cluster)]
                    glyphs[index] = first
        return shaped

    shape_keeping_text.keeps_cluster_text = True  # type: ignore[attr-defined]
    return shape_keeping_text


def keep_cluster_text() -> None:
    """Once per process, before the first paragraph is shaped."""
    shape = vars(paragraph)["shapeFragWord"]  # ReportLab's own, not in its type stubs
    if not getattr(shape, "keeps_cluster_text", False):
        paragraph.shapeFragWord = _with_cluster_text(shape)  # type: ignore[attr-defined]


def _actual_text(typed: str) -> str:
    return "<FEFF" + typed.encode("utf-16-be").hex().upper() + ">"


class CopyableText(PDFTextObject):
    def _formatText(self, text: Any) -> str:
        glyphs = vars(text).get("__shapeData__") if isinstance(text, ShapedStr) else None
        if not glyphs or not any(hasattr(glyph, "typed") for glyph in glyphs):
            return _draw(self, text)
        cuts = [0] + [i for i, glyph in enumerate(glyphs) if i and hasattr(glyph, "typed")]
        code = []
        for start, end in pairwise([*cuts, len(text)]):
            drawn = _draw(self, text[start:end])
            if hasattr(glyphs[start], "typed"):
                # The cluster, and the unshaped characters drawn after it (a space).
                typed = glyphs[start].typed + "".join(
                    char
                    for char, glyph in zip(text[start:end], glyphs[start:end], strict=True)
                    if glyph.cluster == UNSHAPED
                )
                drawn = f"/Span <</ActualText {_actual_text(typed)}>> BDC {drawn} EMC"
            code.append(drawn)
        return " ".join(code)


class CopyableCanvas(Canvas):
    def beginText(self, x=0, y=0, direction=None):
        return CopyableText(self, x, y, direction=direction)
