"""Providers in an area with a local standard answer one declaration: the national sections,
then the area's, against the pair of versions they began with."""

from __future__ import annotations

import copy

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import grant_role
from audits.models import Declaration, DeclarationStatus
from audits.selectors import declaration_progress, declaration_target
from audits.services import start_declaration, start_revision, submit_declaration
from standards.services import load_version, publish_version
from tests.audits.pages import client_for, post_answer
from tests.providers.factories import ProviderFactory
from tests.standards.builders import as_yaml, make_version
from tests.standards.test_local_standards import local_doc, national_with_thresholds, raised

pytestmark = pytest.mark.django_db

SLUG = "send-statutory-baseline"


def national_doc(version: str = "1.0"):
    doc = copy.deepcopy(national_with_thresholds())
    doc["standard"]["slug"] = SLUG
    doc["version"] = version
    return doc


@pytest.fixture
def national():
    return make_version(national_doc(), publish=True)


@pytest.fixture
def local(national, school):
    doc = local_doc(raised(), area=school.area.code, extends={"slug": SLUG, "version": "1.0"})
    load_version(text=as_yaml(doc))
    return publish_version(slug="testshire-local", version="1.0")


def test_the_target_is_the_national_version_and_the_areas_local_one(local, national, school):
    target = declaration_target(provider=school)
    assert (target.version, target.local_version) == (national, local)
    other = ProviderFactory()  # another area: no local standard
    assert declaration_target(provider=other).local_version is None


def test_local_sections_are_asked_after_the_national_ones_and_marked(national, school, editor):
    extra = {
        "key": "TESTSHIRE-PROVISION-MAP",
        "title": "Provision map kept",
        "question": "Do you keep a provision map?",
        "theme": "ordinarily_available_provision",
        "applies_to": [str(school.provider_type)],
        "strength": "good_practice",
        "answer": {"type": "yes_no"},
        "rule": {"op": "is_yes"},
        "citations": [{"document": "Local offer", "reference": "OAP 1"}],
    }
    doc = local_doc(
        extra, raised(), area=school.area.code, extends={"slug": SLUG, "version": "1.0"}
    )
    load_version(text=as_yaml(doc))
    local = publish_version(slug="testshire-local", version="1.0")
    declaration = start_declaration(provider=school, user=editor).declaration
    assert declaration.local_version == local
    keys = list(declaration.answers.values_list("requirement_key", flat=True))
    assert "TESTSHIRE-PROVISION-MAP" in keys and "TESTSHIRE-STAFF-TRAINED" not in keys
    progress = declaration_progress(declaration=declaration)
    assert [s.is_local for s in progress.sections][-1] is True
    assert not any(s.is_local for s in progress.sections[:-1])
    assert progress.sections[-1].section.code == "TESTSHIRE-OAP"
    client: Client = client_for(editor)
    html = client.get(f"/declarations/{declaration.pk}/tasks/").content.decode()
    assert f"{school.area.name}'s local standard: " in html
    assert "and Ownshire's local standard, Testshire version 1.0" in html
    assert html.index("Leadership") < html.index("Testshire ordinarily available provision")
    home = client.get(f"/providers/{school.pk}/self-audit/").content.decode()
    assert "Testshire version 1.0" in home
    question = client.get(f"/declarations/{declaration.pk}/questions/TESTSHIRE-PROVISION-MAP/")
    assert question.status_code == 200
    assert "Ownshire's local standard: Testshire ordinarily available provision" in (
        question.content.decode()
    )
    national_question = client.get(f"/declarations/{declaration.pk}/questions/SCH-STAFF-TRAINED/")
    assert national_question.status_code == 200
    assert "local standard:" not in national_question.content.decode()


def test_a_new_national_version_without_a_local_one_means_the_national_part_only(
    local, national, school, editor
):
    begun = start_declaration(provider=school, user=editor).declaration
    new = make_version(national_doc("1.1"), publish=True)
    # The declaration already begun keeps its pair.
    target = declaration_target(provider=school)
    assert (target.version, target.local_version) == (national, local)
    # A provider starting now declares against 1.1, the national part only, and is told why.
    other = ProviderFactory(area=school.area, provider_type=school.provider_type)
    target = declaration_target(provider=other)
    assert (target.version, target.local_version) == (new, None)
    assert "extends Test standard version 1.0, not Test standard version 1.1" in (
        target.national_only_reason
    )
    assert "national standard only" in target.national_only_reason
    assert begun.local_version == local
    # The self-audit page says why.
    other_editor = User.objects.create_user("other@example.org", "pw-for-tests-123")
    grant_role(user=other_editor, role=Role.PROVIDER_EDITOR, scope=other)
    home = client_for(other_editor).get(f"/providers/{other.pk}/self-audit/")
    assert home.status_code == 200
    assert "declare against the national standard only" in home.content.decode()


def test_a_revision_keeps_the_local_version(local, national, school, editor):
    declaration = start_declaration(provider=school, user=editor).declaration
    Declaration.objects.filter(pk=declaration.pk).update(
        status=DeclarationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    make_version(national_doc("1.1"), publish=True)
    revision = start_revision(declaration=declaration, user=editor).declaration
    assert revision.pk != declaration.pk
    assert (revision.version, revision.local_version) == (national, local)


def test_the_provider_answers_and_submits_both_parts_on_the_pages(national, school, editor):
    extra = {
        "key": "TESTSHIRE-PROVISION-MAP",
        "title": "Provision map kept",
        "question": "Do you keep a provision map?",
        "theme": "ordinarily_available_provision",
        "applies_to": [str(school.provider_type)],
        "strength": "good_practice",
        "answer": {"type": "yes_no"},
        "rule": {"op": "is_yes"},
        "citations": [{"document": "Local offer", "reference": "OAP 1"}],
    }
    doc = local_doc(
        extra, raised(), area=school.area.code, extends={"slug": SLUG, "version": "1.0"}
    )
    load_version(text=as_yaml(doc))
    publish_version(slug="testshire-local", version="1.0")
    declaration = start_declaration(provider=school, user=editor).declaration
    client = client_for(editor)
    posts = {
        "SCH-POLICY-URL": {"value": "https://school.example.org/sen"},
        "SCH-POLICY-REVIEWED": {"value-day": "1", "value-month": "9", "value-year": "2026"},
        "SCH-STAFF-TRAINED": {"value": "85"},
    }
    for key, data in posts.items():
        assert post_answer(client, declaration, key, data).status_code == 302, key
    # The national part alone is not the whole declaration.
    assert not declaration_progress(declaration=declaration).is_complete
    response = post_answer(client, declaration, "TESTSHIRE-PROVISION-MAP", {"value": "yes"})
    assert response.status_code == 302
    assert declaration_progress(declaration=declaration).is_complete
    submitted = submit_declaration(declaration=declaration, user=editor)
    assert submitted.status == DeclarationStatus.SUBMITTED
    answer = submitted.answers.get(requirement_key="TESTSHIRE-PROVISION-MAP")
    assert answer.value is True
