"""The OpenAPI schema and its two readers, Swagger UI and Redoc, served from this site only.

The readers' assets come from drf-spectacular-sidecar (no CDN). They style themselves with
inline styles and Redoc runs a worker from a blob: URL, so these two pages, and only these,
loosen the site's Content Security Policy for styles and workers. Scripts stay 'self'-only:
Swagger UI's start-up script is served as a file (the "split" view).
"""

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from csp.decorators import csp_update
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import AllowAny

DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}


COMMITTED_SCHEMA = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


class CommittedSchemaView(SpectacularAPIView):
    """docs/openapi.yaml as committed (`make check` keeps it equal to the code), read once per
    process rather than generated on every request. As JSON with ?format=json or an Accept
    header asking for JSON. Without the file, the schema is generated as before."""

    def _get_schema_response(self, request: Any) -> Any:
        committed = _committed_schema()
        if committed is None:
            return super()._get_schema_response(request)
        wants = f"{request.GET.get('format', '')} {request.headers.get('Accept', '')}"
        if "json" in wants:
            return HttpResponse(committed[1], content_type="application/vnd.oai.openapi+json")
        return HttpResponse(committed[0], content_type="application/vnd.oai.openapi; charset=utf-8")


@lru_cache(maxsize=1)
def _committed_schema() -> tuple[str, str] | None:
    if not COMMITTED_SCHEMA.exists():
        return None
    text = COMMITTED_SCHEMA.read_text(encoding="utf-8")
    return text, json.dumps(yaml.safe_load(text))


schema_view = CommittedSchemaView.as_view(
    permission_classes=[AllowAny], authentication_classes=[], throttle_classes=[]
)
swagger_view = csp_update(DOCS_CSP)(
    SpectacularSwaggerSplitView.as_view(
        url_name="api:schema",
        permission_classes=[AllowAny],
        authentication_classes=[],
        throttle_classes=[],
    )
)
redoc_view = csp_update(DOCS_CSP)(
    SpectacularRedocView.as_view(
        url_name="api:schema",
        template_name="api/redoc.html",
        permission_classes=[AllowAny],
        authentication_classes=[],
        throttle_classes=[],
    )
)
