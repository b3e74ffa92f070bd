"""The order confirmation / proforma invoice as a PDF: seller and buyer, the lines, the totals
and the terms agreed, on A4.

Chinese (and any other CJK) text is set in a TrueType CJK font embedded in the file, so the
buyer sees the same glyphs whatever is installed on their machine. The font comes from the
Debian package ``fonts-wqy-microhei`` (``make fonts``). ReportLab cannot embed OpenType/CFF
fonts such as Noto CJK, hence a TrueType one. Without it, ReportLab's built-in ``STSong-Light``
CID font is used instead: still readable, but not embedded (the PDF viewer supplies the glyphs).

Pure apart from reading the order (lines, primary contact) and settings: no writes.
"""

import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from tend.core import reference
from tend.core.models import CompanyProfile

from .models import Order

logger = logging.getLogger(__name__)

# TrueType (glyf) CJK fonts from Debian packages, first found wins: (path, index in the .ttc).
FONT_CANDIDATES: list[tuple[str, int]] = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
]
EMBEDDED_FONT = "TendCJK"
FALLBACK_FONT = "STSong-Light"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#cbd2d9")
STRIPE = colors.HexColor("#f3f5f7")


@dataclass(frozen=True)
class PdfFont:
    name: str
    embedded: bool


@functools.cache
def pdf_font() -> PdfFont:
    """Register the CJK font once per process: an embeddable TrueType font if installed, else
    ReportLab's built-in Chinese CID font (with a warning: install ``fonts-wqy-microhei``)."""
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=index))
            except Exception:  # a broken or CFF-outline file: try the next one
                logger.warning("Cannot use %s as the PDF font", path, exc_info=True)
                continue
            return PdfFont(EMBEDDED_FONT, embedded=True)
    logger.warning(
        "No TrueType CJK font found (%s); order PDFs use the non-embedded %s. "
        "Install it with: apt-get install fonts-wqy-microhei",
        ", ".join(path for path, _ in FONT_CANDIDATES),
        FALLBACK_FONT,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return PdfFont(FALLBACK_FONT, embedded=False)


# Formatting: amounts as printed everywhere in Tend (9,405.00), dates in ISO (unambiguous
# across the countries we sell to).


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,.2f}"


def _trim(value: Decimal, *, places: int, at_least: int = 0) -> str:
    """``value`` with up to ``places`` decimals, trailing zeros dropped down to ``at_least``."""
    text = f"{value.quantize(Decimal(1).scaleb(-places)):,.{places}f}"
    if "." in text:
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0").ljust(at_least, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    return text


def quantity(value: Decimal) -> str:
    return _trim(value, places=3)


def unit_price(value: Decimal) -> str:
    return _trim(value, places=4, at_least=2)


def rate(value: Decimal) -> str:
    return _trim(value, places=6, at_least=2)


def day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=10),
        "muted": ParagraphStyle("muted", base, fontSize=8, leading=10, textColor=MUTED),
        "company": ParagraphStyle("company", base, fontSize=15, leading=19, textColor=ACCENT),
        "title": ParagraphStyle(
            "title", base, fontSize=14, leading=18, textColor=ACCENT, alignment=TA_RIGHT
        ),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
        "label": ParagraphStyle("label", base, fontSize=7.5, leading=10, textColor=MUTED),
        "heading": ParagraphStyle("heading", base, fontSize=8, leading=10, textColor=colors.white),
        "heading_right": ParagraphStyle(
            "heading_right",
            base,
            fontSize=8,
            leading=10,
            textColor=colors.white,
            alignment=TA_RIGHT,
        ),
        "total": ParagraphStyle(
            "total", base, fontSize=11, leading=14, textColor=ACCENT, alignment=TA_RIGHT
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped; newlines kept)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _table(rows: list, *, style: list, **kwargs) -> Table:
    """A table whose plain-string cells, even empty ones, use our font (ReportLab's default
    would add a non-embedded Helvetica to the file)."""
    return Table(rows, style=[("FONTNAME", (0, 0), (-1, -1), pdf_font().name), *style], **kwargs)


