"""The second factor at sign-in and on the account: entering a code from an authenticator app
or a recovery code, setting an app up, and recovery codes.

After a correct password, someone with an authenticator is not yet signed in: the session
holds who they are for SECOND_FACTOR_PENDING_MINUTES while they enter a code. Wrong codes count,
with wrong passwords, towards the account's lock-out (django-axes) and the limit by address,
and the count starts again only when both factors have passed.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import ratelimit, selectors, services
from accounts.forms import CodeForm, RecoveryCodeForm
from accounts.models import User
from accounts.views import too_many

PENDING = "second_factor_pending"
NEW_CODES = "second_factor_new_codes"
SIGN_IN = "sign_in_failures_per_address"


def begin(request: HttpRequest, user: Any) -> HttpResponse:
    """The password was right and the person has an authenticator: ask for a code."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": time.time(),
    }
    return HttpResponseRedirect(_with_next(reverse("mfa_verify"), _next(request, "")))


def _next(request: HttpRequest, fallback: str | None = None) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL) if fallback is None else fallback


def _with_next(url: str, wanted: str) -> str:
    return f"{url}?{urlencode({'next': wanted})}" if wanted else url


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING)
    if not pending:
        return None
    if time.time() - float(pending.get("at", 0)) > settings.SECOND_FACTOR_PENDING_MINUTES * 60:
        del request.session[PENDING]
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def _person(request: HttpRequest) -> User | None:
    if request.user.is_authenticated:
        return request.user  # type: ignore[return-value]
    return _pending_user(request)


def _locked(request: HttpRequest, user: User) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return bool(AxesProxyHandler.is_locked(request, credentials={"username": user.email}))


def _locked_out(request: HttpRequest) -> HttpResponse:
    """The sign-in starts again from the password, which the lock-out refuses for an hour."""
    if request.user.is_authenticated:
        auth_logout(request)
    request.session.pop(PENDING, None)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)


def _signed_in(request: HttpRequest, user: User, device: Any) -> HttpResponse:
    if not request.user.is_authenticated:
        backend = request.session[PENDING]["backend"]
        auth_login(request, user, backend=backend)
    otp_login(request, device)
    request.session.pop(PENDING, None)
    return HttpResponseRedirect(_next(request))


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Sign-in, second step: the code from the authenticator app."""
    return _check(request, recovery=False)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery(request: HttpRequest) -> HttpResponse:
    """Sign-in, second step, for someone without their app: a recovery code, used up."""
    return _check(request, recovery=True)


def _check(request: HttpRequest, *, recovery: bool) -> HttpResponse:
    user = _person(request)
    if user is None:
        return HttpResponseRedirect(_with_next(reverse("login"), _next(request, "")))
    if request.user.is_authenticated and request.user.is_verified():  # type: ignore[union-attr,attr-defined]
        return HttpResponseRedirect(_next(request))
    if not selectors.has_second_factor(user=user):
        # A site admin reset it in the meantime: set it up again, or go on if it is optional.
        if request.user.is_authenticated:
            return HttpResponseRedirect(_with_next(reverse("mfa_setup"), _next(request, "")))
        return HttpResponseRedirect(_with_next(reverse("login"), _next(request, "")))
    form = (RecoveryCodeForm if recovery else CodeForm)(request.POST or None)
    if request.method == "POST":
        if _locked(request, user):
            return _locked_out(request)
        if ratelimit.exceeded(name=SIGN_IN, who=ratelimit.client_address(request)):
            return too_many(request, limit=SIGN_IN, doing="sign in")
        if form.is_valid():
            code = form.cleaned_data["code"]
            device = (
                services.use_recovery_code(user=user, code=code)
                if recovery
                else services.check_authenticator_code(user=user, code=code)
            )
            if device is not None:
                return _signed_in(request, user, device)
            form.add_error(
                "code",
                "The recovery code is not correct or has been used: enter another one"
                if recovery
                else "The code is not correct or has expired: enter the code your app shows now",
            )
            ratelimit.hit(name=SIGN_IN, who=ratelimit.client_address(request))
            user_login_failed.send(
                sender=__name__, credentials={"username": user.email}, request=request
            )
            if getattr(request, "axes_locked_out", False) or _locked(request, user):
                return _locked_out(request)
    template = "registration/recovery_code.html" if recovery else "registration/code.html"
    return render(request, template, {"form": form, "next": _next(request, "")})


def qr_code_svg(url: str) -> str:
    """The set-up link as a QR code: inline SVG made here, so no image is fetched from anywhere."""
    svg = segno.make(url, error="m").svg_inline(
        scale=5,
        dark="#0b0c0c",
        light="#ffffff",
        border=4,
        title="QR code for setting up your authenticator app",
        svgclass="app-qr-code",
    )
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def secret_text(device: TOTPDevice) -> str:
    """The secret key as authenticator apps take it typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def set_up(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if selectors.has_second_factor(user=user):
        if user.is_verified():  # type: ignore[attr-defined]
            return redirect("mfa_manage")
        return HttpResponseRedirect(_with_next(reverse("mfa_verify"), _next(request, "")))
    device = services.start_authenticator(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_authenticator(
            user=user, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            otp_login(request, device)
            request.session[NEW_CODES] = codes
            return HttpResponseRedirect(
                _with_next(reverse("mfa_recovery_codes"), _next(request, ""))
            )
        form.add_error(
            "code", "The code is not correct or has expired: enter the code your app shows now"
        )
    return render(
        request,
        "registration/second_factor_set_up.html",
        {
            "form": form,
            "next": _next(request, ""),
            "required": selectors.second_factor_required(user=user),
            "qr_code": qr_code_svg(device.config_url),
            "secret": secret_text(device),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once: just after setting up, or when asked for."""
    user: User = request.user  # type: ignore[assignment]
    if not selectors.has_second_factor(user=user):
        return redirect("mfa_setup")
    codes = request.session.pop(NEW_CODES, None)
    if request.method == "POST":
        codes = services.new_recovery_codes(user=user)
        services.record(actor=user, action="recovery codes replaced", obj=user)
    return render(
        request,
        "registration/recovery_codes.html",
        {
            "codes": codes,
            "left": selectors.recovery_codes_left(user=user),
            "next": _next(request),
        },
    )


@login_required
@never_cache
def manage(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "registration/second_factor.html",
        {
            "enrolled": selectors.has_second_factor(user=user),
            "required": selectors.second_factor_required(user=user),
            "left": selectors.recovery_codes_left(user=user),
        },
    )
