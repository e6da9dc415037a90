"""The standard version admin, with two actions for standards admins: preview a draft's impact,
and publish a draft after reading its latest preview's summary."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from impact.selectors import can_preview, latest_preview, publish_note
from impact.services import PreviewError, start_preview
from standards.admin import StandardVersionAdmin
from standards.models import StandardVersion
from standards.services import PublishError, publish_version


@admin.action(description="Preview the impact of publishing the selected draft")
def preview_impact(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[StandardVersion]
) -> None:
    for version in queryset.select_related("standard"):
        try:
            start_preview(
                slug=version.standard.slug,
                version=version.version,
                requested_by=request.user,  # type: ignore[arg-type]
            )
        except PreviewError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            continue
        url = reverse("impact:preview", args=[version.standard.slug, version.version])
        modeladmin.message_user(
            request,
            format_html(
                'Previewing {}: <a href="{}">follow its progress and read its report</a>.',
                version,
                url,
            ),
            messages.SUCCESS,
        )


@admin.action(description="Publish the selected draft (shows its impact preview first)")
def publish_draft(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[StandardVersion]
) -> HttpResponse | None:
    if not can_preview(request.user) or queryset.count() != 1:
        modeladmin.message_user(request, "Select one draft to publish.", messages.ERROR)
        return None
    version = queryset.select_related("standard").get()
    if not version.is_draft:
        modeladmin.message_user(request, f"{version} is {version.status}.", messages.ERROR)
        return None
    note = publish_note(version_id=version.pk)
    if request.POST.get("confirm") == "yes" and not note.refusal:
        try:
            published = publish_version(slug=version.standard.slug, version=version.version)
        except PublishError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            f"Published {published} (sha256 {published.content_hash}).",
            messages.SUCCESS,
        )
        return None
    context: dict[str, Any] = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Publish {version}?",
        "version": version,
        "note": note,
        "preview": latest_preview(version=version),
        "preview_url": reverse("impact:preview", args=[version.standard.slug, version.version]),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/impact/publish_confirmation.html", context)


class PreviewingStandardVersionAdmin(StandardVersionAdmin):
    actions = [preview_impact, publish_draft]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not can_preview(request.user):
            actions.pop("preview_impact", None)
            actions.pop("publish_draft", None)
        return actions


admin.site.unregister(StandardVersion)
admin.site.register(StandardVersion, PreviewingStandardVersionAdmin)
