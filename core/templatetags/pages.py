"""Page numbers for the GOV.UK pagination component."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_numbers(page: Page) -> list[Any]:
    """The numbers to link around the current page, with the paginator's ELLIPSIS for gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
