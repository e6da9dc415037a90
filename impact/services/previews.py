"""Impact previews: a job of chunks, like a national re-score, that writes only its own rows.

Each chunk loads the same things a re-score chunk loads (each provider's latest submitted
declaration, its answers by requirement key, its gaps), judges the answers against the draft
with the scoring engine, and works out the gaps with `impact.services.gaps`. It writes one
`ProviderImpact` row per provider and nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from audits.models import Declaration, DeclarationStatus
from common import bulk
from common import tasks as celery_policy
from impact.drafts import draft_hash
from impact.models import ChunkStatus, ImpactPreview, PreviewChunk, PreviewStatus
from impact.services.gaps import carried_over, gap_changes
from impact.services.report import build_report
from providers.models import OPEN_STATUSES, Provider
from scoring.engine import CompiledSpec, score
from scoring.models import ACTIVE_GAP_STATUSES, Gap
from scoring.services.batch import latest_declarations, load_answers
from scoring.services.common import RESCORE_QUEUE, assessment_date, chunk_size
from scoring.specs import compiled_for, version_info
from standards.models import Requirement, StandardVersion, VersionStatus

logger = logging.getLogger(__name__)

PREVIEW_CHUNK_TASK = "impact.preview_chunk"


class PreviewError(Exception):
    """A preview cannot start (no such version, or it is not a draft)."""


def _draft(slug: str, version: str) -> StandardVersion:
    found = (
        StandardVersion.objects.select_related("standard")
        .filter(standard__slug=slug, version=version)
        .first()
    )
    if found is None:
        raise PreviewError(f"there is no version {version} of {slug}")
    if found.status != VersionStatus.DRAFT:
        raise PreviewError(
            f"version {version} of {slug} is {found.status}; only a draft can be previewed"
        )
    return found


def _draft_facts(draft: StandardVersion, baseline: StandardVersion | None) -> dict[str, Any]:
    """The draft as the preview saw it: layouts by provider type, titles, changed questions."""
    requirements = list(
        Requirement.objects.filter(version=draft)
        .select_related("section")
        .order_by("section__order", "order")
    )
    types = sorted({t for r in requirements for t in r.applies_to})
    before = {}
    if baseline is not None:
        before = {
            r.key: (r.question, r.answer_type, r.answer_options)
            for r in Requirement.objects.filter(version=baseline)
        }
    questions = {}
    for r in requirements:
        old = before.get(r.key)
        if old is None:
            questions[r.key] = "new"
        elif old != (r.question, r.answer_type, r.answer_options):
            questions[r.key] = "changed"
    return {
        "label": draft.version,
        "baseline": baseline.version if baseline else "",
        "layouts": {t: [r.key for r in requirements if t in r.applies_to] for t in types},
        "requirements": {r.key: [r.title, r.strength, r.applies_to] for r in requirements},
        "questions": questions,
    }


def _scored(standard_id: int, types: Sequence[str]) -> tuple[Q, Any]:
    declared = Declaration.objects.filter(
        provider=OuterRef("pk"),
        status=DeclarationStatus.SUBMITTED,
        version__standard_id=standard_id,
    )
    return Q(status__in=OPEN_STATUSES, provider_type__in=list(types)), Exists(declared)


@transaction.atomic
def start_preview(
    *,
    slug: str,
    version: str,
    requested_by: User | None = None,
    on: dt.date | None = None,
    size: int | None = None,
    enqueue: bool = True,
) -> ImpactPreview:
    """Start previewing a draft against the latest submitted declaration of every open provider
    it applies to: the providers a national re-score on publishing would score."""
    draft = _draft(slug, version)
    baseline = (
        StandardVersion.objects.filter(
            standard_id=draft.standard_id, status=VersionStatus.PUBLISHED
        )
        .exclude(pk=draft.pk)
        .first()
    )
    facts = _draft_facts(draft, baseline)
    types = sorted(facts["layouts"])
    condition, declared = _scored(draft.standard_id, types)
    ids = list(
        Provider.objects.filter(condition)
        .filter(declared)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    size = size or chunk_size()
    now = timezone.now()
    preview = ImpactPreview.objects.create(
        version=draft,
        baseline=baseline,
        assessed_on=on or assessment_date(),
        draft_hash=draft_hash(draft),
        provider_count=len(ids),
        chunk_count=(len(ids) + size - 1) // size,
        requested_by=requested_by,
        created_at=now,
        draft=facts,
        other_superseded=_others_superseded(draft, facts, types),
    )
    chunks = PreviewChunk.objects.bulk_create(
        [
            PreviewChunk(
                preview=preview,
                number=n + 1,
                provider_ids=ids[start : start + size],
                size=len(ids[start : start + size]),
                queued_at=now if enqueue else None,
            )
            for n, start in enumerate(range(0, len(ids), size))
        ]
    )
    if not chunks:
        _finish(preview)
    elif enqueue:
        chunk_ids = [c.pk for c in chunks]
        transaction.on_commit(lambda: _enqueue(chunk_ids))
    return preview


def _others_superseded(
    draft: StandardVersion, facts: dict[str, Any], types: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Active gaps of providers the re-score would not score (closed, or without a declaration)
    that publishing's carry-over would close: key -> reason -> number."""
    facts_by_key = {k: (v[1], v[2]) for k, v in facts["requirements"].items()}
    declared = Declaration.objects.filter(
        provider_id=OuterRef("provider_id"),
        status=DeclarationStatus.SUBMITTED,
        version__standard_id=draft.standard_id,
    )
    scored = Q(provider__status__in=OPEN_STATUSES, provider__provider_type__in=list(types)) & Q(
        Exists(declared)
    )
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, provider_type, status, n in (
        Gap.objects.filter(standard_id=draft.standard_id, status__in=ACTIVE_GAP_STATUSES)
        .exclude(scored)
        .values_list("requirement_key", "provider__provider_type", "status")
        .annotate(n=Count("id"))
    ):
        closing = carried_over(
            {key: (status, None)},
            provider_type=provider_type,
            requirements=facts_by_key,
            label=draft.version,
        )
        if key in closing:
            found[key][closing[key]] += n
    return {k: dict(v) for k, v in found.items()}


