"""Demonstration declarations on the updated standard and the area's local standard. Never used
in production.

`seed_demo` publishes the national update (1.1) and then Westminster's local standard, which
extends it. Once both are published, `declare_on_update`:

- gives every Westminster setting whose declaration for this year the area accepted a new one,
  against the update and the local standard together (national sections first, then the area's),
  submitted and accepted by the area officer: answers carried over by requirement key from the
  accepted declaration, new questions answered as a setting of its strength would, and the kinds
  of special educational needs the school makes provision for (`SETTING-NEEDS-PROVIDED-FOR`) from
  the SEN provision types GIAS lists for it, with what most mainstream schools provide for where
  it is a mainstream school or GIAS lists none (`needs_provided_for`). Families then find these
  schools for those needs;
- adds the local standard's questions, unanswered, to the headteacher's draft, which moved to the
  update when it was published, so that the headteacher sees the area's section.

Answers come from a random number generator seeded by the provider, so they are the same every
time. Running it again changes nothing: a provider that already declared against the update this
year is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audits.demo import DEMO_REVIEW_AREA_CODE, OFFICER_EMAIL, _answer, _site_slug
from audits.demo_answers import generate_answers, strength_for
from audits.models import (
    Answer,
    AnswerReviewState,
    Declaration,
    DeclarationStatus,
    Reviewer,
    ReviewStatus,
)
from audits.periods import period_for
from audits.services.declarations import applicable_requirements
from providers.demo import DEMO_HEADTEACHER_SCHOOL_URN
from standards.models import Requirement, StandardVersion

NEEDS_KEY = "SETTING-NEEDS-PROVIDED-FOR"
# What most mainstream schools' SEN information reports name, and what some add.
MAINSTREAM_NEEDS = ("asd", "slcn", "mld", "spld", "semh")
SOMETIMES = ("sld", "hi", "vi", "pd", "msi")
NEEDS_EVIDENCE = "The section of our SEN information report on the needs we provide for."


def needs_provided_for(provider: Any, choices: list[str], rng: random.Random) -> list[str]:
    """The kinds of needs a school makes provision for, from the codes of the SEN provision types
    GIAS lists for it ("ASD - Autistic Spectrum Disorder" → "asd"): a special school's are those
    alone; a mainstream school's (GIAS lists those of its resourced provision or unit) come with
    what most mainstream schools provide for, as does a special school's that GIAS lists none
    for. Only values the requirement offers, in its order."""
    names = list(provider.sen_provision_types or [])
    wanted = {name.split("-", 1)[0].strip().lower() for name in names} & set(choices)
    if not wanted or provider.provider_type != "special_school":
        wanted |= set(MAINSTREAM_NEEDS) | {code for code in SOMETIMES if rng.random() < 0.3}
    return [value for value in choices if value in wanted]


@transaction.atomic
def declare_on_update(*, national: StandardVersion, local: StandardVersion | None) -> list[int]:
    """Declarations against the update (and the local standard) for the review area's settings
    whose declaration this year was accepted, submitted and accepted; and the local section in
    the headteacher's draft. Returns the new declarations' ids, for scoring."""
    period = period_for(timezone.localdate())
    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    _local_section_for_headteacher(national=national, local=local)
    if local is not None and local.standard.area_code != DEMO_REVIEW_AREA_CODE:
        local = None
    needs = Requirement.objects.filter(version=national, key=NEEDS_KEY).first()
    types = set(needs.applies_to if needs else [])
    if local is not None:
        for applies_to in local.requirements.values_list("applies_to", flat=True):
            types |= set(applies_to)
    earlier = _latest_each(national, period, types)
    now = timezone.now()
    created = []
    for index, source in enumerate(earlier):
        declaration = Declaration(
            provider=source.provider,
            version=national,
            local_version=local,
            period=period,
            carried_from=source,
            round=source.round,
            status=DeclarationStatus.SUBMITTED,
            review_status=ReviewStatus.ACCEPTED,
            created_by_id=source.submitted_by_id,
            created_at=now - dt.timedelta(minutes=10),
            submitted_by_id=source.submitted_by_id,
            submitted_at=now - dt.timedelta(minutes=8) + dt.timedelta(seconds=5 * index),
            reviewed_by=officer,
            reviewed_at=now - dt.timedelta(minutes=2),
        )
        declaration.save()
        answers = _answers(declaration, source, officer)
        Answer.objects.bulk_create(answers)
        Declaration.objects.filter(pk=declaration.pk).update(row_version=len(answers) + 1)
        created.append(declaration.pk)
    return created


def _latest_each(national: StandardVersion, period: str, types: set[str]) -> list[Declaration]:
    """Each provider's latest accepted declaration of this year on an earlier version."""
    rows = (
        Declaration.objects.select_related("provider")
        .filter(
            version__standard_id=national.standard_id,
            period=period,
            status=DeclarationStatus.SUBMITTED,
            review_status=ReviewStatus.ACCEPTED,
            provider__area__code=DEMO_REVIEW_AREA_CODE,
            provider__provider_type__in=sorted(types),
        )
        .exclude(version=national)
        .exclude(
            provider_id__in=Declaration.objects.filter(version=national, period=period).values(
                "provider_id"
            )
        )
        .exclude(provider__urn=DEMO_HEADTEACHER_SCHOOL_URN)
        .order_by("provider_id", "revision")
    )
    latest: dict[int, Declaration] = {}
    for row in rows:
        latest[row.provider_id] = row
    return list(latest.values())


