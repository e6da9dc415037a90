"""Someone who must use a second factor, or has set one up, uses the service only once it is
verified in this session (django-otp's OTPMiddleware, installed before this, says whether it
is). Until then every page sends them to enter their code, or to set up an authenticator app
if they have none yet; the API treats their session as signed out (tokens are not affected)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts import selectors

# Reachable before the second factor: signing in and out, setting it up, password resets, the
# health checks, static files and the pages every footer links to.
OPEN_PREFIXES = (
    "/account/sign-in/",
    "/account/sign-out/",
    "/account/two-factor/set-up/",
    "/account/password-reset/",
    "/static/",
    "/healthz",
    "/readyz",
    "/accessibility/",
    "/cookies/",
    "/privacy/",
    "/favicon.ico",
)


def next_step(request: HttpRequest) -> str | None:
    """What a signed-in person must do before using the service: "verify", "set_up" or None."""
    user = request.user
    if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr,attr-defined]
        return None
    if selectors.has_second_factor(user=user):  # type: ignore[arg-type]
        return "verify"
    if selectors.second_factor_required(user=user):  # type: ignore[arg-type]
        return "set_up"
    return None


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OPEN_PREFIXES):
            step = next_step(request)
            if step is not None:
                if request.path.startswith("/api/"):
                    request.user = AnonymousUser()
                else:
                    target = reverse("mfa_verify" if step == "verify" else "mfa_setup")
                    wanted = request.get_full_path() if request.method == "GET" else "/"
                    return HttpResponseRedirect(f"{target}?{urlencode({'next': wanted})}")
        return self.get_response(request)
