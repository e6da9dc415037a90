"""What the engine scores a provider type against: a version's requirements, read once.

Published versions are immutable (the database refuses changes), so their specs are kept in
Django's cache (Redis where configured) by version id and content hash; drafts are read afresh
every time. A spec's rules compiled for a date are Python functions, which no cache backend
can store: they are kept in this process (`_compiled`, bounded), keyed by the same content
hash, so they can never be out of date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache

from scoring.engine import CompiledSpec, RequirementSpec, SectionSpec, VersionSpec
from scoring.models import OutcomeLayout
from standards.models import Requirement, Section, StandardVersion, VersionStatus
from standards.rules import describe_rule


@dataclass(frozen=True)
class VersionInfo:
    id: int
    standard_id: int
    content_hash: str
    status: str
    effective_from: dt.date
    grace_period_days: int
    label: str

    @property
    def cacheable(self) -> bool:
        return self.status != VersionStatus.DRAFT and bool(self.content_hash)

    @property
    def sets_gaps(self) -> bool:
        """Only results against a standard's published version open and close gaps."""
        return self.status == VersionStatus.PUBLISHED


def version_info(version: StandardVersion) -> VersionInfo:
    return VersionInfo(
        id=version.pk,
        standard_id=version.standard_id,
        content_hash=version.content_hash,
        status=version.status,
        effective_from=version.effective_from,
        grace_period_days=version.grace_period_days,
        label=version.version,
    )


def _read_spec(info: VersionInfo, provider_type: str, keys: tuple[str, ...] | None) -> VersionSpec:
    sections = list(Section.objects.filter(version_id=info.id).order_by("order"))
    requirements = list(
        Requirement.objects.filter(version_id=info.id)
        .select_related("section")
        .order_by("section__order", "order")
    )
    answer_types = {r.key: r.answer_type for r in requirements}
    if keys is None:
        chosen = [r for r in requirements if provider_type in r.applies_to]
    else:
        by_key = {r.key: r for r in requirements}
        chosen = [by_key[k] for k in keys if k in by_key]
    return VersionSpec(
        version_id=info.id,
        content_hash=info.content_hash,
        effective_from=info.effective_from,
        grace_period_days=info.grace_period_days,
        sections=tuple(SectionSpec(s.code, s.title, s.weight) for s in sections),
        requirements=tuple(
            RequirementSpec(
                key=r.key,
                section=r.section.code,
                strength=r.strength,
                weight=r.weight,
                answer_type=r.answer_type,
                rule=r.rule,
                theme=r.theme,
                title=r.title,
                allow_not_applicable=r.allow_not_applicable,
                effective_from=r.effective_from,
                effective_to=r.effective_to,
                answer_key=r.raises,
            )
            for r in chosen
        ),
        answer_types=answer_types,
    )


SPEC_TIMEOUT = 24 * 3600


def _cached_spec(info: VersionInfo, provider_type: str) -> VersionSpec:
    key = f"scoring:spec:{info.id}:{info.content_hash}:{info.status}:{provider_type}"
    spec = cache.get(key)
    if spec is None:
        spec = _read_spec(info, provider_type, None)
        cache.set(key, spec, SPEC_TIMEOUT)
    return spec


# ---- explaining a run -------------------------------------------------------------------


@dataclass(frozen=True)
class ExplainedVersion:
    """Everything a result page says about a version's requirements besides their outcomes:
    every requirement's spec (in section and requirement order), its rule in plain English, and
    each requirement's answer options (a number's unit, a choice's labels) by requirement id."""

    spec: VersionSpec
    rules: Mapping[str, str]
    options: Mapping[int, Mapping[str, Any]]


REQUIREMENT_FIELDS = (
    "pk",
    "key",
    "section__code",
    "strength",
    "weight",
    "answer_type",
    "rule",
    "theme",
    "title",
    "allow_not_applicable",
    "effective_from",
    "effective_to",
    "raises",
    "answer_options",
)


