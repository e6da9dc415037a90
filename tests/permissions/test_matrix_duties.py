"""Separation of duties and what a health-only reader is shown, through every door.

Nobody reviews a declaration they submitted or whose answers they changed: an authority's own
declaration is reviewed by another officer of the area or a site admin, an ICB's own health
answers by another officer of that ICB. The service refuses, and the pages and the API refuse
the same way with the same reason (403; 404 for what the person cannot see).

An ICB officer who sees a school only through the ICB reads its health answers only: no overall
score or "every must met" on the self-audit page, no area review comment on the declaration page
or in the API.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.services import grant_role
from api.services import create_token
from audits.models import AnswerChange, Declaration, DeclarationStatus
from audits.services import ReviewRefused, review_declaration, start_revision
from providers import visibility
from scoring.services import score_declaration
from scoring.specs import clear_caches
from tests.audits.factories import make_declaration
from tests.permissions.world import PASSWORD, ROLES, World, build_world
from tests.standards.builders import document, make_version

REVIEWS = "reviews"
SUBMITTED = "You submitted this declaration"
CHANGED = "You changed answers in this declaration"
NOT_FOUND = "not found"

SCHOOL_HEALTH = {
    "key": "SCH-HEALTH-ADVICE",
    "title": "Health advice sought",
    "question": "Do you ask health professionals for advice?",
    "theme": "health",
    "applies_to": ["mainstream_school"],
    "strength": "should",
    "answer": {"type": "yes_no"},
    "rule": {"op": "is_yes"},
    "citations": [{"document": "Doc", "reference": "1"}],
}
ICB_HEALTH = {
    **SCHOOL_HEALTH,
    "key": "ICB-HEALTH-OFFER",
    "title": "Health offer published",
    "question": "Has the ICB published its health offer?",
    "applies_to": ["integrated_care_board"],
}


@dataclass
class DutiesWorld:
    world: World
    users: dict[str, User]
    declarations: dict[str, Declaration]


def _officer(email: str, role: str, scope) -> User:
    user = User.objects.create_user(email, PASSWORD)
    grant_role(user=user, role=role, scope=scope)
    return user


def _submitted_by(declaration: Declaration, user: User) -> Declaration:
    Declaration.objects.filter(pk=declaration.pk).update(
        status=DeclarationStatus.SUBMITTED, submitted_by=user, submitted_at=timezone.now()
    )
    declaration.refresh_from_db()
    return declaration


def _changed_by(declaration: Declaration, user: User) -> None:
    """The answers' history records `user` changing one of them."""
    answer = declaration.answers.first()
    AnswerChange.objects.create(answer=answer, changed_by=user, old={}, new={"value": True})


@pytest.fixture
def duties(db) -> DutiesWorld:
    cache.clear()
    world = build_world()
    doc = document()
    doc["standard"]["slug"] = "send-statutory-baseline"
    doc["sections"][0]["requirements"] += [SCHOOL_HEALTH, ICB_HEALTH]
    version = make_version(doc, publish=True)
    users = {
        "area officer": world.users[Role.AREA_OFFICER],
        "another area officer": _officer("area2@example.org", Role.AREA_OFFICER, world.area),
        "ICB officer": world.users[Role.ICB_OFFICER],
        "another officer of the ICB": _officer("icb2@example.org", Role.ICB_OFFICER, world.icb),
        "officer of another ICB": _officer("icb3@example.org", Role.ICB_OFFICER, world.other_icb),
        "site admin": world.users[Role.SITE_ADMIN],
    }
    la_offer = {"LA-LOCAL-OFFER": True}

    # The authority's own declaration, filled in and submitted by one of its area officers.
    la_own = make_declaration(provider=world.la, version=version, answers=la_offer)
    _changed_by(la_own, users["area officer"])
    _submitted_by(la_own, users["area officer"])
    # Another year's: one officer changed its answers, the other submitted it.
    la_changed = make_declaration(
        provider=world.la, version=version, answers=la_offer, period="2025/26"
    )
    _changed_by(la_changed, users["area officer"])
    _submitted_by(la_changed, users["another area officer"])
    # A revision whose answers were copied from a revision the first officer changed.
    first = make_declaration(provider=world.la, version=version, answers=la_offer, period="2024/25")
    _changed_by(first, users["area officer"])
    _submitted_by(first, users["another area officer"])
    revision = start_revision(declaration=first, user=users["another area officer"]).declaration
    _submitted_by(revision, users["another area officer"])
    # The ICB's own declaration, submitted by one of its officers.
    icb_own = make_declaration(
        provider=world.icb_provider, version=version, answers={"ICB-HEALTH-OFFER": True}
    )
    _changed_by(icb_own, users["ICB officer"])
    _submitted_by(icb_own, users["ICB officer"])
    # A school's, submitted by a site admin on its behalf.
    school = make_declaration(
        provider=world.school,
        version=version,
        answers={"SCH-POLICY-URL": "https://own.example.org/sen", "SCH-HEALTH-ADVICE": True},
    )
    _submitted_by(school, users["site admin"])
    return DutiesWorld(
        world=world,
        users=users,
        declarations={
            "the authority's own": la_own,
            "the authority's, changed by one officer": la_changed,
            "the authority's revision": revision,
            "the ICB's own": icb_own,
            "a school's, submitted by a site admin": school,
        },
    )


