"""The API's JSON renderer: DRF's, able to send back text that UTF-8 cannot encode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # A lone surrogate ("\ud800") is valid JSON but not valid UTF-8, and error messages
            # quote the key or value at fault. Escaped as \uXXXX it is the same JSON; other
            # responses keep their non-ASCII text as UTF-8.
            return AsciiJSONRenderer().render(data, accepted_media_type, renderer_context)


class AsciiJSONRenderer(renderers.JSONRenderer):
    ensure_ascii = True
