"""Limits by address on sign-in and password reset, besides the per-account lock-out."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts import ratelimit
from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def real_limits(settings):
    settings.RATE_LIMIT_MULTIPLIER = 1
    settings.RATE_LIMITS = {
        "sign_in_failures_per_address": (4, 900),
        "password_resets_per_address": (3, 3600),
        "password_resets_per_email": (2, 3600),
    }
    settings.AXES_FAILURE_LIMIT = 50  # the account lock-out is not what these tests test
    cache.clear()
    yield
    cache.clear()


def _sign_in(client: Client, email: str, password: str, address: str = "198.51.100.7"):
    return client.post(
        "/account/sign-in/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_one_address_cannot_try_many_accounts(client: Client):
    people = [User.objects.create_user(f"p{i}@example.org", PASSWORD) for i in range(6)]
    for person in people[:4]:
        assert _sign_in(client, person.email, "wrong-password").status_code == 200
    refused = _sign_in(client, people[5].email, PASSWORD)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # Another address is not held back by the first one's failures.
    assert _sign_in(Client(), people[5].email, PASSWORD, address="203.0.113.9").status_code == 302


def test_successful_sign_ins_do_not_count_against_the_address(client: Client):
    person = User.objects.create_user("office@example.org", PASSWORD)
    for _ in range(10):
        assert _sign_in(Client(), person.email, PASSWORD).status_code == 302


def test_the_multiplier_raises_the_limit_for_test_and_load_runs(client: Client, settings):
    settings.RATE_LIMIT_MULTIPLIER = 3
    for i in range(11):
        assert _sign_in(client, f"nobody{i}@example.org", "wrong").status_code == 200
    assert _sign_in(client, "nobody@example.org", "wrong").status_code == 200  # the 12th
    assert _sign_in(client, "nobody@example.org", "wrong").status_code == 429


def _reset(client: Client, email: str, address: str = "198.51.100.7"):
    return client.post("/account/password-reset/", {"email": email}, REMOTE_ADDR=address)


def test_nobody_can_flood_a_persons_inbox():
    person = User.objects.create_user("inbox@example.org", PASSWORD)
    for i in range(5):  # each from a different address
        response = _reset(Client(), person.email, address=f"192.0.2.{i + 1}")
        assert response.status_code == 302
        assert response["Location"] == "/account/password-reset/sent/"
    # Two emails, then the same answer and no more mail.
    assert len(mail.outbox) == 2


def test_one_address_cannot_ask_for_many_resets(client: Client):
    for i in range(3):
        assert _reset(client, f"p{i}@example.org").status_code == 302
    refused = _reset(client, "p9@example.org")
    assert refused.status_code == 429
    assert "ask for a password reset" in refused.content.decode()


def test_the_address_behind_trusted_proxies_is_the_one_the_nearest_proxy_saw(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    settings.PROXY_COUNT = 0
    assert ratelimit.client_address(request) == "10.0.0.2"
    settings.PROXY_COUNT = 1
    # The client wrote 1.1.1.1 itself; the proxy appended the address it saw.
    assert ratelimit.client_address(request) == "203.0.113.5"
    assert ratelimit.client_address(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_the_window_ends():
    for _ in range(4):
        ratelimit.hit(name="sign_in_failures_per_address", who="192.0.2.1", now=1000.0)
    assert ratelimit.exceeded(name="sign_in_failures_per_address", who="192.0.2.1", now=1000.0)
    assert not ratelimit.exceeded(
        name="sign_in_failures_per_address", who="192.0.2.1", now=1000.0 + 900
    )


@pytest.mark.redis
def test_the_counts_live_in_the_shared_cache_so_every_web_process_sees_them(settings):
    import os
    import uuid

    import redis
    from django.core.cache import caches

    url = os.environ.get("CELERY_BROKER_URL", "")
    prefix = f"ratelimit-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(url)
    try:
        for _ in range(4):
            _sign_in(Client(), "nobody@example.org", "wrong")
        assert len(server.keys(f"{prefix}:*")) == 1
        # Another process's connection sees the same count and refuses the next attempt.
        caches["default"].close()
        del caches["default"]
        assert _sign_in(Client(), "nobody@example.org", "wrong").status_code == 429
    finally:
        for key in server.keys(f"{prefix}:*"):
            server.delete(key)
        # Back to a private cache before the fixture's cache.clear(): on Redis that would be
        # FLUSHDB, emptying a server other runs share.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
