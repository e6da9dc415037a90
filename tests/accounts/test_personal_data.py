"""A person's data: export (JSON) by a site admin, deactivation, pseudonyms in the audit trail,
and removal of what is past its retention period."""

import datetime as dt
import json

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, Role, User
from accounts.signals import retention_due
from accounts.tasks import prune_personal_data_task
from api.models import ApiToken
from api.services import create_token, token_for_request
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"


@pytest.fixture
def admin() -> User:
    user = UserFactory(email="boss@example.org", password=PASSWORD, full_name="Bo Boss")
    services.grant_role(user=user, role=Role.SITE_ADMIN)
    return user


@pytest.fixture
def person(admin) -> User:
    user = UserFactory(email="leaver@example.org", password=PASSWORD, full_name="Lee Leaver")
    services.grant_role(user=user, role=Role.NATIONAL_ANALYST, granted_by=admin)
    services.record(
        actor=user,
        action="answers saved",
        object_type="audits.declaration",
        object_id="7",
        object_label="Declaration 7",
    )
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_site_admin_exports_everything_held_about_a_person(admin, person):
    create_token(user=person, name="Reports", read_only=True)
    AccessLog.objects.create(
        username=person.email,
        ip_address="192.0.2.4",
        user_agent="Firefox",
        http_accept="*/*",
        path_info="/account/sign-in/",
    )
    response = _client(admin).get(f"/account/people/{person.pk}/data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="person-{person.pk}.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "leaver@example.org"
    assert data["account"]["full_name"] == "Lee Leaver"
    assert [r["role"] for r in data["roles"]] == ["national_analyst"]
    assert data["second_factor"] == {"authenticator_app": False, "recovery_codes_left": 0}
    assert data["roles"][0]["granted_by"] == "boss@example.org"
    actions = [e["action"] for e in data["audit_trail"]]
    # Entries by the person, and entries by others that are about them.
    assert "answers saved" in actions and "role granted" in actions
    assert {"action": "answers saved", "by_this_person": True}.items() <= next(
        e for e in data["audit_trail"] if e["action"] == "answers saved"
    ).items()
    assert data["sign_in_records"][0]["address"] == "192.0.2.4"
    assert data["api_tokens"][0]["name"] == "Reports" and data["api_tokens"][0]["read_only"]
    assert "token_hash" not in response.content.decode()
    assert AuditEvent.objects.filter(action="person data exported", actor=admin).exists()


@pytest.mark.parametrize(
    "role", [None, Role.NATIONAL_ANALYST, Role.STANDARDS_ADMIN, Role.PROVIDER_EDITOR]
)
def test_only_site_admins_export_a_persons_data(person, role):
    from tests.providers.factories import ProviderFactory

    other = UserFactory(email="other@example.org", password=PASSWORD)
    if role == Role.PROVIDER_EDITOR:
        services.grant_role(user=other, role=role, scope=ProviderFactory())
    elif role:
        services.grant_role(user=other, role=role)
    response = _client(other).get(f"/account/people/{person.pk}/data.json")
    assert response.status_code == 403
    assert "leaver@example.org" not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(person):
    response = Client().get(f"/account/people/{person.pk}/data.json")
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_deactivating_signs_out_revokes_tokens_and_stops_sign_in(admin, person):
    raw = create_token(user=person, name="a").raw
    their_browser = _client(person)
    assert their_browser.get("/").context["user"] == person
    services.deactivate_person(user=person, actor=admin)
    person.refresh_from_db()
    assert person.is_active is False
    assert their_browser.get("/").context["user"].is_anonymous
    assert token_for_request(raw) is None
    assert ApiToken.objects.get().revoked_reason == "account deactivated"
    signed_in = Client().post("/account/sign-in/", {"username": person.email, "password": PASSWORD})
    assert signed_in.status_code == 200  # the form again, not a redirect
    assert (
        AuditEvent.objects.filter(action="person deactivated", object_id=str(person.pk)).count()
        == 1
    )


def test_a_site_admin_cannot_deactivate_themselves(admin):
    with pytest.raises(ValidationError):
        services.deactivate_person(user=admin, actor=admin)


def test_the_admin_action_deactivates(admin, person):
    response = _client(admin).post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [person.pk]}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active is False


def test_a_pseudonym_replaces_the_name_without_breaking_the_trail(admin, person):
    services.grant_role(user=person, role=Role.STANDARDS_ADMIN, granted_by=admin)
    before = list(AuditEvent.objects.order_by("id").values_list("id", "actor_id", "action", "at"))
    with pytest.raises(ValidationError, match="Deactivate"):
        services.pseudonymise_person(user=person, actor=admin)
    services.deactivate_person(user=person, actor=admin)
    changed = services.pseudonymise_person(user=person, actor=admin)
    assert changed >= 3
    pseudonym = f"former-user-{person.pk}"
    events = AuditEvent.objects.exclude(action="person pseudonymised").order_by("id")
    # The same entries, in the same order, by the same actors: only the words changed.
    assert list(events.values_list("id", "actor_id", "action", "at")) == before + list(
        AuditEvent.objects.filter(action="person deactivated").values_list(
            "id", "actor_id", "action", "at"
        )
    )
    text = json.dumps(list(AuditEvent.objects.values("actor_label", "object_label", "changes")))
    assert "leaver@example.org" not in text and "Lee Leaver" not in text
    assert AuditEvent.objects.get(action="answers saved").actor_label == pseudonym
    assert AuditEvent.objects.filter(actor=person).count() == 1
    # The admin's own entries keep the admin's name.
    assert AuditEvent.objects.filter(actor=admin, actor_label="boss@example.org").exists()


