"""CSV and XLSX downloads of dashboard tables, each headed by what it is: the table, the
place, the standard version, the date of the figures and the filters used."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from dashboards.tables import Table, export_value

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
OGL = "Contains public sector information licensed under the Open Government Licence v3.0."


@dataclass
class Heading:
    """What a download says about itself above the table."""

    title: str
    place: str
    version: str
    as_at: str
    filters: Sequence[tuple[str, str]] = ()
    sources: Sequence[str] = ()

    def lines(self) -> list[str]:
        now = timezone.localtime()
        lines = [
            f"Check SEND provision: {self.title}",
            self.place,
            f"Standard: {self.version}",
            f"Figures as at: {self.as_at}",
            f"Downloaded: {now.day} {now:%B %Y %H:%M}",
            "Filters: " + ("; ".join(f"{name}: {value}" for name, value in self.filters) or "none"),
        ]
        lines += [f"Source: {source}" for source in dict.fromkeys(self.sources)]
        if self.sources:
            lines.append(OGL)
        if getattr(settings, "DEMO_MODE", False):
            lines.append("The declarations in this service are generated demonstration data.")
        return lines


def _xml_text(value: object) -> object:
    """XLSX is XML, which cannot hold most control characters (a pasted vertical tab, say):
    they are left out rather than refusing the whole download."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(table: Table, heading: Heading) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in heading.lines():
        writer.writerow([line])
    writer.writerow([])
    writer.writerow([c.label for c in table.columns])
    columns = [(c.key, c.kind, c.empty) for c in table.columns]
    zone = timezone.get_current_timezone()
    writer.writerows(
        [_safe(export_value(row.get(key), kind, empty, zone)) for key, kind, empty in columns]
        for row in table.rows
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table, heading: Heading) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.title[:31].replace("/", " ").replace(":", " "))
    lines = heading.lines()
    header_row = len(lines) + 2
    sheet.freeze_panes = f"B{header_row + 1}"
    for index in range(1, len(table.columns) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if index == 1 else 18
    bold = Font(bold=True)
    for number, line in enumerate(lines):
        cell = WriteOnlyCell(sheet, value=_xml_text(line))
        if number == 0:
            cell.font = Font(bold=True, size=14)
        sheet.append([cell])
    sheet.append([])
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=_xml_text(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        values = []
        for column in table.columns:
            value = _xml_text(export_value(row.get(column.key), column.kind, column.empty))
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                values.append(cell)
            else:
                values.append(value)
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(table: Table, heading: Heading, *, fmt: str, name: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(table, heading), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_bytes(table, heading), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
