"""The self-audit pages: start, task list, questions, check answers, submit, view, revise, history."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import Role, User
from accounts.services import grant_role
from audits.answers import AnswerInput
from audits.models import Answer, AnswerChange, Declaration, ReviewStatus
from audits.periods import next_period, period_for
from audits.services import (
    open_round,
    review_declaration,
    save_answer,
    start_declaration,
    submit_declaration,
    today,
)
from audits.templatetags.audits_tags import long_datetime
from tests.audits.factories import health_version
from tests.standards.builders import document, make_version

pytestmark = pytest.mark.django_db
THIS_YEAR = period_for(today())

KEYS = [
    "SCH-POLICY-URL",
    "SCH-POLICY-REVIEWED",
    "SCH-COUNT",
    "SCH-ONE",
    "SCH-MANY",
    "SCH-TEXT",
    "SCH-YES",
]

# The form posts that complete each question of `choices_version`.
COMPLETE_POSTS = {
    "SCH-POLICY-URL": {"value": "https://school.example.org/sen"},
    "SCH-POLICY-REVIEWED": {"value-day": "1", "value-month": "9", "value-year": "2026"},
    "SCH-COUNT": {"value": "95"},
    "SCH-ONE": {"value": "a"},
    "SCH-MANY": {"value": ["a", "b"]},
    "SCH-TEXT": {"not_applicable": "yes", "not_applicable_reason": "We have no lead yet"},
    "SCH-YES": {"value": "yes", "evidence_note": "Minutes of the governors' meeting"},
}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(choices_version, school, editor) -> Declaration:
    return start_declaration(provider=school, user=editor, period=period_for(today())).declaration


def question_url(declaration: Declaration, key: str) -> str:
    return f"/declarations/{declaration.pk}/questions/{key}/"


def row_version(declaration: Declaration, key: str) -> int:
    return declaration.answers.get(requirement_key=key).row_version


def post_answer(client, declaration, key, data, action="continue", query=""):
    payload = {"row_version": row_version(declaration, key), "action": action, **data}
    return client.post(question_url(declaration, key) + query, payload)


def complete(client, declaration, keys=KEYS):
    for key in keys:
        response = post_answer(client, declaration, key, COMPLETE_POSTS[key])
        assert response.status_code == 302, response.content.decode()[:2000]


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# ---- the provider's self-audit page ---------------------------------------------------------------


def test_self_audit_page_offers_to_start_and_starting_opens_the_task_list(
    choices_version, school, editor
):
    client = client_for(editor)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "Start now" in html and "Not started" in html
    assert "0 of 7 questions answered" in html
    assert (
        f"SEND statutory baseline version {choices_version.version}" in html
        or choices_version.title in html
    )
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


# ---- the task list ------------------------------------------------------------------------------


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


# ---- question pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "SCH-YES",
            [
                'class="govuk-radios govuk-radios--inline"',
                'type="radio" value="yes"',
                'type="radio" value="no"',
                "Evidence</h2>",
            ],
        ),
        ("SCH-ONE", ['type="radio" value="a"', "Option A", "Select one option."]),
        (
            "SCH-MANY",
            [
                'type="checkbox" value="a"',
                'data-behaviour="exclusive"',
                "None of these",
                "Select all that apply.",
            ],
        ),
        (
            "SCH-POLICY-REVIEWED",
            [
                'id="value-day"',
                'id="value-month"',
                'id="value-year"',
                'role="group"',
                "For example, 27 3 2026",
            ],
        ),
        (
            "SCH-COUNT",
            [
                'inputmode="decimal"',
                'class="govuk-input__suffix" aria-hidden="true">%<',
                "Enter a percentage",
            ],
        ),
        ("SCH-POLICY-URL", ['type="url"', 'spellcheck="false"', "starts with https://"]),
        (
            "SCH-TEXT",
            [
                '<textarea class="govuk-textarea govuk-js-character-count" id="value" name="value"',
                "You can enter up to 500 characters",
                "This does not apply to us",
                'data-aria-controls="conditional-not_applicable"',
                "govuk-checkboxes__conditional--hidden",
            ],
        ),
    ],
)
def test_each_answer_type_uses_its_govuk_component(draft, editor, key, expected):
    html = client_for(editor).get(question_url(draft, key)).content.decode()
    for fragment in expected:
        assert fragment in html, fragment
    assert "How this is judged" in html and 'class="govuk-details"' in html
    assert "novalidate" in html
    assert (
        'data-module="govuk-character-count"' in html
        and "You can enter up to 1000 characters" in html
    )
    assert 'name="row_version" value="1"' in html
    assert "Save and continue" in html and "Save and come back later" in html
    assert 'class="govuk-back-link"' in html
    assert html.count("<h1") == 1


def test_question_page_explains_the_rule_and_cites_its_sources(draft, editor):
    html = client_for(editor).get(question_url(draft, "SCH-COUNT")).content.decode()
    assert "The answer must be at least 90%." in html
    assert "Doc, 1" in html
    assert "statutory guidance (should)" in html
    assert "Leadership – question 3 of 7" in html


def test_save_and_continue_goes_to_the_next_question_then_back_to_the_task_list(draft, editor):
    client = client_for(editor)
    response = post_answer(client, draft, "SCH-POLICY-URL", COMPLETE_POSTS["SCH-POLICY-URL"])
    assert response["Location"] == question_url(draft, "SCH-POLICY-REVIEWED")
    response = post_answer(client, draft, "SCH-YES", COMPLETE_POSTS["SCH-YES"])
    assert response["Location"] == f"/declarations/{draft.pk}/tasks/"
    answer = draft.answers.get(requirement_key="SCH-YES")
    assert answer.value is True and answer.evidence_note == "Minutes of the governors' meeting"


def test_back_link_goes_to_the_previous_question_or_the_task_list(draft, editor):
    client = client_for(editor)
    html = client.get(question_url(draft, "SCH-POLICY-URL")).content.decode()
    assert f'href="/declarations/{draft.pk}/tasks/" class="govuk-back-link"' in html
    html = client.get(question_url(draft, "SCH-COUNT")).content.decode()
    assert f'href="{question_url(draft, "SCH-POLICY-REVIEWED")}" class="govuk-back-link"' in html


def test_save_and_come_back_later_saves_even_a_blank_answer(draft, editor):
    client = client_for(editor)
    response = post_answer(
        client, draft, "SCH-COUNT", {"value": "", "evidence_note": "Census"}, action="later"
    )
    assert (
        response.status_code == 302 and response["Location"] == f"/declarations/{draft.pk}/tasks/"
    )
    answer = draft.answers.get(requirement_key="SCH-COUNT")
    assert answer.value is None and answer.evidence_note == "Census"
    html = client.get(response["Location"]).content.decode()
    assert "Your answers have been saved" in html


def test_save_and_continue_needs_an_answer_and_shows_the_govuk_error_pattern(draft, editor):
    response = post_answer(client_for(editor), draft, "SCH-YES", {})
    html = response.content.decode()
    assert response.status_code == 400
    assert title(html).startswith("Error: ")
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#value">Select yes or no</a>' in html
    assert '<a href="#evidence_url">Enter a web address or a note for the evidence</a>' in html
    assert (
        '<p id="value-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> Select yes or no</p>'
        in html
    )
    assert "govuk-form-group--error" in html
    assert draft.answers.get(requirement_key="SCH-YES").value is None


def test_a_bad_date_links_to_its_first_bad_field_and_keeps_what_was_typed(draft, editor):
    data = {"value-day": "31", "value-month": "", "value-year": "2026 "}
    html = post_answer(client_for(editor), draft, "SCH-POLICY-REVIEWED", data).content.decode()
    assert '<a href="#value-month">The date must include a month</a>' in html
    assert 'id="value-day" name="value-day" type="text" inputmode="numeric" value="31"' in html
    assert 'value="2026 "' in html
    assert 'govuk-input--width-2 govuk-input--error" id="value-month"' in html
    assert 'govuk-input--width-2" id="value-day"' in html  # only the bad field is marked
    html = post_answer(
        client_for(editor),
        draft,
        "SCH-POLICY-REVIEWED",
        {"value-day": "31", "value-month": "2", "value-year": "2026"},
    ).content.decode()
    assert '<a href="#value-day">The date must be a real date</a>' in html


def test_a_bad_number_is_kept_exactly_as_typed(draft, editor):
    html = post_answer(
        client_for(editor), draft, "SCH-COUNT", {"value": "lots & lots"}
    ).content.decode()
    assert "Enter a number, like 12 or 95.5" in html
    assert 'value="lots &amp; lots"' in html


def test_not_applicable_needs_a_reason_and_reveals_it(draft, editor):
    client = client_for(editor)
    html = post_answer(client, draft, "SCH-TEXT", {"not_applicable": "yes"}).content.decode()
    assert (
        '<a href="#not_applicable_reason">Enter why this does not apply to your setting</a>' in html
    )
    assert (
        'id="not_applicable" name="not_applicable" type="checkbox" value="yes" data-aria-controls="conditional-not_applicable" checked'
        in html
    )
    assert "govuk-checkboxes__conditional--hidden" not in html
    post_answer(client, draft, "SCH-TEXT", COMPLETE_POSTS["SCH-TEXT"])
    answer = draft.answers.get(requirement_key="SCH-TEXT")
    assert answer.not_applicable and answer.not_applicable_reason == "We have no lead yet"


def test_not_applicable_is_ignored_where_the_requirement_does_not_allow_it(draft, editor):
    post_answer(
        client_for(editor),
        draft,
        "SCH-ONE",
        {"value": "b", "not_applicable": "yes", "not_applicable_reason": "x"},
    )
    answer = draft.answers.get(requirement_key="SCH-ONE")
    assert answer.value == "b" and not answer.not_applicable


def test_none_of_these_is_an_answer_but_not_together_with_options(draft, editor):
    client = client_for(editor)
    html = post_answer(client, draft, "SCH-MANY", {"value": ["a", "__none__"]}).content.decode()
    assert "Select the options that apply, or select “None of these”, not both" in html
    assert draft.answers.get(requirement_key="SCH-MANY").value is None
    post_answer(client, draft, "SCH-MANY", {"value": ["__none__"]})
    assert draft.answers.get(requirement_key="SCH-MANY").value == []
    html = client.get(question_url(draft, "SCH-MANY")).content.decode()
    assert 'value="__none__" data-behaviour="exclusive" checked' in html


def test_a_bad_evidence_address_is_refused(draft, editor):
    html = post_answer(
        client_for(editor), draft, "SCH-ONE", {"value": "a", "evidence_url": "http://x.example.org"}
    ).content.decode()
    assert (
        '<a href="#evidence_url">Enter a web address for the evidence that starts with https://'
        in html
    )
    assert 'value="http://x.example.org"' in html


def test_an_unknown_question_is_not_found(draft, editor):
    assert client_for(editor).get(question_url(draft, "NO-SUCH-KEY")).status_code == 404
    assert client_for(editor).get(question_url(draft, "LA-LOCAL-OFFER")).status_code == 404


# ---- two people editing ---------------------------------------------------------------------------


def test_saving_over_someone_elses_change_is_refused_and_shows_the_current_answer(
    school, draft, editor
):
    colleague = User.objects.create_user(
        "senco@example.org", "pw-for-tests-123", full_name="Sam Senco"
    )
    grant_role(user=colleague, role=Role.PROVIDER_EDITOR, scope=school)
    client = client_for(editor)
    loaded = client.get(question_url(draft, "SCH-COUNT")).content.decode()
    assert 'name="row_version" value="1"' in loaded
    save_answer(
        declaration=draft,
        requirement_key="SCH-COUNT",
        data=AnswerInput(value="40"),
        user=colleague,
        expected_row_version=1,
    )

    response = client.post(
        question_url(draft, "SCH-COUNT"), {"row_version": "1", "value": "95", "action": "continue"}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert title(html).startswith("Error: ")
    assert (
        "Sam Senco changed this answer after you opened this page, so your answer has not been saved"
        in html
    )
    assert "The answer that is saved now" in html and "40%" in html
    assert 'value="95"' in html  # what they typed is kept
    assert 'name="row_version" value="2"' in html
    assert draft.answers.get(requirement_key="SCH-COUNT").value == Decimal("40")

    # Having seen the current answer, saving again replaces it, knowingly.
    response = client.post(
        question_url(draft, "SCH-COUNT"), {"row_version": "2", "value": "95", "action": "continue"}
    )
    assert response.status_code == 302
    assert draft.answers.get(requirement_key="SCH-COUNT").value == Decimal("95")
    assert AnswerChange.objects.filter(answer__requirement_key="SCH-COUNT").count() == 2


def test_a_form_without_its_row_version_never_overwrites(draft, editor):
    response = client_for(editor).post(question_url(draft, "SCH-COUNT"), {"value": "95"})
    assert response.status_code == 409
    assert draft.answers.get(requirement_key="SCH-COUNT").value is None


# ---- check your answers and submit ---------------------------------------------------------------


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


# ---- a submitted declaration is read-only ------------------------------------------------------------


@pytest.fixture
def submitted(draft, editor) -> Declaration:
    complete(client_for(editor), draft)
    return submit_declaration(declaration=draft, user=editor)


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


# ---- history ------------------------------------------------------------------------------------


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


# ---- review -------------------------------------------------------------------------------------


def test_officer_returns_a_declaration_with_comments_and_the_provider_sees_them(
    submitted, editor, officer
):
    client = client_for(officer)
    html = client.get(f"/declarations/{submitted.pk}/review/").content.decode()
    assert html.count('class="govuk-summary-card"') == 7
    assert 'data-module="govuk-character-count"' in html

    response = client.post(
        f"/declarations/{submitted.pk}/review/",
        {
            "decision": "return",
            "challenge-SCH-COUNT": "yes",
            "comment-SCH-COUNT": "Please show the census figure",
        },
    )
    assert response.status_code == 302
    returned = Declaration.objects.get(pk=submitted.pk)
    assert returned.review_status == ReviewStatus.RETURNED and returned.reviewed_by == officer
    html = client_for(editor).get(f"/declarations/{submitted.pk}/").content.decode()
    assert "Returned for changes" in html and ">Challenged<" in html
    assert "Please show the census figure" in html

    # The provider revises; the challenge and its comment are shown where they answer.
    revision = client_for(editor).post(f"/declarations/{submitted.pk}/revise/")
    revision_pk = int(revision["Location"].split("/")[2])
    tasks = client_for(editor).get(f"/declarations/{revision_pk}/tasks/").content.decode()
    assert "Your local authority returned revision 1 with comments." in tasks
    assert "1 challenged by a reviewer" in tasks
    question = (
        client_for(editor).get(f"/declarations/{revision_pk}/questions/SCH-COUNT/").content.decode()
    )
    assert (
        "Your local authority challenged this answer" in question
        and "Please show the census figure" in question
    )


def test_officer_accepts_a_declaration(submitted, officer):
    client = client_for(officer)
    response = client.post(f"/declarations/{submitted.pk}/review/", {"decision": "accept"})
    assert response.status_code == 302
    accepted = Declaration.objects.get(pk=submitted.pk)
    assert accepted.review_status == ReviewStatus.ACCEPTED
    assert set(accepted.answers.values_list("review_state", flat=True)) == {"accepted"}
    html = client.get(response["Location"]).content.decode()
    assert "You accepted the declaration" in html and html.count(">Accepted<") >= 7


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        ({}, "decision", "Select whether to accept the declaration or return it"),
        ({"decision": "return"}, "decision", "Challenge at least one answer, with a comment"),
        (
            {"decision": "return", "challenge-SCH-COUNT": "yes"},
            "comment-SCH-COUNT",
            "Enter why you challenge the answer to “Pupils on SEN support”",
        ),
        (
            {"decision": "accept", "challenge-SCH-ONE": "yes", "comment-SCH-ONE": "Why?"},
            "decision",
            "You have challenged answers",
        ),
        (
            {"decision": "return", "challenge-SCH-ONE": "yes", "comment-SCH-ONE": "x" * 2001},
            "comment-SCH-ONE",
            "The comment must be 2000 characters or fewer",
        ),
    ],
)
def test_review_errors_follow_the_govuk_pattern(submitted, officer, data, anchor, message):
    response = client_for(officer).post(f"/declarations/{submitted.pk}/review/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert title(html).startswith("Error: ")
    assert f'<a href="#{anchor}">{message}' in html
    assert Declaration.objects.get(pk=submitted.pk).review_status == ReviewStatus.NOT_REVIEWED
    if "comment-SCH-ONE" in data:
        assert data["comment-SCH-ONE"][:50] in html  # kept as typed


def test_icb_officer_reviews_the_health_answers_only(school, editor):
    version = health_version()
    from tests.audits.factories import make_submitted_declaration
    from tests.providers.factories import IcbAreaCoverageFactory, IcbFactory

    declaration = make_submitted_declaration(
        provider=school,
        version=version,
        answers={
            "SCH-POLICY-URL": "https://x.example.org",
            "SCH-POLICY-REVIEWED": "2026-09-01",
            "SCH-HEALTH": True,
        },
    )
    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=school.area)
    icb_officer = User.objects.create_user("icb@example.org", "pw-for-tests-123")
    grant_role(user=icb_officer, role=Role.ICB_OFFICER, scope=icb)
    client = client_for(icb_officer)
    html = client.get(f"/declarations/{declaration.pk}/review/").content.decode()
    assert "Health advice given" in html and "SEN policy published" not in html
    assert "you review the answers about health only" in html
    html = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert (
        "You can see the answers about health only." in html and "SEN policy published" not in html
    )
    response = client.post(
        f"/declarations/{declaration.pk}/review/",
        {
            "decision": "return",
            "challenge-SCH-HEALTH": "yes",
            "comment-SCH-HEALTH": "Which service?",
        },
    )
    assert response.status_code == 302
    assert declaration.answers.get(requirement_key="SCH-HEALTH").review_state == "challenged"
    assert (
        client.get("/reviews/?status=returned").content.decode().count(f">{school.name}</a>") == 1
    )


def test_review_list_shows_the_officers_area_only(choices_version, submitted, officer):
    from tests.audits.factories import make_submitted_declaration
    from tests.providers.factories import ProviderFactory

    elsewhere = ProviderFactory(name="Faraway Primary School")
    make_submitted_declaration(provider=elsewhere, version=choices_version)
    html = client_for(officer).get("/reviews/").content.decode()
    assert submitted.provider.name in html and "Faraway Primary School" not in html
    assert "Not reviewed (1)" in html
    review_declaration(declaration=submitted, reviewer=officer, accept=True)
    html = client_for(officer).get("/reviews/").content.decode()
    assert "There are no declarations here." in html
    assert (
        submitted.provider.name
        in client_for(officer).get("/reviews/?status=accepted").content.decode()
    )


# ---- copied answers that need attention ------------------------------------------------------------


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


# ---- rounds ---------------------------------------------------------------------------------------


def test_officer_opens_a_round_and_sees_who_has_not_submitted(
    choices_version, school, editor, officer, submitted
):
    from tests.providers.factories import ProviderFactory

    late = ProviderFactory(name="Late Primary School", area=school.area)
    client = client_for(officer)
    html = client.get(f"/areas/{school.area.code}/rounds/").content.decode()
    assert "No rounds have been opened" in html and "Open a round" in html
    form = client.get(f"/areas/{school.area.code}/rounds/new/").content.decode()
    assert 'id="deadline-day"' in form and f'value="{period_for(today())}"' in form

    year = today().year + 1
    response = client.post(
        f"/areas/{school.area.code}/rounds/new/",
        {
            "version": choices_version.pk,
            "period": period_for(today()),
            "deadline-day": "31",
            "deadline-month": "3",
            "deadline-year": str(year),
        },
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert f"31 March {year}" in html
    assert "Not submitted (1)" in html and "Late Primary School" in html
    assert "Submitted (1)" in html and school.name in html
    assert "1 of 2 providers" in html
    # The provider sees the round's deadline on its self-audit page.
    assert (
        f"31 March {year}"
        in client_for(editor).get(f"/providers/{school.pk}/self-audit/").content.decode()
    )
    assert late.pk


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        (
            {"period": "", "deadline-day": "", "deadline-month": "", "deadline-year": ""},
            "deadline-day",
            "Enter the deadline",
        ),
        (
            {
                "period": "2026-27",
                "deadline-day": "1",
                "deadline-month": "1",
                "deadline-year": "2099",
            },
            "period",
            "Enter the academic year as 4 numbers",
        ),
        (
            {
                "period": "2019/20",
                "deadline-day": "1",
                "deadline-month": "1",
                "deadline-year": str(dt.date.today().year + 1),
            },
            "period",
            "Open a round for this academic year (",
        ),
        (
            {
                "period": "2026/27",
                "deadline-day": "1",
                "deadline-month": "",
                "deadline-year": "2027",
            },
            "deadline-month",
            "The deadline must include a month",
        ),
        (
            {
                "period": "2026/27",
                "deadline-day": "1",
                "deadline-month": "1",
                "deadline-year": "2020",
            },
            "deadline-day",
            "The deadline must be today or in the future",
        ),
    ],
)
def test_round_form_errors(choices_version, school, officer, data, anchor, message):
    response = client_for(officer).post(
        f"/areas/{school.area.code}/rounds/new/", {"version": choices_version.pk, **data}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert title(html).startswith("Error: ")
    assert f'<a href="#{anchor}">{message}' in html
    assert f'value="{data["period"]}"' in html


def test_a_second_round_for_the_same_year_is_refused(choices_version, school, officer):
    data = {
        "version": choices_version.pk,
        "period": THIS_YEAR,
        "deadline-day": "1",
        "deadline-month": "1",
        "deadline-year": str(today().year + 1),
    }
    client = client_for(officer)
    assert client.post(f"/areas/{school.area.code}/rounds/new/", data).status_code == 302
    html = client.post(f"/areas/{school.area.code}/rounds/new/", data).content.decode()
    assert (
        '<a href="#period">A round for this standard and academic year is already open</a>' in html
    )


# ---- score and gaps, from the scoring app ---------------------------------------------------------


def test_self_audit_page_shows_scoring_under_way_then_the_score_and_gaps(school, editor, submitted):
    scoring_services = pytest.importorskip("scoring.services")
    client = client_for(editor)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "Score and gaps" in html and "being scored" in html
    scoring_services.score_declaration(declaration_id=submitted.pk)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "being scored" not in html
    assert re.search(r"Score</dt>\s*<dd class=\"govuk-summary-list__value\">\d+%", html)
    assert "Open gaps" in html
    assert f"/providers/{school.pk}/result/" in html and f"/providers/{school.pk}/gaps/" in html


def test_self_audit_page_has_no_score_before_a_submission(draft, school, editor):
    html = client_for(editor).get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "Score and gaps" not in html


def test_a_provider_the_standard_does_not_apply_to_has_nothing_to_declare(choices_version):
    from tests.providers.factories import ProviderFactory

    icb = ProviderFactory(icb_provider=True)
    user = User.objects.create_user("icb-editor@example.org", "pw-for-tests-123")
    grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=icb)
    client = client_for(user)
    html = client.get(f"/providers/{icb.pk}/self-audit/").content.decode()
    assert "there is nothing to declare" in html and "Start now" not in html
    assert client.post(f"/providers/{icb.pk}/self-audit/start/").status_code == 302
    assert not Declaration.objects.exists()


# ---- the reviewer's fixes ------------------------------------------------------------------------


def test_an_evidence_address_too_long_for_its_column_is_an_error_at_the_field(draft, editor):
    long = "https://school.example.org/" + "a" * 474  # 501 characters
    response = post_answer(
        client_for(editor), draft, "SCH-ONE", {"value": "a", "evidence_url": long}
    )
    html = response.content.decode()
    assert response.status_code == 400 and title(html).startswith("Error: ")
    message = "The web address of the evidence must be 500 characters or fewer"
    assert f'<a href="#evidence_url">{message}</a>' in html
    assert '<p id="evidence_url-error" class="govuk-error-message">' in html
    assert f'value="{long}"' in html  # kept as typed
    assert draft.answers.get(requirement_key="SCH-ONE").value is None


def test_a_date_with_a_long_run_of_digits_is_an_error_not_a_crash(
    choices_version, draft, editor, officer
):
    digits = "99999999999999999999"
    html = post_answer(
        client_for(editor),
        draft,
        "SCH-POLICY-REVIEWED",
        {"value-day": digits, "value-month": "1", "value-year": "2026"},
    ).content.decode()
    assert '<a href="#value-day">The date must be a real date</a>' in html
    response = client_for(officer).post(
        f"/areas/{draft.provider.area.code}/rounds/new/",
        {
            "version": choices_version.pk,
            "period": THIS_YEAR,
            "deadline-day": "1",
            "deadline-month": digits,
            "deadline-year": str(today().year + 1),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#deadline-month">The deadline must be a real date</a>' in html
    assert 'govuk-input--width-2 govuk-input--error" id="deadline-month"' in html
    assert 'govuk-input--width-2" id="deadline-day"' in html


def test_every_wrong_part_of_a_date_is_highlighted(choices_version, draft, editor, officer):
    html = post_answer(
        client_for(editor),
        draft,
        "SCH-POLICY-REVIEWED",
        {"value-day": "a", "value-month": "b", "value-year": "c"},
    ).content.decode()
    assert '<a href="#value-day">The date must be a real date</a>' in html
    for part in ("day", "month", "year"):
        assert f'govuk-input--error" id="value-{part}"' in html, part
    html = (
        client_for(officer)
        .post(
            f"/areas/{draft.provider.area.code}/rounds/new/",
            {
                "version": choices_version.pk,
                "period": THIS_YEAR,
                "deadline-day": "a",
                "deadline-month": "b",
                "deadline-year": "c",
            },
        )
        .content.decode()
    )
    for part in ("day", "month", "year"):
        assert f'govuk-input--error" id="deadline-{part}"' in html, part


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


def test_a_save_after_someone_else_submitted_says_who_and_when_and_keeps_the_answer(
    school, draft, editor
):
    colleague = User.objects.create_user(
        "senco@example.org", "pw-for-tests-123", full_name="Sam Senco"
    )
    grant_role(user=colleague, role=Role.PROVIDER_EDITOR, scope=school)
    client = client_for(editor)
    complete(client, draft)
    loaded = row_version(draft, "SCH-COUNT")
    submitted = submit_declaration(declaration=draft, user=colleague)

    response = client.post(
        question_url(draft, "SCH-COUNT"),
        {
            "row_version": loaded,
            "value": "97.5",
            "evidence_note": "From the spring census",
            "action": "continue",
        },
    )
    html = response.content.decode()
    assert response.status_code == 409 and title(html).startswith("Error: ")
    when = long_datetime(submitted.submitted_at)
    assert (
        f'<a href="#your-answer">Sam Senco submitted this declaration at {when}, so your answer has not been saved</a>'
        in html
    )
    assert "97.5" in html and "From the spring census" in html  # what they entered
    assert f'action="/declarations/{draft.pk}/revise/"' in html and "Start a revision" in html
    assert draft.answers.get(requirement_key="SCH-COUNT").value == Decimal("95")

    # Starting the revision from there goes back to the same question.
    response = client.post(f"/declarations/{draft.pk}/revise/", {"question": "SCH-COUNT"})
    revision = Declaration.objects.get(provider=school, revision=2)
    assert response["Location"] == question_url(revision, "SCH-COUNT")


def test_the_comment_on_the_whole_declaration_is_limited_on_the_review_page(submitted, officer):
    response = client_for(officer).post(
        f"/declarations/{submitted.pk}/review/", {"decision": "accept", "comment": "x" * 3000}
    )
    html = response.content.decode()
    assert response.status_code == 400 and title(html).startswith("Error: ")
    message = "The comment on the declaration must be 2000 characters or fewer"
    assert f'<a href="#comment">{message}</a>' in html
    assert '<p id="comment-error" class="govuk-error-message">' in html
    assert "x" * 3000 in html  # kept as typed
    declaration = Declaration.objects.get(pk=submitted.pk)
    assert declaration.review_status == ReviewStatus.NOT_REVIEWED and not declaration.review_comment


def test_a_superseded_revision_cannot_be_reviewed_from_its_pages(submitted, editor, officer):
    revision = start_revision_and_submit(submitted, editor)
    client = client_for(officer)
    html = client.get(f"/declarations/{submitted.pk}/").content.decode()
    assert "Review this declaration" not in html
    response = client.get(f"/declarations/{submitted.pk}/review/")
    assert response["Location"] == f"/declarations/{revision.pk}/"
    assert "Review this declaration" in client.get(response["Location"]).content.decode()


def start_revision_and_submit(declaration, user):
    from audits.services import start_revision

    revision = start_revision(declaration=declaration, user=user).declaration
    return submit_declaration(declaration=revision, user=user)


def health_declaration(school):
    from tests.audits.factories import make_submitted_declaration

    return make_submitted_declaration(
        provider=school,
        version=health_version(),
        answers={
            "SCH-POLICY-URL": "https://x.example.org",
            "SCH-POLICY-REVIEWED": "2026-09-01",
            "SCH-HEALTH": True,
        },
    )


def test_an_icb_review_is_its_own_and_the_provider_is_told_who_challenged(school, editor, officer):
    from tests.providers.factories import IcbAreaCoverageFactory, IcbFactory

    declaration = health_declaration(school)
    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=school.area)
    icb_officer = User.objects.create_user(
        "icb@example.org", "pw-for-tests-123", full_name="Ines ICB"
    )
    grant_role(user=icb_officer, role=Role.ICB_OFFICER, scope=icb)
    review_declaration(
        declaration=declaration,
        reviewer=officer,
        accept=False,
        challenges={"SCH-POLICY-URL": "Broken link"},
        comment="Please fix the link",
    )
    icb_client = client_for(icb_officer)
    assert f">{school.name}</a>" in icb_client.get("/reviews/").content.decode()
    response = icb_client.post(f"/declarations/{declaration.pk}/review/", {"decision": "accept"})
    assert response.status_code == 302
    # The area's review is untouched; the ICB's queue counts the declaration as reviewed.
    declaration.refresh_from_db()
    assert (
        declaration.reviewed_by == officer and declaration.review_comment == "Please fix the link"
    )
    html = icb_client.get("/reviews/").content.decode()
    assert f">{school.name}</a>" not in html and "Accepted (1)" in html
    assert f">{school.name}</a>" in icb_client.get("/reviews/?status=accepted").content.decode()
    html = client_for(officer).get(f"/declarations/{declaration.pk}/").content.decode()
    assert "Please fix the link" in html and "Review of the answers about health" in html

    # The ICB challenges a health answer: the provider is told the ICB challenged it.
    icb_client.post(
        f"/declarations/{declaration.pk}/review/",
        {
            "decision": "return",
            "challenge-SCH-HEALTH": "yes",
            "comment-SCH-HEALTH": "Which service?",
        },
    )
    revision = client_for(editor).post(f"/declarations/{declaration.pk}/revise/")
    revision_pk = int(revision["Location"].split("/")[2])
    html = (
        client_for(editor)
        .get(f"/declarations/{revision_pk}/questions/SCH-HEALTH/")
        .content.decode()
    )
    assert "Your integrated care board challenged this answer" in html
    assert "Which service?" in html and "Ines ICB" in html
    assert "Your local authority challenged" not in html
    html = client_for(editor).get(f"/declarations/{revision_pk}/tasks/").content.decode()
    assert "Your local authority returned revision 1 with comments." in html
    assert "Your integrated care board returned the answers about health in revision 1" in html


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
    scoring_services = pytest.importorskip("scoring.services")
    client = client_for(editor)
    html = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "being scored" in html and "Open gaps" not in html
    scoring_services.score_declaration(declaration_id=submitted.pk)
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
    icb_officer = User.objects.create_user("icb@example.org", "pw-for-tests-123")
    grant_role(user=icb_officer, role=Role.ICB_OFFICER, scope=icb_provider.icb)
    html = client_for(icb_officer).get(f"/providers/{icb_provider.pk}/self-audit/").content.decode()
    assert "your local authority can review it" not in html
    assert "integrated care board officers can review its answers about health" in html
