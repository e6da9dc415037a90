"""The session's second factor, kept in a shared cache between requests: a device that is
deleted or no longer confirmed stops counting at the next request, and the cache never holds
its secret."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import session_device
from accounts.models import Role, User
from accounts.services import grant_role
from common import shared_cache
from tests.mfa import enrol

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"
PAGE = "/dashboards/"
CODE_PAGE = "/account/sign-in/code/"


@pytest.fixture
def analyst(client):
    user = User.objects.create_user("analyst@example.org", PASSWORD)
    grant_role(user=user, role=Role.NATIONAL_ANALYST, scope=None)
    client.force_login(user)  # verified with the person's authenticator (tests/mfa.py)
    return user


def device_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "otp_totp_totpdevice" in q["sql"]]


def test_with_a_shared_cache_the_device_is_read_once(cache_shared, client, analyst):
    assert len(device_queries(client)) == 1
    assert device_queries(client) == []
    assert device_queries(client) == []


def test_with_a_process_local_cache_the_device_is_read_every_time(client, analyst, monkeypatch):
    monkeypatch.setattr(shared_cache, "cache_is_shared", lambda: False)
    assert len(device_queries(client)) == 1
    assert len(device_queries(client)) == 1


def test_the_cache_holds_whose_device_it_is_and_never_its_secret(cache_shared, client, analyst):
    device = enrol(analyst)
    client.get(PAGE)
    _mark, kept = cache.get(session_device._key(device.persistent_id))
    assert kept == (device.pk, analyst.pk, True)
    assert device.key not in repr(kept)


def test_a_deleted_device_stops_counting_at_the_next_request(cache_shared, client, analyst):
    device = enrol(analyst)
    assert client.get(PAGE).status_code == 200  # kept in the cache now
    device.delete()  # as the admin does
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/set-up/")


def test_a_device_no_longer_confirmed_stops_counting_at_the_next_request(
    cache_shared, client, analyst
):
    device = enrol(analyst)
    assert client.get(PAGE).status_code == 200
    device.confirmed = False
    device.save()
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/set-up/")


def test_another_persons_device_never_counts(cache_shared, client, analyst):
    other = User.objects.create_user("other@example.org", PASSWORD)
    theirs = enrol(other)
    mine = enrol(analyst)
    client.get(PAGE)  # both are read and kept below
    session_device.session_device(persistent_id=theirs.persistent_id)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = theirs.persistent_id
    session.save()
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_PAGE)
    assert mine.pk != theirs.pk


def test_the_device_from_the_cache_reads_its_other_fields_when_used(cache_shared, client, analyst):
    device = enrol(analyst)
    session_device.session_device(persistent_id=device.persistent_id)  # kept
    found = session_device.session_device(persistent_id=device.persistent_id)
    assert found is not None and found.pk == device.pk and found.confirmed
    assert found.get_deferred_fields()  # only the id, person and confirmation came from it
    assert found.name == device.name  # read from the database when used
