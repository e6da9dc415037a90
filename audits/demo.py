"""Demonstration declarations for the demo providers. Never used in production.

`seed_demo_declarations` gives every open demo provider a declaration against the default
standard for the current academic year: most submitted, some drafts, a few not started, and the
headteacher's school (URN 101110) a draft in progress; some providers submitted a second
revision that put right most of what their first did not meet. Answers are generated from a random
number generator seeded by the provider, so a provider's answers are the same every time; each
provider has a "strength" that decides how often an answer meets its requirement's rule, so
the area shows a realistic spread of strong and weak provision. Loading twice changes nothing:
a provider that already has a declaration for the version and year is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from audits.demo_answers import generate_answers, improve_answers, strength_for
from audits.models import (
    Answer,
    AnswerChange,
    AnswerReviewState,
    Declaration,
    DeclarationRound,
    DeclarationStatus,
    Reviewer,
    ReviewStatus,
)
from audits.periods import period_bounds, period_for
from audits.services import DEFAULT_STANDARD
from common.output import Output
from providers.demo import DEMO_AREA_CODES, DEMO_HEADTEACHER_SCHOOL_URN
from providers.models import Area, Provider, ProviderStatus
from providers.visibility import editable_providers
from standards.models import Requirement, StandardVersion
from standards.selectors import current_version, requirements_for

# The area whose officer reviews and whose round is open in the demo: Westminster.
DEMO_REVIEW_AREA_CODE = "213"
HEADTEACHER_EMAIL = "headteacher@example.org"
OFFICER_EMAIL = "officer@example.org"
ICB_OFFICER_EMAIL = "icb@example.org"
# The share of submitted declarations followed by a second revision that puts things right.
REVISED_SHARE = 0.12

CHALLENGES = [
    "The web page linked does not include this information. Please check the link and add the missing sections.",
    "This date is more than a year ago. Please review and give the date of the latest review.",
    "Please give the evidence you relied on for this figure, for example your census return.",
    "We could not find this on your website. Please publish it and give us the link.",
]


def _answer(
    declaration: Declaration, requirement: Requirement, row: dict[str, Any] | None
) -> Answer:
    answer = Answer(
        declaration_id=declaration.pk,
        requirement_id=requirement.pk,
        requirement_key=requirement.key,
        answer_type=requirement.answer_type,
    )
    if row is not None:
        if row["not_applicable"]:
            answer.not_applicable = True
            answer.not_applicable_reason = row["reason"]
        else:
            answer.set_value(row["value"])
        answer.evidence_url = row["evidence_url"]
        answer.evidence_note = row["evidence_note"]
    return answer


def _site_slug(provider: Provider) -> str:
    words = slugify(provider.name).split("-")
    drop = {"the", "of", "and", "school", "primary", "c", "e", "cofe", "church", "england"}
    kept = [w for w in words if w not in drop] or words
    return "".join(kept[:3])[:30] or f"provider{provider.pk}"


def _demo_providers() -> list[Provider]:
    return list(
        Provider.objects.filter(
            Q(area__code__in=DEMO_AREA_CODES) | Q(icb__coverage__area__code__in=DEMO_AREA_CODES)
        )
        .exclude(status=ProviderStatus.CLOSED)
        .select_related("area")
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def seed_demo_declarations(
    *, stdout: Output | None = None, version: StandardVersion | None = None
) -> dict[str, int]:
    """Create the demo declarations, answers, reviews and Westminster's round. Idempotent.

    Returns counts: submitted, drafts, not_started, skipped (already declared), answers,
    accepted, returned, rounds (created).
    """
    counts = dict.fromkeys(
        (
            "submitted",
            "drafts",
            "not_started",
            "skipped",
            "answers",
            "accepted",
            "returned",
            "revisions",
            "rounds",
        ),
        0,
    )
    # Against the given version (the first the demo publishes), else the published one.
    version = version or current_version(slug=DEFAULT_STANDARD)
    if version is None:
        if stdout:
            stdout.write("No published default standard: no demo declarations created.\n")
        return counts
    today = timezone.localdate()
    period = period_for(today)
    start, _ = period_bounds(period)
    anchor = min(today, start + dt.timedelta(days=80))
    headteacher = User.objects.filter(email=HEADTEACHER_EMAIL).first()
    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    declaration_round = _demo_round(
        version=version, period=period, start=start, officer=officer, counts=counts
    )
    editors = _demo_editors()

    declared = set(
        Declaration.objects.filter(
            version__standard_id=version.standard_id, period=period
        ).values_list("provider_id", flat=True)
    )
    by_type: dict[str, list[Requirement]] = {}
    plans: list[tuple[Provider, Declaration, dict[str, dict[str, Any]] | None, int]] = []
    reviews: dict[int, tuple[str, random.Random]] = {}
    revised: dict[int, tuple[dt.datetime, dict[str, dict[str, Any]]]] = {}
    for provider in _demo_providers():
        if provider.pk in declared:
            counts["skipped"] += 1
            continue
        if provider.provider_type not in by_type:
            by_type[provider.provider_type] = list(
                requirements_for(version=version, provider_type=provider.provider_type)
            )
        requirements = by_type[provider.provider_type]
        if not requirements:
            continue
        identity = provider.urn or provider.ukprn or provider.la_code or provider.icb_code
        rng = random.Random(
            f"demo-declaration-{version.version}-{period}-{identity or provider.pk}"
        )
        strength = strength_for(rng)
        is_headteachers = provider.urn == DEMO_HEADTEACHER_SCHOOL_URN
        planned = _state_for(rng, is_headteachers=is_headteachers, size=len(requirements))
        if planned is None:
            counts["not_started"] += 1
            continue
        state, answered = planned
        answers = generate_answers(
            requirements, rng=rng, strength=strength, slug=_site_slug(provider), anchor=anchor
        )
        created_at = timezone.make_aware(
            dt.datetime.combine(
                start + dt.timedelta(days=rng.randrange(10, 40)),
                dt.time(9 + rng.randrange(8), rng.randrange(60)),
            )
        )
        created_at = min(created_at, timezone.now() - dt.timedelta(days=2))
        declaration = Declaration(
            provider=provider,
            version=version,
            period=period,
            round=declaration_round
            if declaration_round and provider.area_id == declaration_round.area_id
            else None,
            created_by=headteacher if is_headteachers else editors.get(provider.pk),
            created_at=created_at,
        )
        if state == "submitted":
            submitted_at = min(
                created_at + dt.timedelta(days=rng.randrange(3, 40), hours=rng.randrange(1, 6)),
                timezone.now() - dt.timedelta(hours=1),
            )
            declaration.status = DeclarationStatus.SUBMITTED
            declaration.submitted_at = submitted_at
            declaration.submitted_by = editors.get(provider.pk)
            declaration.row_version = len(requirements) + 1
            counts["submitted"] += 1
            review = _review_for(provider, rng)
            if review is not None:
                reviews[provider.pk] = (review, rng)
            later = _revision(provider, requirements, answers, submitted_at, identity, anchor)
            if later is not None and reviews.get(provider.pk, ("",))[0] != "accepted":
                revised[provider.pk] = later
        else:
            counts["drafts"] += 1
        keep = {r.key for r in requirements[:answered]}
        plans.append(
            (
                provider,
                declaration,
                {k: v for k, v in answers.items() if k in keep},
                len(requirements),
            )
        )

    Declaration.objects.bulk_create([d for _, d, _, _ in plans], batch_size=500)
    ids = {
        d.provider_id: d
        for d in Declaration.objects.filter(
            version=version, period=period, provider_id__in=[p.pk for p, _, _, _ in plans]
        )
    }
    rows, headteacher_answers = _answer_rows(
        plans, ids=ids, by_type=by_type, reviews=reviews, officer=officer, headteacher=headteacher
    )
    revisions = [
        Declaration(
            provider_id=provider_id,
            version=version,
            period=period,
            revision=2,
            revises=ids[provider_id],
            carried_from=ids[provider_id],
            round=ids[provider_id].round,
            status=DeclarationStatus.SUBMITTED,
            created_by=ids[provider_id].submitted_by,
            created_at=submitted_at - dt.timedelta(days=2),
            submitted_by=ids[provider_id].submitted_by,
            submitted_at=submitted_at,
        )
        for provider_id, (submitted_at, _) in revised.items()
    ]
    Declaration.objects.bulk_create(revisions, batch_size=500)
    counts["revisions"] = len(revisions)
    for declaration in Declaration.objects.filter(
        version=version, period=period, revision=2, provider_id__in=list(revised)
    ).select_related("provider"):
        improved = revised[declaration.provider_id][1]
        for requirement in by_type[declaration.provider.provider_type]:
            rows.append(_answer(declaration, requirement, improved.get(requirement.key)))
    Answer.objects.bulk_create(rows, batch_size=2000)
    counts["answers"] = len(rows)
    _headteacher_history(headteacher_answers, headteacher)
    _reviews(ids, reviews, officer, counts)
    if stdout:
        stdout.write(
            "Demo declarations: "
            + ", ".join(f"{key}: {value}" for key, value in counts.items())
            + "\n"
        )
    return counts


def _state_for(rng: random.Random, *, is_headteachers: bool, size: int) -> tuple[str, int] | None:
    """How far a demo provider has got: ("draft" or "submitted", answers given), or None when
    it has not started."""
    roll = rng.random()
    if is_headteachers:
        # Some sections done, one under way, the rest not started.
        return "draft", int(size * 0.45) - 1
    if roll < 0.08:
        return None
    if roll < 0.2:
        return "draft", int(size * rng.uniform(0.15, 0.85))
    return "submitted", size


def _review_for(provider: Provider, rng: random.Random) -> str | None:
    """In the review area, some submitted declarations are accepted and some returned."""
    if not (provider.area and provider.area.code == DEMO_REVIEW_AREA_CODE):
        return None
    review_roll = rng.random()
    if review_roll < 0.35:
        return "accepted"
    if review_roll < 0.5:
        return "returned"
    return None


def _answer_rows(
    plans: list[tuple[Provider, Declaration, dict[str, dict[str, Any]] | None, int]],
    *,
    ids: dict[int, Declaration],
    by_type: dict[str, list[Requirement]],
    reviews: dict[int, tuple[str, random.Random]],
    officer: User | None,
    headteacher: User | None,
) -> tuple[list[Answer], list[Answer]]:
    """Every planned declaration's answers, and the headteacher's answered ones among them."""
    rows: list[Answer] = []
    headteacher_answers: list[Answer] = []
    for provider, _, given, _ in plans:
        declaration = ids[provider.pk]
        accepted = reviews.get(provider.pk, ("",))[0] == "accepted"
        for requirement in by_type[provider.provider_type]:
            answer = _answer(declaration, requirement, (given or {}).get(requirement.key))
            if accepted:
                answer.review_state = AnswerReviewState.ACCEPTED
                answer.reviewed_by, answer.reviewed_as = officer, Reviewer.AREA
            rows.append(answer)
            if provider.urn == DEMO_HEADTEACHER_SCHOOL_URN and answer.is_answered:
                answer.updated_by = headteacher
                answer.row_version = 2
                headteacher_answers.append(answer)
    return rows, headteacher_answers


def _revision(
    provider: Provider,
    requirements: list[Requirement],
    answers: dict[str, dict[str, Any]],
    submitted_at: dt.datetime,
    identity: str | None,
    anchor: dt.date,
) -> tuple[dt.datetime, dict[str, dict[str, Any]]] | None:
    """Some providers submit a second revision a few weeks later that puts right most of what
    their first did not meet: (when it was submitted, its answers), or None."""
    rng = random.Random(f"demo-revision-{identity or provider.pk}")
    if rng.random() >= REVISED_SHARE:
        return None
    when = submitted_at + dt.timedelta(days=rng.randrange(8, 30), hours=rng.randrange(1, 5))
    if when > timezone.now() - dt.timedelta(hours=6):
        return None
    improved = improve_answers(
        requirements, answers, rng=rng, slug=_site_slug(provider), anchor=anchor
    )
    return when, improved


def _demo_editors() -> dict[int, User]:
    """Provider id → the demo sign-in who may edit and submit its declarations, where there is
    one: the headteacher's school, the area officer's local authority, the ICB officer's ICB."""
    editors: dict[int, User] = {}
    for email in (HEADTEACHER_EMAIL, OFFICER_EMAIL, ICB_OFFICER_EMAIL):
        user = User.objects.filter(email=email).first()
        if user is not None:
            for provider_id in editable_providers(user=user).values_list("pk", flat=True):
                editors.setdefault(provider_id, user)
    return editors


