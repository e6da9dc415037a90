"""What the self-audit pages share: finding the declaration a person may see or edit."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from audits import selectors
from audits.models import Answer, Declaration
from providers.visibility import may_review, review_refusal, review_scope

RETURN_TO_CHECK = "check"


def user_of(request: HttpRequest) -> Any:
    return request.user


def editable_or_404(request: HttpRequest, pk: int) -> Declaration:
    declaration = selectors.declaration_for_editing(user=user_of(request), pk=pk)
    if declaration is None:
        raise Http404("No such declaration")
    return declaration


def visible_or_404(request: HttpRequest, pk: int) -> Declaration:
    return get_object_or_404(
        selectors.visible_declarations(user=user_of(request)).select_related(
            "provider__area", "submitted_by", "reviewed_by", "round"
        ),
        pk=pk,
    )


def ordered_answers(declaration: Declaration) -> list[Answer]:
    return list(
        declaration.answers.select_related("requirement__section").order_by(
            *selectors.answer_order()
        )
    )


def question_url(declaration: Declaration, key: str, returning: bool = False) -> str:
    url = reverse("audits:question", args=[declaration.pk, key])
    return f"{url}?return={RETURN_TO_CHECK}" if returning else url


def can_review(user: Any, declaration: Declaration) -> bool:
    if declaration.is_draft or selectors.later_submitted_revision(declaration) is not None:
        return False
    return may_review(user=user, declaration=declaration)


def review_refused_because(user: Any, declaration: Declaration) -> str:
    """Why a person who reviews this provider's declarations may not review this one (their
    own work), for the declaration page; empty when they may, or do not review it at all."""
    if declaration.is_draft or selectors.later_submitted_revision(declaration) is not None:
        return ""
    if review_scope(user=user, provider=declaration.provider) is None:
        return ""
    return review_refusal(user=user, declaration=declaration) or ""
