"""Someone who must use a second factor, or has set one up, uses the service only once it is
verified in this session (django-otp's OTPMiddleware, installed before this, says whether it
is). Until then every page sends them to enter their code, or to set up an authenticator app
if they have none yet; the API treats their session as signed out (tokens are not affected)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_otp.middleware
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, empty

from accounts import selectors
from accounts.session_device import session_device

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


def _unwrapped(user: Any) -> Any:
    """The person inside the lazy wrappers, once next_step has evaluated them."""
    while isinstance(user, SimpleLazyObject):
        inner = user.__dict__["_wrapped"]  # LazyObject's own slot for what it wraps
        if inner is empty:
            break
        user = inner
    return user


class OTPMiddleware(django_otp.middleware.OTPMiddleware):
    """django-otp's middleware, reading the session's device through the shared cache where
    there is one (accounts.session_device)."""

    def _device_from_persistent_id(self, persistent_id: str) -> Any:
        return session_device(persistent_id=self._normalize_persistent_id(persistent_id))


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OPEN_PREFIXES):
            step = next_step(request)
            # The person is known now: every later use of request.user reads them directly,
            # not through the two lazy wrappers the authentication and OTP middleware put
            # around them.
            request.user = _unwrapped(request.user)
            if step is not None:
                if request.path.startswith("/api/"):
                    request.user = AnonymousUser()
                else:
                    target = reverse("mfa_verify" if step == "verify" else "mfa_setup")
                    wanted = request.get_full_path() if request.method == "GET" else "/"
                    return HttpResponseRedirect(f"{target}?{urlencode({'next': wanted})}")
        return self.get_response(request)