def test_retention_removes_what_is_past_its_period_and_keeps_the_record(admin, person, settings):
    settings.RETENTION_DAYS = {
        "sign_in_records": 90,
        "sessions": 7,
        "ended_tokens": 90,
        "notifications": 365,
    }
    now = timezone.now()
    old, recent = now - dt.timedelta(days=91), now - dt.timedelta(days=89)
    for when in (old, recent):
        row = AccessLog.objects.create(
            username=person.email, user_agent="x", http_accept="*/*", path_info="/"
        )
        AccessLog.objects.filter(pk=row.pk).update(attempt_time=when)
        attempt = AccessAttempt.objects.create(
            username=person.email,
            user_agent="x",
            http_accept="*/*",
            path_info="/",
            get_data="",
            post_data="",
            failures_since_start=1,
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)
    for days_ago in (8, 6):
        store = SessionStore()
        store.create()
        Session.objects.filter(session_key=store.session_key).update(
            expire_date=now - dt.timedelta(days=days_ago)
        )
    live = Session.objects.filter(expire_date__gt=now).count()
    ended_long_ago = create_token(user=person, name="old").token
    ApiToken.objects.filter(pk=ended_long_ago.pk).update(revoked_at=old)
    expired_long_ago = create_token(user=person, name="expired").token
    ApiToken.objects.filter(pk=expired_long_ago.pk).update(
        created_at=old - dt.timedelta(days=30), expires_at=old
    )
    ended_lately = create_token(user=person, name="lately").token
    ApiToken.objects.filter(pk=ended_lately.pk).update(revoked_at=recent)
    in_use = create_token(user=person, name="in use").token
    audit_before = AuditEvent.objects.count()

    removed = prune_personal_data_task.run()

    assert removed == {"sign_in_records": 2, "sessions": 1, "ended_tokens": 2}
    assert AccessLog.objects.count() == 1 and AccessAttempt.objects.count() == 1
    assert Session.objects.count() == live + 1
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"lately", "in use"}
    assert in_use.pk in ApiToken.objects.values_list("pk", flat=True)
    assert AuditEvent.objects.count() == audit_before  # the record is kept
    assert User.objects.filter(pk=person.pk).exists()
    assert prune_personal_data_task.run() == {
        "sign_in_records": 0,
        "sessions": 0,
        "ended_tokens": 0,
    }


def test_other_apps_prune_their_own_records_through_the_hook(settings):
    seen = {}

    def notifications(sender, now, retention_days, **kwargs):
        seen["cutoff_days"] = retention_days["notifications"]
        return {"notifications": 4}

    retention_due.connect(notifications, dispatch_uid="test-notifications")
    try:
        removed = services.prune_personal_data()
    finally:
        retention_due.disconnect(dispatch_uid="test-notifications")
    assert removed["notifications"] == 4
    assert seen == {"cutoff_days": settings.RETENTION_DAYS["notifications"]}


def test_the_nightly_task_is_scheduled(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["accounts-prune-personal-data"]
    assert schedule["task"] == prune_personal_data_task.name == "accounts.prune_personal_data"


def test_a_pseudonym_leaves_other_people_with_similar_names_alone(admin, person):
    # "cleaver@example.org" contains "leaver@example.org"; "Lee Leaverton" contains "Lee Leaver".
    other = UserFactory(email="cleaver@example.org", password=PASSWORD, full_name="Lee Leaverton")
    services.grant_role(user=other, role=Role.NATIONAL_ANALYST, granted_by=admin)
    services.record(
        actor=other, action="answers saved", object_type="x", object_label="Lee Leaver's school"
    )
    services.record(
        actor=admin,
        action="note",
        object_type="x",
        object_label="sent to leaver@example.org.",
        changes={"to": ["LEAVER@example.org", "cleaver@example.org"]},
    )
    services.deactivate_person(user=person, actor=admin)
    services.pseudonymise_person(user=person, actor=admin)
    pseudonym = f"former-user-{person.pk}"
    others = AuditEvent.objects.filter(actor=other)
    assert {e.actor_label for e in others} == {"cleaver@example.org"}
    # The other person's entry keeps its words, though they hold the leaver's name.
    assert others.get(action="answers saved").object_label == "Lee Leaver's school"
    granted = AuditEvent.objects.get(action="role granted", object_label__contains="cleaver")
    assert granted.changes["user"] == "cleaver@example.org"
    note = AuditEvent.objects.get(action="note")
    assert note.object_label == f"sent to {pseudonym}."
    assert note.changes == {"to": [pseudonym, "cleaver@example.org"]}
