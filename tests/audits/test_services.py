import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role, User
from accounts.services import grant_role
from audits.answers import AnswerErrors, AnswerInput
from audits.models import (
    AnswerChange,
    AnswerReviewState,
    Declaration,
    ReviewStatus,
)
from audits.periods import next_period, period_for
from audits.selectors import declaration_progress, round_status
from audits.services import (
    IncompleteDeclaration,
    StaleAnswer,
    StaleDeclaration,
    open_round,
    review_declaration,
    save_answer,
    save_answers,
    start_declaration,
    start_revision,
    submit_declaration,
    today,
)
from audits.signals import declaration_submitted
from tests.accounts.factories import UserFactory
from tests.audits.factories import DeclarationRoundFactory, health_version, make_declaration
from tests.providers.factories import IcbAreaCoverageFactory, IcbFactory, ProviderFactory
from tests.standards.builders import document, make_version

pytestmark = pytest.mark.django_db

# Declarations may be started only for this academic year and the next (or a round's).
THIS_YEAR = period_for(today())
NEXT_YEAR = next_period(THIS_YEAR)

COMPLETE = {
    "SCH-POLICY-URL": AnswerInput(value="https://school.example.org/sen"),
    "SCH-POLICY-REVIEWED": AnswerInput(value={"day": "1", "month": "9", "year": "2026"}),
    "SCH-COUNT": AnswerInput(value="95"),
    "SCH-ONE": AnswerInput(value="a"),
    "SCH-MANY": AnswerInput(value=["a"]),
    "SCH-TEXT": AnswerInput(not_applicable=True, not_applicable_reason="We have no lead yet"),
    "SCH-YES": AnswerInput(value="yes", evidence_url="https://school.example.org/plan"),
}


def fill(declaration, user, answers=COMPLETE):
    for key, data in answers.items():
        save_answer(
            declaration=declaration,
            requirement_key=key,
            data=data,
            user=user,
            expected_row_version=None,
        )


def test_start_creates_an_answer_for_each_applicable_requirement_only(
    choices_version, school, editor
):
    result = start_declaration(provider=school, user=editor, period=THIS_YEAR)
    keys = set(result.declaration.answers.values_list("requirement_key", flat=True))
    assert result.created
    assert keys == set(COMPLETE)  # LA-LOCAL-OFFER applies to local authorities only
    assert (
        start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
        == result.declaration
    )


@pytest.mark.parametrize("period", ["0000/01", "1900/01", "9999/00", "2026-27"])
def test_start_refuses_a_period_the_pages_do_not_offer(choices_version, school, editor, period):
    with pytest.raises(ValidationError) as caught:
        start_declaration(provider=school, user=editor, period=period)
    assert list(caught.value.message_dict) == ["period"]
    assert not Declaration.objects.exists()


def test_start_accepts_this_year_the_next_and_a_round_of_the_area(
    choices_version, school, editor, officer
):
    assert start_declaration(provider=school, user=editor, period=THIS_YEAR).created
    assert start_declaration(provider=school, user=editor, period=NEXT_YEAR).created
    past = "2019/20"
    with pytest.raises(ValidationError):
        start_declaration(provider=school, user=editor, period=past)
    DeclarationRoundFactory(
        area=school.area,
        version=choices_version,
        period=past,
        deadline=dt.date(2020, 7, 31),
        opened_by=officer,
    )
    late = start_declaration(provider=school, user=editor, period=past).declaration
    assert late.period == past and late.round.period == past


def test_only_editors_can_start(choices_version, school, officer):
    other = UserFactory(email="nobody@example.org", password="pw-for-tests-123")
    with pytest.raises(PermissionDenied):
        start_declaration(provider=school, user=other, period=THIS_YEAR)


def test_save_records_history_and_bumps_versions(choices_version, school, editor):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    answer = save_answer(
        declaration=declaration,
        requirement_key="SCH-COUNT",
        data=AnswerInput(value="42.5"),
        user=editor,
        expected_row_version=1,
    )
    assert answer.value == Decimal("42.5")
    assert answer.row_version == 2
    change = AnswerChange.objects.get(answer=answer)
    assert change.old["value"] is None and change.new["value"] == "42.5"
    assert change.changed_by == editor
    declaration.refresh_from_db()
    assert declaration.row_version == 2


