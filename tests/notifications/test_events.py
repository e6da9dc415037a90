"""Each event sends one email to each right person, and nothing more when found again."""

from __future__ import annotations

import datetime as dt
from html import escape

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from accounts.services import grant_role
from audits.models import DeclarationStatus
from audits.periods import period_for
from audits.services import open_round, review_declaration
from notifications import services, tasks
from notifications.models import Kind, Notification, Status
from scoring.models import GapStatus
from tests.audits.factories import make_declaration, make_submitted_declaration
from tests.notifications.conftest import SITE_URL, make_round, recipients
from tests.notifications.factories import OptOutFactory
from tests.scoring.factories import GapFactory
from tests.standards.builders import make_version, requirement_doc, with_requirement

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def bodies(message) -> str:
    """Everything a reader can see: the subject, the plain text and the HTML."""
    return "\n".join([message.subject, message.body, *(c for c, _ in message.alternatives)])


def assert_links_absolute(message, path: str) -> None:
    assert f"{SITE_URL}{path}" in message.body
    assert f'href="{escape(SITE_URL + path)}"' in message.alternatives[0][0]
    assert f"{SITE_URL}/account/notifications/" in message.body


# ---- a round opens ----------------------------------------------------------------------------


def test_opening_a_round_emails_the_editors_of_the_areas_providers_once(world, version, eager):
    deadline = TODAY() + dt.timedelta(days=30)
    declaration_round = eager(
        open_round,
        area=world.area,
        version=version,
        period=period_for(TODAY()),
        deadline=deadline,
        user=world.officer,
    )
    # The school editors and the council's (the version applies to both); not the viewer, the
    # officer, nor the editor in the other area.
    assert recipients() == ["council@example.org", "deputy@example.org", "head@example.org"]
    head_email = next(m for m in mail.outbox if m.to == ["head@example.org"])
    assert head_email.subject == f"Declare your SEND provision for {declaration_round.period}"
    assert "Ownshire Primary" in head_email.body and "Ownshire has opened" in head_email.body
    assert head_email.body.startswith("Dear Ada Head,")
    assert_links_absolute(head_email, f"/providers/{world.school.pk}/self-audit/")
    deputy_email = next(m for m in mail.outbox if m.to == ["deputy@example.org"])
    assert deputy_email.body.startswith("Hello,")

    tasks.round_opened_task.apply(kwargs={"round_id": declaration_round.pk})
    eager(services.round_opened, round_id=declaration_round.pk)
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(status=Status.SENT).count() == 3


def test_a_round_is_not_emailed_to_people_who_turned_it_off(world, version, eager):
    OptOutFactory(user=world.head, kind=Kind.ROUND_OPENED)
    declaration_round = make_round(world.area, version, deadline=TODAY() + dt.timedelta(days=30))
    eager(services.round_opened, round_id=declaration_round.pk)
    assert recipients() == ["council@example.org", "deputy@example.org"]


# ---- the deadline approaches -------------------------------------------------------------------


def test_reminders_14_and_3_days_before_the_deadline_go_to_providers_yet_to_submit(
    world, version, eager
):
    deadline = TODAY() + dt.timedelta(days=20)
    declaration_round = make_round(world.area, version, deadline=deadline)
    make_submitted_declaration(
        provider=world.second_school, version=version, period=declaration_round.period
    )
    make_declaration(provider=world.school, version=version, period=declaration_round.period)
    OptOutFactory(user=world.council_editor, kind=Kind.DEADLINE)

    def on(days_left: int) -> int:
        return eager(services.deadline_reminders, today=deadline - dt.timedelta(days=days_left))

    assert on(15) == 0
    assert on(14) == 1
    # A draft is not a submission: the head is reminded; the deputy's school has submitted.
    assert recipients() == ["head@example.org"]
    assert mail.outbox[0].subject == "Your SEND declaration is due in 14 days"
    assert_links_absolute(mail.outbox[0], f"/providers/{world.school.pk}/self-audit/")
    assert on(14) == 0 and on(10) == 0 and on(4) == 0
    assert on(3) == 1
    assert on(2) == 0 and on(0) == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Your SEND declaration is due in 3 days"
    tasks.deadline_reminders_task.apply()
    assert len(mail.outbox) == 2


def test_a_missed_day_still_sends_the_reminder_once(world, version, eager):
    deadline = TODAY() + dt.timedelta(days=5)
    make_round(world.area, version, deadline=deadline)
    # Opened after the 14-day mark: the 14-day reminder goes on the next run, then the 3-day.
    assert eager(services.deadline_reminders, today=deadline - dt.timedelta(days=5)) == 3
    assert eager(services.deadline_reminders, today=deadline - dt.timedelta(days=2)) == 3
    assert eager(services.deadline_reminders, today=deadline) == 0
    assert len(mail.outbox) == 6
    assert "far@example.org" not in recipients()


# ---- a declaration is reviewed ---------------------------------------------------------------

