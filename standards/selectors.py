"""Reads for standards. Drafts are visible only to people who may author standards."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from accounts.models import User
from standards.canonical import requirement_document, version_document
from standards.format import normalise_number
from standards.format.overlays import overlay_problems
from standards.models import Requirement, Section, Standard, StandardVersion, VersionStatus

PUBLIC_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED, VersionStatus.WITHDRAWN)


def can_author_standards(user: User | AnonymousUser | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("standards.change_standardversion")
    )


def visible_versions(*, user: User | AnonymousUser | None) -> QuerySet[StandardVersion]:
    versions = StandardVersion.objects.select_related("standard", "supersedes")
    if can_author_standards(user):
        return versions
    return versions.filter(status__in=PUBLIC_STATUSES)


def standards_with_versions(*, user: User | AnonymousUser | None) -> list[Standard]:
    versions = visible_versions(user=user).order_by("-effective_from", "-created_at")
    standards = (
        Standard.objects.filter(versions__in=versions)
        .distinct()
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="visible_versions"))
    )
    return list(standards)


def get_version(*, user: User | AnonymousUser | None, slug: str, version: str) -> StandardVersion:
    """Raises StandardVersion.DoesNotExist for versions the user may not see, as for missing ones."""
    return visible_versions(user=user).get(standard__slug=slug, version=version)


def current_version(*, slug: str) -> StandardVersion | None:
    return (
        StandardVersion.objects.select_related("standard")
        .filter(standard__slug=slug, status=VersionStatus.PUBLISHED)
        .first()
    )


def local_versions_for_area(*, area_code: str) -> list[StandardVersion]:
    """The area's local standard versions, newest first, with the national versions they extend."""
    return list(
        StandardVersion.objects.select_related("standard", "extends__standard")
        .filter(standard__area_code=area_code)
        .exclude(status=VersionStatus.WITHDRAWN)
        .order_by("-created_at", "-pk")
    )


def local_version_for(*, area_code: str, national: StandardVersion) -> StandardVersion | None:
    """The latest published local version of the area's that extends this national version."""
    return (
        StandardVersion.objects.select_related("standard", "extends__standard")
        .filter(
            standard__area_code=area_code,
            extends=national,
            status__in=(VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED),
        )
        .order_by("-published_at", "-pk")
        .first()
    )


def local_version_or_reason(
    *, area_code: str, area_name: str, national: StandardVersion
) -> tuple[StandardVersion | None, str]:
    """The area's latest published local version that extends this national version; else,
    where the area's local standard extends another version only, why there is none."""
    local = local_version_for(area_code=area_code, national=national)
    if local is not None:
        return local, ""
    latest = latest_local_version(area_code=area_code)
    if latest is None or latest.extends is None:
        return None, ""
    if latest.extends.standard_id != national.standard_id:
        return None, ""
    return None, (
        f"{area_name}'s local standard ({latest.label}) extends {latest.extends.label}, not"
        f" {national.label}. Until the area publishes a local version that extends it, you"
        " declare against the national standard only."
    )


def local_misfits(*, local: StandardVersion, national: StandardVersion) -> list[str]:
    """What in a local version no longer fits another national version, one line each, named by
    the local key: national keys it raises that are gone, national thresholds now at or above its
    own, keys and section codes the national version now uses too."""
    document = version_document(local)
    problems = overlay_problems(document, version_document(national))
    lines = []
    for problem in problems:
        lines.append(f"{_named(document, problem.place)}: {problem.message}")
    return lines


def _named(document: dict[str, Any], place: str) -> str:
    """A place in a document by what a person knows it as: the requirement's key, the section's code."""
    found = re.match(r"sections\[(\d+)\](?:\.requirements\[(\d+)\])?", place)
    if found is None:
        return place
    section = document["sections"][int(found.group(1))]
    if found.group(2) is None:
        return f"section {section['code']}"
    return section["requirements"][int(found.group(2))]["key"]


