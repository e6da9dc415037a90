"""Writes for standards: loading drafts, publishing, withdrawing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from standards.canonical import content_hash, version_document
from standards.format import (
    Problem,
    StandardFormatError,
    canonical_text,
    differing_places,
    parse_version_text,
    read_text,
)
from standards.models import Requirement, Section, Standard, StandardVersion, VersionStatus
from standards.selectors import forget_local_version
from standards.signals import PublishNote, publish_check, version_published


@dataclass(frozen=True)
class LoadResult:
    version: StandardVersion
    replaced: bool
    sections: int
    requirements: int


def load_version(*, text: str, loaded_by: User | None = None) -> LoadResult:
    """Validate a version file and store it as a draft, replacing a draft of the same label.

    Loads nothing and raises StandardFormatError, naming every problem, if anything is wrong.
    """
    document = parse_standard_text(text)
    return store_draft(document=document, loaded_by=loaded_by)


def load_local_version(*, text: str, area_code: str, loaded_by: User | None = None) -> LoadResult:
    """load_version for one area's local standard: the file must be a local standard for it.

    Raises StandardFormatError naming every problem, as load_standard does; loads nothing then.
    """
    try:
        document = parse_standard_text(text)
    except StandardFormatError as exc:
        raw = _raw_or_none(text)
        raise StandardFormatError(_area_problems(raw, area_code) + exc.problems) from exc
    problems = _area_problems(document, area_code)
    if problems:
        raise StandardFormatError(problems)
    return store_draft(document=document, loaded_by=loaded_by)


def _raw_or_none(text: str) -> Any:
    try:
        return read_text(text)
    except StandardFormatError:
        return None


def _area_problems(document: Any, area_code: str) -> list[Problem]:
    if not isinstance(document, dict):
        return []
    if "extends" not in document:
        return [
            Problem(
                "extends",
                "this is not a local standard: give extends (the national version it adds to)"
                f" and area: {area_code!r}",
            )
        ]
    area = document.get("area")
    if isinstance(area, str) and area != area_code:
        return [
            Problem(
                "area",
                f"this file is for area {area}; here you can load a local standard for area"
                f" {area_code} only",
            )
        ]
    return []


def parse_standard_text(text: str) -> dict[str, Any]:
    """parse_version_text, and for a local standard its checks against the version it extends.

    Raises StandardFormatError naming every problem, those of the file and of what it extends.
    """
    raw = read_text(text)
    extends = raw.get("extends") if isinstance(raw, dict) else None
    national: StandardVersion | None = None
    problems: list[Problem] = []
    if isinstance(extends, dict) and all(
        isinstance(extends.get(f), str) for f in ("slug", "version")
    ):
        national, problem = _extendable(slug=extends["slug"], version=extends["version"])
        if problem is not None:
            problems.append(problem)
    try:
        document = parse_version_text(
            text, national=version_document(national) if national is not None else None
        )
    except StandardFormatError as exc:
        raise StandardFormatError(problems + exc.problems) from exc
    if problems:
        raise StandardFormatError(problems)
    return document


def _extendable(*, slug: str, version: str) -> tuple[StandardVersion | None, Problem | None]:
    national = (
        StandardVersion.objects.select_related("standard")
        .filter(standard__slug=slug, version=version)
        .first()
    )
    if national is None:
        return None, Problem("extends", f"there is no version {version} of {slug} to extend")
    if national.standard.is_local:
        return None, Problem(
            "extends.slug", f"{slug} is a local standard; a local standard extends a national one"
        )
    if national.status == VersionStatus.WITHDRAWN:
        return None, Problem("extends.version", f"version {version} of {slug} is withdrawn")
    return national, None


@transaction.atomic
def store_draft(*, document: dict[str, Any], loaded_by: User | None = None) -> LoadResult:
    """Store a document from parse_standard_text as a draft."""
    meta = document["standard"]
    area_code = document.get("area", "")
    extends: StandardVersion | None = None
    if "extends" in document:
        extends, problem = _extendable(**document["extends"])
        if problem is not None:
            raise StandardFormatError([problem])
    standard, created = Standard.objects.select_for_update().get_or_create(
        slug=meta["slug"],
        defaults={"title": meta["title"], "owner": meta["owner"], "area_code": area_code},
    )
    if standard.area_code != area_code:
        raise StandardFormatError([_area_problem(standard)])
    if not created and (standard.title, standard.owner) != (meta["title"], meta["owner"]):
        standard.title, standard.owner = meta["title"], meta["owner"]
        standard.save(update_fields=["title", "owner"])

    replaced = False
    existing = StandardVersion.objects.filter(
        standard=standard, version=document["version"]
    ).first()
    if existing is not None:
        if not existing.is_draft:
            raise StandardFormatError(
                [
                    Problem(
                        "version",
                        f"version {existing.version} of {standard.slug} is {existing.status}"
                        " and cannot be replaced; load it under a new version label",
                    )
                ]
            )
        existing.delete()
        replaced = True

    version = StandardVersion.objects.create(
        standard=standard,
        version=document["version"],
        title=meta["title"],
        owner=meta["owner"],
        effective_from=dt.date.fromisoformat(document["effective_from"]),
        grace_period_days=document["grace_period_days"],
        change_notes=document["change_notes"],
        extends=extends,
        loaded_by=loaded_by,
    )
    count = 0
    for s_order, s_doc in enumerate(document["sections"], start=1):
        section = Section.objects.create(
            version=version,
            code=s_doc["code"],
            title=s_doc["title"],
            description=s_doc["description"],
            order=s_order,
            weight=s_doc["weight"],
        )
        Requirement.objects.bulk_create(
            [
                _requirement(version, section, r_order, r_doc)
                for r_order, r_doc in enumerate(s_doc["requirements"], start=1)
            ]
        )
        count += len(s_doc["requirements"])
    return LoadResult(
        version=version, replaced=replaced, sections=len(document["sections"]), requirements=count
    )


def _requirement(
    version: StandardVersion, section: Section, order: int, doc: dict[str, Any]
) -> Requirement:
    answer = dict(doc["answer"])
    answer_type = answer.pop("type")
    return Requirement(
        version=version,
        section=section,
        order=order,
        key=doc["key"],
        raises=doc.get("raises", ""),
        title=doc["title"],
        question=doc["question"],
        guidance=doc["guidance"],
        theme=doc["theme"],
        applies_to=doc["applies_to"],
        strength=doc["strength"],
        weight=doc["weight"],
        answer_type=answer_type,
        answer_options=answer,
        rule=doc["rule"],
        allow_not_applicable=doc["allow_not_applicable"],
        evidence_prompt=doc["evidence_prompt"],
        evidence_required=doc["evidence_required"],
        citations=doc["citations"],
        effective_from=_date(doc["effective_from"]),
        effective_to=_date(doc["effective_to"]),
    )


def _area_problem(standard: Standard) -> Problem:
    if standard.area_code:
        return Problem(
            "area",
            f"{standard.slug} is the local standard of area {standard.area_code};"
            " its versions extend a national version and give that area",
        )
    return Problem(
        "extends", f"{standard.slug} is a national standard; its versions extend nothing"
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class PublishError(Exception):
    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = problems or []
        super().__init__("\n".join([message, *(f"  {p}" for p in self.problems)]))


@transaction.atomic
def publish_version(*, slug: str, version: str) -> StandardVersion:
    """Freeze a draft, store its hash and supersede the version published before it."""
    try:
        target = StandardVersion.objects.select_for_update().get(
            standard__slug=slug, version=version
        )
    except StandardVersion.DoesNotExist as exc:
        raise PublishError(f"there is no version {version} of {slug}") from exc
    if not target.is_draft:
        raise PublishError(f"version {version} of {slug} is already {target.status}")
    if not target.requirements.exists():
        raise PublishError(f"version {version} of {slug} has no requirements")
    if target.extends is not None and target.extends.status not in (
        VersionStatus.PUBLISHED,
        VersionStatus.SUPERSEDED,
    ):
        raise PublishError(
            f"version {version} of {slug} extends {target.extends}, which is"
            f" {target.extends.status}; publish that first"
        )
    text = _checked_export(target)

    previous = (
        StandardVersion.objects.select_for_update()
        .filter(standard=target.standard, status=VersionStatus.PUBLISHED)
        .first()
    )
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.save(update_fields=["status"])

    target.content_hash = content_hash(text)
    target.status = VersionStatus.PUBLISHED
    target.published_at = timezone.now()
    target.supersedes = previous
    target.save(update_fields=["content_hash", "status", "published_at", "supersedes"])
    _forget_local(target)
    version_id = target.pk
    transaction.on_commit(
        lambda: version_published.send(sender=StandardVersion, version_id=version_id)
    )
    return target


def notes_before_publishing(*, version: StandardVersion) -> list[PublishNote]:
    """What the apps that listen have to say before this draft is published (an impact
    preview's summary, say), and whether they ask publishing to wait."""
    return [
        note
        for _, note in publish_check.send_robust(sender=StandardVersion, version_id=version.pk)
        if isinstance(note, PublishNote)
    ]


def _checked_export(version: StandardVersion) -> str:
    """The draft's canonical text, if the loader accepts it and would load it back unchanged.

    A draft edited in the admin has skipped the loader's checks; once published it cannot change,
    so check it here with the loader's own parser.
    """
    document = version_document(version)
    text = canonical_text(document)
    label = f"version {version.version} of {version.standard.slug}"
    national = version_document(version.extends) if version.extends is not None else None
    try:
        loaded = parse_version_text(text, national=national)
    except StandardFormatError as exc:
        raise PublishError(f"{label} has problems; nothing was published", exc.problems) from exc
    if canonical_text(loaded) != text:
        raise PublishError(
            f"{label} would load differently from its export; nothing was published",
            [
                Problem(place, "not in canonical form: save it again in the admin")
                for place in differing_places(document, loaded) or [""]
            ],
        )
    return text


@transaction.atomic
def withdraw_version(*, slug: str, version: str) -> StandardVersion:
    target = StandardVersion.objects.select_for_update().get(standard__slug=slug, version=version)
    if target.status not in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED):
        raise PublishError(
            f"only a published or superseded version can be withdrawn, not a {target.status} one"
        )
    target.status = VersionStatus.WITHDRAWN
    target.save(update_fields=["status"])
    _forget_local(target)
    return target


def _forget_local(target: StandardVersion) -> None:
    """An area's local version changed: forget the cached one now and once committed (a read
    in between may have cached the old one again)."""
    area_code = target.standard.area_code
    if area_code:
        forget_local_version(area_code=area_code)
        transaction.on_commit(lambda: forget_local_version(area_code=area_code))
