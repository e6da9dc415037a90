"""The events people are told about: each finder works out who should hear of an event and
what to tell them, and writes it through `record_drafts`, which writes nothing twice. Each
returns how many emails it queued: those still waiting to be sent, so 0 once all were sent.

Nothing written here names anyone but the recipient (added when the email is sent), and
nothing quotes a review comment: the email links to the page that shows it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audits.models import (
    AnswerReviewState,
    Declaration,
    DeclarationRound,
    DeclarationStatus,
    Reviewer,
    ReviewStatus,
)
from audits.selectors import round_status
from notifications.models import Kind
from notifications.selectors import editors_by_provider, officers_with_areas
from notifications.services.delivery import Draft, record_drafts
from notifications.services.local_standards import local_standards_outdated
from providers.models import Provider, ProviderStatus
from scoring.models import Gap, GapStatus
from standards.models import Requirement, StandardVersion
from standards.selectors import VersionDiff, diff_versions
from standards.vocabulary import ProviderType

# Reminders go out when this many days or fewer are left before a round's deadline.
REMINDER_DAYS = (14, 3)
# A review, a missed due date or a publication older than this is not announced any more
# (a declaration saved long after its review, or beat having been stopped for a while).
RECENT = dt.timedelta(days=7)
DIGEST_LIST_LIMIT = 30


def long_date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _provider_drafts(
    *,
    kind: str,
    providers: Iterable[Provider],
    event_key: str,
    subject: str,
    body: str,
    path: Callable[[Provider], str],
) -> list[Draft]:
    """The same message to the editors of each provider: `event_key`, `subject` and `body` are
    formatted with the provider as `provider`, and `path` is called with it."""
    providers = list(providers)
    editors = editors_by_provider(provider_ids=[p.pk for p in providers], kind=kind)
    return [
        Draft(
            kind=kind,
            event_key=event_key.format(provider=provider),
            recipient_id=user.pk,
            subject=subject.format(provider=provider),
            body=body.format(provider=provider),
            path=path(provider),
        )
        for provider in providers
        for user in editors.get(provider.pk, [])
    ]


def _self_audit_path(provider: Provider) -> str:
    return reverse("audits:provider_home", args=[provider.pk])


# ---- a round opens ----------------------------------------------------------------------------


def round_opened(*, round_id: int) -> int:
    """Tell the editors of every provider the round asks to declare."""
    declaration_round = (
        DeclarationRound.objects.select_related("area", "version__standard")
        .filter(pk=round_id)
        .first()
    )
    if declaration_round is None:
        return 0
    status = round_status(declaration_round=declaration_round)
    standard = declaration_round.version.standard
    drafts = _provider_drafts(
        kind=Kind.ROUND_OPENED,
        providers=status.submitted + status.outstanding,
        event_key=f"round:{round_id}:opened:provider:{{provider.pk}}",
        subject=f"Declare your SEND provision for {declaration_round.period}",
        body=(
            f"{_escape(declaration_round.area.name)} has opened a declaration round. It asks "
            f"{{provider.name}} to declare its SEND provision against "
            f"“{_escape(standard.title)}” for the academic year {declaration_round.period}, "
            f"by {long_date(declaration_round.deadline)}."
        ),
        path=_self_audit_path,
    )
    return len(record_drafts(drafts))


# ---- the deadline approaches -------------------------------------------------------------------


def deadline_reminders(*, today: dt.date | None = None) -> int:
    """Remind the editors of providers that have not submitted, 14 and 3 days before a round's
    deadline (or on the first run after, if a day was missed)."""
    today = today or timezone.localdate()
    written = 0
    rounds = DeclarationRound.objects.select_related("area", "version__standard").filter(
        deadline__gte=today, deadline__lte=today + dt.timedelta(days=max(REMINDER_DAYS))
    )
    for declaration_round in rounds:
        days_left = (declaration_round.deadline - today).days
        milestone = min(d for d in REMINDER_DAYS if days_left <= d)
        status = round_status(declaration_round=declaration_round)
        when = (
            "today" if days_left == 0 else "tomorrow" if days_left == 1 else f"in {days_left} days"
        )
        drafts = _provider_drafts(
            kind=Kind.DEADLINE,
            providers=status.outstanding,
            event_key=f"round:{declaration_round.pk}:due-in-{milestone}:provider:{{provider.pk}}",
            subject=f"Your SEND declaration is due {when}",
            body=(
                f"{{provider.name}} has not yet submitted its declaration for "
                f"{_escape(declaration_round.area.name)}’s round: "
                f"“{_escape(declaration_round.version.standard.title)}”, academic year "
                f"{declaration_round.period}. The deadline is "
                f"{long_date(declaration_round.deadline)}."
            ),
            path=_self_audit_path,
        )
        written += len(record_drafts(drafts))
    return written


# ---- a declaration is reviewed ----------------------------------------------------------------

REVIEWER_NAMES = {Reviewer.AREA: "The local authority", Reviewer.ICB: "The integrated care board"}


def declaration_reviewed(*, declaration_id: int, now: dt.datetime | None = None) -> int:
    """Tell the provider's editors of each recent review: accepted, or returned with answers
    challenged. The review comments stay on the declaration's page."""
    now = now or timezone.now()
    declaration = (
        Declaration.objects.select_related("provider", "version__standard")
        .filter(pk=declaration_id, status=DeclarationStatus.SUBMITTED)
        .first()
    )
    if declaration is None:
        return 0
    reviews = (
        (Reviewer.AREA, declaration.review_status, declaration.reviewed_at),
        (Reviewer.ICB, declaration.health_review_status, declaration.health_reviewed_at),
    )
    drafts: list[Draft] = []
    for reviewer, outcome, at in reviews:
        if outcome == ReviewStatus.NOT_REVIEWED or at is None or at < now - RECENT:
            continue
        challenged = declaration.answers.filter(
            review_state=AnswerReviewState.CHALLENGED, reviewed_as=reviewer
        ).count()
        what = f"{declaration.period} declaration of {{provider.name}} (revision {declaration.revision})"
        scope = "the health answers of the " if reviewer == Reviewer.ICB else "the "
        if outcome == ReviewStatus.ACCEPTED:
            subject = "Your SEND declaration has been accepted"
            if reviewer == Reviewer.ICB:
                subject = "The health answers of your SEND declaration have been accepted"
            body = f"{REVIEWER_NAMES[reviewer]} has reviewed and accepted {scope}{what}."
        else:
            answers = "1 answer" if challenged == 1 else f"{challenged} answers"
            subject = "Your SEND declaration has been returned for changes"
            body = (
                f"{REVIEWER_NAMES[reviewer]} has reviewed {scope}{what} and returned it for "
                f"changes. It has challenged {answers}. Read its comments on the "
                "declaration’s page, then start a revision to answer them."
            )
        drafts += _provider_drafts(
            kind=Kind.REVIEWED,
            providers=[declaration.provider],
            event_key=f"declaration:{declaration.pk}:review:{reviewer}:{at.isoformat()}",
            subject=subject,
            body=body,
            path=lambda _provider: reverse("audits:declaration", args=[declaration.pk]),
        )
    return len(record_drafts(drafts))


