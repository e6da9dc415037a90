"""The demo declarations: realistic, deterministic, complete where submitted, and idempotent."""

import io
import random
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import User
from audits.demo import seed_demo_declarations
from audits.demo_update import needs_provided_for
from audits.models import Answer, AnswerChange, Declaration, DeclarationRound
from audits.selectors import declaration_progress
from audits.services import check_complete, today
from providers.demo import DEMO_HEADTEACHER_SCHOOL_URN
from standards.rules import NotApplicable, RuleError, evaluate
from standards.services import load_version, publish_version
from standards.vocabulary import ProviderType
from tests.accounts.factories import UserFactory
from tests.providers.factories import AreaFactory, ProviderFactory

pytestmark = pytest.mark.django_db

STANDARD_FILE = Path(settings.BASE_DIR) / "standards" / "data" / "send-statutory-baseline-1.0.yaml"


@pytest.fixture
def demo_world(db):
    load_version(text=STANDARD_FILE.read_text(encoding="utf-8"))
    publish_version(slug="send-statutory-baseline", version="1.0")
    westminster = AreaFactory(code="213", name="Westminster")
    brighton = AreaFactory(code="846", name="Brighton and Hove")
    elsewhere = AreaFactory(code="150", name="Not a demo area")
    ProviderFactory(
        urn=DEMO_HEADTEACHER_SCHOOL_URN, name="Edward Wilson Primary School", area=westminster
    )
    for n in range(24):
        ProviderFactory(name=f"Demo School {n}", area=westminster if n % 2 else brighton)
    for n in range(3):
        ProviderFactory(
            name=f"Demo Nursery {n}", area=brighton, provider_type=ProviderType.EARLY_YEARS_SETTING
        )
    ProviderFactory(
        name="Demo College", area=westminster, provider_type=ProviderType.FURTHER_EDUCATION_COLLEGE
    )
    ProviderFactory(name="Westminster", area=westminster, local_authority=True)
    ProviderFactory(name="Closed School", area=westminster, status="closed")
    ProviderFactory(name="Faraway School", area=elsewhere)
    UserFactory(email="headteacher@example.org", password="pw-for-tests-123")
    UserFactory(email="officer@example.org", password="pw-for-tests-123")


def snapshot() -> list[tuple]:
    return sorted(
        Answer.objects.values_list(
            "declaration__provider__name",
            "requirement_key",
            "value_bool",
            "value_number",
            "value_date",
            "value_text",
            "not_applicable",
            "evidence_url",
            "review_state",
        )
    )


def test_seed_makes_submitted_declarations_drafts_and_the_headteachers_draft(demo_world):
    out = io.StringIO()
    counts = seed_demo_declarations(stdout=out)
    assert "Demo declarations:" in out.getvalue()
    assert counts["submitted"] > counts["drafts"] > 0
    assert counts["submitted"] + counts["drafts"] + counts["not_started"] == 30
    assert not Declaration.objects.filter(
        provider__name__in=["Closed School", "Faraway School"]
    ).exists()

    for declaration in Declaration.objects.filter(status="submitted"):
        missing, errors = check_complete(declaration)
        assert not missing, (declaration, errors)
        assert declaration.submitted_at is not None

    head = Declaration.objects.get(provider__urn=DEMO_HEADTEACHER_SCHOOL_URN)
    assert head.is_draft and head.created_by.email == "headteacher@example.org"
    statuses = [s.status for s in declaration_progress(declaration=head).sections]
    assert (
        statuses[0] == "Completed" and "In progress" in statuses and "Not yet started" in statuses
    )
    assert (
        AnswerChange.objects.filter(answer__declaration=head).count()
        == declaration_progress(declaration=head).answered
    )

    declaration_round = DeclarationRound.objects.get(area__code="213")
    assert declaration_round.deadline.month == 3
    assert head.round == declaration_round
    reviewed = Declaration.objects.exclude(review_status="not_reviewed")
    assert reviewed.exists() and all(d.provider.area.code == "213" for d in reviewed)
    for returned in reviewed.filter(review_status="returned"):
        assert (
            returned.answers.filter(review_state="challenged").exclude(review_comment="").exists()
        )


def test_answers_are_plausible(demo_world):
    seed_demo_declarations()
    urls = Answer.objects.exclude(value_text="").filter(answer_type="url")
    assert urls.exists() and all(
        u.value_text.startswith("https://www.") and ".example.org/send" in u.value_text
        for u in urls
    )
    percentages = Answer.objects.filter(
        requirement__answer_options__unit="%", value_number__isnull=False
    )
    assert all(0 <= p.value_number <= 100 for p in percentages)
    dates = Answer.objects.filter(value_date__isnull=False).values_list("value_date", flat=True)
    assert min(dates).year >= 2020 and max(dates) <= today().replace(year=today().year + 5)


def test_compliance_varies_between_providers(demo_world):
    seed_demo_declarations()
    rates = []
    on = today()
    for declaration in Declaration.objects.filter(status="submitted"):
        answers = list(declaration.answers.select_related("requirement"))
        values = {a.requirement_key: a.value for a in answers if not a.not_applicable}
        passed = judged = 0
        for answer in answers:
            if answer.not_applicable:
                continue
            try:
                ok = evaluate(answer.requirement.rule, answer.value, on=on, answers=values)
            except (NotApplicable, RuleError):
                continue
            judged += 1
            passed += ok
        rates.append(passed / judged)
    assert min(rates) < 0.7 < 0.85 < max(rates)


