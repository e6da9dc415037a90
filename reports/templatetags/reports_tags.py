"""Template helpers for reports."""

from __future__ import annotations

import base64

from django import template

register = template.Library()


@register.filter
def svg_data_uri(svg: str) -> str:
    """An SVG chart as a data: URI, for an <img> that carries the chart's alternative text."""
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode("utf-8")).decode()
