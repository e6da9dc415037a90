"""The account page where each person chooses the emails they get. It only ever shows and
changes the signed-in person's own choices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from notifications import selectors, services
from notifications.forms import PreferencesForm


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    available = selectors.kinds_for(user=user)
    off = selectors.turned_off(user=user)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        available=available,
        initial={"kinds": [k.value for k in available if k.value not in off]},
    )
    if request.method == "POST" and available and form.is_valid():
        try:
            services.set_preferences(
                user=user,  # type: ignore[arg-type]
                enabled=form.cleaned_data["kinds"],
            )
        except ValidationError as exc:
            for problem in exc.message_dict.get("kinds", []):
                form.add_error("kinds", problem)
        else:
            messages.success(request, "Your email choices have been saved")
            return redirect("notifications:preferences")
    status = 400 if form.errors else 200
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "available": available},
        status=status,
    )
