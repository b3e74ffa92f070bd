"""Terms in writing: the order confirmation / proforma invoice PDF."""

import logging
import threading
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.orders import pdf, services
from tend.orders.models import DocumentSequence, OrderDocument
from tend.orders.tests.factories import ProductFactory, RateFactory, approve_terms
from tend.orders.timeline_kinds import DOCUMENT
from tend.timeline.models import TimelineEntry

CUSTOMER_LOCAL_NAME = "宁波家电贸易有限公司"
PRODUCT_LOCAL_NAME = "不锈钢电热水壶"


@pytest.fixture
def order(rep1, settings):
    settings.TEND_COMPANY_NAME = "Zhejiang Bright Appliances Co., Ltd."
    settings.TEND_COMPANY_ADDRESS = "88 Binhai Road\nCixi, Zhejiang 315300, China"
    settings.TEND_COMPANY_EMAIL = "export@bright.example"
    settings.TEND_COMPANY_PHONE = "+86 574 6300 0000"
    customer = CustomerFactory(
        name="Ningbo Home Appliances Trading Co.",
        local_name=CUSTOMER_LOCAL_NAME,
        country="CN",
        city="Ningbo",
        time_zone="Asia/Shanghai",
        currency="EUR",
        owner=rep1,
    )
    approve_terms(customer, "30% T/T in advance, 70% against B/L copy")
    ContactFactory(customer=customer, name="Li Wei", title="Purchasing manager", is_primary=True)
    RateFactory(currency="EUR", valid_from=date(2026, 1, 1), rate=Decimal("1.08"))
    kettle = ProductFactory(
        sku="KT-200", name="Stainless steel kettle 1.7 l", local_name=PRODUCT_LOCAL_NAME
    )
    return services.order_create(
        by=rep1,
        customer=customer,
        fields={
            "number": "SO-1",
            "order_date": date(2026, 2, 15),
            "currency": "EUR",
            "incoterm": "FOB",
            "port": "Ningbo",
            "payment_terms": "30% T/T in advance, 70% against B/L copy",
            "promised_ship_date": date(2026, 4, 1),
            "quality_standard": "AQL 2.5 level II, CE / GS marked",
            "remarks": "Gift box with the buyer's logo; 4 pieces per export carton.",
        },
        lines=[
            {
                "product": kettle,
                "quantity": Decimal("1000"),
                "unit_price": Decimal("9.90"),
                "discount_pct": Decimal("5"),
                "batch_number": "B-2602",
            }
        ],
    )


def _text(content: bytes) -> str:
    """The text of every page, whitespace (including line wraps) folded to single spaces."""
    pages = PdfReader(BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _embedded_font_files(content: bytes) -> list[str]:
    """The embedded font streams (/FontFile, /FontFile2, /FontFile3) of every page's fonts,
    descendant (CID) fonts included."""
    found = []
    for page in PdfReader(BytesIO(content)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            for candidate in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = candidate.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                found += [
                    key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor
                ]
    return found


def test_the_pdf_states_the_terms_totals_number_and_chinese_names(order, rep1):
    document, content = services.order_document_generate(by=rep1, order=order)
    assert content.startswith(b"%PDF-")
    text = _text(content)
    year = timezone.localdate().year
    assert document.number == f"PI-{year}-00001"
    for expected in [
        document.number,
        "SO-1",
        "Ningbo Home Appliances Trading Co.",
        CUSTOMER_LOCAL_NAME,
        PRODUCT_LOCAL_NAME,
        "China",
        "Li Wei",
        "KT-200",
        "B-2602",
        "1,000",
        "9.90",
        "5%",
        "FOB",
        "Free on Board",
        "30% T/T in advance, 70% against B/L copy",
        "2026-04-01",
        "AQL 2.5 level II, CE / GS marked",
        "4 pieces per export carton",
        "EUR 9,405.00",
        "USD 10,157.40",
        "1 EUR = 1.08 USD",
        "Zhejiang Bright Appliances Co., Ltd.",
        "export@bright.example",
    ]:
        assert expected in text, expected


def test_the_cjk_font_is_embedded(order, rep1):
    if not pdf.pdf_font().embedded:
        pytest.skip("no TrueType CJK font installed: apt-get install fonts-wqy-microhei")
    _, content = services.order_document_generate(by=rep1, order=order)
    assert "/FontFile2" in _embedded_font_files(content)


def test_without_the_font_package_the_pdf_still_renders_chinese(order, rep1, monkeypatch, caplog):
    pdf.pdf_font.cache_clear()
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [("/nonexistent/font.ttc", 0)])
    try:
        with caplog.at_level(logging.WARNING, logger="tend.orders.pdf"):
            _, content = services.order_document_generate(by=rep1, order=order)
        assert pdf.pdf_font().name == pdf.FALLBACK_FONT
        assert "fonts-wqy-microhei" in caplog.text
        fonts = PdfReader(BytesIO(content)).pages[0]["/Resources"]["/Font"].get_object()
        names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
        assert any("STSong-Light" in name for name in names), names
        assert _embedded_font_files(content) == []
        assert CUSTOMER_LOCAL_NAME in _text(content)
    finally:
        pdf.pdf_font.cache_clear()


def test_opening_an_unchanged_order_again_serves_the_same_document(order, rep1, manager1):
    first, first_pdf = services.order_document_generate(by=rep1, order=order)
    again, again_pdf = services.order_document_generate(by=manager1, order=order)
    year = timezone.localdate().year
    assert (first.number, again.number) == (f"PI-{year}-00001", f"PI-{year}-00001")
    assert again.pk == first.pk
    assert DocumentSequence.objects.get(year=year).last == 1
    assert list(order.documents.values_list("number", "revision", "generated_by")) == [
        (first.number, 0, rep1.pk)
    ]
    assert TimelineEntry.objects.filter(customer=order.customer, kind=DOCUMENT.key).count() == 1
    assert _text(again_pdf) == _text(first_pdf)


def test_a_changed_order_gets_a_revision_of_its_number(order, rep1):
    first, _ = services.order_document_generate(by=rep1, order=order)
    order.lines.update(batch_number="B-2603")
    revised, revised_pdf = services.order_document_generate(by=rep1, order=order)
    again, _ = services.order_document_generate(by=rep1, order=order)
    year = timezone.localdate().year
    assert (first.number, revised.number, again.number) == (
        f"PI-{year}-00001",
        f"PI-{year}-00001-R1",
        f"PI-{year}-00001-R1",
    )
    assert "B-2603" in _text(revised_pdf) and revised.number in _text(revised_pdf)
    assert DocumentSequence.objects.get(year=year).last == 1
    assert list(order.documents.order_by("revision").values_list("number", "revision")) == [
        (first.number, 0),
        (revised.number, 1),
    ]
    assert TimelineEntry.objects.filter(customer=order.customer, kind=DOCUMENT.key).count() == 2


def test_a_new_primary_contact_is_a_change_of_the_document(order, rep1):
    first, _ = services.order_document_generate(by=rep1, order=order)
    order.customer.contacts.update(email="li.wei@ningbo-home.example")
    revised, _ = services.order_document_generate(by=rep1, order=order)
    assert revised.number == f"{first.number}-R1"


def test_each_order_takes_the_next_number_of_the_year(order, rep1):
    other = services.order_create(
        by=rep1,
        customer=order.customer,
        fields={"number": "SO-2", "order_date": date(2026, 2, 20), "currency": "EUR"},
        lines=[
            {
                "product": order.lines.get().product,
                "quantity": Decimal("10"),
                "unit_price": Decimal("9.90"),
            }
        ],
    )
    first, _ = services.order_document_generate(by=rep1, order=order)
    second, _ = services.order_document_generate(by=rep1, order=other)
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"PI-{year}-00001", f"PI-{year}-00002")
    assert DocumentSequence.objects.get(year=year).last == 2


