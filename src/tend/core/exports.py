"""Every table can leave Tend as CSV or Excel: one helper for all of them."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")


def unknown_format(fmt: str) -> HttpResponse | None:
    """The 400 answer for an export format Tend does not write; None for csv and xlsx."""
    if fmt in FORMATS:
        return None
    return HttpResponse(_("Unknown format: use csv or xlsx."), status=400)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _plain(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value)
    return value


def export_response(
    *, filename: str, fmt: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse | StreamingHttpResponse:
    """A download of ``rows`` as CSV (streamed, UTF-8 with BOM so Excel reads Chinese) or
    xlsx (openpyxl's write-only mode keeps memory flat)."""
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_plain(value) for value in row])
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
            yield writer.writerow(headers)
            for row in rows:
                yield writer.writerow([_plain(value) for value in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
