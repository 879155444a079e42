"""Tax documents as PDF, drawn with ReportLab (pure Python: nothing beyond the wheel to
install, unlike WeasyPrint's Pango and Cairo) from the same body the JSON answer gives."""

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

STYLES = getSampleStyleSheet()
COLUMNS = [
    "#",
    "Description",
    "HSN/SAC",
    "Qty",
    "Taxable",
    "Rate %",
    "CGST",
    "SGST",
    "IGST",
    "Total",
]


def _party(title: str, party: dict) -> Paragraph:
    lines = [f"<b>{title}</b>", party.get("name", ""), party.get("address", "")]
    if party.get("gstin"):
        lines.append(f"GSTIN: {party['gstin']}")
    if party.get("state"):
        lines.append(f"State: {party['state']} ({party['state_code']})")
    return Paragraph("<br/>".join(lines), STYLES["Normal"])


def document_pdf(body: dict) -> bytes:
    out = BytesIO()
    page = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, title=body["number"]
    )
    story: list[Flowable] = [
        Paragraph(body["title"], STYLES["Title"]),
        Paragraph(f"No. {body['number']} &nbsp; Date {body['date']}", STYLES["Normal"]),
    ]
    if "corrects" in body:
        corrects = body["corrects"]
        story.append(
            Paragraph(
                f"Against invoice {corrects['number']} of {corrects['date']}", STYLES["Normal"]
            )
        )
    place = body["place_of_supply"]
    story += [
        Spacer(1, 4 * mm),
        Table([[_party("Seller", body["seller"]), _party("Buyer", body["buyer"])]]),
        Paragraph(f"Place of supply: {place['state']} ({place['state_code']})", STYLES["Normal"]),
        Spacer(1, 4 * mm),
    ]
    rows = [COLUMNS] + [
        [
            str(n), Paragraph(line["description"], STYLES["BodyText"]), line["hsn_or_sac"],
            str(line["quantity"]), line["taxable_value"], line["gst_rate"] or "exempt",
            line["cgst"], line["sgst"], line["igst"], line["total"],
        ]
        for n, line in enumerate(body["lines"], start=1)
    ]  # fmt: skip
    totals = body["totals"]
    rows.append(
        ["", "Total", "", "", totals["taxable_value"], "", totals["cgst"], totals["sgst"],
         totals["igst"], totals["total"]]
    )  # fmt: skip
    table = Table(rows, repeatRows=1, colWidths=[8 * mm, 52 * mm] + [15 * mm] * 8)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 3 * mm),
        Paragraph(f"Amount in words: {body['amount_in_words']}", STYLES["Normal"]),
        Paragraph("Prices include GST. Reverse charge: no.", STYLES["Normal"]),
    ]
    page.build(story)
    return out.getvalue()
