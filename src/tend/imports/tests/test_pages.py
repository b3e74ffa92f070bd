"""The import page: upload, read the report, re-map, import."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tend.audit.models import AuditEntry
from tend.customers.models import Contact, Customer
from tend.imports.views import SESSION_KEY

from .sheets import HEADERS, book_rows, write_csv

URL = "/imports/customers/"


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


def upload(client, path, name=None):
    data = SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")
    return client.post(URL, {"action": "upload", "file": data})


def mapping_post(response, **changes):
    """The mapping selects as the page shows them, with some changed."""
    form = response.context["mapping_form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(changes)
    return data


def test_the_page_needs_a_login(client, data_dir):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_upload_report_remap_and_import(client, manager1, data_dir, tmp_path):
    client.force_login(manager1)
    rows = book_rows(20)
    rows[4][2] = "Atlantis"
    path = write_csv(tmp_path / "book.csv", [*HEADERS, "Fax"], [[*r, "x"] for r in rows])

    assert client.get(URL).status_code == 200
    response = upload(client, path)
    assert response.status_code == 302
    [stored] = (data_dir / "uploads").iterdir()
    assert client.session[SESSION_KEY]["name"] == "book.csv"

    page = client.get(URL)
    result = page.context["result"]
    assert (result.rows, result.good_rows, page.context["can_commit"]) == (20, 19, False)
    html = page.content.decode()
    assert "Unknown country “Atlantis”" in html
    assert '<option value="contact.email" selected>' in html
    assert 'name="action" value="commit" disabled' in html

    # Ignoring the Country column is not a fix: every new customer then lacks a country.
    ignored = client.post(
        URL, {**mapping_post(page, col_2=""), "action": "check"}, headers={"HX-Request": "true"}
    )
    assert ignored.templates[0].name == "imports/_report.html"
    assert ignored.context["result"].errors[0].message == "The country is missing."

    # The file with the row fixed is uploaded again and imported.
    rows[4][2] = "AE"
    write_csv(path, [*HEADERS, "Fax"], [[*r, "x"] for r in rows])
    upload(client, path)
    assert not stored.exists()
    page = client.get(URL)
    assert page.context["can_commit"] is True
    assert "Import 20 customers" in page.content.decode()
    done = client.post(URL, {**mapping_post(page), "action": "commit"})

    assert done.status_code == 302
    assert done["Location"] == "/customers/"
    assert Customer.objects.count() == 20
    assert list((data_dir / "uploads").iterdir()) == []
    assert SESSION_KEY not in client.session


def test_a_commit_with_errors_writes_nothing(client, manager1, data_dir, tmp_path):
    client.force_login(manager1)
    rows = book_rows(5)
    rows[0][7] = "broken@"
    upload(client, write_csv(tmp_path / "bad.csv", HEADERS, rows))
    page = client.get(URL)

    response = client.post(URL, {**mapping_post(page), "action": "commit"})

    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(2, "Email")]
    assert (Customer.objects.count(), Contact.objects.count(), AuditEntry.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(
    client, manager1, data_dir, tmp_path, settings
):
    settings.TEND_MAX_UPLOAD_BYTES = 100
    client.force_login(manager1)

    path = write_csv(tmp_path / "big.csv", HEADERS, book_rows(5))
    response = upload(client, path)

    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"] == [
        f"This file is {path.stat().st_size}\xa0bytes; the most Tend takes at once is "
        "100\xa0bytes. Split it into several files, or have an admin run "
        "“tend import customers” on the server."
    ]
    assert not (data_dir / "uploads").exists() or not list((data_dir / "uploads").iterdir())


def test_a_file_that_is_not_a_spreadsheet_is_refused(client, manager1, data_dir, tmp_path):
    client.force_login(manager1)
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4")

    response = upload(client, path)

    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"] == [
        "Only Excel .xlsx and .csv files can be imported (old .xls: save as .xlsx)."
    ]


def test_a_path_in_the_session_is_never_trusted(client, manager1, data_dir, tmp_path):
    client.force_login(manager1)
    session = client.session
    session[SESSION_KEY] = {
        "token": "../../etc/passwd",
        "kind": "csv",
        "headers": ["a"],
        "mapping": [None],
        "name": "x",
    }
    session.save()

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["result"] is None
    assert SESSION_KEY not in client.session


def test_the_error_list_downloads_as_csv(client, manager1, data_dir, tmp_path):
    client.force_login(manager1)
    rows = book_rows(3)
    rows[1][8] = "12345"
    upload(client, write_csv(tmp_path / "bad.csv", HEADERS, rows))

    response = client.get(URL + "errors.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Disposition"] == 'attachment; filename="import-errors.csv"'
    assert list(csv.reader(io.StringIO(text))) == [
        ["Row", "Column", "Problem"],
        [
            "3",
            "Phone",
            "“12345” is not a valid phone number; write it with the country code, "
            "e.g. +971 50 123 4567.",
        ],
    ]


def test_a_nul_deep_in_the_file_is_refused_naming_row_and_column(
    client, manager1, data_dir, tmp_path
):
    client.force_login(manager1)
    rows = book_rows(120)
    rows[110][3] = "Dub\x00ai"
    before = (Customer.objects.count(), AuditEntry.objects.count())

    assert upload(client, write_csv(tmp_path / "nul.csv", HEADERS, rows)).status_code == 302
    response = client.get(URL)

    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == [
        "Row 112, column “City”: Null characters are not allowed."
    ]
    assert (Customer.objects.count(), AuditEntry.objects.count()) == before