CASES = [
    ("the authority's own", "area officer", SUBMITTED),
    ("the authority's own", "another area officer", REVIEWS),
    ("the authority's own", "site admin", REVIEWS),
    ("the authority's, changed by one officer", "area officer", CHANGED),
    ("the authority's, changed by one officer", "another area officer", SUBMITTED),
    ("the authority's, changed by one officer", "site admin", REVIEWS),
    ("the authority's revision", "area officer", CHANGED),
    ("the authority's revision", "site admin", REVIEWS),
    ("the ICB's own", "ICB officer", SUBMITTED),
    ("the ICB's own", "another officer of the ICB", REVIEWS),
    ("the ICB's own", "officer of another ICB", NOT_FOUND),
    ("the ICB's own", "site admin", REVIEWS),
    ("a school's, submitted by a site admin", "site admin", SUBMITTED),
    ("a school's, submitted by a site admin", "area officer", REVIEWS),
    ("a school's, submitted by a site admin", "ICB officer", REVIEWS),
]


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reviewed(declaration: Declaration) -> bool:
    declaration.refresh_from_db()
    return "accepted" in (declaration.review_status, declaration.health_review_status)


@pytest.mark.parametrize(
    ("which", "who", "expected"), CASES, ids=[f"{w} by {u}" for w, u, _ in CASES]
)
def test_who_reviews_what_through_every_door(
    duties: DutiesWorld, which: str, who: str, expected: str
) -> None:
    declaration = duties.declarations[which]
    user = duties.users[who]
    pk = declaration.pk
    refused = expected in (SUBMITTED, CHANGED)

    # The one rule, in the permissions module.
    reason = visibility.review_refusal(user=user, declaration=declaration)
    assert visibility.may_review(user=user, declaration=declaration) == (expected == REVIEWS)
    if refused:
        assert reason is not None and reason.startswith(expected)
        if declaration.provider.provider_type == "local_authority":
            assert reason.endswith("another officer of the area, or a site admin.")
        if declaration.provider.provider_type == "integrated_care_board":
            assert reason.endswith("another officer of the integrated care board.")

    # The declaration page: the review button, or why not.
    client = _signed_in(user)
    page = client.get(f"/declarations/{pk}/")
    if expected == NOT_FOUND:
        assert page.status_code == 404
    else:
        assert page.status_code == 200
        html = page.content.decode()
        assert ("Review this declaration" in html) == (expected == REVIEWS)
        assert (reason is not None and reason in html) == refused

    # The list of declarations to review: a link to review it, or why not.
    listed = client.get("/reviews/?status=all").content.decode()
    review_link = f'href="/declarations/{pk}/review/"'
    assert (review_link in listed) == (expected == REVIEWS)
    if refused:
        assert f'href="/declarations/{pk}/"' in listed
        assert "Your own work: someone else reviews it" in listed

    # The review page: the form, or why not (and no form).
    review_page = client.get(f"/declarations/{pk}/review/")
    html = review_page.content.decode()
    if expected == REVIEWS:
        assert review_page.status_code == 200 and 'name="decision"' in html
    elif refused:
        assert review_page.status_code == 403
        assert reason in html and 'name="decision"' not in html
    else:
        assert review_page.status_code == 404

    # The API, through the same service.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token(user=user, name='duties').raw}")
    declaration.refresh_from_db()
    answer = api.post(
        f"/api/v1/declarations/{pk}/review/",
        {"decision": "accept"},
        format="json",
        HTTP_IF_MATCH=declaration.etag,
    )
    if expected == REVIEWS:
        assert answer.status_code == 200, answer.json()
        assert _reviewed(declaration)
    elif refused:
        assert answer.status_code == 403
        assert answer.json()["detail"] == reason
        assert not _reviewed(declaration)
    else:
        assert answer.status_code == 404

    # The review form's post, and the service itself.
    posted = client.post(f"/declarations/{pk}/review/", {"decision": "accept"})
    if expected == REVIEWS:
        assert posted.status_code == 302 and _reviewed(declaration)
        review_declaration(declaration=declaration, reviewer=user, accept=True)
    else:
        assert posted.status_code == (403 if refused else 404)
        assert not _reviewed(declaration)
        with pytest.raises(ReviewRefused) as refusal:
            review_declaration(declaration=declaration, reviewer=user, accept=True)
        if refused:
            assert str(refusal.value) == reason
        assert not _reviewed(declaration)