def local_versions_outdated_by(*, national: StandardVersion) -> list[StandardVersion]:
    """The published local versions that extend an earlier version of this national standard."""
    return list(
        StandardVersion.objects.select_related("standard", "extends__standard")
        .filter(
            status=VersionStatus.PUBLISHED,
            extends__standard_id=national.standard_id,
            standard__area_code__gt="",
        )
        .exclude(extends=national)
        .order_by("standard__area_code", "standard__slug")
    )


@dataclass(frozen=True)
class LocalStandardStatus:
    local: StandardVersion
    national: StandardVersion | None  # the published version of the standard it extends
    misfits: list[str]

    @property
    def outdated(self) -> bool:
        """A newer national version is published: providers declare its national part only."""
        return self.national is not None and self.local.extends_id != self.national.pk


def latest_local_version(*, area_code: str) -> StandardVersion | None:
    """The area's published local version (whatever national version it extends)."""
    return (
        StandardVersion.objects.select_related("standard", "extends__standard")
        .filter(standard__area_code=area_code, status=VersionStatus.PUBLISHED)
        .order_by("-published_at", "-pk")
        .first()
    )


# Which local version each area has is kept in Django's cache: most areas have none, and the
# area dashboard asks on every view. Publishing or withdrawing a local version forgets it.
LOCAL_VERSION_TIMEOUT = 300


def _local_version_key(area_code: str) -> str:
    return f"standards:local-version:{area_code}"


def cached_local_version(*, area_code: str) -> StandardVersion | None:
    """`latest_local_version`, from the cache when it is there (None cached as well)."""
    key = _local_version_key(area_code)
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    local = latest_local_version(area_code=area_code)
    cache.set(key, (local,), LOCAL_VERSION_TIMEOUT)
    return local


def forget_local_version(*, area_code: str) -> None:
    if area_code:
        cache.delete(_local_version_key(area_code))


def local_standard_status(*, area_code: str) -> LocalStandardStatus | None:
    """The area's published local version, and whether it still extends the national version
    providers now declare against (else what no longer fits)."""
    local = latest_local_version(area_code=area_code)
    if local is None or local.extends is None:
        return None
    national = current_version(slug=local.extends.standard.slug)
    misfits = (
        local_misfits(local=local, national=national)
        if national is not None and national.pk != local.extends_id
        else []
    )
    return LocalStandardStatus(local=local, national=national, misfits=misfits)


def requirements_for(
    *, version: StandardVersion, provider_type: str | None = None
) -> QuerySet[Requirement]:
    requirements = Requirement.objects.filter(version=version).select_related("section")
    if provider_type:
        # Provider type codes are whole words within a JSON list; quoting the code matches it exactly.
        requirements = requirements.filter(applies_to__icontains=f'"{provider_type}"')
    return requirements.order_by("section__order", "order")


@dataclass
class SectionWithRequirements:
    section: Section
    requirements: list[Requirement]


def sections_with_requirements(
    *, version: StandardVersion, provider_type: str | None = None
) -> list[SectionWithRequirements]:
    grouped: dict[int, SectionWithRequirements] = {}
    for section in version.sections.order_by("order"):
        grouped[section.pk] = SectionWithRequirements(section=section, requirements=[])
    for requirement in requirements_for(version=version, provider_type=provider_type):
        grouped[requirement.section_id].requirements.append(requirement)
    return [group for group in grouped.values() if group.requirements or not provider_type]


def get_requirement(*, version: StandardVersion, key: str) -> Requirement:
    return Requirement.objects.select_related("section", "version__standard").get(
        version=version, key=key
    )


def requirement_lookup(version: StandardVersion) -> dict[str, tuple[str, dict[str, Any]]]:
    """Title and answer spec by key, for describing conditions that refer to other requirements."""
    return {
        r.key: (r.title, {"type": r.answer_type, **r.answer_options})
        for r in Requirement.objects.filter(version=version).only(
            "key", "title", "answer_type", "answer_options"
        )
    }


# ---- comparing versions --------------------------------------------------------------------

