"""The demo headteacher's school's declaration for last academic year. Never used in production.

Submitted in the autumn term and accepted by the area officer, so that the school has a result
and gaps to look at from the first sign-in while this year's declaration is still a draft.
Loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audits.demo import HEADTEACHER_EMAIL, OFFICER_EMAIL, _answer, _site_slug
from audits.demo_answers import generate_answers
from audits.models import (
    Answer,
    AnswerReviewState,
    Declaration,
    DeclarationStatus,
    Reviewer,
    ReviewStatus,
)
from audits.periods import period_bounds, period_for
from audits.services import DEFAULT_STANDARD
from common.output import Output
from providers.demo import DEMO_HEADTEACHER_SCHOOL_URN
from providers.models import Provider
from standards.models import StandardVersion
from standards.selectors import current_version, requirements_for

# How often an answer meets its requirement: good, with a few gaps to act on.
LAST_YEAR_STRENGTH = 0.8


def last_period(on: dt.date) -> tuple[str, dt.date]:
    """Last academic year before the one `on` falls in, and its first day."""
    start, _ = period_bounds(period_for(on))
    period = period_for(start - dt.timedelta(days=1))
    return period, period_bounds(period)[0]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@transaction.atomic
def seed_last_year(*, stdout: Output | None = None, version: StandardVersion | None = None) -> int:
    """Create the headteacher's school's submitted and reviewed declaration for last year.
    Returns 1 if it was created, 0 if it was there already (or cannot be made)."""
    version = version or current_version(slug=DEFAULT_STANDARD)
    school = Provider.objects.filter(urn=DEMO_HEADTEACHER_SCHOOL_URN).first()
    if version is None or school is None:
        return 0
    period, start = last_period(timezone.localdate())
    if Declaration.objects.filter(
        provider=school, version__standard_id=version.standard_id, period=period
    ).exists():
        return 0
    requirements = list(requirements_for(version=version, provider_type=school.provider_type))
    if not requirements:
        return 0
    headteacher = User.objects.filter(email=HEADTEACHER_EMAIL).first()
    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    rng = random.Random(f"demo-last-year-{version.version}-{period}-{school.urn}")
    anchor = start + dt.timedelta(days=60)
    answers = generate_answers(
        requirements,
        rng=rng,
        strength=LAST_YEAR_STRENGTH,
        slug=_site_slug(school),
        anchor=anchor,
    )
    submitted_at = _at(start + dt.timedelta(days=62), 15, 20)
    declaration = Declaration.objects.create(
        provider=school,
        version=version,
        period=period,
        status=DeclarationStatus.SUBMITTED,
        created_by=headteacher,
        created_at=_at(start + dt.timedelta(days=23), 9, 40),
        submitted_by=headteacher,
        submitted_at=submitted_at,
        review_status=ReviewStatus.ACCEPTED,
        reviewed_by=officer,
        reviewed_at=submitted_at + dt.timedelta(days=9, hours=2),
        review_comment="Thank you: a clear declaration. We will look at your action plans with you.",
        row_version=len(requirements) + 1,
    )
    rows = []
    for requirement in requirements:
        answer = _answer(declaration, requirement, answers.get(requirement.key))
        answer.review_state = AnswerReviewState.ACCEPTED
        answer.reviewed_by, answer.reviewed_as = officer, Reviewer.AREA
        answer.updated_by = headteacher
        rows.append(answer)
    Answer.objects.bulk_create(rows)
    if stdout:
        stdout.write(f"Demo school's declaration for {period}: submitted and reviewed\n")
    return 1
