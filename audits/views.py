"""The self-audit pages: a provider's start page, the task list, one question per page, check
your answers and submit; the read-only declaration, its history, review, and declaration rounds.

Every page gets its objects from selectors that take the user, and answers 404 for anything
outside that person's scope.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import access_for
from audits import selectors, services
from audits.answers import AnswerErrors
from audits.forms import QuestionForm, ReviewForm, RoundForm
from audits.models import Answer, Declaration, DeclarationRound, DeclarationStatus
from audits.periods import period_for
from providers.models import Provider
from providers.visibility import health_only, visible_areas, visible_providers
from standards.models import StandardVersion, VersionStatus
from standards.rules import describe_rule
from standards.selectors import current_version, requirement_lookup, requirements_for

RETURN_TO_CHECK = "check"
REVIEW_PAGE_SIZE = 50


def _user(request: HttpRequest) -> Any:
    return request.user


# ---- scoring (issue 5) ------------------------------------------------------------------------


def scoring_summary(*, user: Any, provider: Provider) -> dict[str, Any] | None:
    """The provider's latest score and open gaps, from the scoring app; None before any result.

    LEAD: this is the one place the self-audit pages read scoring, and the app is imported
    softly so that audits works without it. It uses
    `scoring.selectors.provider_score_summary(user=..., provider=...)` if scoring ever provides
    it, else `result_for` and `gaps_for`. The dict may have: "score" (text, e.g. "72%"),
    "all_musts_met" (bool), "scored_at" (datetime), "open_gaps" (int), "result_url" and
    "gaps_url" (str), "in_progress" (bool: scoring is under way). See
    templates/audits/includes/scoring_summary.html for how each is shown.
    """
    try:
        module = importlib.import_module("scoring.selectors")
    except ImportError:
        return None
    custom = getattr(module, "provider_score_summary", None)
    if custom is not None:
        given: dict[str, Any] | None = custom(user=user, provider=provider)
        return given
    try:
        result = module.result_for(user=user, provider_id=provider.pk)
        gaps = module.gaps_for(user=user, provider_id=provider.pk)
    except ObjectDoesNotExist:
        return None
    if result.latest_declaration is None and not result.has_result:
        return None
    summary: dict[str, Any] = {
        "in_progress": result.pending,
        "result_url": reverse("scoring:result", args=[provider.pk]),
        "gaps_url": reverse("scoring:gaps", args=[provider.pk]),
    }
    if result.has_result:
        # Before the first result there are no gaps yet, rather than none.
        summary["open_gaps"] = len(gaps.gaps)
    if result.scores is not None:
        summary["score"] = f"{result.scores.score:.0f}%"
        summary["all_musts_met"] = result.scores.all_musts_met
    if result.run is not None:
        summary["scored_at"] = result.run.created_at
    return summary


# ---- helpers ----------------------------------------------------------------------------------


def _editable_or_404(request: HttpRequest, pk: int) -> Declaration:
    declaration = selectors.declaration_for_editing(user=_user(request), pk=pk)
    if declaration is None:
        raise Http404("No such declaration")
    return declaration


def _visible_or_404(request: HttpRequest, pk: int) -> Declaration:
    return get_object_or_404(
        selectors.visible_declarations(user=_user(request)).select_related(
            "provider__area", "submitted_by", "reviewed_by", "round"
        ),
        pk=pk,
    )


def _target(provider: Provider) -> tuple[StandardVersion | None, str, DeclarationRound | None]:
    """What the provider should declare now: the standard and year of its area's open round,
    else the default standard this year; against the version of the declaration it has begun
    for them (even if that version has since been superseded), else the published version."""
    today = services.today()
    declaration_round = selectors.open_round_for_provider(provider=provider, on=today)
    if declaration_round is not None:
        standard, period = declaration_round.version.standard, declaration_round.period
    else:
        default = current_version(slug=services.DEFAULT_STANDARD)
        if default is None:
            return None, period_for(today), None
        standard, period = default.standard, period_for(today)
    begun = selectors.current_draft(
        provider=provider, standard=standard, period=period
    ) or selectors.latest_submitted(provider=provider, standard=standard, period=period)
    if begun is not None:
        return begun.version, period, declaration_round
    return current_version(slug=standard.slug), period, declaration_round


def _ordered_answers(declaration: Declaration) -> list[Answer]:
    return list(
        declaration.answers.select_related("requirement__section").order_by(
            "requirement__section__order", "requirement__order"
        )
    )


def _question_url(declaration: Declaration, key: str, returning: bool = False) -> str:
    url = reverse("audits:question", args=[declaration.pk, key])
    return f"{url}?return={RETURN_TO_CHECK}" if returning else url


def _can_review(user: Any, declaration: Declaration) -> bool:
    if declaration.is_draft or services.later_submitted_revision(declaration) is not None:
        return False
    try:
        services.reviewable_keys(user=user, declaration=declaration)
    except PermissionDenied:
        return False
    return True


# ---- the provider's self-audit start page -------------------------------------------------------


@login_required
def provider_home(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    provider = get_object_or_404(visible_providers(user=user), pk=pk)
    can_edit = selectors.can_edit_provider(user=user, provider=provider)
    version, period, declaration_round = _target(provider)
    draft = submitted = current = progress = None
    applicable = 0
    if version is not None:
        declarations = list(
            selectors.declarations_for(provider=provider, version=version, period=period)
        )
        draft = next((d for d in declarations if d.is_draft), None)
        submitted = next((d for d in declarations if not d.is_draft), None)
        current = draft or submitted
        applicable = requirements_for(version=version, provider_type=provider.provider_type).count()
        if current is not None:
            progress = selectors.declaration_progress(
                declaration=current,
                answers=selectors.declaration_answers(user=user, declaration=current),
            )
    history = selectors.provider_declarations(user=user, provider=provider).select_related(
        "submitted_by"
    )
    past_rounds = [
        r
        for r in selectors.rounds_for_provider(provider=provider).filter(
            deadline__lt=services.today()
        )[:1]
        if not (
            submitted
            and r.version.standard_id == submitted.version.standard_id
            and r.period == submitted.period
        )
    ]
    return render(
        request,
        "audits/provider_home.html",
        {
            "provider": provider,
            "can_edit": can_edit,
            "version": version,
            "period": period,
            "round": declaration_round,
            "overdue_round": past_rounds[0] if past_rounds and declaration_round is None else None,
            "draft": draft,
            "submitted": submitted,
            "current": current,
            "progress": progress,
            "applicable": applicable,
            "history": history,
            "scoring": scoring_summary(user=user, provider=provider),
        },
    )


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    provider = get_object_or_404(visible_providers(user=user), pk=pk)
    if not selectors.can_edit_provider(user=user, provider=provider):
        raise Http404("No such page")
    version, period, _ = _target(provider)
    if (
        version is not None
        and not requirements_for(version=version, provider_type=provider.provider_type).exists()
    ):
        messages.error(request, "None of the standard's requirements apply to this provider.")
        return redirect("audits:provider_home", provider.pk)
    try:
        result = services.start_declaration(
            provider=provider, user=user, version=version, period=period
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("audits:provider_home", provider.pk)
    declaration = result.declaration
    if not declaration.is_draft:
        return redirect("audits:declaration", declaration.pk)
    if result.created and result.copied:
        source = declaration.carried_from
        text = f"We copied {result.copied} answers from your declaration for {source.period if source else 'an earlier year'}."
        if result.attention:
            text += f" Check the {result.attention} marked as needing attention."
        messages.info(request, text)
    return redirect("audits:tasks", declaration.pk)


# ---- task list ----------------------------------------------------------------------------------


@login_required
def tasks(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _editable_or_404(request, pk)
    if not declaration.is_draft:
        return redirect("audits:declaration", declaration.pk)
    progress = selectors.declaration_progress(declaration=declaration)
    return render(
        request,
        "audits/tasks.html",
        {
            "declaration": declaration,
            "provider": declaration.provider,
            "progress": progress,
            "returned_from": declaration.revises
            if declaration.revises_id and declaration.revises and declaration.revises.is_returned
            else None,
        },
    )


# ---- one question per page --------------------------------------------------------------------


@login_required
def question(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    declaration = _editable_or_404(request, pk)
    if not declaration.is_draft and request.method != "POST":
        return redirect("audits:declaration", declaration.pk)
    answers = _ordered_answers(declaration)
    position = next((i for i, a in enumerate(answers) if a.requirement_key == key), None)
    if position is None:
        raise Http404("No such question")
    answer = answers[position]
    answer = Answer.objects.select_related("requirement__section", "updated_by", "reviewed_by").get(
        pk=answer.pk
    )
    if not declaration.is_draft:
        return _not_saved(request, declaration, QuestionForm(answer=answer, data=request.POST))
    section_answers = [
        a for a in answers if a.requirement.section_id == answer.requirement.section_id
    ]
    index = next(i for i, a in enumerate(section_answers) if a.pk == answer.pk)
    returning = request.GET.get("return") == RETURN_TO_CHECK
    tasks_url = reverse("audits:tasks", args=[declaration.pk])
    check_url = reverse("audits:check", args=[declaration.pk])
    if returning:
        back_url = check_url
    elif index > 0:
        back_url = _question_url(declaration, section_answers[index - 1].requirement_key)
    else:
        back_url = tasks_url

    status = 200
    conflict = None
    if request.method == "POST":
        form = QuestionForm(answer=answer, data=request.POST)
        action = request.POST.get("action", "continue")
        complete = action != "later"
        try:
            data = form.answer_input()
            services.save_answer(
                declaration=declaration,
                requirement_key=key,
                data=data,
                user=_user(request),
                expected_row_version=form.row_version,
                complete=complete,
            )
        except services.StaleAnswer as exc:
            conflict = exc.current
            conflict = Answer.objects.select_related("requirement", "updated_by").get(
                pk=conflict.pk
            )
            # They have now seen the current answer: saving again replaces it, knowingly.
            form.row_version = conflict.row_version
            status = 409
        except AnswerErrors as exc:
            form.errors = exc.errors
            status = 400
        except ValidationError:
            # Submitted by someone else between this check and the save.
            declaration.refresh_from_db()
            return _not_saved(request, declaration, form)
        else:
            if action == "later":
                messages.success(
                    request,
                    "Your answers have been saved. You can come back and finish at any time.",
                )
                return HttpResponseRedirect(tasks_url)
            if returning:
                return HttpResponseRedirect(check_url)
            if index + 1 < len(section_answers):
                return HttpResponseRedirect(
                    _question_url(declaration, section_answers[index + 1].requirement_key)
                )
            return HttpResponseRedirect(tasks_url)
    else:
        form = QuestionForm(answer=answer)

    requirement = answer.requirement
    lookup = requirement_lookup(declaration.version)
    spec = {"type": requirement.answer_type, **requirement.answer_options}
    return render(
        request,
        "audits/question.html",
        {
            "declaration": declaration,
            "provider": declaration.provider,
            "answer": answer,
            "requirement": requirement,
            "section": requirement.section,
            "form": form,
            "number": index + 1,
            "count": len(section_answers),
            "rule_text": describe_rule(requirement.rule, spec, lookup.get),
            "back_url": back_url,
            "returning": returning,
            "conflict": conflict,
            "action_url": _question_url(declaration, key, returning),
        },
        status=status,
    )


def _not_saved(request: HttpRequest, declaration: Declaration, form: QuestionForm) -> HttpResponse:
    """Someone submitted the declaration while this person was answering: say who and when,
    and show what they entered, so that they can enter it again in a revision."""
    requirement = form.requirement
    return render(
        request,
        "audits/question_not_saved.html",
        {
            "declaration": declaration,
            "provider": declaration.provider,
            "requirement": requirement,
            "section": requirement.section,
            "form": form,
            "later": selectors.declarations_for(
                provider=declaration.provider,
                version=declaration.version,
                period=declaration.period,
            )
            .filter(status=DeclarationStatus.DRAFT)
            .first(),
        },
        status=409,
    )


# ---- check your answers, submit, confirmation ---------------------------------------------------


@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _editable_or_404(request, pk)
    if not declaration.is_draft:
        return redirect("audits:declaration", declaration.pk)
    status = 200
    missing: list[tuple[Answer, str]] = []
    stale = False
    if request.method == "POST":
        try:
            expected = int(request.POST.get("row_version", "") or 0)
        except ValueError:
            expected = 0
        try:
            services.submit_declaration(
                declaration=declaration, user=_user(request), expected_row_version=expected
            )
        except services.IncompleteDeclaration as exc:
            for answer in exc.missing:
                message = next(iter(exc.errors.get(answer.requirement_key, {}).values()), "")
                missing.append((answer, message))
            status = 400
        except services.StaleDeclaration:
            stale = True
            status = 409
        except ValidationError:
            return redirect("audits:declaration", declaration.pk)
        else:
            return redirect("audits:confirmation", declaration.pk)
        declaration.refresh_from_db()
    progress = selectors.declaration_progress(declaration=declaration)
    return render(
        request,
        "audits/check.html",
        {
            "declaration": declaration,
            "provider": declaration.provider,
            "progress": progress,
            "missing": missing,
            "missing_keys": {a.requirement_key for a, _ in missing},
            "stale": stale,
        },
        status=status,
    )


@login_required
def confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _editable_or_404(request, pk)
    if declaration.is_draft:
        return redirect("audits:tasks", declaration.pk)
    return render(
        request,
        "audits/confirmation.html",
        {"declaration": declaration, "provider": declaration.provider},
    )


# ---- a declaration, read-only; its revision and history -------------------------------------------


@login_required
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    declaration = _visible_or_404(request, pk)
    answers = selectors.declaration_answers(user=user, declaration=declaration)
    progress = selectors.declaration_progress(declaration=declaration, answers=answers)
    can_edit = selectors.can_edit_provider(user=user, provider=declaration.provider)
    later = (
        Declaration.objects.filter(
            provider=declaration.provider,
            version=declaration.version,
            period=declaration.period,
            revision__gt=declaration.revision,
        )
        .order_by("-revision")
        .first()
    )
    return render(
        request,
        "audits/declaration.html",
        {
            "declaration": declaration,
            "provider": declaration.provider,
            "progress": progress,
            "can_edit": can_edit,
            "can_review": _can_review(user, declaration),
            "later": later,
            "health_only": health_only(user=user, provider=declaration.provider),
        },
    )


@login_required
@require_POST
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _editable_or_404(request, pk)
    try:
        revision = services.start_revision(declaration=declaration, user=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("audits:declaration", declaration.pk)
    if revision.pk != declaration.pk and revision.revision > declaration.revision:
        messages.success(
            request,
            f"Revision {revision.revision} started. Your answers have been copied from revision {revision.revision - 1}.",
        )
    # From a question whose answer was not saved: back to that question, to enter it again.
    key = request.POST.get("question", "")
    if key and revision.answers.filter(requirement_key=key).exists():
        return redirect("audits:question", revision.pk, key)
    return redirect("audits:tasks", revision.pk)


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _visible_or_404(request, pk)
    changes = selectors.answer_history(user=_user(request), declaration=declaration)
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/history.html",
        {"declaration": declaration, "provider": declaration.provider, "page": page},
    )


# ---- review ------------------------------------------------------------------------------------


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    declaration = _visible_or_404(request, pk)
    if declaration.is_draft:
        raise Http404("Only a submitted declaration can be reviewed")
    try:
        keys = services.reviewable_keys(user=user, declaration=declaration)
    except PermissionDenied as exc:
        raise Http404("No such page") from exc
    later = services.later_submitted_revision(declaration)
    if later is not None:
        messages.info(
            request,
            f"Revision {later.revision} of this declaration has been submitted since: review that instead.",
        )
        return redirect("audits:declaration", later.pk)
    answers_qs = selectors.declaration_answers(user=user, declaration=declaration)
    if keys is not None:
        answers_qs = answers_qs.filter(requirement_key__in=keys)
    answers = list(answers_qs)
    status = 200
    if request.method == "POST":
        form = ReviewForm(answers=answers, data=request.POST)
        challenges = form.clean()
        if not form.errors:
            try:
                services.review_declaration(
                    declaration=declaration,
                    reviewer=user,
                    accept=form.decision == "accept",
                    challenges=challenges,
                    comment=form.comment,
                )
            except ValidationError as exc:
                form.add_service_errors(
                    exc.message_dict if hasattr(exc, "error_dict") else {"decision": exc.messages}
                )
            else:
                if form.decision == "accept":
                    text = f"You accepted the declaration from {declaration.provider.name}."
                else:
                    text = (
                        f"You returned the declaration to {declaration.provider.name} with "
                        f"{len(challenges)} challenged answer{'s' if len(challenges) != 1 else ''}."
                    )
                messages.success(request, text)
                return redirect("audits:declaration", declaration.pk)
        status = 400
    else:
        form = ReviewForm(answers=answers)
    progress = selectors.declaration_progress(declaration=declaration, answers=answers_qs)
    return render(
        request,
        "audits/review.html",
        {
            "declaration": declaration,
            "provider": declaration.provider,
            "progress": progress,
            "form": form,
            "health_only": keys is not None,
        },
        status=status,
    )


REVIEW_FILTERS = [
    ("not_reviewed", "Not reviewed"),
    ("returned", "Returned for changes"),
    ("accepted", "Accepted"),
    ("all", "All"),
]


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access = access_for(user)
    if not (access.site_admin or access.area_ids or access.icb_ids):
        raise Http404("No such page")
    declarations = selectors.reviewable_declarations(user=user)
    counts = {
        row["queue_status"]: row["n"]
        for row in declarations.values("queue_status").annotate(n=Count("pk")).order_by()
    }
    chosen = request.GET.get("status", "not_reviewed")
    if chosen not in dict(REVIEW_FILTERS):
        chosen = "not_reviewed"
    if chosen != "all":
        declarations = declarations.filter(queue_status=chosen)
    declarations = declarations.order_by("submitted_at", "pk")
    page = Paginator(declarations, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = [
        {
            "value": value,
            "label": label,
            "count": sum(counts.values()) if value == "all" else counts.get(value, 0),
            "current": value == chosen,
        }
        for value, label in REVIEW_FILTERS
    ]
    return render(
        request,
        "audits/review_list.html",
        {
            "page": page,
            "filters": filters,
            "chosen": chosen,
            "query": f"status={chosen}",
        },
    )


# ---- rounds -------------------------------------------------------------------------------------


@login_required
def round_list(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    area = get_object_or_404(visible_areas(user=user), code=code)
    rounds = [
        selectors.round_status(declaration_round=r)
        for r in selectors.visible_rounds(user=user).filter(area=area).order_by("-deadline")
    ]
    return render(
        request,
        "audits/round_list.html",
        {
            "area": area,
            "rounds": rounds,
            "today": services.today(),
            "can_open": selectors.round_openable_areas(user=user).filter(pk=area.pk).exists(),
        },
    )


@login_required
def round_new(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    area = get_object_or_404(selectors.round_openable_areas(user=user), code=code)
    versions = list(
        StandardVersion.objects.select_related("standard")
        .filter(status=VersionStatus.PUBLISHED)
        .order_by("standard__title", "-effective_from")
    )
    status = 200
    if request.method == "POST":
        form = RoundForm(versions=versions, period=period_for(services.today()), data=request.POST)
        version, period, deadline = form.clean()
        if not form.errors and version is not None and deadline is not None:
            try:
                declaration_round = services.open_round(
                    area=area, version=version, period=period, deadline=deadline, user=user
                )
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
            else:
                messages.success(
                    request,
                    f"Round opened. Providers in {area.name} will see the deadline of "
                    f"{deadline.day} {deadline:%B %Y} on their self-audit page.",
                )
                return redirect("audits:round", declaration_round.pk)
        status = 400
    else:
        form = RoundForm(versions=versions, period=period_for(services.today()))
    return render(request, "audits/round_new.html", {"area": area, "form": form}, status=status)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    declaration_round = get_object_or_404(selectors.visible_rounds(user=user), pk=pk)
    status = selectors.round_status(declaration_round=declaration_round)
    visible_ids = set(
        visible_providers(user=user)
        .filter(area=declaration_round.area)
        .values_list("pk", flat=True)
    )
    # Declarations against any version of the round's standard count for the round.
    for_round = Declaration.objects.filter(
        provider__area=declaration_round.area,
        version__standard_id=declaration_round.version.standard_id,
        period=declaration_round.period,
    )
    drafts = {d.provider_id: d for d in for_round.filter(status=DeclarationStatus.DRAFT)}
    latest = {}
    for d in for_round.filter(status=DeclarationStatus.SUBMITTED).order_by("submitted_at", "pk"):
        latest[d.provider_id] = d
    submitted = [(p, latest.get(p.pk)) for p in status.submitted if p.pk in visible_ids]
    outstanding = [(p, drafts.get(p.pk)) for p in status.outstanding if p.pk in visible_ids]
    return render(
        request,
        "audits/round_detail.html",
        {
            "round": declaration_round,
            "area": declaration_round.area,
            "submitted": submitted,
            "outstanding": outstanding,
            "total": len(submitted) + len(outstanding),
            "today": services.today(),
            "overdue": declaration_round.deadline < services.today(),
        },
    )
