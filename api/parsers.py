"""The API's JSON parser: DRF's, with nesting too deep to parse refused as a 400."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            # json raises RecursionError, not ValueError, for deeply nested input ([[[…]]]),
            # and DRF only turns ValueError into a 400.
            raise ParseError("JSON parse error - the JSON is nested too deeply") from exc
