"""Spreadsheets for the import tests, written the way Excel and ERPs write them."""

import csv
import io
from pathlib import Path

HEADERS = [
    "Customer name",
    "External ID",
    "Country",
    "City",
    "Tier",
    "Owner",
    "Contact",
    "Email",
    "Phone",
    "Contact 2 name",
    "Contact 2 email",
]


def book_rows(count: int, *, owner: str = "") -> list[list[str]]:
    """``count`` distinct customers, every third with a second contact; all valid."""
    rows = []
    for n in range(count):
        second = n % 3 == 0
        rows.append(
            [
                f"Gulf Importer {n} Trading LLC",
                f"ERP-{n:05d}",
                "AE" if n % 2 else "United Arab Emirates",
                "Dubai",
                "ABC"[n % 3],
                owner,
                f"Buyer {n}",
                f"buyer{n}@gulf{n}.example",
                f"+971 50 {1000000 + n}",
                f"Second {n}" if second else "",
                f"second{n}@gulf{n}.example" if second else "",
            ]
        )
    return rows


def write_csv(path: Path, headers, rows, *, encoding="utf-8", delimiter=",") -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, headers, rows) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Customers")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path
