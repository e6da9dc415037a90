from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static


def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    if request.user.is_authenticated:
        from accounts.access import access_for
        from accounts.models import RoleGrant

        context["grants"] = RoleGrant.objects.filter(user=request.user).select_related(
            "provider", "trust", "area", "icb"
        )
        context["access"] = access_for(request.user)
    return render(request, "core/home.html", context)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/cookies.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/privacy.html",
        {
            "controller": settings.PRIVACY_CONTROLLER,
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
            "retention": settings.RETENTION_DAYS,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "token_days": settings.API_TOKEN_MAX_DAYS,
        },
    )


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(static("app/favicon.svg"))
