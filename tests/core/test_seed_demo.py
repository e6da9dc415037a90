import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.access import access_for
from accounts.models import AuditEvent, RoleGrant, User
from accounts.selectors import authenticator
from audits.models import Answer, Declaration
from core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_totp_key
from dashboards.models import AreaSnapshot, AreaTrendPoint, OfficialStatistic, StatisticsDataset
from impact.models import ImpactPreview, ProviderImpact
from inclusion.search import DECLARED_TEXT
from providers.demo import DEMO_HEADTEACHER_SCHOOL_URN
from providers.models import Area, IntegratedCareBoard, Provider
from scoring.models import CurrentResult, Gap, GapEvent, RescoreJob, ScoringRun
from standards.models import Requirement, StandardVersion, VersionStatus

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot() -> tuple:
    return (
        list(StandardVersion.objects.values_list("id", "status", "content_hash")),
        Requirement.objects.count(),
        list(
            User.objects.order_by("email").values_list(
                "id", "email", "password", "is_staff", "is_superuser"
            )
        ),
        list(RoleGrant.objects.order_by("id").values_list("id", "user_id", "role")),
        list(
            Provider.objects.order_by("id").values_list("id", "name", "urn", "status", "updated_at")
        ),
        Area.objects.count(),
        IntegratedCareBoard.objects.count(),
        AuditEvent.objects.count(),
        list(Declaration.objects.order_by("id").values_list("id", "status", "updated_at")),
        list(ScoringRun.objects.order_by("id").values_list("id", "created_at")),
        list(CurrentResult.objects.order_by("id").values_list("id", "run_id")),
        list(Gap.objects.order_by("id").values_list("id", "status", "updated_at")),
        GapEvent.objects.count(),
        RescoreJob.objects.count(),
        list(AreaSnapshot.objects.order_by("id").values_list("id", "refreshed_at")),
        list(AreaTrendPoint.objects.order_by("id").values_list("id", "day", "result_count")),
        list(StatisticsDataset.objects.order_by("id").values_list("id", "imported_at")),
        OfficialStatistic.objects.count(),
        list(ImpactPreview.objects.values_list("id", "status")),
        ProviderImpact.objects.count(),
    )


def test_seed_loads_and_publishes_the_default_standard_and_creates_sign_ins():
    out = seed()
    versions = StandardVersion.objects.filter(standard__slug="send-statutory-baseline")
    assert versions.get(version="1.0").status == VersionStatus.SUPERSEDED
    version = versions.get(version="1.1")
    assert version.status == VersionStatus.PUBLISHED
    assert version.requirements.count() >= 100
    standards_admin = User.objects.get(email="standards@example.org")
    assert standards_admin.check_password(DEMO_PASSWORD)
    assert standards_admin.has_perm("standards.change_standardversion")
    assert User.objects.get(email="admin@example.org").is_superuser
    assert "standards@example.org" in out and DEMO_PASSWORD in out


def test_seed_enrols_the_demo_accounts_that_need_a_second_factor_with_the_demo_secret():
    out = seed()
    for email in (
        "officer@example.org",
        "icb@example.org",
        "analyst@example.org",
        "standards@example.org",
        "admin@example.org",
    ):
        device = authenticator(user=User.objects.get(email=email))
        assert device is not None and device.key == demo_totp_key(), email
    # The headteacher may choose one, and is not given one.
    assert authenticator(user=User.objects.get(email="headteacher@example.org")) is None
    assert DEMO_TOTP_SECRET in out and "manage.py demo_code EMAIL" in out
    code = io.StringIO()
    call_command("demo_code", "officer@example.org", stdout=code)
    assert len(code.getvalue().strip()) == 6 and code.getvalue().strip().isdigit()


def test_seed_creates_areas_providers_and_scoped_demo_users():
    seed()
    assert Area.objects.count() == 153
    school = Provider.objects.get(urn=DEMO_HEADTEACHER_SCHOOL_URN)
    head = access_for(User.objects.get(email="headteacher@example.org"))
    officer = access_for(User.objects.get(email="officer@example.org"))
    icb = access_for(User.objects.get(email="icb@example.org"))
    assert head.edit_provider_ids == {school.pk}
    assert officer.area_ids == {school.area_id}
    assert IntegratedCareBoard.objects.filter(
        pk__in=icb.icb_ids, coverage__area=school.area
    ).exists()
    assert access_for(User.objects.get(email="analyst@example.org")).national
    types = set(Provider.objects.values_list("provider_type", flat=True))
    assert {
        "early_years_setting",
        "mainstream_school",
        "further_education_college",
        "local_authority",
        "integrated_care_board",
    } <= types


