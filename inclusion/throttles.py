"""Throttles for the public endpoints, which anyone may call without a token: per address."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

DEFAULT_RATE = "60/minute"


class PerAddressThrottle(SimpleRateThrottle):
    """Requests per client address; the rate is REST_FRAMEWORK's rate for the `scope`, else
    60 a minute."""

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return rate if isinstance(rate, str) else DEFAULT_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": str(self.get_ident(request))}


class InclusionPlanThrottle(PerAddressThrottle):
    scope = "inclusion_plan"


class SettingsSearchThrottle(PerAddressThrottle):
    scope = "settings_search"
