"""Reading a spreadsheet: a header row and the data rows after it, as text, whatever the format.

CSV in UTF-8 (with or without a byte-order mark) or GB18030/GBK, comma, semicolon or tab
separated; Excel .xlsx (the first sheet, read in openpyxl's streaming mode)."""

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from tend.core.inputs import text_problem

SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
DELIMITERS = (",", ";", "\t")


class UnreadableFile(Exception):
    """The file is not a spreadsheet Tend can read; the message says why."""


@dataclass
class Sheet:
    headers: list[str]
    header_row: int  # the header's row number in the file (1 unless blank rows precede it)
    rows: Iterator[tuple[int, list[str]]]  # (row number in the file, cells)
    encoding: str = ""
    delimiter: str = ""

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close:
            close()


def _unstorable(row: int, column: str, problem: str) -> UnreadableFile:
    return UnreadableFile(
        _("Row %(row)s, column “%(column)s”: %(problem)s")
        % {"row": row, "column": column, "problem": problem}
    )


def _storable(sheet: Sheet) -> Sheet:
    """The sheet, refusing a cell no database can store (a NUL character) where it is met."""
    headers = sheet.headers
    for index, header in enumerate(headers):
        if problem := text_problem(header):
            sheet.close()
            raise _unstorable(sheet.header_row, f"#{index + 1}", problem)
    rows = sheet.rows

    def checked() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in rows:
                for index, cell in enumerate(cells):
                    if problem := text_problem(cell):
                        column = headers[index] if index < len(headers) else f"#{index + 1}"
                        raise _unstorable(number, column, problem)
                yield number, cells
        finally:
            close = getattr(rows, "close", None)
            if close:
                close()

    sheet.rows = checked()
    return sheet


def file_kind(name: str) -> str | None:
    return SUFFIXES.get(Path(name).suffix.lower())


def open_sheet(path: Path, kind: str | None = None) -> Sheet:
    """The header and a stream of the non-blank rows after it."""
    kind = kind or file_kind(path.name)
    if kind == "csv":
        return _storable(_open_csv(path))
    if kind == "xlsx":
        return _storable(_open_xlsx(path))
    if Path(path).suffix.lower() == ".xls":
        raise UnreadableFile(_("Old Excel files (.xls) cannot be read: save it as .xlsx or CSV."))
    raise UnreadableFile(_("Only .xlsx and .csv files can be imported."))


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (BOM or not), else GB18030 (a superset of GBK
    and GB2312, what Chinese Excel saves CSV as)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file is neither UTF-8 nor GBK text."))


def sniff_delimiter(text: str) -> str:
    """The separator of the first line: whichever of comma, semicolon and tab it has most of,
    outside quotes."""
    first = text.split("\n", 1)[0]
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean(cells: list[str]) -> list[str]:
    return [cell.strip() for cell in cells]


def _open_csv(path: Path) -> Sheet:
    text, encoding = decode(Path(path).read_bytes())
    if "\x00" in text[:4096]:
        raise UnreadableFile(_("This does not look like a CSV file."))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in enumerate(reader, start=1):
                if any(cell.strip() for cell in cells):
                    yield number, _clean(cells)
        except csv.Error as exc:
            raise UnreadableFile(
                _("Row %(row)s cannot be read: %(error)s") % {"row": reader.line_num, "error": exc}
            ) from exc

    rows = numbered()
    header_row, headers = next(rows, (1, []))
    if not headers:
        raise UnreadableFile(_("The file is empty."))
    return Sheet(headers, header_row, rows, encoding=encoding, delimiter=delimiter)


def cell_text(value: object) -> str:
    """An Excel cell as the text a person sees: 971501234567.0 -> '971501234567'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _open_xlsx(path: Path) -> Sheet:
    import zipfile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(_("This is not an Excel .xlsx file Tend can read.")) from exc
    sheet = workbook.worksheets[0]

    def numbered() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(value) for value in values]
                if any(cells):
                    yield number, cells
        finally:
            workbook.close()

    rows = numbered()
    header_row, headers = next(rows, (1, []))
    if not headers:
        rows.close()
        raise UnreadableFile(_("The first sheet is empty."))
    while headers and not headers[-1]:
        headers.pop()
    return Sheet(headers, header_row, rows)


def read_headers(path: Path, kind: str | None = None) -> list[str]:
    sheet = open_sheet(path, kind)
    sheet.close()
    return sheet.headers


def estimate_rows(path: Path, kind: str | None = None) -> int:
    """About how many data rows the file holds, cheaply (for a progress bar): the lines of a
    CSV, the used range of a sheet; the header not counted."""
    kind = kind or file_kind(path.name)
    if kind == "xlsx":
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True)
        except Exception:  # noqa: BLE001  (open_sheet says why it cannot be read)
            return 0
        try:
            return max((workbook.worksheets[0].max_row or 1) - 1, 0)
        finally:
            workbook.close()
    lines = 0
    with Path(path).open("rb") as data:
        while chunk := data.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def with_progress(
    rows: Iterator[tuple[int, list[str]]], progress: Callable[[int], None] | None, every: int = 500
) -> Iterator[tuple[int, list[str]]]:
    """The rows, telling ``progress`` how many were read every ``every`` rows and at the end."""
    if progress is None:
        yield from rows
        return
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            progress(done)
    progress(done)
