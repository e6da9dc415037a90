"""Sign-in and password reset, with limits by address on top of the per-account lock-out; a
site admin's export of one person's data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import ratelimit, selectors, services
from accounts.access import access_for
from accounts.forms import SignInForm
from accounts.models import User

SIGN_IN = "sign_in_failures_per_address"
RESETS_BY_ADDRESS = "password_resets_per_address"
RESETS_BY_EMAIL = "password_resets_per_email"


def too_many(request: HttpRequest, *, limit: str, doing: str) -> HttpResponse:
    response = render(
        request,
        "registration/rate_limited.html",
        {"doing": doing, "minutes": max(1, ratelimit.retry_after(name=limit) // 60)},
        status=429,
    )
    response["Retry-After"] = str(ratelimit.retry_after(name=limit))
    return response


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if ratelimit.exceeded(name=SIGN_IN, who=ratelimit.client_address(request)):
            return too_many(request, limit=SIGN_IN, doing="sign in")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        # With an authenticator set up, the password is the first step of two: the person is
        # signed in only when their code is right too.
        user = form.get_user()
        if selectors.has_second_factor(user=user):
            from accounts.second_factor_views import begin

            return begin(self.request, user)
        return super().form_valid(form)

    def form_invalid(self, form: Any) -> HttpResponse:
        ratelimit.hit(name=SIGN_IN, who=ratelimit.client_address(self.request))
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    success_url = reverse_lazy("password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if ratelimit.hit(name=RESETS_BY_ADDRESS, who=ratelimit.client_address(request)):
            return too_many(request, limit=RESETS_BY_ADDRESS, doing="ask for a password reset")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        # Past the limit for one email address, no more emails go to it, and the answer is the
        # same as ever: it does not tell whether the address has an account.
        if ratelimit.hit(name=RESETS_BY_EMAIL, who=form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@login_required
@never_cache
@require_GET
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about one person, as JSON: for site admins answering a subject access
    request. The export itself is audited."""
    if not access_for(request.user).site_admin:
        raise PermissionDenied("Only site admins can export a person's data")
    person = get_object_or_404(User, pk=pk)
    data = selectors.person_data(user=person)
    services.record(actor=request.user, action="person data exported", obj=person)  # type: ignore[arg-type]
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    return response