def test_saving_over_someone_elses_change_is_refused(choices_version, school, editor):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    save_answer(
        declaration=declaration,
        requirement_key="SCH-ONE",
        data=AnswerInput(value="a"),
        user=editor,
        expected_row_version=1,
    )
    with pytest.raises(StaleAnswer) as caught:
        save_answer(
            declaration=declaration,
            requirement_key="SCH-ONE",
            data=AnswerInput(value="b"),
            user=editor,
            expected_row_version=1,
        )
    assert caught.value.current.value == "a"
    assert declaration.answers.get(requirement_key="SCH-ONE").value == "a"


@pytest.mark.parametrize(
    ("key", "data", "field", "message"),
    [
        ("SCH-COUNT", AnswerInput(value="lots"), "value", "Enter a number"),
        ("SCH-COUNT", AnswerInput(value="101"), "value", "Enter a number that is 100% or less"),
        (
            "SCH-POLICY-URL",
            AnswerInput(value="http://insecure.example.org"),
            "value",
            "Enter a web address that starts with https://",
        ),
        (
            "SCH-POLICY-REVIEWED",
            AnswerInput(value={"day": "31", "month": "2", "year": "2026"}),
            "day",
            "The date must be a real date",
        ),
        (
            "SCH-POLICY-REVIEWED",
            AnswerInput(value={"day": "1", "month": "", "year": "2026"}),
            "month",
            "The date must include a month",
        ),
        (
            "SCH-POLICY-REVIEWED",
            AnswerInput(value={"day": "1", "month": "1", "year": "26"}),
            "year",
            "The year must include 4 numbers",
        ),
        ("SCH-ONE", AnswerInput(value="z"), "value", "Select one of the options"),
        ("SCH-MANY", AnswerInput(value=["a", "z"]), "value", "Select only the options shown"),
        (
            "SCH-TEXT",
            AnswerInput(not_applicable=True),
            "not_applicable_reason",
            "Enter why this does not apply",
        ),
        (
            "SCH-ONE",
            AnswerInput(not_applicable=True, not_applicable_reason="x"),
            "value",
            "cannot be answered “not applicable”",
        ),
        (
            "SCH-YES",
            AnswerInput(value="yes", evidence_url="ftp://x"),
            "evidence_url",
            "Enter a web address for the evidence",
        ),
    ],
)
def test_bad_answers_are_refused_with_field_errors(
    choices_version, school, editor, key, data, field, message
):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    with pytest.raises(AnswerErrors) as caught:
        save_answer(
            declaration=declaration,
            requirement_key=key,
            data=data,
            user=editor,
            expected_row_version=None,
        )
    assert message in caught.value.errors[field]
    assert not AnswerChange.objects.exists()


def test_save_and_continue_needs_an_answer(choices_version, school, editor):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    with pytest.raises(AnswerErrors) as caught:
        save_answer(
            declaration=declaration,
            requirement_key="SCH-YES",
            data=AnswerInput(),
            user=editor,
            expected_row_version=None,
            complete=True,
        )
    assert caught.value.errors == {
        "value": "Select yes or no",
        "evidence_url": "Enter a web address or a note for the evidence",
    }


