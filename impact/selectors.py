"""Reads for impact previews: the latest preview of a draft, whether it is still current, its
summary and its report as tables. Previews are for people who may author standards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from impact.drafts import draft_hash
from impact.models import ChunkStatus, DraftEdit, ImpactPreview, PreviewStatus
from standards.models import StandardVersion, VersionStatus
from standards.selectors import can_author_standards
from standards.signals import PublishNote


def latest_preview(*, version: StandardVersion) -> ImpactPreview | None:
    return ImpactPreview.objects.filter(version=version).order_by("-created_at", "-id").first()


def progress(*, preview: ImpactPreview) -> tuple[int, int]:
    """(chunks done, chunks in all)."""
    done = preview.chunks.filter(status=ChunkStatus.DONE).count()
    return done, preview.chunk_count


def draft_changed_at(*, version: StandardVersion) -> Any:
    edit = DraftEdit.objects.filter(version_id=version.pk).first()
    return edit.changed_at if edit else version.created_at


def why_not_current(*, version: StandardVersion, preview: ImpactPreview | None) -> str:
    """Why publishing should wait for a new preview ("" if the preview is current)."""
    label = f"{version.standard.slug} {version.version}"
    if preview is None:
        return f"there is no impact preview of {label}; run preview_standard {label}"
    if preview.status != PreviewStatus.DONE:
        done, total = progress(preview=preview)
        return f"the impact preview of {label} is still running ({done} of {total} parts done)"
    changed = draft_changed_at(version=version)
    if changed > preview.created_at or draft_hash(version) != preview.draft_hash:
        return (
            f"the draft {label} changed at {changed:%Y-%m-%d %H:%M:%S %Z}, after its impact preview"
            f" of {preview.created_at:%Y-%m-%d %H:%M:%S %Z}; preview it again"
        )
    return ""


def summary_lines(*, preview: ImpactPreview) -> list[str]:
    report = preview.report or {}
    total = report.get("total", {})
    gaps = report.get("gap_totals", {})
    facts = preview.draft or {}
    against = f" against {facts['baseline']}" if facts.get("baseline") else ""
    median = total.get("median_change")
    return [
        f"Impact preview of {preview.version.standard.slug} {preview.version.version}{against},"
        f" made {preview.created_at:%Y-%m-%d %H:%M %Z} for {preview.assessed_on:%-d %B %Y}:",
        f"  providers scored: {total.get('providers', 0)}"
        f" (without a result on the published version: {total.get('new_results', 0)})",
        f"  scores up {total.get('up', 0)}, down {total.get('down', 0)},"
        f" same {total.get('same', 0)}; median change"
        f" {'none' if median is None else f'{median:+.2f}'}",
        f"  all must requirements met: gained by {total.get('gain_musts', 0)},"
        f" lost by {total.get('lose_musts', 0)}",
        f"  gaps opened {gaps.get('opened', 0)}, re-opened {gaps.get('reopened', 0)},"
        f" closed {gaps.get('resolved', 0)}, closed as superseded {gaps.get('superseded', 0)}",
        f"  answers to check: {len(report.get('answers_to_check', []))} new or changed questions;"
        f" requirements no provider passes: {len(report.get('unpassable', []))}",
    ]


def publish_note(*, version_id: int) -> PublishNote:
    """What the latest preview says before a draft is published, and whether publishing should
    wait. The first version of a standard has no results to change, so it need not wait."""
    version = StandardVersion.objects.select_related("standard").filter(pk=version_id).first()
    if version is None or not version.is_draft:
        return PublishNote()
    preview = latest_preview(version=version)
    lines = tuple(summary_lines(preview=preview)) if preview and preview.report else ()
    has_published = StandardVersion.objects.filter(
        standard_id=version.standard_id, status=VersionStatus.PUBLISHED
    ).exists()
    refusal = why_not_current(version=version, preview=preview) if has_published else ""
    return PublishNote(lines=lines, refusal=refusal)


def can_preview(user: User | AnonymousUser | None) -> bool:
    return can_author_standards(user)


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


GROUP_HEADERS = (
    "Providers",
    "Without an earlier result",
    "Score up",
    "Score down",
    "Score the same",
    "Median change",
    "Gain all musts met",
    "Lose all musts met",
)


def _group_row(first: tuple[Any, ...], g: dict[str, Any]) -> tuple[Any, ...]:
    return (
        *first,
        g["providers"],
        g["new_results"],
        g["up"],
        g["down"],
        g["same"],
        "" if g["median_change"] is None else g["median_change"],
        g["gain_musts"],
        g["lose_musts"],
    )


def report_tables(*, preview: ImpactPreview) -> list[Table]:
    """The report as tables, the same for the page, CSV and XLSX."""
    report = preview.report or {}
    return [
        Table(
            "areas",
            "By area",
            ("Area", "Code", *GROUP_HEADERS),
            [_group_row((r["name"], r["code"]), r) for r in report.get("by_area", [])],
        ),
        Table(
            "types",
            "By provider type",
            ("Provider type", *GROUP_HEADERS),
            [_group_row((r["name"],), r) for r in report.get("by_type", [])],
        ),
        Table(
            "gaps",
            "Gaps by requirement",
            (
                "Requirement",
                "Title",
                "Strength",
                "Would open",
                "Would re-open",
                "Would close",
                "Would close as superseded",
                "Why superseded",
            ),
            [
                (
                    g["key"],
                    g["title"],
                    g["strength"].replace("_", " "),
                    g["opened"],
                    g["reopened"],
                    g["resolved"],
                    g["superseded"],
                    "; ".join(g["reasons"]),
                )
                for g in report.get("gaps", [])
            ],
        ),
        Table(
            "answers",
            "Answers to check",
            ("Requirement", "Title", "Change", "Providers to answer"),
            [
                (a["key"], a["title"], a["change"], a["providers"])
                for a in report.get("answers_to_check", [])
            ],
        ),
        Table(
            "unpassable",
            "Requirements no provider could pass now",
            ("Requirement", "Title", "Strength", "Providers it applies to"),
            [
                (u["key"], u["title"], u["strength"].replace("_", " "), u["providers"])
                for u in report.get("unpassable", [])
            ],
        ),
    ]


TABLE_SLUGS = ("areas", "types", "gaps", "answers", "unpassable")


def previewable_version(
    *, user: User | AnonymousUser | None, slug: str, version: str
) -> StandardVersion:
    """Raises StandardVersion.DoesNotExist for anyone who may not author standards."""
    if not can_preview(user):
        raise StandardVersion.DoesNotExist
    return StandardVersion.objects.select_related("standard").get(
        standard__slug=slug, version=version
    )