def _answers(declaration: Declaration, source: Declaration, officer: User | None) -> list[Answer]:
    """The new declaration's answers, every one accepted by the area: carried over by key where
    the answer type is the same, new questions answered, and the kinds of needs."""
    provider = declaration.provider
    identity = provider.urn or provider.ukprn or provider.pk
    rng = random.Random(f"demo-update-{declaration.version.version}-{identity}")
    previous = {a.requirement_key: a for a in source.answers.all()}
    requirements = applicable_requirements(declaration)
    fresh = [
        r
        for r in requirements
        if r.key not in previous or previous[r.key].answer_type != r.answer_type
    ]
    generated = generate_answers(
        fresh,
        rng=rng,
        strength=strength_for(rng),
        slug=_site_slug(provider),
        anchor=timezone.localdate(),
    )
    answers = []
    for requirement in requirements:
        old = previous.get(requirement.key)
        if requirement.key == NEEDS_KEY:
            answer = _answer(declaration, requirement, _needs_row(provider, requirement, rng))
        elif old is not None and old.answer_type == requirement.answer_type:
            answer = _answer(declaration, requirement, None)
            answer.set_value(old.value)
            answer.not_applicable = old.not_applicable and requirement.allow_not_applicable
            answer.not_applicable_reason = (
                old.not_applicable_reason if answer.not_applicable else ""
            )
            answer.evidence_url, answer.evidence_note = old.evidence_url, old.evidence_note
            answer.copied_from = old
        else:
            answer = _answer(declaration, requirement, generated.get(requirement.key))
        answer.review_state = AnswerReviewState.ACCEPTED
        answer.reviewed_by, answer.reviewed_as = officer, Reviewer.AREA
        answers.append(answer)
    return answers


def _needs_row(provider: Any, requirement: Requirement, rng: random.Random) -> dict[str, Any]:
    choices = [c["value"] for c in requirement.choices]
    return {
        "value": needs_provided_for(provider, choices, rng),
        "not_applicable": False,
        "reason": "",
        "evidence_url": "",
        "evidence_note": NEEDS_EVIDENCE,
    }


def _local_section_for_headteacher(
    *, national: StandardVersion, local: StandardVersion | None
) -> bool:
    """The headteacher's draft on the update gains the local standard's questions, unanswered,
    marked as new: it now declares the pair (the update and the area's local version)."""
    if local is None or local.extends_id != national.pk:
        return False
    draft = (
        Declaration.objects.select_related("provider__area", "version")
        .filter(
            provider__urn=DEMO_HEADTEACHER_SCHOOL_URN,
            status=DeclarationStatus.DRAFT,
            version=national,
            local_version__isnull=True,
        )
        .first()
    )
    area = draft.provider.area if draft is not None else None
    if draft is None or area is None or area.code != local.standard.area_code:
        return False
    draft.local_version = local
    draft.save(update_fields=["local_version"])
    have = set(draft.answers.values_list("requirement_key", flat=True))
    Answer.objects.bulk_create(
        [
            Answer(
                declaration=draft,
                requirement=requirement,
                requirement_key=requirement.key,
                answer_type=requirement.answer_type,
                needs_attention=True,
                attention_reason="New requirement of your area's local standard",
            )
            for requirement in applicable_requirements(draft)
            if requirement.key not in have
        ]
    )
    return True
