"""The standard version the dashboards report against, and the parts of it they need.

Both are kept in Django's cache (Redis where configured): the facts of a version that can no
longer change for a day, the version each standard reports against for REPORTING_TIMEOUT
seconds (a newly published version shows within that time). Outcome layouts (they never
change once written) are scoring's `layout_keys`, in the same cache. The facts of a version that
can no longer change are also kept in this process (`_facts`, bounded), keyed like the cache by
id, content hash and status: every dashboard page needs them, and reading them from Redis (about
30 kB, pickled) cost each page a round trip and the unpickling.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.core.cache import cache
from django.utils import timezone

from dashboards.models import ScoreBand
from standards.models import Requirement, Section, Standard, StandardVersion, VersionStatus

DEFAULT_STANDARD = "send-statutory-baseline"
HEALTH_THEME = "health"


def today() -> dt.date:
    return timezone.localdate()


def score_band(score: float | None) -> str:
    """The band of a score as it is shown: rounded half up to a whole number."""
    if score is None:
        return ScoreBand.NO_RESULT
    shown = int(score + 0.5)
    if shown < 50:
        return ScoreBand.UNDER_50
    if shown < 70:
        return ScoreBand.FROM_50
    if shown < 90:
        return ScoreBand.FROM_70
    return ScoreBand.FROM_90


# ---- what a version asks ----------------------------------------------------------------


@dataclass(frozen=True)
class RequirementFacts:
    key: str
    title: str
    section: str
    strength: str
    theme: str
    order: int
    applies_to: frozenset[str] = frozenset()


@dataclass(frozen=True)
class VersionFacts:
    """The parts of a version the dashboards need, read once per version."""

    id: int
    label: str
    sections: tuple[tuple[str, str], ...]  # (code, title) in order
    requirements: dict[str, RequirementFacts]
    applies_to: frozenset[str]

    @cached_property  # read for each requirement of a page: worked out once per version
    def health_keys(self) -> frozenset[str]:
        return frozenset(k for k, r in self.requirements.items() if r.theme == HEALTH_THEME)


def _read_facts(version_id: int) -> VersionFacts:
    version = StandardVersion.objects.get(pk=version_id)
    sections = tuple(
        Section.objects.filter(version_id=version_id).order_by("order").values_list("code", "title")
    )
    requirements: dict[str, RequirementFacts] = {}
    applies: set[str] = set()
    rows = (
        Requirement.objects.filter(version_id=version_id)
        .order_by("section__order", "order")
        .values_list("key", "title", "section__code", "strength", "theme", "applies_to")
    )
    for order, (key, title, section, strength, theme, applies_to) in enumerate(rows):
        requirements[key] = RequirementFacts(
            key, title, section, strength, theme, order, frozenset(applies_to or [])
        )
        applies.update(applies_to or [])
    return VersionFacts(
        id=version_id,
        label=version.version,
        sections=sections,
        requirements=requirements,
        applies_to=frozenset(applies),
    )


FACTS_TIMEOUT = 24 * 3600
FACTS_LIMIT = 16
_facts: dict[str, VersionFacts] = {}


def facts_for(version_id: int, content_hash: str, status: str) -> VersionFacts:
    """A version's facts: a draft's read afresh, any other version's kept by content hash, in
    this process and in the cache."""
    if status == VersionStatus.DRAFT or not content_hash:
        return _read_facts(version_id)
    key = f"dashboards:facts:{version_id}:{content_hash}:{status}"
    facts = _facts.get(key)
    if facts is not None:
        return facts
    facts = cache.get(key)
    if facts is None:
        facts = _read_facts(version_id)
        cache.set(key, facts, FACTS_TIMEOUT)
    if len(_facts) >= FACTS_LIMIT:
        _facts.clear()
    _facts[key] = facts
    return facts


def version_facts(version: StandardVersion) -> VersionFacts:
    return facts_for(version.pk, version.content_hash, version.status)


def clear_caches() -> None:
    """For tests, whose databases reuse ids: empty the cache and forget the facts kept here."""
    cache.clear()
    _facts.clear()


def standard_by_slug(slug: str | None = None) -> Standard | None:
    return Standard.objects.filter(slug=slug or DEFAULT_STANDARD).first()


def published_version(standard_id: int) -> StandardVersion | None:
    """The version the dashboards report against: the published one, else the latest
    superseded or withdrawn one (never a draft)."""
    versions = (
        StandardVersion.objects.select_related("standard")
        .filter(standard_id=standard_id)
        .exclude(status=VersionStatus.DRAFT)
    )
    published = versions.filter(status=VersionStatus.PUBLISHED).first()
    if published is not None:
        return published
    return versions.order_by("-effective_from", "-created_at").first()


# Which version each standard reports against is read at most every REPORTING_TIMEOUT seconds:
# a newly published version shows within that time.
REPORTING_TIMEOUT = 30


def reporting(
    *, standard_id: int | None = None, slug: str | None = None
) -> tuple[Standard | None, StandardVersion | None]:
    key = "dashboards:reporting:" + (
        f"id:{standard_id}" if standard_id else f"slug:{slug or DEFAULT_STANDARD}"
    )
    hit = cache.get(key)
    if hit is not None:
        return hit[0], hit[1]
    standard = (
        Standard.objects.filter(pk=standard_id).first() if standard_id else standard_by_slug(slug)
    )
    version = published_version(standard.pk) if standard else None
    cache.set(key, (standard, version), REPORTING_TIMEOUT)
    return standard, version
