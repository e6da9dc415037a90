"""The provider's self-audit start page: starting, the round, the score and gaps."""

import datetime as dt
import re

import pytest

from accounts.models import Role
from accounts.services import grant_role
from audits.answers import AnswerInput
from audits.models import Declaration
from audits.periods import period_for
from audits.services import (
    open_round,
    save_answer,
    submit_declaration,
    today,
)
from scoring.services import score_declaration
from tests.accounts.factories import UserFactory
from tests.audits.pages import (
    THIS_YEAR,
    client_for,
    complete,
)
from tests.standards.builders import document, make_version

pytestmark = pytest.mark.django_db


def test_self_audit_page_offers_to_start_and_starting_opens_the_task_list(
    choices_version, school, editor
):
    client = client_for(editor)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "Start now" in html and "Not started" in html
    assert "0 of 7 questions answered" in html
    assert f"{choices_version.title} version {choices_version.version}</a>" in html
    response = client.post(f"/providers/{school.pk}/self-audit/start/")
    declaration = Declaration.objects.get(provider=school)
    assert (
        response.status_code == 302
        and response["Location"] == f"/declarations/{declaration.pk}/tasks/"
    )
    assert declaration.period == period_for(today())
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "Continue" in html and "Draft" in html


def test_self_audit_page_shows_the_round_deadline_progress_and_history(
    choices_version, school, editor, officer, draft
):
    deadline = today().replace(year=today().year + 1, month=3, day=31)
    open_round(
        area=school.area,
        version=choices_version,
        period=draft.period,
        deadline=deadline,
        user=officer,
    )
    client = client_for(editor)
    complete(client, draft, ["SCH-COUNT", "SCH-ONE"])
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert f"by <strong>31 March {deadline.year}</strong>" in html
    assert "2 of 7 questions answered" in html
    assert f">{draft.period}<" in html  # the history table
    # Officers see the page but not the buttons.
    html = client_for(officer).get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "Start now" not in html and "Continue" not in html
    assert "View the declaration" in html


def test_self_audit_page_offers_a_revision_once_submitted(choices_version, school, editor, draft):
    client = client_for(editor)
    complete(client, draft)
    submit_declaration(declaration=draft, user=editor)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "Start a revision" in html and "Not reviewed" in html
    assert "7 of 7 questions answered" in html


def test_only_editors_can_start(choices_version, school, officer):
    response = client_for(officer).post(f"/providers/{school.pk}/self-audit/start/")
    assert response.status_code == 404
    assert not Declaration.objects.exists()


def test_self_audit_page_shows_scoring_under_way_then_the_score_and_gaps(school, editor, submitted):
    client = client_for(editor)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "Score and gaps" in html and "being scored" in html
    score_declaration(declaration_id=submitted.pk)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "being scored" not in html
    assert re.search(r"Score</dt>\s*<dd class=\"govuk-summary-list__value\">\d+%", html)
    assert "Open gaps" in html
    assert f"/providers/{school.pk}/result/" in html and f"/providers/{school.pk}/gaps/" in html


def test_self_audit_page_has_no_score_before_a_submission(draft, school, editor):
    response = client_for(editor).get(f"/providers/{school.pk}/self-audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert school.name in html and f"/declarations/{draft.pk}/tasks/" in html
    assert "Score and gaps" not in html and "Open gaps" not in html


def test_a_provider_the_standard_does_not_apply_to_has_nothing_to_declare(choices_version):
    from tests.providers.factories import ProviderFactory

    icb = ProviderFactory(icb_provider=True)
    user = UserFactory(email="icb-editor@example.org", password="pw-for-tests-123")
    grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=icb)
    client = client_for(user)
    html = client.get(f"/providers/{icb.pk}/self-audit/").content.decode()
    assert "there is nothing to declare" in html and "Start now" not in html
    assert client.post(f"/providers/{icb.pk}/self-audit/start/").status_code == 302
    assert not Declaration.objects.exists()


def test_a_round_and_a_draft_carry_on_after_a_new_version_is_published(
    choices_version, school, editor, officer, draft
):
    from tests.providers.factories import ProviderFactory

    deadline = today() + dt.timedelta(days=60)
    declaration_round = open_round(
        area=school.area, version=choices_version, period=THIS_YEAR, deadline=deadline, user=officer
    )
    other = ProviderFactory(name="Other Primary School", area=school.area)
    grant_role(user=editor, role=Role.PROVIDER_EDITOR, scope=other)
    doc = document(version="2.0")
    doc["standard"]["slug"] = "send-statutory-baseline"
    new_version = make_version(doc, publish=True)

    client = client_for(editor)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert f"by <strong>{deadline.day} {deadline:%B %Y}</strong>" in html
    assert f'href="/declarations/{draft.pk}/tasks/"' in html and "Continue" in html
    assert "Start now" not in html and "version 1.0" in html
    # A provider that has not started declares against the new version, for the round.
    html = client.get(f"/providers/{other.pk}/self-audit/").content.decode()
    assert "Start now" in html and "version 2.0" in html and deadline.strftime("%B") in html
    client.post(f"/providers/{other.pk}/self-audit/start/")
    started = Declaration.objects.get(provider=other)
    assert started.version == new_version and started.round == declaration_round
    complete_answers = {
        "SCH-POLICY-URL": "https://other.example.org/sen",
        "SCH-POLICY-REVIEWED": "2026-09-01",
    }
    for key, value in complete_answers.items():
        save_answer(
            declaration=started,
            requirement_key=key,
            data=AnswerInput(value=value),
            user=editor,
            expected_row_version=None,
        )
    submit_declaration(declaration=started, user=editor)
    html = client_for(officer).get(f"/rounds/{declaration_round.pk}/").content.decode()
    assert "Submitted (1)" in html and "Other Primary School" in html
    assert "Not submitted (1)" in html and "Draft started" in html


def test_open_gaps_are_shown_only_once_there_is_a_result(school, editor, submitted):
    client = client_for(editor)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "being scored" in html and "Open gaps" not in html
    score_declaration(declaration_id=submitted.pk)
    assert "Open gaps" in client.get(f"/providers/{school.pk}/self-audit/").content.decode()


def test_who_reviews_is_worded_for_local_authority_and_icb_providers(school, officer):
    from tests.providers.factories import IcbProviderFactory, LocalAuthorityProviderFactory

    doc = document()
    doc["standard"]["slug"] = "send-statutory-baseline"
    doc["sections"][1]["requirements"][0]["applies_to"] = [
        "local_authority",
        "integrated_care_board",
    ]
    make_version(doc, publish=True)
    council = LocalAuthorityProviderFactory(area=school.area)
    html = client_for(officer).get(f"/providers/{council.pk}/self-audit/").content.decode()
    assert "your local authority can review it" not in html
    assert f"area officers for {school.area.name} can review it" in html
    icb_provider = IcbProviderFactory()
    icb_officer = UserFactory(email="icb@example.org", password="pw-for-tests-123")
    grant_role(user=icb_officer, role=Role.ICB_OFFICER, scope=icb_provider.icb)
    html = client_for(icb_officer).get(f"/providers/{icb_provider.pk}/self-audit/").content.decode()
    assert "your local authority can review it" not in html
    assert "integrated care board officers can review its answers about health" in html