def test_seeding_again_changes_nothing_and_is_deterministic(demo_world):
    seed_demo_declarations()
    first = snapshot()
    declarations = list(
        Declaration.objects.order_by("pk").values_list("pk", "status", "review_status")
    )
    counts = seed_demo_declarations()
    assert counts["submitted"] == counts["drafts"] == counts["answers"] == counts["rounds"] == 0
    assert counts["skipped"] == Declaration.objects.filter(revision=1).count()
    assert snapshot() == first
    assert (
        list(Declaration.objects.order_by("pk").values_list("pk", "status", "review_status"))
        == declarations
    )

    # From scratch, the same answers again.
    AnswerChange.objects.all().delete()
    Declaration.objects.filter(revision=2).delete()
    Declaration.objects.all().delete()
    seed_demo_declarations()
    assert snapshot() == first


def test_some_providers_submit_a_second_revision_that_puts_things_right(demo_world):
    from audits.demo_answers import passes

    counts = seed_demo_declarations()
    revisions = Declaration.objects.filter(revision=2).select_related("revises")
    assert counts["revisions"] == revisions.count() > 0
    on = today()

    def failing(declaration):
        answers = list(declaration.answers.select_related("requirement"))
        values = {a.requirement_key: a.value for a in answers if not a.not_applicable}
        return {
            a.requirement_key
            for a in answers
            if not a.not_applicable and passes(a.requirement, a.value, on, values) is False
        }

    fewer = 0
    for revision in revisions:
        first = revision.revises
        assert revision.status == first.status == "submitted"
        assert revision.submitted_at > first.submitted_at
        assert first.review_status != "accepted"
        assert not check_complete(revision)[0]
        assert failing(revision) <= failing(first)
        fewer += len(failing(revision)) < len(failing(first))
    assert fewer > 0


def test_the_headteachers_school_has_last_years_declaration_submitted_and_reviewed(demo_world):
    from audits.demo_last_year import last_period, seed_last_year

    UserFactory(email="icb@example.org", password="pw-for-tests-123")
    seed_demo_declarations()
    assert seed_last_year() == 1
    period, _ = last_period(today())
    school = Declaration.objects.filter(provider__urn=DEMO_HEADTEACHER_SCHOOL_URN)
    last = school.get(period=period)
    assert last.status == "submitted" and last.review_status == "accepted"
    assert last.submitted_by.email == "headteacher@example.org"
    assert last.reviewed_by.email == "officer@example.org"
    assert not check_complete(last)[0]
    assert school.exclude(period=period).get().is_draft
    # Again: nothing more.
    assert seed_last_year() == 0
    assert school.count() == 2


def test_without_a_published_standard_nothing_is_created(db):
    out = io.StringIO()
    assert seed_demo_declarations(stdout=out)["submitted"] == 0
    assert "No published default standard" in out.getvalue()
    assert not Declaration.objects.exists()


def test_submitted_declarations_name_a_demo_sign_in_who_could_have_submitted_them(demo_world):
    from accounts.models import Role
    from accounts.services import grant_role
    from providers.models import Area

    officer = User.objects.get(email="officer@example.org")
    grant_role(user=officer, role=Role.AREA_OFFICER, scope=Area.objects.get(code="213"))
    seed_demo_declarations()
    council = Declaration.objects.get(provider__name="Westminster")
    assert council.status == "submitted" and council.submitted_by == officer
    # Nobody among the demo sign-ins edits the other schools: they name no one.
    others = Declaration.objects.filter(status="submitted").exclude(pk=council.pk)
    assert others.exists() and not others.exclude(submitted_by=None).exists()


CHOICES = ["asd", "slcn", "mld", "sld", "pmld", "spld", "semh", "hi", "vi", "msi", "pd", "oth"]


@pytest.mark.parametrize(
    ("provider_type", "gias", "must_have", "only"),
    [
        # a special school provides for what GIAS lists, and only that
        (
            "special_school",
            ["ASD - Autistic Spectrum Disorder", "SLD - Severe Learning Difficulty"],
            {"asd", "sld"},
            True,
        ),
        # a mainstream school's GIAS types are its resourced provision's: the rest come too
        (
            "mainstream_school",
            ["HI - Hearing Impairment"],
            {"hi", "asd", "slcn", "mld", "spld", "semh"},
            False,
        ),
        ("mainstream_school", [], {"asd", "slcn", "mld", "spld", "semh"}, False),
        # GIAS writes codes in varying case; unknown names are left out
        (
            "special_school",
            ["SPLD - Specific Learning Difficulty", "XYZ - Unknown"],
            {"spld"},
            True,
        ),
    ],
)
def test_the_kinds_of_needs_a_demo_school_declares_come_from_gias(
    provider_type, gias, must_have, only
):
    school = ProviderFactory.build(provider_type=provider_type, sen_provision_types=gias)
    chosen = needs_provided_for(school, CHOICES, random.Random(1))
    assert must_have <= set(chosen)
    assert chosen == [c for c in CHOICES if c in chosen]  # in the requirement's order
    if only:
        assert set(chosen) == must_have
