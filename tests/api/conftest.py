"""API test set-up: a published version covering every answer type, a school, its editor,
and clients that authenticate with a bearer token."""

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from api.services import create_token
from tests.audits.conftest import choices_version, editor, officer, school, version  # noqa: F401

HIGH_RATE = "100000/minute"


@pytest.fixture(autouse=True)
def _api_rate(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Throttling high enough for tests (test_throttle lowers it), with fresh counters."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": HIGH_RATE},
    }
    cache.clear()
    yield
    cache.clear()


def bearer_client(user: User, name: str = "tests") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token(user=user, name=name).raw}")
    return client


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    return bearer_client


@pytest.fixture
def editor_api(editor) -> APIClient:  # noqa: F811
    return bearer_client(editor)


@pytest.fixture
def keep_db_connection() -> Iterator[None]:
    """Under WSGI, request_started/finished close "old" connections, which would end the test's
    transaction on PostgreSQL; django.test.Client disconnects them the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