def _enqueue(chunk_ids: Iterable[int]) -> int:
    """Queue chunks; one that cannot be queued now is queued by `requeue_stale_chunks`."""
    queued = 0
    for chunk_id in chunk_ids:
        try:
            celery_policy.send(
                PREVIEW_CHUNK_TASK, kwargs={"chunk_id": chunk_id}, queue=RESCORE_QUEUE
            )
        except Exception:
            logger.warning("Could not queue preview chunk %s", chunk_id, exc_info=True)
            break
        queued += 1
    return queued


ROW_COLUMNS = (
    "preview_id",
    "provider_id",
    "provider_type",
    "area_id",
    "declaration_id",
    "old_score",
    "old_all_musts_met",
    "new_score",
    "new_all_musts_met",
    "outcomes",
    "opened",
    "reopened",
    "resolved",
    "superseded",
)


def provider_rows(preview: ImpactPreview, provider_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """What publishing would do to each of these providers, as `ProviderImpact` rows."""
    info = version_info(preview.version)
    on = preview.assessed_on
    facts = preview.draft
    requirements = {k: (v[1], v[2]) for k, v in facts["requirements"].items()}
    label = facts["label"]
    latest = latest_declarations(info.standard_id, provider_ids)
    items = [
        latest[pid]
        for pid in provider_ids
        if pid in latest
        and latest[pid].provider_open
        and latest[pid].provider_type in facts["layouts"]
    ]
    if not items:
        return []
    ids = [i.provider_id for i in items]
    answers = load_answers([i.declaration_id for i in items])
    old: dict[int, tuple[float, bool]] = {}
    if preview.baseline_id is not None:
        where, params = bulk.id_in("c.provider_id", ids)
        for pid, old_score, musts in bulk.fetch(
            "SELECT c.provider_id, r.score, r.all_musts_met FROM scoring_currentresult c"
            " JOIN scoring_scoringrun r ON r.id = c.run_id"
            f" WHERE c.version_id = %s AND {where}",
            [preview.baseline_id, *params],
        ):
            old[pid] = (old_score, bool(musts))
    gaps: dict[int, dict[str, tuple[str, dt.date | None]]] = defaultdict(dict)
    for pid, key, status, until in bulk.among(
        Gap.objects.filter(standard_id=info.standard_id), "provider_id", ids
    ).values_list("provider_id", "requirement_key", "status", "accepted_until"):
        gaps[pid][key] = (status, until)
    areas = dict(bulk.among(Provider.objects.all(), "id", ids).values_list("pk", "area_id"))
    compiled: dict[str, CompiledSpec] = {}
    rows = []
    for item in items:
        spec_for_type = compiled.get(item.provider_type)
        if spec_for_type is None:
            spec_for_type = compiled[item.provider_type] = compiled_for(
                info, item.provider_type, on
            )
        spec = spec_for_type.spec
        codes = spec_for_type.judge(answers.get(item.declaration_id, {})).codes
        scores = score(spec, codes)
        changes = gap_changes(
            gaps.get(item.provider_id, {}),
            provider_type=item.provider_type,
            requirements=requirements,
            label=label,
            spec=spec,
            codes=codes,
            on=on,
        )
        before = old.get(item.provider_id)
        rows.append(
            (
                preview.pk,
                item.provider_id,
                item.provider_type,
                areas.get(item.provider_id),
                item.declaration_id,
                before[0] if before else None,
                before[1] if before else None,
                round(scores.score, 6),
                scores.all_musts_met,
                codes,
                bulk.as_json(changes.opened or None),
                bulk.as_json(changes.reopened or None),
                bulk.as_json(changes.resolved or None),
                bulk.as_json(changes.superseded or None),
            )
        )
    return rows


def run_chunk(*, chunk_id: int) -> int | None:
    """Work out one chunk in one transaction: the number of providers, or None if it was done
    already. Running it again does nothing."""
    started = (
        PreviewChunk.objects.filter(pk=chunk_id)
        .exclude(status=ChunkStatus.DONE)
        .update(status=ChunkStatus.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now())
    )
    if not started:
        return None
    with transaction.atomic():
        chunk = (
            PreviewChunk.objects.select_for_update(of=("self",), no_key=True)
            .select_related("preview__version")
            .get(pk=chunk_id)
        )
        if chunk.status == ChunkStatus.DONE:
            return None
        rows = provider_rows(chunk.preview, chunk.provider_ids)
        bulk.insert_rows("impact_providerimpact", ROW_COLUMNS, rows)
        chunk.status = ChunkStatus.DONE
        chunk.finished_at = timezone.now()
        chunk.save(update_fields=["status", "finished_at"])
        preview = ImpactPreview.objects.select_for_update(no_key=True).get(pk=chunk.preview_id)
        if (
            preview.status != PreviewStatus.DONE
            and not PreviewChunk.objects.filter(preview_id=preview.pk)
            .exclude(status=ChunkStatus.DONE)
            .exists()
        ):
            _finish(preview)
    return len(rows)


def _finish(preview: ImpactPreview) -> None:
    preview.report = build_report(preview)
    preview.status = PreviewStatus.DONE
    preview.finished_at = timezone.now()
    preview.save(update_fields=["report", "status", "finished_at"])


def run_preview_inline(*, preview_id: int) -> ImpactPreview:
    """Run every unfinished chunk in this process (no broker or worker needed)."""
    for chunk_id in (
        PreviewChunk.objects.filter(preview_id=preview_id)
        .exclude(status=ChunkStatus.DONE)
        .values_list("pk", flat=True)
    ):
        run_chunk(chunk_id=chunk_id)
    return ImpactPreview.objects.get(pk=preview_id)


def requeue_stale_chunks(*, older_than: dt.timedelta | None = None) -> int:
    """Queue again the chunks not finished in time (a lost message or a killed worker)."""
    if older_than is None:
        older_than = dt.timedelta(
            seconds=int(getattr(settings, "SCORING_CHUNK_REQUEUE_AFTER", 900))
        )
    cutoff = timezone.now() - older_than
    stale = list(
        PreviewChunk.objects.exclude(status=ChunkStatus.DONE)
        .filter(queued_at__lt=cutoff)
        .exclude(started_at__gte=cutoff)
        .values_list("pk", flat=True)[:1000]
    )
    if not stale:
        return 0
    PreviewChunk.objects.filter(pk__in=stale).update(queued_at=timezone.now())
    return _enqueue(stale)
