"""Answering a draft: the task list, one question per page, check your answers and submit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse

from audits import selectors, services
from audits.answers import AnswerErrors
from audits.forms import QuestionForm
from audits.models import Answer, Declaration, DeclarationStatus
from audits.views.common import (
    RETURN_TO_CHECK,
    editable_or_404,
    ordered_answers,
    question_url,
    user_of,
)
from standards.rules import describe_rule
from standards.selectors import requirement_lookup


@login_required
def tasks(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = editable_or_404(request, pk)
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


@login_required
def question(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    declaration = editable_or_404(request, pk)
    if not declaration.is_draft and request.method != "POST":
        return redirect("audits:declaration", declaration.pk)
    answers = ordered_answers(declaration)
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
        back_url = question_url(declaration, section_answers[index - 1].requirement_key)
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
                user=user_of(request),
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
        except services.Conflict:
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
                    question_url(declaration, section_answers[index + 1].requirement_key)
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
            "action_url": question_url(declaration, key, returning),
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


@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = editable_or_404(request, pk)
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
                declaration=declaration, user=user_of(request), expected_row_version=expected
            )
        except services.IncompleteDeclaration as exc:
            for answer in exc.missing:
                message = next(iter(exc.errors.get(answer.requirement_key, {}).values()), "")
                missing.append((answer, message))
            status = 400
        except services.StaleDeclaration:
            stale = True
            status = 409
        except services.Conflict:
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
    declaration = editable_or_404(request, pk)
    if declaration.is_draft:
        return redirect("audits:tasks", declaration.pk)
    return render(
        request,
        "audits/confirmation.html",
        {"declaration": declaration, "provider": declaration.provider},
    )
