"""Keeping family pages private: no cookies, and no query strings in the logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# The family pages and the public search API.
FAMILY_PATHS = re.compile(r"^/(find-a-setting|api/v1/settings)(/|$)")


def is_family_path(path: str) -> bool:
    return bool(FAMILY_PATHS.match(path))


class NoCookiesOnFamilyPages:
    """Drop every cookie a later middleware set (session, CSRF, messages) on family pages.

    Placed first in MIDDLEWARE, so that its response step runs last.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_family_path(request.path):
            response.cookies.clear()
        return response


_REQUEST_LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<path>[^ ?]*)\?[^ ]*(?P<rest> .*)?$")


def _without_query(text: str) -> str:
    match = _REQUEST_LINE.match(text)
    if match is None or not is_family_path(match.group("path")):
        return text
    return f"{match.group('method')} {match.group('path')}{match.group('rest') or ''}"


class DropFamilyQueryStrings(logging.Filter):
    """Remove the query string of family pages from request log lines (runserver, gunicorn).

    A family's postcode, their child's age and needs are in the query string: never log them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_without_query(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            # gunicorn's access log: "r" is the request line, "q" the query string.
            args = dict(record.args)
            line = args.get("r")
            if isinstance(line, str) and _without_query(line) != line:
                args["r"] = _without_query(line)
                args["q"] = ""
            record.args = args
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = re.sub(
                r"(/(?:find-a-setting|api/v1/settings)/[^ ?\"]*)\?[^ \"]*", r"\1", record.msg
            )
        return True
