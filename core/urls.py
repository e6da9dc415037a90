from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite

from audits import urls as audits_urls
from core import health, views
from scoring.views import self_audit

# The self-audit start page belongs to audits but shows the latest result, so scoring composes it.
audits_patterns = [
    path("providers/<int:pk>/self-audit/", self_audit, name="provider_home"),
    *audits_urls.urlpatterns,
]

# The administration site needs a verified second factor too; people sign in to it through the
# service's own two-step sign-in.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("cookies/", views.cookies, name="cookies"),
    path("privacy/", views.privacy, name="privacy"),
    path("find-a-setting/", include("inclusion.public.urls")),
    path("account/", include("accounts.urls")),
    path("account/tokens/", include("api.account_urls")),
    path("account/notifications/", include("notifications.urls")),
    path("api/v1/", include("api.urls")),
    path("standards/", include("standards.urls")),
    path("impact/", include("impact.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("reports/", include("reports.urls")),
    path("areas/", include("inclusion.officer.urls")),
    path("", include("providers.urls")),
    path("", include("scoring.urls")),
    path("", include((audits_patterns, audits_urls.app_name))),
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon),
]