COMMENT = "The linked policy is from 2019 and names a SENCO who has left"
OVERALL = "Please see our notes on the policy questions"


@pytest.fixture
def submitted(world, version):
    return make_submitted_declaration(
        provider=world.school,
        version=version,
        answers={"SCH-POLICY-URL": "https://example.org/policy", "SCH-POLICY-REVIEWED": TODAY()},
    )


def test_a_returned_declaration_tells_its_editors_without_quoting_the_comments(
    world, submitted, eager
):
    grant_role(user=world.deputy, role=Role.PROVIDER_EDITOR, scope=world.school)
    eager(
        review_declaration,
        declaration=submitted,
        reviewer=world.officer,
        accept=False,
        challenges={"SCH-POLICY-URL": COMMENT},
        comment=OVERALL,
    )
    assert recipients() == ["deputy@example.org", "head@example.org"]
    for message in mail.outbox:
        text = bodies(message)
        assert message.subject == "Your SEND declaration has been returned for changes"
        assert "challenged 1 answer" in message.body
        assert COMMENT not in text and "SENCO who has left" not in text and OVERALL not in text
        # No one's name but the recipient's: not the reviewer's, nor the other editor's.
        assert "Olive" not in text and "officer@example.org" not in text
        assert_links_absolute(message, f"/declarations/{submitted.pk}/")
        assert f"Read the review: {SITE_URL}/declarations/{submitted.pk}/" in message.body
    head = next(m for m in mail.outbox if m.to == ["head@example.org"])
    assert "Ada Head" in head.body and "deputy@example.org" not in bodies(head)

    tasks.declaration_reviewed_task.apply(kwargs={"declaration_id": submitted.pk})
    assert len(mail.outbox) == 2


def test_an_accepted_declaration_is_one_email_and_a_later_review_is_another(
    world, submitted, eager
):
    eager(review_declaration, declaration=submitted, reviewer=world.officer, accept=True)
    assert recipients() == ["head@example.org"]
    assert mail.outbox[0].subject == "Your SEND declaration has been accepted"
    assert "The local authority has reviewed and accepted" in mail.outbox[0].body
    eager(services.declaration_reviewed, declaration_id=submitted.pk)
    assert len(mail.outbox) == 1
    # Reviewed again later (returned this time): a new event.
    later = timezone.now() + dt.timedelta(minutes=5)
    type(submitted).objects.filter(pk=submitted.pk).update(reviewed_at=later)
    assert eager(services.declaration_reviewed, declaration_id=submitted.pk, now=later) == 1
    assert len(mail.outbox) == 2


def test_saving_a_declaration_with_no_recent_review_sends_nothing(world, submitted, eager):
    submitted.reviewed_at = timezone.now() - dt.timedelta(days=30)
    submitted.review_status = "accepted"
    eager(submitted.save)
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_review_is_not_emailed_to_an_editor_who_turned_it_off(world, submitted, eager):
    OptOutFactory(user=world.head, kind=Kind.REVIEWED)
    eager(review_declaration, declaration=submitted, reviewer=world.officer, accept=True)
    assert mail.outbox == []


# ---- an action is past its due date ------------------------------------------------------------


def make_gap(provider, version, *, owner: str, due: dt.date, key: str = "SCH-POLICY-URL"):
    return GapFactory(
        provider=provider,
        standard=version.standard,
        requirement_key=key,
        title="SEN policy published",
        strength="must",
        theme="governance",
        status=GapStatus.IN_PROGRESS,
        action_plan="Publish the reviewed policy",
        owner=owner,
        due_date=due,
    )


def test_an_overdue_action_emails_its_owner_once(world, version, eager):
    grant_role(user=world.deputy, role=Role.PROVIDER_EDITOR, scope=world.school)
    gap = make_gap(world.school, version, owner="Ada Head, SENCO", due=TODAY())
    assert eager(services.overdue_gaps, today=TODAY()) == 0  # due today is not past
    tomorrow = TODAY() + dt.timedelta(days=1)
    assert eager(services.overdue_gaps, today=tomorrow) == 1
    assert recipients() == ["head@example.org"]
    message = mail.outbox[0]
    assert message.subject == "An action on a SEND gap is past its due date"
    assert "SEN policy published" in message.body
    # The owner's words are not repeated (they may name someone else).
    assert "SENCO" not in bodies(message)
    assert_links_absolute(message, f"/providers/{world.school.pk}/gaps/{gap.pk}/")
    assert eager(services.overdue_gaps, today=tomorrow + dt.timedelta(days=1)) == 0
    tasks.overdue_gaps_task.apply()
    assert len(mail.outbox) == 1


def test_an_owner_who_is_not_an_editor_means_every_editor_is_told(world, version, eager):
    make_gap(world.school, version, owner="Someone from the trust", due=TODAY() - dt.timedelta(1))
    make_gap(world.far_school, version, owner="Fay Far", due=TODAY() - dt.timedelta(days=30))
    assert eager(services.overdue_gaps, today=TODAY()) == 1
    assert recipients() == ["head@example.org"]  # the viewer is not an editor


