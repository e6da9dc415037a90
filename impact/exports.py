"""The preview's report as CSV (one table) or XLSX (a sheet per table)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from impact.selectors import Table

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    """Text a spreadsheet would run as a formula is written as text (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(table: Table, heading: Sequence[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in heading:
        writer.writerow([line])
    writer.writerow([])
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(tables: Sequence[Table], heading: Sequence[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def clean(value: object) -> object:
        value = _safe(value)
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(title=table.title[:31].strip())
        for line in heading:
            sheet.append([clean(line)])
        sheet.append([])
        sheet.append(list(table.headers))
        for row in table.rows:
            sheet.append([clean(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
