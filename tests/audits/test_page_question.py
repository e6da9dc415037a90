"""The question pages: one question per page, its answer, errors, and two people editing."""

from decimal import Decimal

import pytest

from accounts.models import Role
from accounts.services import grant_role
from audits.answers import AnswerInput
from audits.models import AnswerChange, Declaration
from audits.services import (
    save_answer,
    submit_declaration,
    today,
)
from audits.templatetags.audits_tags import long_datetime
from tests.accounts.factories import UserFactory
from tests.audits.pages import (
    COMPLETE_POSTS,
    THIS_YEAR,
    client_for,
    complete,
    post_answer,
    question_url,
    row_version,
    title,
)

pytestmark = pytest.mark.django_db


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


def test_saving_over_someone_elses_change_is_refused_and_shows_the_current_answer(
    school, draft, editor
):
    colleague = UserFactory(
        email="senco@example.org", password="pw-for-tests-123", full_name="Sam Senco"
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


def test_a_save_after_someone_else_submitted_says_who_and_when_and_keeps_the_answer(
    school, draft, editor
):
    colleague = UserFactory(
        email="senco@example.org", password="pw-for-tests-123", full_name="Sam Senco"
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