def test_seed_twice_changes_nothing_and_fails_on_nothing():
    seed()
    before = snapshot()
    seed()
    assert snapshot() == before


def test_seed_refuses_production_settings(settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="refuses to run with production settings"):
        seed()
    assert not StandardVersion.objects.exists()


def test_seed_scores_the_demo_with_a_history_and_loads_the_statistics():
    out = seed()
    assert "Demo ready in" in out and " s" in out.split("Demo ready in")[1]
    # Every submitted declaration has a result, without any worker.
    assert not Declaration.objects.filter(status="submitted", scoring_runs__isnull=True).exists()
    westminster = AreaSnapshot.objects.get(
        area__code="213", standard__slug="send-statutory-baseline"
    )
    assert westminster.provider_count > 50 and westminster.result_count > 40
    assert westminster.average_score is not None
    # Results on many past days: one trend point a day.
    days = list(
        AreaTrendPoint.objects.filter(area__code="213", result_count__gt=0).values_list(
            "day", flat=True
        )
    )
    assert len(set(days)) >= 5
    # Gaps planned (some overdue), accepted and resolved.
    statuses = set(Gap.objects.values_list("status", flat=True))
    assert {"open", "in_progress", "accepted", "resolved"} <= statuses
    from django.utils import timezone

    assert Gap.objects.filter(status="in_progress", due_date__lt=timezone.localdate()).exists()
    assert OfficialStatistic.objects.filter(area__code="213").exists()


def test_the_headteachers_school_has_a_reviewed_result_with_gaps_and_a_draft():
    seed()
    school = Provider.objects.get(urn=DEMO_HEADTEACHER_SCHOOL_URN)
    submitted = Declaration.objects.get(provider=school, status="submitted")
    assert submitted.review_status == "accepted"
    assert (
        Declaration.objects.filter(provider=school, status="draft")
        .exclude(period=submitted.period)
        .exists()
    )
    assert (
        CurrentResult.objects.get(provider=school, version__version="1.1").declaration == submitted
    )
    # The draft continues on 1.1, its answers matched by requirement key, and asks the area's
    # local standard's questions too.
    draft = Declaration.objects.get(provider=school, status="draft")
    assert draft.version.version == "1.1"
    assert draft.local_version is not None and draft.local_version.extends == draft.version
    national = draft.answers.filter(requirement__version=draft.version)
    local = draft.answers.filter(requirement__version=draft.local_version)
    assert national.count() + local.count() == draft.answers.count()
    assert local.exists() and not local.exclude(needs_attention=True).exists()
    assert draft.answers.filter(value_bool__isnull=False).exists()
    gaps = Gap.objects.filter(provider=school)
    assert gaps.filter(status="open").exists()
    planned = gaps.get(status="in_progress")
    assert planned.owner and planned.action_plan and planned.due_date


