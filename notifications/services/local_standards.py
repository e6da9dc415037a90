"""Telling an area's officers when a new national version no longer fits their local standard."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant
from notifications.models import Kind
from notifications.services.delivery import Draft, record_drafts
from standards.models import StandardVersion
from standards.selectors import local_misfits, local_versions_outdated_by


def local_standards_outdated(*, version_id: int) -> int:
    """For each published local standard that extends an earlier version of the newly published
    national one, tell the area's officers what no longer fits it (keys removed, national
    thresholds now at or above the local ones), and that until they publish a local version that
    extends the new one, providers declare the national part only. Returns the emails queued."""
    national = StandardVersion.objects.select_related("standard").filter(pk=version_id).first()
    if national is None or national.published_at is None or national.standard.area_code:
        return 0
    written = 0
    for local in local_versions_outdated_by(national=national):
        area_code = local.standard.area_code
        misfits = local_misfits(local=local, national=national)
        officers = (
            RoleGrant.objects.filter(
                role=Role.AREA_OFFICER, area__code=area_code, user__is_active=True
            )
            .exclude(user__notification_opt_outs__kind=Kind.LOCAL_STANDARD_OUTDATED)
            .values_list("user_id", flat=True)
            .distinct()
        )
        published = timezone.localtime(national.published_at).date()
        body = "\n".join(
            [
                f"Version {national.version} of “{national.standard.title}” was published on"
                f" {published.day} {published:%B %Y}. Your area's local standard,"
                f" {local.label}, extends version {local.extends.version if local.extends else ''}.",
                "",
                *(
                    ["What no longer fits the new national version:", *(f"- {m}" for m in misfits)]
                    if misfits
                    else ["Everything in your local standard still fits the new national version."]
                ),
                "",
                f"Until you publish a local version that extends version {national.version},"
                " providers in your area declare against the national standard only.",
            ]
        )
        drafts = [
            Draft(
                kind=Kind.LOCAL_STANDARD_OUTDATED,
                event_key=f"local:{local.pk}:national:{national.pk}",
                recipient_id=user_id,
                subject=f"Your local standard does not extend {national.label} yet",
                body=body,
                path=reverse("providers:area", args=[area_code]),
            )
            for user_id in officers
        ]
        written += len(record_drafts(drafts))
    return written
