"""The demo's second version of the default standard: loaded, previewed and published in this
process, after the demo has been scored on the first.

`seed_demo` calls `publish_update` once the demo has results on 1.0. It loads 1.1 as a draft,
previews its impact (printing the summary), publishes it and runs the national re-score that
publishing starts here rather than on a worker: gaps carry over by requirement key, and the
gaps of requirements 1.1 withdraws or makes good practice close as superseded, naming 1.1.
The headteacher's draft declaration moves to 1.1, its answers matched by requirement key.
Running it again when 1.1 is published does nothing.

Once the area's local standard (which extends 1.1) is published too, `declare_on_update_and_score`
has the review area's accepted settings declare again against the pair, accepted by the area and
scored here (`audits.demo_update`), so that families find them for the needs they declare and the
area's dashboard has local scores and gaps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from audits.demo_update import declare_on_update
from audits.models import Answer, Declaration, DeclarationStatus
from common.output import Output
from dashboards.services import refresh_requested
from impact.selectors import summary_lines
from impact.services import run_preview_inline, start_preview
from providers.demo import DEMO_HEADTEACHER_SCHOOL_URN
from scoring.models import RescoreJob, Trigger
from scoring.services import on_version_published, run_job_inline, score_declaration
from standards.canonical import requirement_document
from standards.format import parse_version_text
from standards.models import Requirement, StandardVersion
from standards.selectors import current_version, requirements_for
from standards.services import publish_version, store_draft

UPDATE_FILE = Path(settings.BASE_DIR) / "standards" / "data" / "send-statutory-baseline-1.1.yaml"
UPDATE_SLUG = "send-statutory-baseline"
CHANGED_FIELDS = ("question", "answer", "rule", "strength", "applies_to")


@dataclass
class DemoUpdate:
    label: str = ""
    published: bool = False
    rescored: int = 0
    seconds: float = 0.0
    summary: list[str] = field(default_factory=list)


def publish_update(*, stdout: Output | None = None, path: Path = UPDATE_FILE) -> DemoUpdate:
    started = time.perf_counter()
    document = parse_version_text(path.read_text(encoding="utf-8"))
    slug, label = document["standard"]["slug"], document["version"]
    report = DemoUpdate(label=f"{slug} {label}")
    existing = StandardVersion.objects.filter(standard__slug=slug, version=label).first()
    if existing is not None and not existing.is_draft:
        if stdout:
            stdout.write(f"{slug} {label} is already {existing.status}\n")
        return report
    store_draft(document=document)
    preview = run_preview_inline(
        preview_id=start_preview(slug=slug, version=label, enqueue=False).pk
    )
    report.summary = summary_lines(preview=preview)
    version = publish_version(slug=slug, version=label)
    # Publishing asks for a national re-score on commit; here it runs in this process.
    job = (
        RescoreJob.objects.filter(version=version, trigger=Trigger.PUBLISH)
        .order_by("-created_at")
        .first()
    ) or on_version_published(version_id=version.pk)
    if job is not None:
        run_job_inline(job_id=job.pk)
        job.refresh_from_db()
        report.rescored = job.provider_count
    move_headteachers_draft(version=version)
    refresh_requested(hold_rescore=False)
    report.published = True
    report.seconds = time.perf_counter() - started
    if stdout:
        for line in report.summary:
            stdout.write(line + "\n")
        stdout.write(
            f"Loaded, previewed and published {slug} {label}: re-scored {report.rescored}"
            f" providers in {report.seconds:.1f} s\n"
        )
    return report


@transaction.atomic
def move_headteachers_draft(*, version: StandardVersion) -> bool:
    """The headteacher's draft, begun on an earlier version, continues on this one: answers are
    matched by requirement key, and new or changed requirements are marked for attention."""
    draft = (
        Declaration.objects.select_related("provider", "version")
        .filter(
            provider__urn=DEMO_HEADTEACHER_SCHOOL_URN,
            status=DeclarationStatus.DRAFT,
            version__standard_id=version.standard_id,
        )
        .exclude(version=version)
        .first()
    )
    if draft is None:
        return False
    wanted = {
        r.key: r
        for r in requirements_for(version=version, provider_type=draft.provider.provider_type)
    }
    old = {r.key: r for r in Requirement.objects.filter(version_id=draft.version_id)}
    have = set()
    for answer in draft.answers.all():
        requirement = wanted.get(answer.requirement_key)
        if requirement is None:
            answer.delete()
            continue
        have.add(answer.requirement_key)
        before = old.get(answer.requirement_key)
        answer.requirement = requirement
        if answer.answer_type != requirement.answer_type:
            answer.answer_type = requirement.answer_type
            answer.set_value(None)
            answer.needs_attention = True
            answer.attention_reason = "The question changed, so your previous answer was not copied"
        elif before is not None and _changed(before, requirement):
            answer.needs_attention = True
            answer.attention_reason = "This requirement changed in this version of the standard"
        answer.save()
    Answer.objects.bulk_create(
        [
            Answer(
                declaration=draft,
                requirement=requirement,
                requirement_key=key,
                answer_type=requirement.answer_type,
                needs_attention=True,
                attention_reason="New requirement in this version of the standard",
            )
            for key, requirement in wanted.items()
            if key not in have
        ]
    )
    draft.version = version
    draft.save(update_fields=["version"])
    return True


def _changed(old: Requirement, new: Requirement) -> bool:
    before, after = requirement_document(old), requirement_document(new)
    return any(before[k] != after[k] for k in CHANGED_FIELDS)


def declare_on_update_and_score(
    *, local: StandardVersion | None, stdout: Output | None = None
) -> int:
    """Declarations against the published update and the local standard, accepted and scored in
    this process; the dashboards then add them up. Returns how many were made (0 when run again)."""
    national = local.extends if local is not None else current_version(slug=UPDATE_SLUG)
    if national is None:
        return 0
    created = declare_on_update(national=national, local=local)
    for declaration_id in created:
        score_declaration(declaration_id=declaration_id)
    if created:
        refresh_requested(hold_rescore=False)
    if stdout:
        stdout.write(
            f"Demo declarations on {national.standard.slug} {national.version}"
            + (f" with {local.standard.slug} {local.version}" if local is not None else "")
            + f": {len(created)} submitted, accepted and scored\n"
        )
    return len(created)
