"""A stored version as its canonical document: the inverse of loading it."""

from __future__ import annotations

import hashlib
from typing import Any

from standards.format import FORMAT_VERSION, canonical_text, normalise_number
from standards.models import Requirement, Section, StandardVersion


def requirement_document(requirement: Requirement) -> dict[str, Any]:
    return {
        "key": requirement.key,
        **({"raises": requirement.raises} if requirement.raises else {}),
        "title": requirement.title,
        "question": requirement.question,
        "guidance": requirement.guidance,
        "theme": requirement.theme,
        "applies_to": list(requirement.applies_to),
        "strength": requirement.strength,
        "weight": normalise_number(requirement.weight),
        "answer": {"type": requirement.answer_type, **requirement.answer_options},
        "rule": requirement.rule,
        "allow_not_applicable": requirement.allow_not_applicable,
        "evidence_prompt": requirement.evidence_prompt,
        "evidence_required": requirement.evidence_required,
        "citations": list(requirement.citations),
        "effective_from": _iso(requirement.effective_from),
        "effective_to": _iso(requirement.effective_to),
    }


def version_document(version: StandardVersion) -> dict[str, Any]:
    sections: list[Section] = list(
        version.sections.order_by("order").prefetch_related("requirements")
    )
    return {
        "format": FORMAT_VERSION,
        "standard": {
            "slug": version.standard.slug,
            "title": version.title,
            "owner": version.owner,
        },
        **_local_fields(version),
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
        "grace_period_days": version.grace_period_days,
        "change_notes": version.change_notes,
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "description": section.description,
                "weight": normalise_number(section.weight),
                "requirements": [
                    requirement_document(r)
                    for r in sorted(section.requirements.all(), key=lambda r: r.order)
                ],
            }
            for section in sections
        ],
    }


def _local_fields(version: StandardVersion) -> dict[str, Any]:
    """A local standard's `extends` and `area`; a national version has neither."""
    if version.extends_id is None:
        return {}
    extends = version.extends
    assert extends is not None
    return {
        "extends": {"slug": extends.standard.slug, "version": extends.version},
        "area": version.standard.area_code,
    }


def export_text(version: StandardVersion) -> str:
    return canonical_text(version_document(version))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
