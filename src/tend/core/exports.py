"""Every table can leave Tend as CSV or Excel: one helper for all of them.

Text a customer typed never runs in the reader's spreadsheet: a cell that starts like a formula
gets an apostrophe (OWASP's CSV injection advice), xlsx cells holding text are typed as text,
and control characters a workbook cannot store are dropped rather than failing the download."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMATS = ("csv", "xlsx")


def unknown_format(fmt: str) -> HttpResponse | None:
    """The 400 answer for an export format Tend does not write; None for csv and xlsx."""
    if fmt in FORMATS:
        return None
    return HttpResponse(_("Unknown format: use csv or xlsx."), status=400)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """``text`` as a spreadsheet cell that shows it and never runs it (CSV and xlsx alike)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _plain(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        value = ", ".join(str(item) for item in value)
    if isinstance(value, str):
        return spreadsheet_text(value)
    return value


def _xlsx_cell(sheet, value: object) -> WriteOnlyCell:
    """Text stays text (openpyxl would read ``=...`` as a formula); numbers and dates keep
    their type."""
    value = _plain(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def export_response(
    *, filename: str, fmt: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse | StreamingHttpResponse:
    """A download of ``rows`` as CSV (streamed, UTF-8 with BOM so Excel reads Chinese) or
    xlsx (openpyxl's write-only mode keeps memory flat)."""
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([_xlsx_cell(sheet, header) for header in headers])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"
            yield writer.writerow([_plain(header) for header in headers])
            for row in rows:
                yield writer.writerow([_plain(value) for value in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