FIELD_LABELS = {
    "section": "Section",
    "title": "Title",
    "question": "Question",
    "guidance": "Guidance",
    "theme": "Theme",
    "applies_to": "Applies to",
    "strength": "Strength",
    "weight": "Weight",
    "answer": "Answer",
    "rule": "Rule",
    "allow_not_applicable": "Allows “not applicable”",
    "evidence_prompt": "Evidence prompt",
    "evidence_required": "Evidence required",
    "citations": "Citations",
    "effective_from": "Effective from",
    "effective_to": "Effective to",
    "description": "Description",
    "order": "Order",
}
# A section's fields that its requirements' changes do not show: all of them but its code.
SECTION_FIELDS = ("title", "description", "weight", "order")


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    @property
    def old_text(self) -> str:
        return show_value(self.old)

    @property
    def new_text(self) -> str:
        return show_value(self.new)


def show_value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass
class RequirementChange:
    key: str
    old: Requirement
    new: Requirement
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def answer_type_changed(self) -> bool:
        return self.old.answer_type != self.new.answer_type


@dataclass
class SectionChange:
    code: str
    old: Section
    new: Section
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class VersionDiff:
    old: StandardVersion
    new: StandardVersion
    added: list[Requirement]
    removed: list[Requirement]
    changed: list[RequirementChange]
    sections_added: list[Section] = field(default_factory=list)
    sections_removed: list[Section] = field(default_factory=list)
    sections_changed: list[SectionChange] = field(default_factory=list)

    @property
    def unchanged_count(self) -> int:
        return len(self._old_keys & self._new_keys) - len(self.changed)

    _old_keys: set[str] = field(default_factory=set)
    _new_keys: set[str] = field(default_factory=set)


def _comparable(requirement: Requirement) -> dict[str, Any]:
    doc = requirement_document(requirement)
    doc.pop("key")
    doc["section"] = requirement.section.code
    return doc


def _section_fields(section: Section) -> dict[str, Any]:
    return {
        "title": section.title,
        "description": section.description,
        "weight": normalise_number(section.weight),
        "order": section.order,
    }


def _diff_sections(old: StandardVersion, new: StandardVersion) -> dict[str, Any]:
    """Sections are matched by code, as requirements are by key."""
    old_sections = {s.code: s for s in old.sections.order_by("order")}
    new_sections = {s.code: s for s in new.sections.order_by("order")}
    changed: list[SectionChange] = []
    for code in new_sections.keys() & old_sections.keys():
        before, after = _section_fields(old_sections[code]), _section_fields(new_sections[code])
        fields = [
            FieldChange(f, before[f], after[f]) for f in SECTION_FIELDS if before[f] != after[f]
        ]
        if fields:
            changed.append(SectionChange(code, old_sections[code], new_sections[code], fields))
    return {
        "sections_added": [s for code, s in new_sections.items() if code not in old_sections],
        "sections_removed": [s for code, s in old_sections.items() if code not in new_sections],
        "sections_changed": sorted(changed, key=lambda c: c.new.order),
    }


def diff_versions(*, old: StandardVersion, new: StandardVersion) -> VersionDiff:
    old_reqs = {r.key: r for r in requirements_for(version=old)}
    new_reqs = {r.key: r for r in requirements_for(version=new)}
    changed: list[RequirementChange] = []
    for key in sorted(old_reqs.keys() & new_reqs.keys()):
        before, after = _comparable(old_reqs[key]), _comparable(new_reqs[key])
        fields = [
            FieldChange(name, before.get(name), after.get(name))
            for name in FIELD_LABELS
            if before.get(name) != after.get(name)
        ]
        if fields:
            changed.append(
                RequirementChange(key=key, old=old_reqs[key], new=new_reqs[key], changes=fields)
            )
    return VersionDiff(
        old=old,
        new=new,
        added=[new_reqs[k] for k in sorted(new_reqs.keys() - old_reqs.keys())],
        removed=[old_reqs[k] for k in sorted(old_reqs.keys() - new_reqs.keys())],
        changed=changed,
        _old_keys=set(old_reqs),
        _new_keys=set(new_reqs),
        **_diff_sections(old, new),
    )
