import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_while_the_process_runs(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_broker_are_reachable(client: Client, monkeypatch):
    monkeypatch.setattr("core.health.broker_reachable", lambda: True)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": True}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("down", "name"), [("broker_reachable", "broker"), ("database_reachable", "database")]
)
def test_readyz_names_what_is_unreachable(client: Client, monkeypatch, down, name):
    monkeypatch.setattr("core.health.broker_reachable", lambda: True)
    monkeypatch.setattr(f"core.health.{down}", lambda: False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["unreachable"] == [name]


@pytest.mark.django_db
def test_readyz_reports_a_broker_that_does_not_answer(client: Client, monkeypatch):
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
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_settings(missing):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _production(env, "pass")
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize("blank", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
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
    with_redis = _production({**GOOD, "CELERY_BROKER_URL": "redis://cache.internal:6379/0"}, code)
    assert with_redis.returncode == 0, with_redis.stderr
    assert with_redis.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    without = _production(GOOD, code)
    assert without.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"


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
