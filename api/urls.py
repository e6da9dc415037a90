"""/api/v1/: the REST API, its OpenAPI schema and its documentation pages."""

from django.apps import apps
from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from api import docs, views
from api.errors import not_found

router = SimpleRouter()
router.register("standards", views.StandardViewSet, basename="standard")
router.register("versions", views.VersionViewSet, basename="version")
router.register("declarations", views.DeclarationViewSet, basename="declaration")
if apps.is_installed("scoring"):
    # Results and gaps: providers/{id}/result/, providers/{id}/gaps/, areas/{code}/gaps/,
    # gaps/{id}/; with the dashboards, areas/{code}/summary/.
    from api import scoring

    if apps.is_installed("dashboards"):
        from api.dashboards import DashboardAreaViewSet

        router.register("areas", DashboardAreaViewSet, basename="area")
    else:
        router.register("areas", scoring.ScoredAreaViewSet, basename="area")
    router.register("providers", scoring.ScoredProviderViewSet, basename="provider")
    router.register("gaps", scoring.GapViewSet, basename="gap")
else:
    router.register("areas", views.AreaViewSet, basename="area")
    router.register("providers", views.ProviderViewSet, basename="provider")

app_name = "api"

urlpatterns = [
    path("schema/", docs.schema_view, name="schema"),
    path("docs/", docs.swagger_view, name="docs"),
    path("redoc/", docs.redoc_view, name="redoc"),
    *router.urls,
    path("settings/", include("inclusion.api_settings")),
    path("areas/<str:code>/inclusion-plan/", include("inclusion.api_plans")),
    re_path(r"^.*$", not_found),
]