def test_the_timeline_records_the_document_number(order, rep1):
    document, _ = services.order_document_generate(by=rep1, order=order)
    entry = TimelineEntry.objects.get(customer=order.customer, kind=DOCUMENT.key)
    assert document.number in entry.title and "SO-1" in entry.title
    assert entry.data["number"] == document.number
    assert (entry.actor, entry.source_type, entry.source_id) == (
        rep1,
        "orders.orderdocument",
        document.pk,
    )


def test_the_pdf_url_serves_the_document_inline(client, order, rep1):
    client.force_login(rep1)
    response = client.get(f"/orders/{order.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    number = OrderDocument.objects.get().number
    assert response["Content-Disposition"] == f'inline; filename="{number}.pdf"'
    assert number in _text(response.content)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert f'href="/orders/{order.pk}/pdf/"' in page


def test_the_api_and_the_page_serve_one_number_for_an_unchanged_order(client, order, rep1):
    client.force_login(rep1)
    from_api = client.get(f"/api/v1/orders/{order.pk}/pdf")
    from_page = client.get(f"/orders/{order.pk}/pdf/")
    number = OrderDocument.objects.get().number
    assert (from_api.status_code, from_api["Content-Type"]) == (200, "application/pdf")
    assert from_api["Content-Disposition"] == f'inline; filename="{number}.pdf"'
    assert from_page["Content-Disposition"] == f'inline; filename="{number}.pdf"'
    assert number in _text(from_api.content)


def test_the_api_answers_404_for_an_order_you_may_not_see(client, order, rep2):
    client.force_login(rep2)
    response = client.get(f"/api/v1/orders/{order.pk}/pdf")
    assert (response.status_code, response.json()) == (404, {"message": "Not found."})
    assert not OrderDocument.objects.exists()


def test_someone_who_may_not_see_the_order_gets_404(client, order, rep2):
    client.force_login(rep2)
    assert client.get(f"/orders/{order.pk}/pdf/").status_code == 404
    assert not OrderDocument.objects.exists()
    assert not DocumentSequence.objects.exists()


def test_a_failed_rendering_uses_no_number(order, rep1, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.documents, "render_order_pdf", broken)
    with pytest.raises(RuntimeError):
        services.order_document_generate(by=rep1, order=order)
    monkeypatch.undo()
    document, _ = services.order_document_generate(by=rep1, order=order)
    assert document.number.endswith("-00001")
    assert OrderDocument.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_four_people_opening_an_order_at_once_get_one_number(deployed_rows, order, rep1):
    barrier = threading.Barrier(4)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def generate():
        try:
            barrier.wait(timeout=5)
            document, _ = services.order_document_generate(by=rep1, order=order)
            numbers.append(document.number)
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=generate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    year = timezone.localdate().year
    assert numbers == [f"PI-{year}-00001"] * 4
    assert OrderDocument.objects.count() == 1
    assert DocumentSequence.objects.get(year=year).last == 1
