"""A provider's self-audit start page, and starting a declaration from it.

The page is composed by a view of a higher layer (scoring's), which passes in the summary of
the provider's latest result: audits knows nothing of scoring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audits import selectors, services
from audits.views.common import user_of
from providers.models import Provider
from providers.visibility import can_edit_provider, visible_providers
from standards.selectors import requirements_for

# (user, provider) -> what the page shows of the latest result, or None before any result.
# See templates/audits/includes/scoring_summary.html for the keys it may have.
Summary = Callable[[Any, Provider], dict[str, Any] | None]


def provider_home(request: HttpRequest, pk: int, *, summary: Summary) -> HttpResponse:
    """The page itself; the composing view is login_required and gives `summary`."""
    user = user_of(request)
    provider = get_object_or_404(visible_providers(user=user), pk=pk)
    can_edit = can_edit_provider(user=user, provider=provider)
    target = selectors.declaration_target(provider=provider)
    version, period, declaration_round = target.version, target.period, target.round
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
            # A declaration begun keeps its pair; otherwise the area's local version, if any.
            "local_version": current.local_version if current is not None else target.local_version,
            "national_only_reason": target.national_only_reason,
            "period": period,
            "round": declaration_round,
            "overdue_round": past_rounds[0] if past_rounds and declaration_round is None else None,
            "draft": draft,
            "submitted": submitted,
            "current": current,
            "progress": progress,
            "applicable": applicable,
            "history": history,
            "scoring": summary(user, provider),
        },
    )


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    provider = get_object_or_404(visible_providers(user=user), pk=pk)
    if not can_edit_provider(user=user, provider=provider):
        raise Http404("No such page")
    try:
        result = services.start_declaration(provider=provider, user=user)
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
