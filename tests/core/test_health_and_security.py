import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.accounts.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_while_the_process_runs(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def detail_networks(settings):
    settings.READYZ_DETAIL_NETWORKS = ["127.0.0.0/8"]
    return settings


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_broker_are_reachable(
    client: Client, monkeypatch, detail_networks
):
    monkeypatch.setattr("core.health.broker_reachable", lambda: True)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": True}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("down", "name"), [("broker_reachable", "broker"), ("database_reachable", "database")]
)
def test_readyz_names_what_is_unreachable(client: Client, monkeypatch, down, name, detail_networks):
    monkeypatch.setattr("core.health.broker_reachable", lambda: True)
    monkeypatch.setattr(f"core.health.{down}", lambda: False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["unreachable"] == [name]


@pytest.mark.django_db
def test_readyz_reports_a_broker_that_does_not_answer(client: Client, monkeypatch, detail_networks):
    from kombu import Connection

    from core.celery import app

    # Nothing listens on port 1: the real check must time out and report the broker.
    monkeypatch.setattr(
        app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0", connect_timeout=1)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["unreachable"] == ["broker"]


@pytest.mark.django_db
@pytest.mark.parametrize("broker_up", [True, False])
def test_readyz_tells_the_public_only_ready_or_not(client: Client, monkeypatch, broker_up):
    monkeypatch.setattr("core.health.broker_reachable", lambda: broker_up)
    response = client.get("/readyz")
    assert response.status_code == (200 if broker_up else 503)
    assert response.json() == {"status": "ok" if broker_up else "unavailable"}


@pytest.mark.django_db
def test_readyz_ignores_a_forwarded_address_in_the_detail_networks(
    client: Client, monkeypatch, settings
):
    settings.READYZ_DETAIL_NETWORKS = ["10.0.0.0/8"]
    monkeypatch.setattr("core.health.broker_reachable", lambda: False)
    response = client.get("/readyz", HTTP_X_FORWARDED_FOR="10.1.2.3", REMOTE_ADDR="192.0.2.7")
    assert response.json() == {"status": "unavailable"}
    inside = client.get("/readyz", REMOTE_ADDR="10.1.2.3")
    assert inside.json()["unreachable"] == ["broker"]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "sees"), [("site_admin", True), ("national_analyst", False)])
def test_readyz_details_go_to_signed_in_site_admins_only(client: Client, monkeypatch, role, sees):
    from accounts.services import grant_role

    user = UserFactory(email=f"{role}@example.org", password="pw-123456789012")
    grant_role(user=user, role=role)
    client.force_login(user)
    monkeypatch.setattr("core.health.broker_reachable", lambda: False)
    body = client.get("/readyz", REMOTE_ADDR="192.0.2.7").json()
    assert ("unreachable" in body) is sees
    assert body["status"] == "unavailable"


@pytest.mark.django_db
def test_content_security_policy_has_no_unsafe_inline_and_a_nonce_for_the_one_script(
    client: Client,
):
    response = client.get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline == [f' nonce="{nonce}"']


@pytest.mark.django_db
def test_security_headers(client: Client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _production(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "settings.production",
        "HOME": "/tmp",
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


GOOD = {
    "SECRET_KEY": "k3Jd9-vQ2mZx7LpR4tYw8NbC6hFs1GaE0uKoXiT5eWqVyPlMnBjDcHrSgUfA",
    "ALLOWED_HOSTS": "send.example.org",
    "DATABASE_URL": "sqlite:///tmp.sqlite3",
    "CELERY_BROKER_URL": "redis://broker.internal:6379/0",
    "PRIVACY_CONTROLLER": "Example Council",
    "PRIVACY_CONTACT_EMAIL": "dpo@example.org",
}


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"]
)
def test_production_refuses_to_start_without_its_settings(missing):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _production(env, "pass")
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    "blank", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"]
)
def test_production_refuses_a_setting_that_is_only_spaces(blank):
    result = _production({**GOOD, blank: "  "}, "pass")
    assert result.returncode != 0
    assert blank in result.stderr


def test_production_settings_are_secure():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT)"
    )
    result = _production(GOOD, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "True"]


def test_production_shares_its_cache_through_redis_when_it_has_redis():
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
    with_redis = _production(GOOD, code)
    assert with_redis.returncode == 0, with_redis.stderr
    assert with_redis.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    apart = _production({**GOOD, "CACHE_URL": "memcached://cache.internal:11211"}, code)
    assert apart.stdout.strip() == "django.core.cache.backends.memcached.PyMemcacheCache"


@pytest.mark.parametrize("broker", ["filesystem://", "memory://", "sqla+postgresql://app@db/app"])
def test_production_refuses_a_broker_other_than_redis_or_rabbitmq(broker):
    result = _production({**GOOD, "CELERY_BROKER_URL": broker}, "pass")
    assert result.returncode != 0
    assert "ImproperlyConfigured: CELERY_BROKER_URL must be a Redis" in result.stderr


def test_production_accepts_rabbitmq_with_a_shared_cache_and_refuses_it_without():
    rabbit = {**GOOD, "CELERY_BROKER_URL": "amqp://guest@rabbit.internal:5672//"}
    without = _production(rabbit, "pass")
    assert without.returncode != 0
    assert "ImproperlyConfigured: CACHE_URL must name a shared cache" in without.stderr
    with_cache = _production({**rabbit, "CACHE_URL": "redis://cache.internal:6379/1"}, "pass")
    assert with_cache.returncode == 0, with_cache.stderr


@pytest.mark.parametrize(
    "key",
    [
        "insecure-local-development-key-do-not-use-in-production",
        "test-secret-key-not-for-production-use-0123456789",
        "insecure-anything-else",
    ],
)
def test_production_refuses_the_development_secret_key(key):
    result = _production({**GOOD, "SECRET_KEY": key}, "pass")
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: SECRET_KEY (or one of SECRET_KEY_FALLBACKS) is the development"
        in (result.stderr)
    )
    fallback = _production({**GOOD, "SECRET_KEY_FALLBACKS": key}, "pass")
    assert fallback.returncode != 0
    assert "is the development key" in fallback.stderr


@pytest.mark.parametrize(
    "module",
    # The Celery app reads its settings when first configured, as a worker does at start.
    ["core.wsgi", "core.celery; core.celery.app.conf.broker_url"],
)
def test_the_web_and_celery_entry_points_default_to_production_settings(module):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # With nothing set, production refuses to start rather than run with the development key.
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY must be set in production" in result.stderr
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import os, {module}; from django.conf import settings; "
            "print(os.environ['DJANGO_SETTINGS_MODULE'], settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**env, **GOOD},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["settings.production", "False"]


def test_local_runs_name_their_settings_explicitly():
    procfile = (ROOT / "Procfile").read_text()
    for line in procfile.splitlines():
        assert "DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-settings.local}" in line, line
    makefile = (ROOT / "Makefile").read_text()
    assert "export DJANGO_SETTINGS_MODULE ?= settings.local" in makefile
    assert (
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.local")'
        in (ROOT / "manage.py").read_text()
    )


def test_deploy_check_has_no_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": "/tmp",
            "DJANGO_SETTINGS_MODULE": "settings.production",
            **GOOD,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
