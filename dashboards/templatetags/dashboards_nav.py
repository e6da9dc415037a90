"""The "Dashboards" item of the service navigation, for people who have a dashboard."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from accounts.access import access_for

register = template.Library()


@register.simple_tag
def dashboards_url(user: Any) -> str:
    """The dashboards' address if the person may open any dashboard, else ""."""
    access = access_for(user)
    if access.reads_everything or access.area_ids or access.icb_ids:
        return reverse("dashboards:index")
    return ""