def test_submit_needs_every_answer_then_signals_on_commit(
    choices_version, school, editor, django_capture_on_commit_callbacks
):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    with pytest.raises(IncompleteDeclaration) as caught:
        submit_declaration(declaration=declaration, user=editor)
    assert len(caught.value.missing) == len(COMPLETE)
    fill(declaration, editor)
    received = []
    declaration_submitted.connect(
        lambda sender, declaration_id, **kw: received.append(declaration_id),
        weak=False,
        dispatch_uid="t",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            submitted = submit_declaration(declaration=declaration, user=editor)
    finally:
        declaration_submitted.disconnect(dispatch_uid="t")
    assert submitted.status == "submitted" and submitted.submitted_by == editor
    assert received == [declaration.pk]
    assert declaration_progress(declaration=submitted).is_complete
    with pytest.raises(ValidationError):
        save_answer(
            declaration=submitted,
            requirement_key="SCH-ONE",
            data=AnswerInput(value="b"),
            user=editor,
            expected_row_version=None,
        )


def test_submit_with_a_stale_etag_is_refused(choices_version, school, editor):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(declaration, editor)
    with pytest.raises(StaleDeclaration):
        submit_declaration(declaration=declaration, user=editor, expected_row_version=1)


def test_revision_copies_answers_into_a_new_draft(choices_version, school, editor):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(declaration, editor)
    submit_declaration(declaration=declaration, user=editor)
    started = start_revision(declaration=declaration, user=editor)
    revision = started.declaration
    assert started.created
    assert revision.revision == 2 and revision.revises == declaration and revision.is_draft
    assert revision.answers.get(requirement_key="SCH-COUNT").value == Decimal("95")
    again = start_revision(declaration=declaration, user=editor)
    assert again.declaration == revision and not again.created


def test_new_version_copies_by_key_marks_attention_and_never_copies_a_changed_type(
    choices_version, school, editor
):
    first = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(first, editor)
    submit_declaration(declaration=first, user=editor)
    doc = document(version="2.0")
    doc["standard"]["slug"] = "send-statutory-baseline"
    reqs = doc["sections"][0]["requirements"]
    reqs[1]["question"] = "When did governors last review the SEN policy?"  # changed
    reqs.append(
        {
            **reqs[0],
            "key": "SCH-COUNT",
            "title": "Count as yes/no",
            "answer": {"type": "yes_no"},
            "rule": {"op": "is_yes"},
            "strength": "should",
        }
    )
    reqs.append({**reqs[0], "key": "SCH-NEW", "title": "New duty"})
    new_version = make_version(doc, publish=True)
    result = start_declaration(provider=school, user=editor, version=new_version, period=NEXT_YEAR)
    answers = {a.requirement_key: a for a in result.declaration.answers.all()}
    assert (
        answers["SCH-POLICY-URL"].value == "https://school.example.org/sen"
        and not answers["SCH-POLICY-URL"].needs_attention
    )
    assert (
        answers["SCH-POLICY-REVIEWED"].value == dt.date(2026, 9, 1)
        and answers["SCH-POLICY-REVIEWED"].needs_attention
    )
    assert answers["SCH-COUNT"].value is None and answers["SCH-COUNT"].needs_attention
    assert answers["SCH-NEW"].needs_attention
    assert result.declaration.carried_from == first


def test_save_answers_is_all_or_nothing(choices_version, school, editor):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    with pytest.raises(AnswerErrors) as caught:
        save_answers(
            declaration=declaration,
            answers={"SCH-ONE": AnswerInput(value="a"), "SCH-COUNT": AnswerInput(value="x")},
            user=editor,
            expected_declaration_version=1,
        )
    assert "SCH-COUNT.value" in caught.value.errors
    assert declaration.answers.get(requirement_key="SCH-ONE").value is None
    with pytest.raises(StaleDeclaration):
        save_answers(
            declaration=declaration, answers={}, user=editor, expected_declaration_version=7
        )


def test_area_officer_accepts_or_returns_with_comments(choices_version, school, editor, officer):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(declaration, editor)
    submit_declaration(declaration=declaration, user=editor)
    returned = review_declaration(
        declaration=declaration,
        reviewer=officer,
        accept=False,
        challenges={"SCH-COUNT": "Please show the census figure"},
    )
    assert returned.review_status == ReviewStatus.RETURNED
    challenged = returned.answers.get(requirement_key="SCH-COUNT")
    assert (
        challenged.review_state == AnswerReviewState.CHALLENGED
        and "census" in challenged.review_comment
    )
    accepted = review_declaration(declaration=declaration, reviewer=officer, accept=True)
    assert accepted.review_status == ReviewStatus.ACCEPTED
    with pytest.raises(ValidationError):
        review_declaration(declaration=declaration, reviewer=officer, accept=False, challenges={})


def test_icb_officer_reviews_health_answers_only(choices_version, school, editor):
    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=school.area)
    icb_officer = UserFactory(email="icb@example.org", password="pw-for-tests-123")
    grant_role(user=icb_officer, role=Role.ICB_OFFICER, scope=icb)
    declaration = make_declaration(provider=school, version=choices_version, submitted=True)
    with pytest.raises(ValidationError):
        review_declaration(
            declaration=declaration,
            reviewer=icb_officer,
            accept=False,
            challenges={"SCH-COUNT": "Not health"},
        )


