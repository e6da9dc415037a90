"""The account page's API tokens: list, create (the token is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from api import selectors, services
from api.forms import TokenForm


@login_required
@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = selectors.tokens_for(user=request.user)  # type: ignore[arg-type]
    return render(request, "api/token_list.html", {"tokens": tokens})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    # Creating a token asks for the password (and second factor) again.
    form = TokenForm(request.POST or None, user=request.user, request=request)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_token(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                read_only=form.cleaned_data["read_only"],
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else "name", problems)
        else:
            # Shown in this response only, never stored; never_cache makes it no-store.
            return render(
                request, "api/token_created.html", {"token": created.token, "raw": created.raw}
            )
    return render(request, "api/token_form.html", {"form": form})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_for_owner(user=request.user, token_id=pk)  # type: ignore[arg-type]
    if token is None:
        raise Http404("No such token")
    if request.method == "POST":
        services.revoke_token(token=token, user=request.user)  # type: ignore[arg-type]
        messages.success(request, f"The token “{token.name}” has been revoked")
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