# ---- an action is past its due date ------------------------------------------------------------


def _owners(gap: Gap, editors: list[User]) -> list[User]:
    """The editors the gap's owner names (by name or email address); all of the provider's
    editors when the owner is not one of them."""
    owner = gap.owner.strip().lower()

    def named(user: User) -> bool:
        name = user.full_name.strip().lower()
        return bool(owner) and (
            owner == user.email.lower()
            or bool(name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", owner))
        )

    return [user for user in editors if named(user)] or editors


def overdue_gaps(*, today: dt.date | None = None) -> int:
    """Tell each overdue action's owner, once for each due date it passes."""
    today = today or timezone.localdate()
    gaps = list(
        Gap.objects.select_related("provider")
        .filter(
            status__in=(GapStatus.OPEN, GapStatus.IN_PROGRESS),
            due_date__lt=today,
            due_date__gte=today - RECENT,
        )
        .order_by("pk")
    )
    editors = editors_by_provider(provider_ids={g.provider_id for g in gaps}, kind=Kind.GAP_OVERDUE)
    drafts = [
        Draft(
            kind=Kind.GAP_OVERDUE,
            event_key=f"gap:{gap.pk}:overdue:{gap.due_date.isoformat()}",
            recipient_id=user.pk,
            subject="An action on a SEND gap is past its due date",
            body=(
                f"The action planned at {_escape(gap.provider.name)} for the gap "
                f"“{_escape(gap.title)}” ({gap.requirement_key}) was due on "
                f"{long_date(gap.due_date)}. Record what has been done, or plan it again."
            ),
            path=reverse("scoring:gap", args=[gap.provider_id, gap.pk]),
        )
        for gap in gaps
        if gap.due_date is not None
        for user in _owners(gap, editors.get(gap.provider_id, []))
    ]
    return len(record_drafts(drafts))


# ---- a new version of a standard ---------------------------------------------------------------


def _applies(requirement: Requirement, provider_type: str) -> bool:
    return provider_type in (requirement.applies_to or [])


def changes_for_type(*, diff: VersionDiff, provider_type: str) -> list[str]:
    """The diff's lines that concern one type of provider; empty when nothing does."""
    added = [r for r in diff.added if _applies(r, provider_type)]
    removed = [r for r in diff.removed if _applies(r, provider_type)]
    changed = [
        c for c in diff.changed if _applies(c.old, provider_type) or _applies(c.new, provider_type)
    ]
    lines: list[str] = []
    if added:
        lines.append(f"New requirements ({len(added)}):")
        lines += [f"- {r.key}: {r.title}" for r in added]
    if removed:
        lines.append(f"Removed requirements ({len(removed)}):")
        lines += [f"- {r.key}: {r.title}" for r in removed]
    if changed:
        lines.append(f"Changed requirements ({len(changed)}):")
        for change in changed:
            now_applies = _applies(change.new, provider_type)
            if not now_applies:
                note = "no longer applies to you"
            elif not _applies(change.old, provider_type):
                note = "now applies to you"
            else:
                note = "changed: " + ", ".join(f.label.lower() for f in change.changes)
            lines.append(f"- {change.key}: {change.new.title} ({note})")
    return lines


def version_published(*, version_id: int, now: dt.datetime | None = None) -> int:
    """Tell the editors of every provider that declares against the standard what the new
    version changes for their type of provider. Nothing is sent to a type it does not change."""
    version = (
        StandardVersion.objects.select_related("standard", "supersedes")
        .filter(pk=version_id)
        .first()
    )
    if version is None or version.supersedes is None or version.published_at is None:
        return 0
    diff = diff_versions(old=version.supersedes, new=version)
    providers = (
        Provider.objects.filter(declarations__version__standard_id=version.standard_id)
        .exclude(status=ProviderStatus.CLOSED)
        .distinct()
        .order_by("pk")
    )
    by_type: dict[str, list[Provider]] = defaultdict(list)
    for provider in providers:
        by_type[provider.provider_type].append(provider)
    path = (
        reverse("standards:diff", args=[version.standard.slug])
        + f"?from={version.supersedes.version}&to={version.version}"
    )
    written = 0
    for provider_type, group in by_type.items():
        lines = changes_for_type(diff=diff, provider_type=provider_type)
        if not lines:
            continue
        label = (
            ProviderType(provider_type).label
            if provider_type in ProviderType.values
            else provider_type
        )
        body = "\n".join(
            [
                f"Version {version.version} of “{_escape(version.standard.title)}” was "
                f"published on {long_date(timezone.localtime(version.published_at).date())}, "
                f"replacing version {version.supersedes.version}. This is what it changes for "
                f"{_escape(label.lower())} providers such as {{provider.name}}:",
                "",
                *(_escape(line) for line in lines),
                "",
                "A declaration you have already begun keeps its version; your next declaration "
                "uses the new one.",
            ]
        )
        drafts = _provider_drafts(
            kind=Kind.VERSION_PUBLISHED,
            providers=group,
            event_key=f"version:{version.pk}:provider:{{provider.pk}}",
            subject=f"A new version of {_escape(version.standard.title)} changes what you answer",
            body=body,
            path=lambda _provider: path,
        )
        written += len(record_drafts(drafts))
    return written


# ---- the officers' daily digest ----------------------------------------------------------------


def officer_digest(*, day: dt.date | None = None) -> int:
    """Tell each area and ICB officer what was submitted in their areas on `day` (by default
    yesterday). Nothing is sent to an officer whose areas had no submissions."""
    day = day or timezone.localdate() - dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    submitted = list(
        Declaration.objects.filter(
            status=DeclarationStatus.SUBMITTED,
            submitted_at__gte=start,
            submitted_at__lt=start + dt.timedelta(days=1),
            provider__area__isnull=False,
        )
        .select_related("provider__area")
        .order_by("provider__area__name", "provider__name", "pk")
    )
    if not submitted:
        return 0
    # In the order of the areas' names (the query's order).
    by_area: dict[int, list[Declaration]] = defaultdict(list)
    area_names: dict[int, str] = {}
    for declaration in submitted:
        area = declaration.provider.area
        if area is not None:
            by_area[area.pk].append(declaration)
            area_names[area.pk] = area.name
    drafts = []
    for user, area_ids in officers_with_areas(kind=Kind.DIGEST).items():
        areas = [a for a in by_area if a in area_ids]
        if not areas:
            continue
        total = sum(len(by_area[a]) for a in areas)
        lines = [
            f"{total} declaration{'s were' if total != 1 else ' was'} submitted in your "
            f"area{'s' if len(area_ids) > 1 else ''} on {long_date(day)}.",
        ]
        for area_id in areas:
            declarations = by_area[area_id]
            lines += ["", f"{area_names[area_id]} ({len(declarations)}):"]
            lines += [
                f"- {d.provider.name} ({d.period}, revision {d.revision})"
                for d in declarations[:DIGEST_LIST_LIMIT]
            ]
            if len(declarations) > DIGEST_LIST_LIMIT:
                lines.append(f"- and {len(declarations) - DIGEST_LIST_LIMIT} more")
        drafts.append(
            Draft(
                kind=Kind.DIGEST,
                event_key=f"digest:{day.isoformat()}",
                recipient_id=user.pk,
                subject=f"Declarations submitted on {long_date(day)}: {total}",
                body="\n".join(lines),
                path=reverse("audits:reviews"),
            )
        )
    return len(record_drafts(drafts))


# ---- helpers ----------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Braces in names and titles survive `str.format` with the provider."""
    return text.replace("{", "{{").replace("}", "}}")


# ---- catching up ------------------------------------------------------------------------------

SWEEP_WINDOW = dt.timedelta(days=1)


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Find again the events of the last day whose task may have been lost (the broker was
    down when they happened), and queue again what is still waiting. Writes nothing twice."""
    from notifications.models import Notification
    from notifications.services.delivery import requeue_waiting

    now = now or timezone.now()
    since = now - SWEEP_WINDOW
    written = 0
    for round_id in DeclarationRound.objects.filter(opened_at__gte=since).values_list(
        "pk", flat=True
    ):
        written += round_opened(round_id=round_id)
    reviewed = Declaration.objects.filter(
        status=DeclarationStatus.SUBMITTED, reviewed_at__gte=since
    ) | Declaration.objects.filter(
        status=DeclarationStatus.SUBMITTED, health_reviewed_at__gte=since
    )
    for declaration_id in reviewed.values_list("pk", flat=True).distinct():
        written += declaration_reviewed(declaration_id=declaration_id, now=now)
    for version_id in StandardVersion.objects.filter(
        published_at__gte=since, supersedes__isnull=False
    ).values_list("pk", flat=True):
        # A publication reaches thousands of providers: only one never announced is redone.
        if not Notification.objects.filter(event_key__startswith=f"version:{version_id}:").exists():
            written += version_published(version_id=version_id)
        if not Notification.objects.filter(event_key__endswith=f":national:{version_id}").exists():
            written += local_standards_outdated(version_id=version_id)
    return {"written": written, "requeued": requeue_waiting(now=now)}