# ---- a new version of the standard ---------------------------------------------------------------


def test_a_new_version_tells_declaring_providers_what_changed_for_their_type(world, version, eager):
    make_declaration(provider=world.school, version=version)
    make_submitted_declaration(provider=world.far_school, version=version)
    make_declaration(provider=world.council, version=version)
    # The second school never declared against the standard: its editor hears nothing.
    new_requirement = requirement_doc(key="SCH-NEW-DUTY", title="A new duty for schools")
    new = eager(make_version, with_requirement(new_requirement, version="1.1"), publish=True)
    assert new.supersedes_id == version.pk
    # The council's requirements did not change: its editor hears nothing either.
    assert recipients() == ["far@example.org", "head@example.org"]
    message = next(m for m in mail.outbox if m.to == ["head@example.org"])
    assert "SCH-NEW-DUTY: A new duty for schools" in message.body
    assert "mainstream school providers such as Ownshire Primary" in message.body
    assert "Version 1.1" in message.body and "replacing version 1.0" in message.body
    assert_links_absolute(message, "/standards/test-standard/compare/?from=1.0&to=1.1")
    tasks.version_published_task.apply(kwargs={"version_id": new.pk})
    assert len(mail.outbox) == 2


# ---- the officers' digest -----------------------------------------------------------------------


def test_the_daily_digest_tells_each_officer_what_was_submitted_in_their_area(
    world, version, eager
):
    yesterday = TODAY() - dt.timedelta(days=1)
    at = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(12)))
    for provider in (world.school, world.second_school, world.far_school):
        declaration = make_submitted_declaration(provider=provider, version=version)
        type(declaration).objects.filter(pk=declaration.pk).update(submitted_at=at)
    make_declaration(provider=world.council, version=version)  # a draft is not in the digest
    OptOutFactory(user=world.icb_officer, kind=Kind.DIGEST)

    assert eager(services.officer_digest, day=yesterday) == 2
    assert recipients() == ["far-officer@example.org", "officer@example.org"]
    mine = next(m for m in mail.outbox if m.to == ["officer@example.org"])
    assert "2 declarations were submitted" in mine.body
    assert "Ownshire Primary" in mine.body and "Brook Primary" in mine.body
    assert "Far Primary" not in mine.body
    assert_links_absolute(mine, "/reviews/")
    assert ">See the declarations to review</a>" in mine.alternatives[0][0]
    assert eager(services.officer_digest, day=yesterday) == 0
    tasks.officer_digest_task.apply()
    assert len(mail.outbox) == 2
    # A day with nothing submitted sends nothing.
    assert eager(services.officer_digest, day=yesterday - dt.timedelta(days=1)) == 0


def test_an_icb_officer_gets_the_digest_of_the_areas_their_board_covers(world, version, eager):
    yesterday = TODAY() - dt.timedelta(days=1)
    declaration = make_submitted_declaration(provider=world.school, version=version)
    type(declaration).objects.filter(pk=declaration.pk).update(
        submitted_at=timezone.make_aware(dt.datetime.combine(yesterday, dt.time(9)))
    )
    assert declaration.status == DeclarationStatus.SUBMITTED
    eager(services.officer_digest, day=yesterday)
    assert recipients() == ["icb@example.org", "officer@example.org"]


def test_an_icb_review_of_the_health_answers_is_an_email_of_its_own(world, eager):
    health = requirement_doc(key="SCH-HEALTH-LINK", title="Health link", theme="health")
    version = make_version(with_requirement(health), publish=True)
    declaration = make_submitted_declaration(
        provider=world.school, version=version, answers={"SCH-HEALTH-LINK": True}
    )
    eager(
        review_declaration,
        declaration=declaration,
        reviewer=world.icb_officer,
        accept=False,
        challenges={"SCH-HEALTH-LINK": COMMENT},
    )
    eager(review_declaration, declaration=declaration, reviewer=world.officer, accept=True)
    assert recipients() == ["head@example.org", "head@example.org"]
    icb, area = mail.outbox
    assert icb.subject == "Your SEND declaration has been returned for changes"
    assert "The integrated care board has reviewed the health answers" in icb.body
    assert "challenged 1 answer" in icb.body
    assert COMMENT not in bodies(icb) and "Ivy" not in bodies(icb)
    assert area.subject == "Your SEND declaration has been accepted"
    assert eager(services.declaration_reviewed, declaration_id=declaration.pk) == 0
    assert len(mail.outbox) == 2


def test_an_owner_named_by_email_address_is_the_only_one_told(world, version, eager):
    grant_role(user=world.deputy, role=Role.PROVIDER_EDITOR, scope=world.school)
    make_gap(world.school, version, owner="Deputy@example.org", due=TODAY() - dt.timedelta(1))
    assert eager(services.overdue_gaps, today=TODAY()) == 1
    assert recipients() == ["deputy@example.org"]
