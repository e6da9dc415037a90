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


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(static("app/favicon.svg"))
