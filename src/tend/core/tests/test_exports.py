"""Every export goes through one helper: text never runs as a formula and never breaks a
workbook."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl

from tend.core.exports import export_response, spreadsheet_text

HEADERS = ["name", "code", "amount", "day"]


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_text_that_starts_like_a_formula_gets_an_apostrophe_in_csv():
    rows = [
        ["=1+1", "+44", "-2", date(2026, 3, 1)],
        ["@SUM(A1)", "\tTab", "\rReturn", None],
        ['=HYPERLINK("http://evil","x")', "00123", Decimal("-12.50"), None],
    ]
    response = export_response(filename="t", fmt="csv", headers=HEADERS, rows=rows)
    assert _csv(response)[1:] == [
        ["'=1+1", "'+44", "'-2", "2026-03-01"],
        ["'@SUM(A1)", "'\tTab", "'\rReturn", ""],
        ['\'=HYPERLINK("http://evil","x")', "00123", "-12.50", ""],
    ]


def test_xlsx_writes_text_as_text_and_numbers_as_numbers():
    rows = [["=1+1", "00123", Decimal("12.50"), date(2026, 3, 1)], ["-2", "@me", -3, None]]
    response = export_response(filename="t", fmt="xlsx", headers=HEADERS, rows=rows)
    sheet = _sheet(response)
    first, second = sheet[2], sheet[3]
    assert [cell.data_type for cell in first] == ["s", "s", "n", "d"]
    assert [cell.value for cell in first[:3]] == ["'=1+1", "00123", 12.5]
    assert [cell.data_type for cell in second[:3]] == ["s", "s", "n"]
    assert [cell.value for cell in second[:3]] == ["'-2", "'@me", -3]


def test_characters_a_workbook_cannot_hold_are_dropped_instead_of_failing_the_export():
    rows = [["Bell\x07 Trading\x1b", "ok", 1, None]]
    response = export_response(filename="t", fmt="xlsx", headers=HEADERS, rows=rows)
    assert response.status_code == 200
    assert _sheet(response)["A2"].value == "Bell Trading"
    csv_response = export_response(filename="t", fmt="csv", headers=HEADERS, rows=rows)
    assert _csv(csv_response)[1][0] == "Bell Trading"


def test_spreadsheet_text_leaves_ordinary_text_alone():
    assert spreadsheet_text("Al Noor Trading") == "Al Noor Trading"
    assert spreadsheet_text("") == ""
    assert spreadsheet_text("a=b") == "a=b"
    assert spreadsheet_text(" =1+1") == " =1+1"