def test_others_cannot_review(choices_version, school, editor):
    declaration = make_declaration(provider=school, version=choices_version, submitted=True)
    with pytest.raises(PermissionDenied):
        review_declaration(declaration=declaration, reviewer=editor, accept=True)


def test_rounds_show_who_has_not_submitted(choices_version, school, editor, officer):
    other = ProviderFactory(area=school.area, name="Late Primary")
    declaration_round = open_round(
        area=school.area,
        version=choices_version,
        period=THIS_YEAR,
        deadline=dt.date.today() + dt.timedelta(days=30),
        user=officer,
    )
    make_declaration(provider=school, version=choices_version, period=THIS_YEAR, submitted=True)
    status = round_status(declaration_round=declaration_round)
    assert school in status.submitted and other in status.outstanding
    with pytest.raises(ValidationError):
        open_round(
            area=school.area,
            version=choices_version,
            period=THIS_YEAR,
            deadline=dt.date.today(),
            user=officer,
        )
    with pytest.raises(PermissionDenied):
        open_round(
            area=school.area,
            version=choices_version,
            period=NEXT_YEAR,
            deadline=dt.date.today(),
            user=editor,
        )
    assert Declaration.objects.count() == 1


# ---- the reviewer's fixes ------------------------------------------------------------------------


def second_version(version: str = "2.0"):
    """The next version of the statutory baseline, superseding `choices_version`."""
    doc = document(version=version)
    doc["standard"]["slug"] = "send-statutory-baseline"
    return make_version(doc, publish=True)


def test_a_new_declaration_starts_from_the_latest_submitted_not_an_abandoned_draft(
    choices_version, school, editor
):
    # Shows only on PostgreSQL, which sorts NULLs (a draft's submitted_at) first when descending.
    submitted = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(submitted, editor)
    submit_declaration(declaration=submitted, user=editor)
    abandoned = start_declaration(provider=school, user=editor, period=NEXT_YEAR).declaration
    result = start_declaration(
        provider=school, user=editor, version=second_version(), period=NEXT_YEAR
    )
    assert result.declaration.carried_from == submitted != abandoned
    assert result.declaration.answers.get(requirement_key="SCH-POLICY-URL").value == (
        "https://school.example.org/sen"
    )


def test_a_draft_begun_before_its_version_was_superseded_is_still_returned(
    choices_version, school, editor
):
    draft = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    second_version()
    choices_version.refresh_from_db()  # now superseded
    again = start_declaration(
        provider=school, user=editor, version=choices_version, period=THIS_YEAR
    )
    assert again.declaration == draft and not again.created
    with pytest.raises(ValidationError, match="published version"):
        start_declaration(provider=school, user=editor, version=choices_version, period=NEXT_YEAR)


def test_submit_is_refused_while_an_answer_needs_attention(choices_version, school, editor):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(declaration, editor)
    declaration.answers.filter(requirement_key="SCH-ONE").update(
        needs_attention=True, attention_reason="This requirement changed"
    )
    with pytest.raises(IncompleteDeclaration) as caught:
        submit_declaration(declaration=declaration, user=editor)
    assert [a.requirement_key for a in caught.value.missing] == ["SCH-ONE"]
    assert caught.value.errors == {"SCH-ONE": {"needs_attention": "Check this answer and save it"}}
    # The API confirms an answer by sending it, even unchanged; then it can be submitted.
    save_answers(
        declaration=declaration,
        answers={"SCH-ONE": AnswerInput(value="a")},
        user=editor,
        expected_declaration_version=None,
    )
    assert submit_declaration(declaration=declaration, user=editor).status == "submitted"


def test_the_comment_on_the_whole_declaration_is_limited(choices_version, school, officer):
    declaration = make_declaration(provider=school, version=choices_version, submitted=True)
    with pytest.raises(ValidationError) as caught:
        review_declaration(
            declaration=declaration, reviewer=officer, accept=True, comment="x" * 2001
        )
    assert "comment" in caught.value.message_dict
    declaration.refresh_from_db()
    assert declaration.review_status == ReviewStatus.NOT_REVIEWED and not declaration.review_comment


