"""The report as a PDF (A4 landscape): each section's conclusion, its chart as vectors (the same
ReportLab drawing the page shows as SVG), the caption with the sample size, and its table.
Text is set in the order PDFs' font (``orders.pdf.pdf_font``), so Chinese reads too."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tend.orders.pdf import pdf_font

from . import charts, registry

PAGE = landscape(A4)
MARGIN = 14 * mm
STRIPE = colors.HexColor("#f3f5f7")
TABLE_ROWS = 30  # the PDF shows a table's first rows; the page and the exports have them all


def _cell_text(cell) -> str:
    text = "" if cell is None else str(cell)
    return text[:40]


def _scaled(drawing, width: float):
    scale = min(1.0, width / drawing.width)
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    return drawing


def report_pdf(*, user, filters: registry.ReportFilters, results=None) -> bytes:
    """The PDF bytes; ``results`` (section, result) pairs already computed, else computed here."""
    font = pdf_font().name
    styles = {
        "h1": ParagraphStyle("h1", fontName=font, fontSize=16, leading=20, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=13, leading=16, spaceBefore=8),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=12),
        "muted": ParagraphStyle(
            "muted", fontName=font, fontSize=8, leading=10, textColor=colors.HexColor("#616e7c")
        ),
    }
    if results is None:
        results = [(s, s.compute(filters, user)) for s in registry.sections(user)]
    width = PAGE[0] - 2 * MARGIN
    story = [
        Paragraph(
            escape(_("Tend report: 12 months to %(end)s") % {"end": filters.end.strftime("%Y-%m")}),
            styles["h1"],
        ),
        Paragraph(
            escape(
                _("For %(name)s, made %(when)s. Figures in %(currency)s.")
                % {
                    "name": str(user),
                    "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                    "currency": settings.TEND_BASE_CURRENCY,
                }
            ),
            styles["muted"],
        ),
    ]
    for section, result in results:
        block = [Paragraph(escape(str(section.title)), styles["h2"])]
        if result.chart is not None:
            block.append(_scaled(charts.drawing(result.chart, font=font), width * 0.75))
        else:
            block.append(Paragraph(escape(result.headline), styles["body"]))
        block.append(
            Paragraph(
                escape(
                    f"{result.caption} "
                    + _("n = %(n)s %(label)s") % {"n": result.sample, "label": result.sample_label}
                ),
                styles["muted"],
            )
        )
        story.append(KeepTogether(block))
        rows = [[_cell_text(h) for h in result.table.headers]]
        rows += [[_cell_text(c) for c in row] for row in result.table.rows[:TABLE_ROWS]]
        table = Table(rows, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 7),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.HexColor("#cbd2d9")),
                    (
                        "ROWBACKGROUNDS",
                        (0, 1),
                        (-1, -1),
                        [colors.white, colors.HexColor("#f3f5f7")],
                    ),
                ]
            )
        )
        story += [Spacer(1, 4), table, Spacer(1, 8)]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_("Tend report"),
        author="Tend",
    )
    document.build(story)
    return buffer.getvalue()