def _read_explained(info: VersionInfo) -> ExplainedVersion:
    """Two queries, plain values: the sections, and every requirement with its section code."""
    sections = tuple(
        SectionSpec(code, title, weight)
        for code, title, weight in Section.objects.filter(version_id=info.id)
        .order_by("order")
        .values_list("code", "title", "weight")
    )
    rows = list(
        Requirement.objects.filter(version_id=info.id)
        .order_by("section__order", "order")
        .values_list(*REQUIREMENT_FIELDS)
    )
    requirements = []
    options: dict[int, Mapping[str, Any]] = {}
    answer_specs: dict[str, tuple[str, dict[str, Any]]] = {}
    for pk, key, section, strength, weight, answer_type, rule, theme, title, *rest in rows:
        allow_na, effective_from, effective_to, raises, answer_options = rest
        requirements.append(
            RequirementSpec(
                key=key,
                section=section,
                strength=strength,
                weight=weight,
                answer_type=answer_type,
                rule=rule,
                theme=theme,
                title=title,
                allow_not_applicable=allow_na,
                effective_from=effective_from,
                effective_to=effective_to,
                answer_key=raises,
            )
        )
        options[pk] = answer_options
        answer_specs[key] = (title, {"type": answer_type, **answer_options})
    spec = VersionSpec(
        version_id=info.id,
        content_hash=info.content_hash,
        effective_from=info.effective_from,
        grace_period_days=info.grace_period_days,
        sections=sections,
        requirements=tuple(requirements),
        answer_types={r.key: r.answer_type for r in requirements},
    )
    rules = {
        r.key: describe_rule(r.rule, answer_specs[r.key][1], answer_specs.get) for r in requirements
    }
    return ExplainedVersion(spec=spec, rules=rules, options=options)


def explained_version(info: VersionInfo) -> ExplainedVersion:
    """A version's explanations: a draft's read afresh, any other version's kept in the cache
    by id and content hash (a published version cannot change)."""
    if not info.cacheable:
        return _read_explained(info)
    key = f"scoring:explained:{info.id}:{info.content_hash}:{info.status}"
    explained = cache.get(key)
    if explained is None:
        explained = _read_explained(info)
        cache.set(key, explained, SPEC_TIMEOUT)
    return explained


def spec_for_keys(info: VersionInfo, keys: tuple[str, ...]) -> VersionSpec:
    """The spec of a stored layout, in its order (for explaining a run)."""
    full = explained_version(info).spec
    by_key = {r.key: r for r in full.requirements}
    return replace(full, requirements=tuple(by_key[k] for k in keys if k in by_key))


def layout_keys(layout_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The requirement keys of outcome layouts. Layouts never change once written: each is
    read from the database once a day at most."""
    wanted = sorted(set(layout_ids))
    found = cache.get_many([f"scoring:layout:{i}" for i in wanted])
    keys = {i: found[f"scoring:layout:{i}"] for i in wanted if f"scoring:layout:{i}" in found}
    missing = [i for i in wanted if i not in keys]
    if missing:
        read = {
            pk: tuple(layout)
            for pk, layout in OutcomeLayout.objects.filter(pk__in=missing).values_list("pk", "keys")
        }
        cache.set_many({f"scoring:layout:{i}": k for i, k in read.items()}, SPEC_TIMEOUT)
        keys.update(read)
    return {i: keys.get(i, ()) for i in wanted}


# Compiled specs of this process, by (version info, provider type, date); see the docstring.
COMPILED_LIMIT = 1024
_compiled: dict[tuple[VersionInfo, str, dt.date], CompiledSpec] = {}


def compiled_for(info: VersionInfo, provider_type: str, on: dt.date) -> CompiledSpec:
    """The spec with its rules compiled for the assessment date."""
    if not info.cacheable:
        return CompiledSpec(_read_spec(info, provider_type, None), on=on)
    key = (info, provider_type, on)
    compiled = _compiled.get(key)
    if compiled is None:
        if len(_compiled) >= COMPILED_LIMIT:
            _compiled.clear()
        compiled = _compiled[key] = CompiledSpec(_cached_spec(info, provider_type), on=on)
    return compiled


def layout_digest(keys: tuple[str, ...]) -> str:
    return hashlib.sha256(json.dumps(list(keys)).encode()).hexdigest()


def layout_id_for(info: VersionInfo, provider_type: str, spec: VersionSpec) -> int:
    """The layout row for these keys; created the first time it is needed."""
    keys = spec.keys
    layout, _ = OutcomeLayout.objects.get_or_create(
        version_id=info.id,
        provider_type=provider_type,
        digest=layout_digest(keys),
        defaults={"keys": list(keys)},
    )
    return layout.pk


def clear_caches() -> None:
    """For tests, whose databases reuse ids: empty the cache and forget compiled specs."""
    cache.clear()
    _compiled.clear()
