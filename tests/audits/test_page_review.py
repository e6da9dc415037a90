"""Reviewing a declaration: the review page and the list of declarations to review."""

import pytest

from accounts.models import Role
from accounts.services import grant_role
from audits.models import Declaration, ReviewStatus
from audits.services import (
    review_declaration,
    submit_declaration,
)
from tests.accounts.factories import UserFactory
from tests.audits.factories import health_version
from tests.audits.pages import (
    client_for,
    title,
)

pytestmark = pytest.mark.django_db


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
    icb_officer = UserFactory(email="icb@example.org", password="pw-for-tests-123")
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
    page = client.get(f"/declarations/{submitted.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/declarations/{revision.pk}/" in html and "Review this declaration" not in html
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
    icb_officer = UserFactory(
        email="icb@example.org", password="pw-for-tests-123", full_name="Ines ICB"
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