def test_the_demo_publishes_1_1_through_an_impact_preview_that_it_matches():
    out = seed()
    v10, v11 = (
        StandardVersion.objects.get(standard__slug="send-statutory-baseline", version=label)
        for label in ("1.0", "1.1")
    )
    assert "Impact preview of send-statutory-baseline 1.1 against 1.0" in out
    assert "Loaded, previewed and published send-statutory-baseline 1.1: re-scored" in out
    assert "previewing and publishing send-statutory-baseline 1.1:" in out
    preview = ImpactPreview.objects.get(version=v11)
    assert preview.status == "done" and preview.baseline == v10
    rows = {r.provider_id: r for r in ProviderImpact.objects.filter(preview=preview)}
    results = {
        c.provider_id: c.run
        for c in CurrentResult.objects.select_related("run").filter(version=v11)
    }
    # Every provider re-scored on publishing was previewed, with the score it then got; those
    # that declared again on 1.1 afterwards have that declaration's result now.
    assert rows and set(rows) == set(results)
    redeclared = set(
        Declaration.objects.filter(version=v11, status="submitted").values_list(
            "provider_id", flat=True
        )
    )
    assert redeclared and redeclared < set(rows)
    for pid, row in rows.items():
        if pid in redeclared:
            assert results[pid].declaration.version == v11
            continue
        assert (row.new_score, row.new_all_musts_met) == (
            results[pid].score,
            results[pid].all_musts_met,
        )
    # Gaps carried over by key: the new duties open gaps for the providers they apply to, and
    # what 1.1 makes good practice closes as superseded, with the reason.
    new_keys = set(preview.draft["questions"]) - {"SCH-MEDICAL-CONDITIONS-POLICY"}
    assert Gap.objects.filter(requirement_key__in=new_keys, status="open").exists()
    superseded = Gap.objects.filter(superseded_by_version=v11)
    assert superseded.exists()
    note = GapEvent.objects.filter(gap__in=superseded, action="superseded").first().note
    assert note.startswith("Version 1.1 of the standard")
    opened = sum(len(r.opened or []) for r in rows.values())
    assert opened == (
        Gap.objects.filter(opened_by_run__version=v11)
        .exclude(opened_by_run__declaration__version=v11)
        .count()
    )


def test_westminster_settings_declare_on_1_1_with_the_local_standard_and_families_see_it(client):
    seed()
    national = StandardVersion.objects.get(standard__slug="send-statutory-baseline", version="1.1")
    local = StandardVersion.objects.get(standard__slug="westminster-local", version="1.0")
    assert local.extends == national
    redeclared = Declaration.objects.filter(version=national, status="submitted")
    # Submitted and accepted by the area, against the pair: national sections, then the area's.
    assert redeclared.count() >= 5
    assert set(
        redeclared.values_list("review_status", "local_version", "provider__area__code")
    ) == {("accepted", local.pk, "213")}
    answers = Answer.objects.filter(declaration__in=redeclared)
    assert not answers.exclude(review_state="accepted").exists()
    assert answers.filter(requirement__version=local).exists()
    # The kinds of needs each school provides for: a special school's from GIAS alone.
    needs = {
        a.declaration.provider: a.value
        for a in answers.filter(requirement_key="SETTING-NEEDS-PROVIDED-FOR").select_related(
            "declaration__provider"
        )
    }
    assert needs and all(needs.values())
    special = [p for p in needs if p.provider_type == "special_school" and p.sen_provision_types]
    assert special
    for school in special:
        codes = {name.split("-", 1)[0].strip().lower() for name in school.sen_provision_types}
        assert set(needs[school]) == codes
    # A local score for each, and local gaps (a should of the area's not met), on the dashboard.
    assert CurrentResult.objects.filter(version=local).count() == redeclared.count()
    assert Gap.objects.filter(standard=local.standard, status="open").exists()
    assert AreaSnapshot.objects.get(area__code="213", standard=local.standard).result_count == (
        redeclared.count()
    )
    officer = Client()
    officer.force_login(User.objects.get(email="officer@example.org"))
    page = officer.get("/dashboards/areas/213/?standard=westminster-local").content.decode()
    assert "These are the figures for the local standard" in page
    assert "WESTMINSTER-OAP-FAMILY-MEETINGS" in page
    # The headteacher's draft asks the area's section after the national ones.
    draft = Declaration.objects.get(provider__urn=DEMO_HEADTEACHER_SCHOOL_URN, status="draft")
    assert (draft.version, draft.local_version) == (national, local)
    head = Client()
    head.force_login(User.objects.get(email="headteacher@example.org"))
    tasks = head.get(f"/declarations/{draft.pk}/tasks/").content.decode()
    assert "Westminster&#x27;s local standard" in tasks or "Westminster's local standard" in tasks
    assert "Westminster ordinarily available provision" in tasks
    # A family searching near Westminster sees schools listed for the provision they declared.
    search = {"postcode": "SW1P 3NY", "age": "7", "need_type": "ASD", "distance": "3"}
    assert DECLARED_TEXT in client.get("/find-a-setting/", search).content.decode()
    found = client.get("/api/v1/settings/", search).json()
    assert any(
        reason["kind"] == "declared" for result in found["results"] for reason in result["reasons"]
    )
