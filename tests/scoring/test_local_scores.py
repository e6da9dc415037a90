"""A declaration with the area's local standard is scored twice: the national score by the
national rules, and the local score by the area's own requirements and raised thresholds."""

from __future__ import annotations

import copy

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import grant_role
from audits.models import Answer, Declaration, DeclarationStatus
from scoring.models import CurrentResult, Gap
from scoring.services import score_declaration
from scoring.specs import clear_caches
from standards.services import load_version, publish_version
from tests.standards.builders import as_yaml, make_version
from tests.standards.test_local_standards import local_doc, national_with_thresholds, raised

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    clear_caches()


@pytest.fixture
def pair(school):
    national = make_version(copy.deepcopy(national_with_thresholds()), publish=True)
    extra = {
        "key": "TESTSHIRE-PROVISION-MAP",
        "title": "Provision map kept",
        "question": "Do you keep a provision map?",
        "theme": "ordinarily_available_provision",
        "applies_to": ["mainstream_school"],
        "strength": "should",
        "answer": {"type": "yes_no"},
        "rule": {"op": "is_yes"},
        "citations": [{"document": "Local offer", "reference": "OAP 1"}],
    }
    load_version(text=as_yaml(local_doc(extra, raised(), area=school.area.code)))
    local = publish_version(slug="testshire-local", version="1.0")
    return national, local


def submitted(school, national, local, *, trained: int, provision_map: bool) -> Declaration:
    declaration = Declaration.objects.create(
        provider=school,
        version=national,
        local_version=local,
        period="2026/27",
        status=DeclarationStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    values = {
        "SCH-POLICY-URL": "https://example.org/policy",
        "SCH-POLICY-REVIEWED": timezone.localdate(),
        "SCH-STAFF-TRAINED": trained,
        "TESTSHIRE-PROVISION-MAP": provision_map,
    }
    rows = []
    for version in (national, local):
        for requirement in version.requirements.exclude(raises__gt=""):
            if "mainstream_school" not in requirement.applies_to:
                continue
            row = Answer(
                declaration=declaration,
                requirement=requirement,
                requirement_key=requirement.key,
                answer_type=requirement.answer_type,
            )
            row.set_value(values[requirement.key])
            rows.append(row)
    Answer.objects.bulk_create(rows)
    return declaration


def outcomes(school, version) -> dict[str, str]:
    current = CurrentResult.objects.select_related("run__layout").get(
        provider=school, version=version
    )
    return dict(zip(current.run.layout.keys, current.run.outcomes, strict=True))


def test_the_national_score_uses_the_national_rule_and_the_local_score_the_raised_one(school, pair):
    national, local = pair
    declaration = submitted(school, national, local, trained=85, provision_map=False)
    score_declaration(declaration_id=declaration.pk, on=timezone.localdate())
    national_outcomes = outcomes(school, national)
    local_outcomes = outcomes(school, local)
    # 85% meets the national 80% ...
    assert national_outcomes["SCH-STAFF-TRAINED"] == "p"
    # ... and not the area's 90%, judged on the same, single answer.
    assert local_outcomes["TESTSHIRE-STAFF-TRAINED"] == "f"
    assert local_outcomes["TESTSHIRE-PROVISION-MAP"] == "f"
    # The national result has no local requirement; the local result no national one.
    assert not any(key.startswith("TESTSHIRE-") for key in national_outcomes)
    assert set(local_outcomes) == {"TESTSHIRE-PROVISION-MAP", "TESTSHIRE-STAFF-TRAINED"}
    # Gaps on local requirements belong to the local standard.
    local_gaps = Gap.objects.filter(provider=school, standard=local.standard)
    assert set(local_gaps.values_list("requirement_key", flat=True)) == {
        "TESTSHIRE-PROVISION-MAP",
        "TESTSHIRE-STAFF-TRAINED",
    }
    assert not Gap.objects.filter(provider=school, standard=national.standard).exists()


def test_the_result_page_shows_the_national_and_the_local_score_apart(school, pair):
    national, local = pair
    declaration = submitted(school, national, local, trained=95, provision_map=False)
    score_declaration(declaration_id=declaration.pk, on=timezone.localdate())
    user = User.objects.create_user("head@example.org", "pw-for-tests-123")
    grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=school)
    client = Client()
    client.force_login(user)
    html = client.get(f"/providers/{school.pk}/result/").content.decode()
    assert "Local score" in html and "Testshire version 1.0" in html
    assert "?standard=testshire-local&amp;version=1.0" in html
    local_html = client.get(
        f"/providers/{school.pk}/result/?standard=testshire-local&version=1.0"
    ).content.decode()
    assert "This is the local score" in local_html
    assert "TESTSHIRE-PROVISION-MAP" in local_html or "Provision map kept" in local_html


def test_a_re_score_of_the_local_standard_re_scores_its_declarations(school, pair):
    from scoring.models import ScoringRun
    from scoring.services import run_job_inline, start_rescore

    national, local = pair
    declaration = submitted(school, national, local, trained=95, provision_map=True)
    job = start_rescore(standard_slug="testshire-local", enqueue=False)
    assert job.provider_count == 1
    run_job_inline(job_id=job.pk)
    run = ScoringRun.objects.get(provider=school, version=local)
    assert run.declaration_id == declaration.pk
    assert outcomes(school, local) == {
        "TESTSHIRE-PROVISION-MAP": "p",
        "TESTSHIRE-STAFF-TRAINED": "p",
    }