def _lines_of(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


class _NumberedCanvas(Canvas):
    """Draws the footer once the page count is known: "Page 1 of 2"."""

    footer_left = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802  (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        font = pdf_font().name
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, MARGIN - 4 * mm, PAGE_WIDTH - MARGIN, MARGIN - 4 * mm)
        self.setFont(font, 7.5)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, MARGIN - 8 * mm, self.footer_left)
        self.drawRightString(
            PAGE_WIDTH - MARGIN,
            MARGIN - 8 * mm,
            _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": total},
        )
        self.restoreState()


def _ship_dates(order: Order) -> list[tuple[str, str]]:
    """The date the buyer can plan on now: the current estimate, and the original promise
    beside it when the two differ."""
    expected = order.estimated_ship_date or order.promised_ship_date
    rows = [(_("Expected ship date"), day(expected))]
    if order.promised_ship_date and expected != order.promised_ship_date:
        rows.append((_("Originally promised"), day(order.promised_ship_date)))
    return rows


LOGO_BOX = (45 * mm, 18 * mm)


def _logo(profile: CompanyProfile) -> list:
    """The company's logo scaled into a 45 x 18 mm box, or nothing."""
    if not profile.logo:
        return []
    reader = ImageReader(BytesIO(bytes(profile.logo)))
    width, height = reader.getSize()
    scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height)
    image = Image(BytesIO(bytes(profile.logo)), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return [image, Spacer(0, 2 * mm)]


def _party(title: str, body: list[Paragraph], styles) -> list:
    return [_p(title.upper(), styles["label"]), Spacer(0, 1.5 * mm), *body]


def printed_fingerprint(order: Order) -> str:
    """A digest of everything ``render_order_pdf`` states about ``order`` apart from the document
    number and date: seller, buyer and their primary contact, terms, lines and totals. Equal
    digests mean the same document; a fact added to the PDF belongs here too."""
    customer = order.customer
    contact = customer.contacts.filter(is_primary=True).first()
    facts = {
        "seller": [
            settings.TEND_COMPANY_NAME,
            settings.TEND_COMPANY_ADDRESS,
            getattr(settings, "TEND_COMPANY_PHONE", ""),
            getattr(settings, "TEND_COMPANY_EMAIL", ""),
            settings.TEND_BASE_CURRENCY,
        ],
        "buyer": [customer.name, customer.local_name, customer.city, customer.country],
        "contact": (
            [contact.name, contact.title, contact.email, contact.phone, contact.mobile]
            if contact is not None
            else None
        ),
        "order": [
            order.number,
            order.order_date,
            order.currency,
            order.incoterm,
            order.port,
            order.payment_terms,
            order.promised_ship_date,
            order.quality_standard,
            order.remarks,
            order.amount,
            order.amount_base,
            order.rate_to_base,
        ],
        "lines": [
            [
                line.product.sku,
                line.product.name,
                line.product.local_name,
                line.batch_number,
                line.quantity,
                line.unit_price,
                line.discount_pct,
                line.amount,
            ]
            for line in order.lines.select_related("product").order_by("id")
        ],
    }
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()


def render_order_pdf(order: Order, *, number: str, issued_on: date) -> bytes:
    """The order confirmation / proforma invoice ``number`` for ``order``, dated ``issued_on``.
    What it states about the order is fingerprinted by ``printed_fingerprint``."""
    font = pdf_font().name
    styles = _styles(font)
    customer = order.customer
    contact = customer.contacts.filter(is_primary=True).first()
    lines = list(order.lines.select_related("product"))
    base_currency = settings.TEND_BASE_CURRENCY
    profile = CompanyProfile.current()
    company = profile.name
    title = _("Order confirmation")
    subtitle = _("Proforma invoice")

    story: list = []

    # Header: the seller on the left, what this document is on the right.
    seller = [
        *_logo(profile),
        _p(company, styles["company"]),
        _p(_lines_of(profile.address, profile.phone, profile.email), styles["muted"]),
    ]
    facts = _table(
        [
            [_p(_("Document no."), styles["label"]), _p(number, styles["right"])],
            [_p(_("Date"), styles["label"]), _p(day(issued_on), styles["right"])],
            [_p(_("Order no."), styles["label"]), _p(order.number, styles["right"])],
            [_p(_("Order date"), styles["label"]), _p(day(order.order_date), styles["right"])],
        ],
        colWidths=[28 * mm, 40 * mm],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ],
    )
    header = _table(
        [
            [
                seller,
                [
                    _p(title, styles["title"]),
                    _p(subtitle, ParagraphStyle("subtitle", styles["muted"], alignment=TA_RIGHT)),
                    Spacer(0, 3 * mm),
                    facts,
                ],
            ]
        ],
        colWidths=[CONTENT_WIDTH - 80 * mm, 80 * mm],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 4 * mm),
        ],
    )
    story += [header, Spacer(0, 6 * mm)]

    # Parties.
    country = reference.country_names().get(customer.country, customer.country)
    buyer = [
        _p(customer.name, ParagraphStyle("buyer", styles["base"], fontSize=10.5, leading=14)),
    ]
    if customer.local_name:
        buyer.append(_p(customer.local_name, styles["base"]))
    buyer.append(_p(", ".join(part for part in (customer.city, country) if part), styles["base"]))
    if contact is not None:
        buyer.append(Spacer(0, 1.5 * mm))
        buyer.append(
            _p(
                _lines_of(
                    _("Attn.: %(name)s") % {"name": contact.name}
                    + (f", {contact.title}" if contact.title else ""),
                    contact.email,
                    contact.phone or contact.mobile,
                ),
                styles["muted"],
            )
        )
    incoterm = order.get_incoterm_display() if order.incoterm else "—"
    if order.incoterm and order.port:
        incoterm = f"{incoterm}, {order.port}"
    terms_rows = [
        (_("Currency"), order.currency),
        (_("Incoterms 2020"), incoterm),
        (_("Payment terms"), order.payment_terms or "—"),
        *_ship_dates(order),
        (_("Quality standard"), order.quality_standard or "—"),
    ]
    terms = _table(
        [[_p(label, styles["label"]), _p(value, styles["base"])] for label, value in terms_rows],
        colWidths=[32 * mm, CONTENT_WIDTH / 2 - 36 * mm],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("TOPPADDING", (0, 0), (0, -1), 2.9),  # the smaller labels share the values' baseline
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ],
    )
    parties = _table(
        [[_party(_("Buyer"), buyer, styles), _party(_("Terms"), [terms], styles)]],
        colWidths=[CONTENT_WIDTH / 2, CONTENT_WIDTH / 2],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
            ("LEFTPADDING", (1, 0), (1, 0), 4 * mm),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
            ("LINEBEFORE", (1, 0), (1, 0), 0.5, RULE),
        ],
    )
    story += [parties, Spacer(0, 7 * mm)]

    # Lines.
    heading, heading_right = styles["heading"], styles["heading_right"]
    rows: list[list] = [
        [
            _p("#", heading),
            _p(_("SKU"), heading),
            _p(_("Product"), heading),
            _p(_("Batch / lot"), heading),
            _p(_("Quantity"), heading_right),
            _p(_("Unit price"), heading_right),
            _p(_("Discount"), heading_right),
            _p(f"{_('Amount')} ({order.currency})", heading_right),
        ]
    ]
    for index, line in enumerate(lines, start=1):
        product = line.product
        name = [_p(product.name, styles["base"])]
        if product.local_name:
            name.append(_p(product.local_name, styles["muted"]))
        rows.append(
            [
                _p(str(index), ParagraphStyle("index", styles["base"], textColor=MUTED)),
                _p(product.sku, styles["base"]),
                name,
                _p(line.batch_number or "—", styles["base"]),
                _p(quantity(line.quantity), styles["right"]),
                _p(unit_price(line.unit_price), styles["right"]),
                _p(
                    f"{_trim(line.discount_pct, places=2)}%" if line.discount_pct else "—",
                    styles["right"],
                ),
                _p(money(line.amount), styles["right"]),
            ]
        )
    widths = [7 * mm, 22 * mm, None, 18 * mm, 17 * mm, 19 * mm, 14 * mm, 26 * mm]
    widths[2] = CONTENT_WIDTH - sum(w for w in widths if w)
    table_style = [
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 1), (-1, -2), 0.4, RULE),
        ("LINEBELOW", (0, -1), (-1, -1), 1, ACCENT),
    ]
    for row in range(2, len(rows), 2):
        table_style.append(("BACKGROUND", (0, row), (-1, row), STRIPE))
    story.append(_table(rows, colWidths=widths, repeatRows=1, style=table_style))

    # Totals: a block on the right, under the amount column.
    total_style = styles["total"]
    totals = [
        [_p(_("Total"), total_style), _p(f"{order.currency} {money(order.amount)}", total_style)]
    ]
    totals_style = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, 0), 5),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ("TOPPADDING", (0, 1), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 1),
    ]
    if order.currency != base_currency:
        muted_right = ParagraphStyle("muted_right", styles["muted"], alignment=TA_RIGHT)
        totals.append(
            [
                _p(_("Equivalent in %(base)s") % {"base": base_currency}, muted_right),
                _p(f"{base_currency} {money(order.amount_base)}", styles["right"]),
            ]
        )
        totals.append(
            [
                _p(
                    _("at 1 %(currency)s = %(rate)s %(base)s (rate of %(date)s)")
                    % {
                        "currency": order.currency,
                        "rate": rate(order.rate_to_base),
                        "base": base_currency,
                        "date": day(order.order_date),
                    },
                    muted_right,
                ),
                "",
            ]
        )
        totals_style.append(("SPAN", (0, 2), (1, 2)))
    story.append(_table(totals, colWidths=[45 * mm, 45 * mm], hAlign="RIGHT", style=totals_style))

    # Bank details, remarks, then signatures.
    if profile.bank_details:
        story += [
            Spacer(0, 7 * mm),
            KeepTogether(
                [
                    _p(_("Bank details").upper(), styles["label"]),
                    Spacer(0, 1.5 * mm),
                    _p(profile.bank_details, styles["base"]),
                ]
            ),
        ]
    if order.remarks:
        story += [
            Spacer(0, 7 * mm),
            KeepTogether(
                [
                    _p(_("Remarks").upper(), styles["label"]),
                    Spacer(0, 1.5 * mm),
                    _p(order.remarks, styles["base"]),
                ]
            ),
        ]
    signature = _table(
        [
            [
                _p(_("For and on behalf of %(name)s") % {"name": company}, styles["muted"]),
                "",
                _p(_("Accepted by the buyer: %(name)s") % {"name": customer.name}, styles["muted"]),
            ],
            ["", "", ""],
            [
                _p(_("Signature, name, date"), styles["label"]),
                "",
                _p(_("Signature, name, company stamp, date"), styles["label"]),
            ],
        ],
        colWidths=[(CONTENT_WIDTH - 16 * mm) / 2, 16 * mm, (CONTENT_WIDTH - 16 * mm) / 2],
        rowHeights=[None, 16 * mm, None],
        style=[
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("LINEBELOW", (0, 1), (0, 1), 0.5, INK),
            ("LINEBELOW", (2, 1), (2, 1), 0.5, INK),
        ],
    )
    story += [
        Spacer(0, 10 * mm),
        KeepTogether(
            [
                _p(
                    _(
                        "Please check this confirmation and tell us within three working days "
                        "if anything differs from what was agreed."
                    ),
                    styles["muted"],
                ),
                Spacer(0, 5 * mm),
                signature,
            ]
        ),
    ]

    buffer = BytesIO()
    # One frame without padding, so that tables and text line up exactly on the margins.
    frame = Frame(
        MARGIN,
        MARGIN + 6 * mm,
        CONTENT_WIDTH,
        PAGE_HEIGHT - 2 * MARGIN - 6 * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[PageTemplate(id="page", frames=[frame])],
        initialFontName=font,  # else ReportLab also declares a non-embedded Helvetica
        title=f"{title} / {subtitle} {number}",
        author=company,
        subject=_("Order %(number)s") % {"number": order.number},
        creator="Tend",
    )
    canvas = type(
        "_Canvas", (_NumberedCanvas,), {"footer_left": f"{company}  |  {number}  |  {order.number}"}
    )
    document.build(story, canvasmaker=canvas)
    return buffer.getvalue()
