"""A submitted declaration, read-only; starting its revision; its history."""

import re
from decimal import Decimal

import pytest

from audits.models import Declaration
from tests.audits.pages import (
    client_for,
    post_answer,
    question_url,
    row_version,
)

pytestmark = pytest.mark.django_db


def test_a_submitted_declaration_cannot_be_changed_from_its_pages(submitted, editor):
    client = client_for(editor)
    for path in ("tasks/", "check/", "questions/SCH-COUNT/"):
        response = client.get(f"/declarations/{submitted.pk}/{path}")
        assert (
            response.status_code == 302 and response["Location"] == f"/declarations/{submitted.pk}/"
        )
    response = client.post(
        question_url(submitted, "SCH-COUNT"),
        {"row_version": row_version(submitted, "SCH-COUNT"), "value": "1"},
    )
    assert response.status_code == 409 and "has not been saved" in response.content.decode()
    assert submitted.answers.get(requirement_key="SCH-COUNT").value == Decimal("95")


def test_the_submitted_declaration_shows_answers_evidence_and_review_state(submitted, editor):
    html = client_for(editor).get(f"/declarations/{submitted.pk}/").content.decode()
    assert "Submitted" in html and "Not reviewed" in html
    assert "https://school.example.org/sen" in html
    assert "Minutes of the governors&#x27; meeting" in html
    assert html.count(">Self-declared<") == 7
    assert "Start a revision" in html


def test_start_a_revision_copies_the_answers_into_a_new_draft(submitted, editor):
    client = client_for(editor)
    response = client.post(f"/declarations/{submitted.pk}/revise/")
    revision = Declaration.objects.get(revision=2)
    assert response["Location"] == f"/declarations/{revision.pk}/tasks/"
    assert revision.is_draft and revision.answers.get(requirement_key="SCH-COUNT").value == Decimal(
        "95"
    )
    html = client.get(response["Location"]).content.decode()
    assert "Revision 2 started" in html and "This is revision 2" in html
    html = client.get(f"/declarations/{submitted.pk}/").content.decode()
    assert (
        "There is a later revision of this declaration" in html and "Start a revision" not in html
    )


def test_history_shows_who_changed_what_and_when(draft, editor):
    client = client_for(editor)
    post_answer(client, draft, "SCH-COUNT", {"value": "40"})
    post_answer(client, draft, "SCH-COUNT", {"value": "95"})
    html = client.get(f"/declarations/{draft.pk}/history/").content.decode()
    assert "2 changes, newest first." in html
    assert html.count("Pupils on SEN support") == 2
    assert "Not answered" in html and "40%" in html and "95%" in html
    assert "Changed by head@example.org" in html
    assert re.search(r"\d{1,2}:\d\d[ap]m on \d{1,2} \w+ \d{4}", html)