# ---- what a health-only reader is shown -----------------------------------------------------

SEES_OWN_SCHOOL = [
    Role.PROVIDER_EDITOR,
    Role.PROVIDER_VIEWER,
    Role.TRUST_OFFICER,
    Role.AREA_OFFICER,
    Role.ICB_OFFICER,
    Role.NATIONAL_ANALYST,
    Role.SITE_ADMIN,
]
assert set(SEES_OWN_SCHOOL) <= set(ROLES)


def _school_version():
    doc = document()
    doc["standard"]["slug"] = "send-statutory-baseline"
    doc["sections"][0]["requirements"].append(SCHOOL_HEALTH)
    return make_version(doc, publish=True)


def _school_declaration(world: World) -> Declaration:
    return make_declaration(
        provider=world.school,
        version=_school_version(),
        answers={"SCH-POLICY-URL": "https://own.example.org/sen", "SCH-HEALTH-ADVICE": True},
        submitted=True,
    )


@pytest.fixture
def scored_world(world: World):
    clear_caches()
    score_declaration(declaration_id=_school_declaration(world).pk)
    yield world
    clear_caches()


@pytest.mark.parametrize("role", SEES_OWN_SCHOOL)
def test_the_self_audit_page_gives_a_health_only_reader_no_score(
    scored_world: World, role: str
) -> None:
    response = _signed_in(scored_world.users[role]).get(
        f"/providers/{scored_world.school.pk}/self-audit/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open gaps" in html  # the summary is there, for every reader
    shows_score = role != Role.ICB_OFFICER
    assert ('<dt class="govuk-summary-list__key">Score</dt>' in html) == shows_score
    assert ("Every legal duty (must) met" in html) == shows_score


AREA_COMMENT = "The area asks for the date of the policy review."
AREA_ANSWER_COMMENT = "The area asks who gave the health advice."
HEALTH_COMMENT = "The ICB accepts the health answers."


@pytest.fixture
def commented(world: World) -> Declaration:
    declaration = _school_declaration(world)
    review_declaration(
        declaration=declaration,
        reviewer=world.users[Role.AREA_OFFICER],
        accept=False,
        challenges={"SCH-HEALTH-ADVICE": AREA_ANSWER_COMMENT},
        comment=AREA_COMMENT,
    )
    review_declaration(
        declaration=declaration,
        reviewer=world.users[Role.ICB_OFFICER],
        accept=True,
        comment=HEALTH_COMMENT,
    )
    cache.clear()
    return declaration


@pytest.mark.parametrize("role", SEES_OWN_SCHOOL)
def test_a_health_only_reader_sees_no_area_review_comment(
    world: World, commented: Declaration, role: str
) -> None:
    user = world.users[role]
    shows_comment = role != Role.ICB_OFFICER
    page = _signed_in(user).get(f"/declarations/{commented.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (AREA_COMMENT in html) == shows_comment
    assert (AREA_ANSWER_COMMENT in html) == shows_comment
    assert "Health advice sought" in html and HEALTH_COMMENT in html
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token(user=user, name='read').raw}")
    response = api.get(f"/api/v1/declarations/{commented.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["review_comment"] == (AREA_COMMENT if shows_comment else "")
    assert body["health_review_comment"] == HEALTH_COMMENT
    health_answer = {a["requirement_key"]: a for a in body["answers"]}["SCH-HEALTH-ADVICE"]
    assert health_answer["review_state"] == "challenged"
    assert health_answer["review_comment"] == (AREA_ANSWER_COMMENT if shows_comment else "")
    assert body["answers_scope"] == ("all" if shows_comment else "health")