def _demo_round(
    *,
    version: StandardVersion,
    period: str,
    start: dt.date,
    officer: User | None,
    counts: dict[str, int],
) -> DeclarationRound | None:
    area = Area.objects.filter(code=DEMO_REVIEW_AREA_CODE).first()
    if area is None:
        return None
    declaration_round, created = DeclarationRound.objects.get_or_create(
        area=area,
        version=version,
        period=period,
        defaults={
            "deadline": dt.date(start.year + 1, 3, 31),
            "opened_by": officer,
            "opened_at": timezone.make_aware(
                dt.datetime.combine(start + dt.timedelta(days=7), dt.time(10))
            ),
        },
    )
    counts["rounds"] += int(created)
    return declaration_round


def _headteacher_history(answers: list[Answer], user: User | None) -> None:
    """The headteacher's draft shows who answered what, and when, on its history page."""
    if not answers:
        return
    stored = {
        a.requirement_key: a
        for a in Answer.objects.filter(declaration_id=answers[0].declaration_id).select_related(
            "requirement"
        )
    }
    now = timezone.now()
    changes = []
    empty = {
        "value": None,
        "not_applicable": False,
        "not_applicable_reason": "",
        "evidence_url": "",
        "evidence_note": "",
    }
    for index, answer in enumerate(answers):
        current = stored[answer.requirement_key]
        changes.append(
            AnswerChange(
                answer=current,
                changed_by=user,
                changed_at=now - dt.timedelta(days=3, minutes=7 * (len(answers) - index)),
                old=empty,
                new=current.snapshot(),
            )
        )
    AnswerChange.objects.bulk_create(changes)


