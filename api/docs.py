"""The OpenAPI schema and its two readers, Swagger UI and Redoc, served from this site only.

The readers' assets come from drf-spectacular-sidecar (no CDN). They style themselves with
inline styles and Redoc runs a worker from a blob: URL, so these two pages, and only these,
loosen the site's Content Security Policy for styles and workers. Scripts stay 'self'-only:
Swagger UI's start-up script is served as a file (the "split" view).
"""

from csp.decorators import csp_update
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import AllowAny

DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

schema_view = SpectacularAPIView.as_view(
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
