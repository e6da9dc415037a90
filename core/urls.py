from django.contrib import admin
from django.urls import include, path

from core import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("cookies/", views.cookies, name="cookies"),
    path("find-a-setting/", include("inclusion.public.urls")),
    path("account/", include("accounts.urls")),
    path("account/tokens/", include("api.account_urls")),
    path("api/v1/", include("api.urls")),
    path("standards/", include("standards.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("areas/", include("inclusion.officer.urls")),
    path("", include("providers.urls")),
    path("", include("scoring.urls")),
    path("", include("audits.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon),
]
