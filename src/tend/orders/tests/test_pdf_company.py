"""The seller on the order PDF comes from the company profile edited in the admin, and the PDF
gives the buyer the date they can plan on now: the current estimate."""

from datetime import date
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from tend.core.models import CompanyProfile
from tend.orders import services

from . import test_pdf
from .test_pdf import _text

order = test_pdf.order  # the fixture, shared with the PDF tests


def _png(width=300, height=100) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (31, 58, 95)).save(buffer, format="PNG")
    return buffer.getvalue()


def _images(content: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(BytesIO(content)).pages)


def test_the_admin_edits_the_company_profile_that_the_pdf_prints(
    admin_client,
    order,
    rep1,
):
    form = {
        "name": "Cixi Kettle Works Co., Ltd.",
        "address": "1 Harbour Road\nCixi 315300, China",
        "phone": "+86 574 0000 0001",
        "email": "sales@kettleworks.example",
        "bank_details": "Bank of Ningbo, SWIFT BKNBCN2N, account 1234 5678 9012",
        "logo_file": SimpleUploadedFile("logo.png", _png(), content_type="image/png"),
    }
    response = admin_client.post("/admin/core/companyprofile/add/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    profile = CompanyProfile.objects.get()
    assert profile.logo[:8] == b"\x89PNG\r\n\x1a\n"
    # One profile only: no second "add", and it cannot be deleted.
    assert admin_client.get("/admin/core/companyprofile/add/").status_code == 403
    assert admin_client.post(f"/admin/core/companyprofile/{profile.pk}/delete/").status_code == 403

    _document, content = services.order_document_generate(by=rep1, order=order)
    text = _text(content)
    assert "Cixi Kettle Works Co., Ltd." in text
    assert "Zhejiang Bright Appliances" not in text  # the settings only stand in until saved
    assert "BANK DETAILS Bank of Ningbo, SWIFT BKNBCN2N, account 1234 5678 9012" in text
    assert "sales@kettleworks.example" in text
    assert _images(content) == 1


def test_a_logo_that_is_not_an_image_is_refused_and_nothing_is_saved(admin_client):
    form = {
        "name": "Cixi Kettle Works Co., Ltd.",
        "logo_file": SimpleUploadedFile("logo.png", b"not a picture", content_type="image/png"),
    }
    response = admin_client.post("/admin/core/companyprofile/add/", form)
    assert response.status_code == 200
    assert "logo_file" in response.context["adminform"].form.errors
    assert not CompanyProfile.objects.exists()


def test_without_a_profile_the_settings_name_the_seller_and_no_logo_is_drawn(
    order,
    rep1,
):
    _document, content = services.order_document_generate(by=rep1, order=order)
    assert "Zhejiang Bright Appliances Co., Ltd." in _text(content)
    assert _images(content) == 0


def test_the_pdf_gives_the_current_estimate_and_the_original_promise(order, rep1):
    services.order_set_estimate(
        by=rep1, order=order, new_date=date(2026, 4, 20), reason="Material shortage"
    )
    order.refresh_from_db()
    _document, content = services.order_document_generate(by=rep1, order=order)
    text = _text(content)
    assert "Expected ship date 2026-04-20" in text
    assert "Originally promised 2026-04-01" in text


def test_an_order_on_time_shows_one_ship_date(order, rep1):
    _document, content = services.order_document_generate(by=rep1, order=order)
    text = _text(content)
    assert "Expected ship date 2026-04-01" in text
    assert "Originally promised" not in text