def _reviews(
    declarations: dict[int, Declaration],
    reviews: dict[int, tuple[str, random.Random]],
    officer: User | None,
    counts: dict[str, int],
) -> None:
    for provider_id, (outcome, rng) in reviews.items():
        declaration = declarations[provider_id]
        assert declaration.submitted_at is not None
        reviewed_at = min(
            declaration.submitted_at + dt.timedelta(days=rng.randrange(2, 20)),
            timezone.now() - dt.timedelta(minutes=30),
        )
        if outcome == "returned":
            keys = list(
                declaration.answers.filter(not_applicable=False).values_list(
                    "requirement_key", flat=True
                )
            )
            for key in rng.sample(keys, k=min(len(keys), rng.randrange(1, 4))):
                Answer.objects.filter(declaration=declaration, requirement_key=key).update(
                    review_state=AnswerReviewState.CHALLENGED,
                    review_comment=rng.choice(CHALLENGES),
                    reviewed_by=officer,
                    reviewed_as=Reviewer.AREA,
                )
            counts["returned"] += 1
        else:
            counts["accepted"] += 1
        Declaration.objects.filter(pk=declaration.pk).update(
            review_status=ReviewStatus.ACCEPTED if outcome == "accepted" else ReviewStatus.RETURNED,
            reviewed_by=officer,
            reviewed_at=reviewed_at,
            review_comment=""
            if outcome == "accepted"
            else "Thank you. Please look again at the answers we have commented on.",
        )