def test_a_revision_superseded_by_a_later_submission_cannot_be_reviewed(
    choices_version, school, editor, officer
):
    first = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(first, editor)
    submit_declaration(declaration=first, user=editor)
    second = start_revision(declaration=first, user=editor).declaration
    # A draft revision does not supersede: the submitted revision can still be reviewed.
    review_declaration(declaration=first, reviewer=officer, accept=True)
    submit_declaration(declaration=second, user=editor)
    with pytest.raises(ValidationError, match="Revision 2 has been submitted since"):
        review_declaration(declaration=first, reviewer=officer, accept=True)
    assert review_declaration(declaration=second, reviewer=officer, accept=True).review_status == (
        ReviewStatus.ACCEPTED
    )


@pytest.fixture
def icb_officer(school) -> User:
    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=school.area)
    user = UserFactory(email="icb@example.org", password="pw-for-tests-123", full_name="Ines ICB")
    grant_role(user=user, role=Role.ICB_OFFICER, scope=icb)
    return user


def test_an_icb_review_leaves_the_area_review_and_its_challenges_alone(
    school, officer, icb_officer
):
    declaration = make_declaration(
        provider=school,
        version=health_version(),
        submitted=True,
        answers={"SCH-POLICY-URL": "https://x.example.org", "SCH-HEALTH": True},
    )
    review_declaration(
        declaration=declaration,
        reviewer=officer,
        accept=False,
        challenges={"SCH-HEALTH": "Which service?", "SCH-POLICY-URL": "Broken link"},
        comment="Please look again",
    )
    reviewed = review_declaration(declaration=declaration, reviewer=icb_officer, accept=True)
    assert (reviewed.review_status, reviewed.reviewed_by, reviewed.review_comment) == (
        ReviewStatus.RETURNED,
        officer,
        "Please look again",
    )
    assert (reviewed.health_review_status, reviewed.health_reviewed_by) == (
        ReviewStatus.ACCEPTED,
        icb_officer,
    )
    health = declaration.answers.get(requirement_key="SCH-HEALTH")
    assert (health.review_state, health.review_comment, health.reviewed_as) == (
        AnswerReviewState.CHALLENGED,
        "Which service?",
        "area",
    )

    # The other way round: the area's accept leaves the ICB's challenge where it is.
    review_declaration(
        declaration=declaration,
        reviewer=icb_officer,
        accept=False,
        challenges={"SCH-HEALTH": "Name the service"},
    )
    health.refresh_from_db()
    assert (health.reviewed_by, health.reviewed_as) == (icb_officer, "icb")
    review_declaration(declaration=declaration, reviewer=officer, accept=True)
    health.refresh_from_db()
    assert health.review_state == AnswerReviewState.CHALLENGED and health.reviewed_as == "icb"
    assert declaration.answers.get(requirement_key="SCH-POLICY-URL").review_state == "accepted"
    declaration.refresh_from_db()
    assert declaration.review_status == ReviewStatus.ACCEPTED
    assert declaration.health_review_status == ReviewStatus.RETURNED and declaration.is_returned


def test_a_round_counts_submissions_against_any_version_of_its_standard(
    choices_version, school, editor, officer
):
    other = ProviderFactory(area=school.area, name="Second Primary")
    declaration_round = open_round(
        area=school.area,
        version=choices_version,
        period=THIS_YEAR,
        deadline=today() + dt.timedelta(days=30),
        user=officer,
    )
    make_declaration(provider=school, version=choices_version, period=THIS_YEAR, submitted=True)
    new_version = second_version()
    make_declaration(provider=other, version=new_version, period=THIS_YEAR, submitted=True)
    status = round_status(declaration_round=declaration_round)
    assert set(status.submitted) == {school, other} and not status.outstanding
    # A round is for a standard and a year: not one more for the new version.
    with pytest.raises(ValidationError, match="standard and academic year"):
        open_round(
            area=school.area,
            version=new_version,
            period=THIS_YEAR,
            deadline=today() + dt.timedelta(days=30),
            user=officer,
        )
    # A declaration started against the new version belongs to the round.
    third = ProviderFactory(area=school.area, name="Third Primary")
    grant_role(user=editor, role=Role.PROVIDER_EDITOR, scope=third)
    started = start_declaration(provider=third, user=editor, version=new_version, period=THIS_YEAR)
    assert started.declaration.round == declaration_round
