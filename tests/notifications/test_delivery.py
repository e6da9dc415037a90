"""Sending: once, with both parts, retried when the mail server fails, kept for a while."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.celery import app
from notifications import services, tasks
from notifications.models import Kind, Notification, Status
from notifications.services import Draft
from tests.notifications.factories import NotificationFactory, OptOutFactory

pytestmark = pytest.mark.django_db


def draft(world, **overrides) -> Draft:
    fields = {
        "kind": Kind.ROUND_OPENED,
        "event_key": "round:1:opened:provider:1",
        "recipient_id": world.head.pk,
        "subject": "Declare your SEND provision for 2026/27",
        "body": "Ownshire has opened a declaration round.",
        "path": f"/providers/{world.school.pk}/self-audit/",
    }
    fields.update(overrides)
    return Draft(**fields)


def test_the_database_refuses_a_second_notification_of_an_event_to_one_person(world):
    services.record_drafts([draft(world)])
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory(
            kind=Kind.ROUND_OPENED, event_key="round:1:opened:provider:1", recipient=world.head
        )
    # The same event to someone else is another notification.
    services.record_drafts([draft(world, recipient_id=world.deputy.pk)])
    assert Notification.objects.count() == 2


def test_an_email_has_a_plain_text_and_an_html_part_and_is_sent_once(world, eager):
    eager(services.record_drafts, [draft(world)])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["head@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Ownshire has opened a declaration round." in message.body
    assert message.alternatives[0][1] == "text/html"
    assert "<p>Ownshire has opened a declaration round.</p>" in message.alternatives[0][0]
    notification = Notification.objects.get()
    assert notification.status == Status.SENT and notification.sent_at is not None
    # A second delivery of the same task (a redelivered message) sends nothing.
    assert (
        tasks.send_notification_task.apply(kwargs={"notification_id": notification.pk}).get()
        == Status.SENT
    )
    assert services.send_notification(notification_id=notification.pk) == Status.SENT
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_leaves_it_waiting_and_the_retry_sends_it(world, monkeypatch):
    services.record_drafts([draft(world)])
    notification = Notification.objects.get()

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.send_notification(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.PENDING
    assert notification.attempts == 1
    assert "Connection unexpectedly closed" in notification.last_error
    monkeypatch.undo()
    assert services.send_notification(notification_id=notification.pk) == Status.SENT
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 2 and notification.last_error == ""


def test_the_send_task_retries_and_records_a_failure_after_the_last_try(world, monkeypatch):
    services.record_drafts([draft(world)])
    notification = Notification.objects.get()

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    monkeypatch.setattr(app.conf, "task_eager_propagates", False)
    result = tasks.send_notification_task.apply(
        kwargs={"notification_id": notification.pk}, retries=tasks.SEND_MAX_RETRIES
    )
    assert result.get() == "failed"
    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert notification.attempts == 1
    retried = tasks.send_notification_task.apply(kwargs={"notification_id": notification.pk})
    assert retried.get() == Status.FAILED
    assert mail.outbox == []


def test_the_send_task_asks_for_a_retry_before_the_last_try(world, monkeypatch):
    from celery.exceptions import Retry

    services.record_drafts([draft(world)])
    notification = Notification.objects.get()
    monkeypatch.setattr(
        "django.core.mail.EmailMultiAlternatives.send",
        lambda self, fail_silently=False: (_ for _ in ()).throw(smtplib.SMTPException("busy")),
    )
    retries = []
    monkeypatch.setattr(
        tasks.send_notification_task,
        "retry",
        lambda **kw: retries.append(kw) or Retry("retry", kw["exc"]),
    )
    with pytest.raises(Retry):
        tasks.send_notification_task.run(notification_id=notification.pk)
    assert retries[0]["countdown"] == 30
    assert Notification.objects.get().status == Status.PENDING


def test_turning_a_kind_off_after_it_was_written_stops_it(world, eager):
    services.record_drafts([draft(world)])
    OptOutFactory(user=world.head, kind=Kind.ROUND_OPENED)
    notification = Notification.objects.get()
    assert services.send_notification(notification_id=notification.pk) == Status.SKIPPED
    assert mail.outbox == []


def test_an_editor_who_lost_the_role_is_not_sent_it(world):
    services.record_drafts([draft(world, recipient_id=world.officer.pk)])
    notification = Notification.objects.get()
    assert services.send_notification(notification_id=notification.pk) == Status.SKIPPED
    assert mail.outbox == []


def test_the_sweep_queues_again_what_is_still_waiting(world, eager, monkeypatch):
    services.record_drafts([draft(world)])  # its on-commit queueing never ran
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    result = eager(services.sweep)
    assert result == {"written": 0, "requeued": 1}
    assert len(mail.outbox) == 1
    assert eager(services.sweep) == {"written": 0, "requeued": 0}


def test_the_sweep_finds_a_round_whose_task_was_lost(world, version, eager):
    from tests.notifications.conftest import make_round

    make_round(world.area, version, deadline=timezone.localdate() + dt.timedelta(days=30))
    assert mail.outbox == []  # created outside the on-commit capture: nothing was queued
    assert eager(services.sweep)["written"] == 3
    assert len(mail.outbox) == 3
    assert eager(services.sweep)["written"] == 0
    assert len(mail.outbox) == 3


def test_old_notifications_are_pruned_by_their_indexed_creation_date(world):
    services.record_drafts([draft(world), draft(world, event_key="round:2:opened:provider:1")])
    Notification.objects.filter(event_key__startswith="round:1:").update(
        created_at=timezone.now() - dt.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS + 1)
    )
    assert Notification._meta.get_field("created_at").db_index
    assert tasks.prune_task.apply().get() == 1
    assert list(Notification.objects.values_list("event_key", flat=True)) == [
        "round:2:opened:provider:1"
    ]


def test_the_beat_schedule_runs_every_periodic_task():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in (
        "notifications.deadline_reminders",
        "notifications.overdue_gaps",
        "notifications.officer_digest",
        "notifications.sweep",
        "notifications.prune",
    ):
        assert name in scheduled
        assert name in app.tasks
