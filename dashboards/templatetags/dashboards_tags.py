"""Rendering dashboard tables as GOV.UK tables, with server-side sortable headers.

A table of 50 rows and 13 columns is built here in Python rather than in nested template
loops: the heatmap and the providers table stay fast.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dashboards.presenters import url_for
from dashboards.tables import Figure, Table, display

register = template.Library()


@register.simple_tag
def dashboard_table(
    table: Table,
    sort_query: str | None = None,
    caption_size: str = "m",
    hide_caption: bool = False,
    heatmap: bool = False,
    select: str = "",
) -> SafeString:
    """`sort_query`: the query string other than sort and order; given, sortable columns get
    links. `select`: the name of a checkbox to put in each row (its value is the row's code)."""
    if not table.rows:
        if hide_caption:
            return format_html('<p class="govuk-body">{}</p>', table.empty)
        return format_html(
            '<h3 class="govuk-heading-{}">{}</h3><p class="govuk-body">{}</p>',
            caption_size,
            table.title,
            table.empty,
        )
    classes = "govuk-table app-dashboard-table"
    if heatmap:
        classes += " app-heatmap"
    caption_class = f"govuk-table__caption govuk-table__caption--{caption_size}"
    if hide_caption:
        caption_class += " govuk-visually-hidden"
    parts = [
        f'<table class="{classes}">',
        f'<caption class="{caption_class}">{escape(table.title)}</caption>',
        '<thead class="govuk-table__head"><tr class="govuk-table__row">',
    ]
    if select:
        parts.append(
            '<th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Select</span></th>'
        )
    for column in table.columns:
        parts.append(_header(table, column, sort_query))
    parts.append('</tr></thead><tbody class="govuk-table__body">')
    cells = [_Cell(column) for column in table.columns]
    for index, row in enumerate(table.rows):
        links = table.links.get(index, {})
        tints = table.cell_classes.get(index, {})
        parts.append('<tr class="govuk-table__row">')
        if select:
            parts.append(_checkbox(select, row, index))
        for cell in cells:
            text = cell.text(row.get(cell.key))
            url = links.get(cell.key)
            if url:
                text = f'<a class="govuk-link" href="{escape(url)}">{text}</a>'
            tint = None if cell.header else tints.get(cell.key)
            if tint:
                parts.append(f'<td class="{cell.cell_class} {escape(tint)}">{text}</td>')
            else:
                parts.append(f"{cell.opening}{text}{cell.closing}")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return mark_safe("".join(parts))  # every value above is escaped


# Shown as digits, commas, points and percent signs only: nothing to escape.
_PLAIN_KINDS = frozenset({"count", "pct", "score", "average"})


class _Cell:
    """How one column's cells are written: the tags worked out once per table, and the escaping
    left out where a number cannot need it (a large table has thousands of cells)."""

    def __init__(self, column: Any) -> None:
        self.key = column.key
        self.kind = column.kind
        self.empty = column.empty
        self.empty_text = escape(column.empty)
        self.plain = column.kind in _PLAIN_KINDS
        self.header = column.header
        self.cell_class = "govuk-table__cell"
        if column.small:
            self.cell_class += " app-cell--small"
        if column.numeric:
            self.cell_class += " govuk-table__cell--numeric"
        if column.header:
            self.opening, self.closing = '<th scope="row" class="govuk-table__header">', "</th>"
        else:
            self.opening, self.closing = f'<td class="{self.cell_class}">', "</td>"

    def text(self, value: Any) -> str:
        if value is None or value == "":
            return self.empty_text
        if isinstance(value, Figure):
            return value.text()  # digits, or "not published"
        if self.plain and isinstance(value, int | float | Decimal):
            return display(value, self.kind, self.empty)
        return escape(display(value, self.kind, self.empty))


def _header(table: Table, column: Any, sort_query: str | None) -> str:
    header_class = "govuk-table__header"
    if column.numeric:
        header_class += " govuk-table__header--numeric"
    label = escape(column.label)
    if sort_query is None or not column.sortable:
        return f'<th scope="col" class="{header_class}">{label}</th>'
    current = table.sort == column.key
    descending = table.descending if current else False
    # The link sorts the other way round if this column is the current sort.
    next_order = "asc" if current and descending else "desc" if current else "asc"
    if not current and (column.numeric or column.kind == "date"):
        next_order = "desc"  # highest, or newest, first
    query = f"{sort_query}&" if sort_query else ""
    href = escape(f"?{query}sort={column.key}&order={next_order}")
    aria = ""
    state = ""
    # (ascending, descending) in words people use for the column's kind of value.
    words = (
        ("oldest first", "newest first")
        if column.kind == "date"
        else ("lowest first", "highest first")
        if column.numeric
        else ("A to Z", "Z to A")
    )
    if current:
        aria = f' aria-sort="{"descending" if descending else "ascending"}"'
        state = f" (sorted, {words[descending]})"
    hint = f"sort {words[next_order == 'desc']}"
    return (
        f'<th scope="col" class="{header_class}"{aria}>'
        f'<a class="govuk-link app-sort-link" href="{href}">{label}'
        f'<span class="govuk-visually-hidden">{escape(state)}, {hint}</span></a></th>'
    )


def _checkbox(name: str, row: dict[str, Any], index: int) -> str:
    code = escape(str(row.get("code", "")))
    label = escape(str(row.get("name", "")))
    return (
        '<td class="govuk-table__cell"><div class="govuk-checkboxes govuk-checkboxes--small" '
        'data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">'
        f'<input class="govuk-checkboxes__input" id="{escape(name)}-{index}" name="{escape(name)}" '
        f'type="checkbox" value="{code}">'
        f'<label class="govuk-label govuk-checkboxes__label" for="{escape(name)}-{index}">'
        f'<span class="govuk-visually-hidden">Compare {label}</span></label></div></div></td>'
    )


@register.simple_tag
def area_checkboxes(
    choices: list[tuple[str, list[tuple[str, str]]]], chosen: set[str], open_regions: set[str]
) -> SafeString:
    """The compare form's areas, a GOV.UK details component per region with a checkbox per
    area ((code, name) pairs), written here: England has about 150 areas."""
    parts = []
    for region, areas in choices:
        name = escape(region)
        parts.append(
            f'<details class="govuk-details"{" open" if region in open_regions else ""}>'
            '<summary class="govuk-details__summary">'
            f'<span class="govuk-details__summary-text">{name}</span></summary>'
            '<div class="govuk-details__text"><div class="govuk-form-group">'
            '<fieldset class="govuk-fieldset">'
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
            f"Areas in {name}</legend>"
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
        )
        for code, area in areas:
            checked = " checked" if code in chosen else ""
            value = escape(code)
            parts.append(
                '<div class="govuk-checkboxes__item">'
                f'<input class="govuk-checkboxes__input" id="area-{value}" name="area" '
                f'type="checkbox" value="{value}"{checked}>'
                f'<label class="govuk-label govuk-checkboxes__label" for="area-{value}">'
                f"{escape(area)}</label></div>"
            )
        parts.append("</div></fieldset></div></div></details>")
    return mark_safe("".join(parts))  # every value above is escaped


@register.simple_tag(name="url_for")
def url_for_tag(name: str, *args: Any) -> str:
    """`{% url %}` for the dashboards' links, whose arguments are codes and keys: the URL made
    from a pattern reversed once a process (`url_for`)."""
    return url_for(name, *args)


@register.inclusion_tag("dashboards/includes/downloads.html")
def table_downloads(table: Table, url_name: str, *args: Any, query: str = "") -> dict[str, Any]:
    """Links to the table as CSV and XLSX, with the page's query string (its filters): the URL
    named `url_name` with `args` and then the format, made from a pattern reversed once a process
    (`url_for`: an area's page has nine tables, and reverse() takes about 50 µs)."""
    suffix = f"?{query}" if query else ""
    return {
        "csv": url_for(url_name, *args, "csv") + suffix,
        "xlsx": url_for(url_name, *args, "xlsx") + suffix,
        "title": table.title,
        "show": bool(table.rows),
    }


@register.filter
def pct(value: float | None) -> str:
    return display(value, "pct", "No results")


@register.filter
def average(value: float | None) -> str:
    return display(value, "average", "No results")


@register.filter
def count(value: int | None) -> str:
    return display(value, "count", "0")
