"""A person's role grants, kept in a shared cache between requests: a grant given or taken away
counts from the person's next request, and a process-local cache is never used for them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.access import access_for
from accounts.models import Role, RoleGrant, User
from accounts.services import grant_role, revoke_role
from common import shared_cache
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def officer():
    user = User.objects.create_user("officer@example.org", PASSWORD)
    grant_role(user=user, role=Role.AREA_OFFICER, scope=AreaFactory(code="990"))
    return user


def fresh(user):
    """The person as the next request loads them (nothing kept on the object)."""
    return User.objects.get(pk=user.pk)


def grant_queries(user) -> int:
    with CaptureQueriesContext(connection) as captured:
        access_for(fresh(user))
    return sum("accounts_rolegrant" in q["sql"] for q in captured.captured_queries)


def test_with_a_shared_cache_the_grants_are_read_once(cache_shared, officer):
    assert grant_queries(officer) == 1
    assert grant_queries(officer) == 0
    assert access_for(fresh(officer)).area_ids


def test_with_a_process_local_cache_they_are_read_every_time(officer, monkeypatch):
    monkeypatch.setattr(shared_cache, "cache_is_shared", lambda: False)
    assert grant_queries(officer) == 1
    assert grant_queries(officer) == 1


def test_a_grant_taken_away_counts_at_the_next_request(cache_shared, officer, client):
    client.force_login(officer)
    assert client.get("/dashboards/areas/990/").status_code == 200  # grants kept now
    revoke_role(grant=RoleGrant.objects.get(user=officer))
    assert not access_for(fresh(officer)).area_ids
    assert client.get("/dashboards/areas/990/").status_code == 404


def test_a_grant_given_counts_at_the_next_request(cache_shared, officer):
    assert not access_for(fresh(officer)).national
    grant_role(user=officer, role=Role.NATIONAL_ANALYST, scope=None)
    assert access_for(fresh(officer)).national


def test_a_grant_removed_with_its_area_counts_at_the_next_request(cache_shared, officer):
    assert access_for(fresh(officer)).area_ids
    RoleGrant.objects.get(user=officer).area.delete()  # the grant goes with it (cascade)
    assert not access_for(fresh(officer)).area_ids
