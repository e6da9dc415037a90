"""Shared test set-up: service requirements, the browser, factories."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    """Every test client's force_login signs in with the second factor verified, as a real
    sign-in of an officer or admin would (tests/mfa.py); tests of the second factor itself use
    tests.mfa.force_login_unverified."""
    from django.test import Client

    from tests import mfa

    Client.force_login = mfa.force_login_verified  # type: ignore[method-assign]


REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def need(available: bool, reason: str) -> None:
    """Skip when a service is missing; under REQUIRE_SERVICES=1, fail instead."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def redis_available() -> bool:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        return False
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        return False
    return True


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        need(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL")
    if item.get_closest_marker("redis"):
        need(redis_available(), "needs Redis: set CELERY_BROKER_URL=redis://…")
    if item.get_closest_marker("browser"):
        need(
            Path(CHROMIUM).exists() or shutil.which("chromium") is not None,
            "needs Chromium: apt-get install chromium",
        )


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Every test starts and ends with an empty cache: databases reuse ids between tests, and
    what is cached is keyed by id. Compiled scoring specs and the dashboards' version facts,
    kept in the process, go too."""
    from dashboards.selectors.versions import clear_caches as clear_dashboards
    from scoring.specs import clear_caches

    clear_caches()
    clear_dashboards()
    yield
    clear_caches()
    clear_dashboards()


@pytest.fixture
def cache_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """As with Redis: the tests' process-local cache stands in for one every process shares, so
    that what is kept only in a shared cache (common/shared_cache.py) is kept."""
    from common import shared_cache

    monkeypatch.setattr(shared_cache, "cache_is_shared", lambda: True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    # The live server serves original file names, not hashed ones.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The test database, with any session still open on it at the end (a killed worker's, a
    live server thread's) ended first, so that it can be dropped."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            # Only other clients' sessions: never this query's own parallel workers.
            " AND backend_type = 'client backend'"
        )
