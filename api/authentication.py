"""`Authorization: Bearer <token>` with a personal API token."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.services import note_use, refuses_method, token_for_request


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be “Bearer” followed by one token."
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("The token is not valid.") from exc
        token = token_for_request(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "The token is not valid: it may have expired or been revoked."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's account is deactivated.")
        if refuses_method(token=token, method=request.method or ""):
            raise exceptions.PermissionDenied("This token is read-only: it can only read.")
        note_use(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your account page, or from "
            "`python manage.py create_api_token EMAIL --name NAME`.",
        }
