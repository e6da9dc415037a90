"""The same declaration scenarios through both doors, the self-audit pages and the API: each
must reach the same outcome and leave the same declarations behind.

Each door turns its answer into one of a few outcomes: created, existing (carry on with the one
there is), submitted, refused (bad input, nothing saved), conflict (the declaration's state
refuses it) and not_allowed (403 or 404).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import grant_role
from audits.models import Declaration, DeclarationStatus
from audits.services import open_round, save_answer, start_declaration, submit_declaration
from providers.models import Provider
from tests.accounts.factories import UserFactory
from tests.api.conftest import bearer_client
from tests.audits.test_services import COMPLETE, NEXT_YEAR, THIS_YEAR, fill, second_version
from tests.providers.factories import ProviderFactory

pytestmark = pytest.mark.django_db


class PageDoor:
    name = "page"

    def __init__(self, user: User):
        self.client = Client()
        self.client.force_login(user)

    def start(self, provider: Provider) -> tuple[str, int | None]:
        before = set(Declaration.objects.values_list("pk", flat=True))
        response = self.client.post(reverse("audits:start", args=[provider.pk]))
        if response.status_code == 404:
            return "not_allowed", None
        assert response.status_code == 302, response.status_code
        home = reverse("audits:provider_home", args=[provider.pk])
        if response["Location"] == home:
            errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
            assert errors, "sent back to the start page without saying why"
            return "refused", None
        pk = int(response["Location"].strip("/").split("/")[1])
        return ("existing" if pk in before else "created"), pk

    def submit(self, declaration: Declaration) -> str:
        response = self.client.post(
            reverse("audits:check", args=[declaration.pk]),
            {"row_version": declaration.row_version},
        )
        if response.status_code == 302:
            if response["Location"] == reverse("audits:confirmation", args=[declaration.pk]):
                return "submitted"
            if response["Location"] == reverse("audits:declaration", args=[declaration.pk]):
                return "conflict"
        if response.status_code == 400:
            assert "There is a problem" in response.content.decode()
            return "refused"
        raise AssertionError(f"unexpected answer {response.status_code}")

    def answer(self, declaration: Declaration, key: str, value: str) -> str:
        answer = declaration.answers.get(requirement_key=key)
        response = self.client.post(
            reverse("audits:question", args=[declaration.pk, key]),
            {"value": value, "row_version": answer.row_version, "action": "continue"},
        )
        if response.status_code == 302:
            return "saved"
        if response.status_code == 409:
            assert "Your answer has not been saved" in response.content.decode()
            return "conflict"
        if response.status_code == 400:
            assert "There is a problem" in response.content.decode()
            return "refused"
        raise AssertionError(f"unexpected answer {response.status_code}")

    def revise(self, declaration: Declaration) -> tuple[str, int]:
        response = self.client.post(reverse("audits:revise", args=[declaration.pk]))
        assert response.status_code == 302
        pk = int(response["Location"].strip("/").split("/")[1])
        page = self.client.get(response["Location"])  # shows, and so clears, the messages
        assert page.status_code == 200
        started = "Revision 2 started" in page.content.decode()
        return ("created" if started else "existing"), pk


class ApiDoor:
    name = "api"
    CODES = {200: "existing", 201: "created", 400: "refused", 403: "not_allowed", 409: "conflict"}

    def __init__(self, user: User):
        self.client = bearer_client(user)

    def start(self, provider: Provider) -> tuple[str, int | None]:
        response = self.client.post(
            "/api/v1/declarations/", {"provider": provider.pk}, format="json"
        )
        outcome = self.CODES[response.status_code]
        return outcome, response.json()["id"] if response.status_code < 300 else None

    def submit(self, declaration: Declaration) -> str:
        response = self.client.post(
            f"/api/v1/declarations/{declaration.pk}/submit/",
            {},
            format="json",
            HTTP_IF_MATCH=declaration.etag,
        )
        return "submitted" if response.status_code == 200 else self.CODES[response.status_code]

    def answer(self, declaration: Declaration, key: str, value: str) -> str:
        response = self.client.patch(
            f"/api/v1/declarations/{declaration.pk}/",
            {"answers": {key: {"value": value}}},
            format="json",
            HTTP_IF_MATCH=declaration.etag,
        )
        return "saved" if response.status_code == 200 else self.CODES[response.status_code]

    def revise(self, declaration: Declaration) -> tuple[str, int]:
        response = self.client.post(
            f"/api/v1/declarations/{declaration.pk}/revise/", {}, format="json"
        )
        return self.CODES[response.status_code], response.json()["id"]


@pytest.fixture(params=[PageDoor, ApiDoor], ids=["page", "api"])
def door(request: Any, editor: User) -> Any:
    return request.param(editor)


def submitted_declaration(school: Provider, editor: User) -> Declaration:
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(declaration, editor)
    return submit_declaration(declaration=declaration, user=editor)


# ---- starting --------------------------------------------------------------------------------


def test_starting_creates_a_draft_of_the_published_version_this_year(door, choices_version, school):
    outcome, pk = door.start(school)
    assert outcome == "created"
    declaration = Declaration.objects.get(pk=pk)
    assert (declaration.version, declaration.period) == (choices_version, THIS_YEAR)
    assert declaration.is_draft and declaration.answers.count() == len(COMPLETE)
    # Starting again carries on with the same draft.
    assert door.start(school) == ("existing", pk)


def test_a_draft_begun_on_a_version_since_superseded_is_carried_on(
    door, choices_version, school, editor
):
    draft = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    second_version()
    assert door.start(school) == ("existing", draft.pk)
    assert Declaration.objects.count() == 1


def test_the_api_may_name_the_superseded_version_of_a_draft_already_begun(
    choices_version, school, editor
):
    draft = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    newer = second_version()
    client = bearer_client(editor)
    again = client.post(
        "/api/v1/declarations/",
        {"provider": school.pk, "version": choices_version.pk, "period": THIS_YEAR},
        format="json",
    )
    assert again.status_code == 200 and again.json()["id"] == draft.pk
    # A new declaration on the superseded version is refused, naming the field.
    refused = client.post(
        "/api/v1/declarations/",
        {"provider": school.pk, "version": choices_version.pk, "period": NEXT_YEAR},
        format="json",
    )
    assert refused.status_code == 400
    assert "published version" in refused.json()["errors"]["version"][0]
    assert not Declaration.objects.filter(period=NEXT_YEAR).exists()
    assert newer.pk != choices_version.pk


def test_a_provider_no_requirement_applies_to_cannot_start(door, choices_version, editor):
    college = ProviderFactory(provider_type="further_education_college")
    grant_role(user=editor, role=Role.PROVIDER_EDITOR, scope=college)
    outcome, _ = door.start(college)
    assert outcome == "refused"
    assert not Declaration.objects.filter(provider=college).exists()


def test_an_open_round_sets_the_year_through_both_doors(door, choices_version, school, officer):
    open_round(
        area=school.area,
        version=choices_version,
        period=NEXT_YEAR,
        deadline=dt.date.today() + dt.timedelta(days=30),
        user=officer,
    )
    outcome, pk = door.start(school)
    assert outcome == "created"
    declaration = Declaration.objects.get(pk=pk)
    assert declaration.period == NEXT_YEAR and declaration.round is not None


def test_someone_who_may_only_read_cannot_start(choices_version, school, editor):
    viewer = UserFactory(email="viewer@example.org", password="pw-for-tests-123")
    grant_role(user=viewer, role=Role.PROVIDER_VIEWER, scope=school)
    for door in (PageDoor(viewer), ApiDoor(viewer)):
        assert door.start(school) == ("not_allowed", None)
    assert not Declaration.objects.exists()


# ---- answering and submitting ------------------------------------------------------------------


def test_an_answer_out_of_range_is_refused_and_nothing_is_saved(
    door, choices_version, school, editor
):
    draft = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    assert door.answer(draft, "SCH-COUNT", "250") == "refused"
    assert draft.answers.get(requirement_key="SCH-COUNT").value is None
    assert door.answer(draft, "SCH-COUNT", "95") == "saved"
    assert draft.answers.get(requirement_key="SCH-COUNT").value == Decimal("95")


def test_an_answer_to_a_submitted_declaration_is_a_conflict(door, choices_version, school, editor):
    submitted = submitted_declaration(school, editor)
    assert door.answer(submitted, "SCH-COUNT", "50") == "conflict"
    assert submitted.answers.get(requirement_key="SCH-COUNT").value == Decimal("95")


def test_an_incomplete_draft_is_refused_and_stays_a_draft(door, choices_version, school, editor):
    draft = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    save_answer(
        declaration=draft,
        requirement_key="SCH-COUNT",
        data=COMPLETE["SCH-COUNT"],
        user=editor,
        expected_row_version=None,
    )
    draft.refresh_from_db()
    assert door.submit(draft) == "refused"
    draft.refresh_from_db()
    assert draft.status == DeclarationStatus.DRAFT


def test_a_complete_draft_is_submitted_once(door, choices_version, school, editor):
    draft = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(draft, editor)
    draft.refresh_from_db()
    assert door.submit(draft) == "submitted"
    draft.refresh_from_db()
    assert draft.status == DeclarationStatus.SUBMITTED
    submitted_at = draft.submitted_at
    assert door.submit(draft) == "conflict"
    draft.refresh_from_db()
    assert draft.submitted_at == submitted_at


# ---- revising ----------------------------------------------------------------------------------


def test_a_revision_is_created_once_then_carried_on(door, choices_version, school, editor):
    submitted = submitted_declaration(school, editor)
    outcome, pk = door.revise(submitted)
    assert outcome == "created"
    revision = Declaration.objects.get(pk=pk)
    assert revision.revision == 2 and revision.is_draft and revision.revises == submitted
    assert door.revise(submitted) == ("existing", pk)
    assert door.revise(revision) == ("existing", pk)
    assert Declaration.objects.filter(provider=school).count() == 2
