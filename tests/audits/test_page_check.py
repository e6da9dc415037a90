"""Check your answers, submitting, and the confirmation."""

import pytest

from audits.models import Declaration
from tests.audits.pages import (
    COMPLETE_POSTS,
    KEYS,
    client_for,
    complete,
    post_answer,
    question_url,
    title,
)

pytestmark = pytest.mark.django_db


def test_check_answers_lists_every_answer_with_change_links_that_return_there(draft, editor):
    client = client_for(editor)
    complete(client, draft)
    html = client.get(f"/declarations/{draft.pk}/check/").content.decode()
    assert 'class="govuk-summary-list' in html
    for key in KEYS:
        assert f'href="{question_url(draft, key)}?return=check"' in html
    assert "1 September 2026" in html and "95%" in html and "Option A, Option B" in html
    assert "Does not apply: We have no lead yet" in html
    # Titles are not lowercased: "SEN" must stay an initialism for screen readers.
    assert 'Change<span class="govuk-visually-hidden"> Pupils on SEN support</span>' in html
    assert "Accept and submit" in html

    changed = client.get(question_url(draft, "SCH-COUNT") + "?return=check").content.decode()
    assert f'href="/declarations/{draft.pk}/check/" class="govuk-back-link"' in changed
    response = post_answer(client, draft, "SCH-COUNT", {"value": "97"}, query="?return=check")
    assert response["Location"] == f"/declarations/{draft.pk}/check/"


def test_submitting_an_incomplete_declaration_lists_what_is_missing(draft, editor):
    client = client_for(editor)
    complete(client, draft, KEYS[:5])
    response = client.post(
        f"/declarations/{draft.pk}/check/",
        {"row_version": Declaration.objects.get(pk=draft.pk).row_version},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert title(html).startswith("Error: ")
    assert (
        f'href="{question_url(draft, "SCH-TEXT")}?return=check">Named lead: Enter an answer</a>'
        in html
    )
    assert (
        f'href="{question_url(draft, "SCH-YES")}?return=check">Has a plan: Select yes or no</a>'
        in html
    )
    assert Declaration.objects.get(pk=draft.pk).is_draft


def test_submitting_after_someone_else_changed_an_answer_is_refused(draft, editor):
    client = client_for(editor)
    complete(client, draft)
    stale = Declaration.objects.get(pk=draft.pk).row_version - 1
    response = client.post(f"/declarations/{draft.pk}/check/", {"row_version": stale})
    assert response.status_code == 409
    assert "Someone changed an answer after you opened this page" in response.content.decode()
    assert Declaration.objects.get(pk=draft.pk).is_draft


def test_submit_then_confirmation(draft, editor):
    client = client_for(editor)
    complete(client, draft)
    response = client.post(
        f"/declarations/{draft.pk}/check/",
        {"row_version": Declaration.objects.get(pk=draft.pk).row_version},
    )
    assert (
        response.status_code == 302
        and response["Location"] == f"/declarations/{draft.pk}/submitted/"
    )
    submitted = Declaration.objects.get(pk=draft.pk)
    assert submitted.status == "submitted" and submitted.submitted_by == editor
    html = client.get(response["Location"]).content.decode()
    assert 'class="govuk-panel govuk-panel--confirmation"' in html
    assert "Declaration submitted" in html and "What happens next" in html and "score" in html


def test_confirmation_of_a_draft_goes_back_to_the_task_list(draft, editor):
    response = client_for(editor).get(f"/declarations/{draft.pk}/submitted/")
    assert (
        response.status_code == 302 and response["Location"] == f"/declarations/{draft.pk}/tasks/"
    )


def test_check_answers_refuses_to_submit_while_an_answer_needs_attention(draft, editor):
    client = client_for(editor)
    complete(client, draft)
    draft.answers.filter(requirement_key="SCH-ONE").update(
        needs_attention=True, attention_reason="This requirement changed"
    )
    assert "Cannot start yet" in client.get(f"/declarations/{draft.pk}/tasks/").content.decode()
    response = client.post(
        f"/declarations/{draft.pk}/check/",
        {"row_version": Declaration.objects.get(pk=draft.pk).row_version},
    )
    html = response.content.decode()
    assert response.status_code == 400 and title(html).startswith("Error: ")
    assert (
        f'href="{question_url(draft, "SCH-ONE")}?return=check">One choice: Check this answer and save it</a>'
        in html
    )
    assert Declaration.objects.get(pk=draft.pk).is_draft
    # Saving it unchanged confirms it; then it can be submitted.
    post_answer(client, draft, "SCH-ONE", COMPLETE_POSTS["SCH-ONE"])
    response = client.post(
        f"/declarations/{draft.pk}/check/",
        {"row_version": Declaration.objects.get(pk=draft.pk).row_version},
    )
    assert response.status_code == 302
