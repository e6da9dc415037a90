from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def govuk_paragraphs(text: str | None) -> SafeString:
    """Plain text with blank-line paragraphs, as GOV.UK body paragraphs."""
    paragraphs = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return format_html_join(
        "\n", '<p class="govuk-body">{}</p>', ((escape(p),) for p in paragraphs)
    )
