"""/api/v1/: the REST API, its OpenAPI schema and its documentation pages."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from api import docs
from api.errors import not_found
from api.views import areas, declarations, gaps, providers, standards

router = SimpleRouter()
router.register("standards", standards.StandardViewSet, basename="standard")
router.register("versions", standards.VersionViewSet, basename="version")
router.register("declarations", declarations.DeclarationViewSet, basename="declaration")
router.register("areas", areas.AreaViewSet, basename="area")
router.register("providers", providers.ProviderViewSet, basename="provider")
router.register("gaps", gaps.GapViewSet, basename="gap")

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
