"""The task list: sections, their status, and answers that need attention."""

import pytest

from audits.models import Answer
from audits.periods import next_period
from audits.services import (
    start_declaration,
)
from tests.audits.pages import (
    KEYS,
    THIS_YEAR,
    client_for,
    complete,
    post_answer,
    question_url,
)
from tests.standards.builders import document, make_version

pytestmark = pytest.mark.django_db


def test_task_list_shows_sections_statuses_and_check_answers_only_when_complete(draft, editor):
    client = client_for(editor)
    html = client.get(f"/declarations/{draft.pk}/tasks/").content.decode()
    assert 'class="govuk-task-list"' in html
    assert "Leadership" in html and "Not yet started" in html
    assert "You have completed 0 of 1 sections." in html
    assert "Cannot start yet" in html and f"/declarations/{draft.pk}/check/" not in html
    complete(client, draft, KEYS[:3])
    html = client.get(f"/declarations/{draft.pk}/tasks/").content.decode()
    assert "In progress" in html and "3 of 7 questions answered" in html
    # The section's link goes to the first question still to answer.
    assert question_url(draft, "SCH-ONE") in html
    complete(client, draft, KEYS[3:])
    html = client.get(f"/declarations/{draft.pk}/tasks/").content.decode()
    assert "Completed" in html and "You have completed 1 of 1 sections." in html
    assert f"/declarations/{draft.pk}/check/" in html and "Cannot start yet" not in html


def test_an_answer_without_its_required_evidence_leaves_the_section_in_progress(draft, editor):
    client = client_for(editor)
    complete(client, draft, KEYS[:6])
    post_answer(client, draft, "SCH-YES", {"value": "yes"}, action="later")
    html = client.get(f"/declarations/{draft.pk}/tasks/").content.decode()
    assert "In progress" in html and "6 of 7 questions answered" in html


def test_copied_answers_needing_attention_are_flagged_and_confirmed_by_saving(
    choices_version, school, editor, submitted
):
    doc = document(version="2.0")
    doc["standard"]["slug"] = "send-statutory-baseline"
    reqs = doc["sections"][0]["requirements"]
    reqs[1]["question"] = "When did governors last review the SEN policy?"
    new_version = make_version(doc, publish=True)
    result = start_declaration(
        provider=school, user=editor, version=new_version, period=next_period(THIS_YEAR)
    )
    client = client_for(editor)
    tasks = client.get(f"/declarations/{result.declaration.pk}/tasks/").content.decode()
    assert "1 answer needs checking because the standard changed" in tasks
    html = client.get(question_url(result.declaration, "SCH-POLICY-REVIEWED")).content.decode()
    assert "Check this answer. This requirement changed in this version of the standard." in html
    assert "copied from your last declaration" in html
    assert 'value="1"' in html and 'value="9"' in html  # the copied date
    post_answer(
        client,
        result.declaration,
        "SCH-POLICY-REVIEWED",
        {"value-day": "1", "value-month": "9", "value-year": "2026"},
    )
    answer = Answer.objects.get(
        declaration=result.declaration, requirement_key="SCH-POLICY-REVIEWED"
    )
    assert not answer.needs_attention
