"""Tax documents as PDF, drawn with ReportLab (pure Python: nothing beyond the wheel to
install, unlike WeasyPrint's Pango and Cairo) from the same body the JSON answer gives.
Every value in the body goes through `as_text` (pdf_text.py): data, never markup, in the
script it was typed in, and copies back as typed (pdf_copyable.py)."""

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .pdf_copyable import CopyableCanvas, keep_cluster_text
from .pdf_text import as_text, fonts

SAMPLE = getSampleStyleSheet()
COLUMNS = [
    "#", "Description", "HSN/SAC", "Qty", "UQC", "Taxable", "CGST %", "CGST", "SGST %", "SGST",
    "IGST %", "IGST", "Total",
]  # fmt: skip
WIDTHS = [6, 40, 13, 9, 9, 16, 10, 13, 10, 13, 10, 13, 16]


def _row(n: int, line: dict, description: Paragraph) -> list:
    """One line as Rule 46 asks: each tax's rate and amount on their own."""
    rate = lambda key: line[key] if line[key] is not None else "-"  # noqa: E731
    exempt = line["gst_rate"] is None
    return [
        str(n), description, line["hsn_or_sac"],
        "-" if line["quantity"] is None else str(line["quantity"]), line["uqc"],
        line["taxable_value"],
        "exempt" if exempt else rate("cgst_rate"), line["cgst"],
        "exempt" if exempt else rate("sgst_rate"), line["sgst"],
        "exempt" if exempt else rate("igst_rate"), line["igst"], line["total"],
    ]  # fmt: skip


def _styles() -> dict[str, ParagraphStyle]:
    base = fonts()[0]
    return {
        name: ParagraphStyle(name, parent=SAMPLE[name], fontName=base, shaping=1)
        for name in ("Title", "Normal", "BodyText")
    }


def _party(title: str, party: dict, style: ParagraphStyle) -> Paragraph:
    lines = [f"<b>{title}</b>", as_text(party.get("name", "")), as_text(party.get("address", ""))]
    if party.get("delivery_address"):
        lines.append(f"Deliver to: {as_text(party['delivery_address'])}")
    if party.get("gstin"):
        lines.append(f"GSTIN: {as_text(party['gstin'])}")
    if party.get("state"):
        lines.append(f"State: {as_text(party['state'])} ({as_text(party['state_code'])})")
    return Paragraph("<br/>".join(lines), style)


def document_pdf(body: dict) -> bytes:
    styles = _styles()
    out = BytesIO()
    page = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, title=body["number"]
    )
    story: list[Flowable] = [
        Paragraph(as_text(body["title"]), styles["Title"]),
        Paragraph(
            f"No. {as_text(body['number'])} &nbsp; Date {as_text(body['date'])}",
            styles["Normal"],
        ),
    ]
    if "corrects" in body:
        corrects = body["corrects"]
        story.append(
            Paragraph(
                f"Against invoice {as_text(corrects['number'])} of {as_text(corrects['date'])}",
                styles["Normal"],
            )
        )
    place = body["place_of_supply"]
    story += [
        Spacer(1, 4 * mm),
        Table(
            [
                [
                    _party("Seller", body["seller"], styles["Normal"]),
                    _party("Buyer", body["buyer"], styles["Normal"]),
                ]
            ]
        ),
        Paragraph(
            f"Place of supply: {as_text(place['state'])} ({as_text(place['state_code'])})",
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [COLUMNS] + [
        _row(n, line, Paragraph(as_text(line["description"]), styles["BodyText"]))
        for n, line in enumerate(body["lines"], start=1)
    ]
    totals = body["totals"]
    rows.append(
        ["", "Total", "", "", "", totals["taxable_value"], "", totals["cgst"], "",
         totals["sgst"], "", totals["igst"], totals["total"]]
    )  # fmt: skip
    table = Table(rows, repeatRows=1, colWidths=[width * mm for width in WIDTHS])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("FONTNAME", (0, 0), (-1, -1), fonts()[0]),
                ("FONTSIZE", (0, 0), (-1, -1), 6.5),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 3 * mm),
        Paragraph(f"Amount in words: {as_text(body['amount_in_words'])}", styles["Normal"]),
        Paragraph("Prices include GST. Reverse charge: no.", styles["Normal"]),
        *(
            [Paragraph(as_text(body["endorsement"]).upper(), styles["Normal"])]
            if "endorsement" in body
            else []
        ),
        Spacer(1, 10 * mm),
        # Rule 46(q): signed by the supplier or its authorised representative.
        Paragraph(f"For {as_text(body['seller'].get('name', ''))}", styles["Normal"]),
        Spacer(1, 8 * mm),
        Paragraph("Authorised signatory", styles["Normal"]),
    ]
    keep_cluster_text()
    page.build(story, canvasmaker=CopyableCanvas)
    return out.getvalue()
