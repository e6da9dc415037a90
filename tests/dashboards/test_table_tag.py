"""The dashboard table tag: every text escaped, numbers as the page shows them."""

from decimal import Decimal

from dashboards.tables import Column, Figure, Table
from dashboards.templatetags.dashboards_tags import dashboard_table


def _table() -> Table:
    table = Table(
        key="t",
        title="Areas <b>&</b> boards",
        columns=[
            Column("name", "Area", header=True),
            Column("providers", "Providers", "count"),
            Column("share", "Share", "pct", "No results"),
            Column("note", "Note", empty="<none>"),
            Column("figure", "Official", "figure"),
        ],
        rows=[
            {
                "name": "<script>alert(1)</script>",
                "providers": 1234,
                "share": Decimal("12.345"),
                "note": 'Says "hello" & more',
                "figure": Figure(Decimal("41.25"), is_percentage=True),
            },
            {"name": "Kent", "providers": None, "share": None, "note": "", "figure": Figure(None)},
        ],
    )
    table.link(0, "name", "/areas/?a=1&b=<2>")
    table.cell_classes[0] = {"providers": "app-heatmap--low", "name": "app-heatmap--high"}
    return table


def test_text_values_links_and_captions_are_escaped() -> None:
    html = dashboard_table(_table())
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<caption" in html and "Areas &lt;b&gt;&amp;&lt;/b&gt; boards</caption>" in html
    assert 'href="/areas/?a=1&amp;b=&lt;2&gt;"' in html
    assert "Says &quot;hello&quot; &amp; more" in html
    assert "&lt;none&gt;" in html  # a column's text for a missing value is escaped too


def test_numbers_and_missing_values_read_as_on_the_page() -> None:
    html = dashboard_table(_table())
    first, second = html.split('<tr class="govuk-table__row">')[2:4]
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric app-heatmap--low">1,234</td>'
        in first
    )
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">12.3%</td>' in first
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">41.2%</td>' in first
    # A row header is never tinted.
    assert first.startswith('<th scope="row" class="govuk-table__header"><a class="govuk-link"')
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">No data</td>' in second
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">No results</td>' in second
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">not published</td>' in second
