"""The officers' local inclusion plan pages: who may see and change what, and each journey."""

import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Role, User
from accounts.services import grant_role
from inclusion.models import InclusionPlan, PlaceKind, PlanStatus, SpecialistPlace
from inclusion.services.plans import confirm_place, publish_plan, start_plan
from inclusion.services.spreadsheets import csv_bytes
from tests.inclusion.plan_factories import PASSWORD, YEAR
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return start_plan(area=world["area"], academic_year=YEAR, actor=None)


def url(name, plan, *args):
    return reverse(f"inclusion_plans:{name}", args=[plan.area.code, plan.pk, *args])


def person(kind, world):
    if kind == "anonymous":
        return None
    if kind == "own_officer":
        return world["officer"]
    user = User.objects.create_user(f"{kind}@example.org", PASSWORD)
    if kind == "site_admin":
        grant_role(user=user, role=Role.SITE_ADMIN)
    elif kind == "analyst":
        grant_role(user=user, role=Role.NATIONAL_ANALYST)
    elif kind == "other_officer":
        grant_role(user=user, role=Role.AREA_OFFICER, scope=AreaFactory())
    elif kind == "icb_officer":
        icb = IcbFactory()
        IcbAreaCoverageFactory(icb=icb, area=world["area"])
        grant_role(user=user, role=Role.ICB_OFFICER, scope=icb)
    elif kind == "provider_editor":
        grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=world["unit"])
    return user


READERS = {"own_officer", "site_admin", "analyst"}
EDITORS = {"own_officer", "site_admin"}
PEOPLE = [
    "anonymous",
    "own_officer",
    "site_admin",
    "analyst",
    "other_officer",
    "icb_officer",
    "provider_editor",
]


@pytest.mark.parametrize("kind", PEOPLE)
def test_who_may_read(client, world, draft, kind):
    user = person(kind, world)
    if user:
        client.force_login(user)
    for address in (
        reverse("inclusion_plans:list", args=["213"]),
        url("plan", draft),
        url("history", draft),
        url("download", draft, "csv"),
    ):
        response = client.get(address)
        if kind == "anonymous":
            assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
        elif kind in READERS:
            assert response.status_code == 200, address
        else:
            assert response.status_code == 404, address
    if kind in READERS:
        page = client.get(url("plan", draft)).content.decode()
        assert "Oak Primary School" in page
        assert ("Publish this version" in page) == (kind in EDITORS)


@pytest.mark.parametrize("kind", PEOPLE)
def test_who_may_change(client, world, draft, kind):
    user = person(kind, world)
    if user:
        client.force_login(user)
    place = draft.places.get(kind=PlaceKind.SPECIAL_SCHOOL)
    response = client.post(url("place_confirm", draft, place.pk))
    place.refresh_from_db()
    if kind in EDITORS:
        assert response.status_code == 302 and place.confirmed
    else:
        assert response.status_code in (302, 404) and not place.confirmed
        if kind != "anonymous":
            assert response.status_code == 404
    for name in ("details", "place_add", "publish", "upload", "setting_add"):
        status = client.get(url(name, draft)).status_code
        assert status == (200 if kind in EDITORS else 302 if kind == "anonymous" else 404), name


def test_an_analyst_cannot_start_a_plan(client, world):
    client.force_login(person("analyst", world))
    response = client.post(reverse("inclusion_plans:list", args=["213"]), {"academic_year": YEAR})
    assert response.status_code == 404
    assert not InclusionPlan.objects.exists()


def test_an_officer_starts_edits_publishes_and_starts_version_2(client, world):
    client.force_login(world["officer"])
    listing = client.get(reverse("inclusion_plans:list", args=["213"])).content.decode()
    assert f"{YEAR}: version 1, proposed from GIAS" in listing
    response = client.post(reverse("inclusion_plans:list", args=["213"]), {"academic_year": YEAR})
    plan = InclusionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == url("plan", plan)
    page = client.get(url("plan", plan)).content.decode()
    assert "5 entries proposed from GIAS are not confirmed" in page
    assert "More on roll than places" in page  # 16 on roll in 14 places at Oak

    refused = client.post(url("publish", plan))
    assert refused.status_code == 400
    assert "5 entries are not confirmed yet" in refused.content.decode()

    unit = plan.places.get(kind=PlaceKind.SEN_UNIT)
    response = client.post(
        url("place_change", plan, unit.pk),
        {
            "kind": "sen_unit",
            "need_types": ["HI", "VI"],
            "age_low": "5",
            "age_high": "11",
            "places": "10",
            "on_roll": "12",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.need_types, unit.places, unit.on_roll, unit.confirmed) == (
        ["HI", "VI"],
        10,
        12,
        True,
    )
    pru = plan.places.get(kind=PlaceKind.ALTERNATIVE_PROVISION)
    assert client.get(url("place_remove", plan, pru.pk)).status_code == 200
    assert client.post(url("place_remove", plan, pru.pk)).status_code == 302
    for place in plan.places.filter(confirmed=False):
        assert client.post(url("place_confirm", plan, place.pk)).status_code == 302
    response = client.post(
        url("details", plan),
        {
            "ordinarily_available_summary": "Every school adapts teaching.",
            "ordinarily_available_url": "https://example.org/oap",
            "send_team_contact": "send@example.org",
            "sendiass_contact": "",
            "local_offer_url": "https://example.org/offer",
        },
    )
    assert response.status_code == 302
    assert client.get(url("publish", plan)).status_code == 200
    assert client.post(url("publish", plan)).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED and len(plan.content_hash) == 64
    page = client.get(url("plan", plan)).content.decode()
    assert plan.content_hash in page and "Publish this version" not in page
    # A published version's edit pages send the officer back, changing nothing.
    assert client.get(url("details", plan))["Location"] == url("plan", plan)

    listing = client.get(reverse("inclusion_plans:list", args=["213"])).content.decode()
    assert f"{YEAR}: version 2, a copy of version 1" in listing
    response = client.post(reverse("inclusion_plans:list", args=["213"]), {"academic_year": YEAR})
    second = InclusionPlan.objects.get(version=2)
    assert response["Location"] == url("plan", second)
    assert second.places.count() == 4 and second.send_team_contact == "send@example.org"
    listing = client.get(reverse("inclusion_plans:list", args=["213"])).content.decode()
    assert "version 2" in listing and "Published" in listing and "Draft" in listing
    history = client.get(url("history", plan)).content.decode()
    assert "Inclusion plan published" in history and "officer@example.org" in history


def test_a_second_draft_is_refused_with_a_message(client, world, draft):
    client.force_login(world["officer"])
    response = client.post(reverse("inclusion_plans:list", args=["213"]), {"academic_year": YEAR})
    assert response.status_code == 400
    assert "is already a draft" in response.content.decode()
    assert InclusionPlan.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reference": "", "kind": "sen_unit"}, "Enter the URN or UKPRN of the setting"),
        ({"reference": "123456", "kind": "sen_unit"}, "No setting has the URN or UKPRN 123456"),
        ({"reference": "700005"}, "Select the kind of place"),
        (
            {"reference": "700005", "kind": "sen_unit", "places": "-2"},
            "The places commissioned must be 0 or more",
        ),
        (
            {"reference": "700005", "kind": "sen_unit", "age_low": "11", "age_high": "5"},
            "The oldest age must be",
        ),
        (
            {"reference": "700005", "kind": "sen_unit", "age_low": "ten"},
            "The youngest age must be a whole number",
        ),
        (
            {"reference": "700001", "kind": "sen_unit"},
            "already has this kind of place at Oak Primary School",
        ),
    ],
)
def test_adding_a_bad_entry_shows_the_error_and_keeps_the_answers(
    client, world, draft, data, message
):
    client.force_login(world["officer"])
    response = client.post(url("place_add", draft), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body and message in body
    assert body.count("<title>Error: ") == 1
    if data.get("reference"):
        assert f'value="{data["reference"]}"' in body
    assert draft.places.count() == 5


def test_adding_an_entry_and_a_common_setting(client, world, draft):
    client.force_login(world["officer"])
    far = ProviderFactory(area=AreaFactory(), urn="800008", name="Far Away School")
    response = client.post(
        url("place_add", draft),
        {
            "reference": "800008",
            "kind": "special_school",
            "need_types": ["SEMH"],
            "places": "4",
            "on_roll": "3",
        },
    )
    assert response.status_code == 302
    place = SpecialistPlace.objects.get(plan=draft, provider=far)
    assert (place.inside_area, place.confirmed, place.need_types) == (False, True, ["SEMH"])
    response = client.post(
        url("setting_add", draft),
        {"reference": "800008", "kind": "section_41", "note": "Weekly boarding"},
    )
    assert response.status_code == 302
    page = client.get(url("plan", draft)).content.decode()
    assert "Section 41 approved independent provider" in page and "Weekly boarding" in page
    setting = draft.common_settings.get()
    assert client.post(url("setting_remove", draft, setting.pk)).status_code == 302
    assert not draft.common_settings.exists()


def test_download_and_upload_pages(client, world, draft):
    client.force_login(world["officer"])
    response = client.get(url("download", draft, "xlsx"))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="inclusion-plan-213-{YEAR.replace("/", "-")}-v1.xlsx"'
    )
    assert response.content[:2] == b"PK"
    bad = io.BytesIO(b"URN,Kind\r\n700001,SEN unit\r\n")
    bad.name = "bad.csv"
    response = client.post(url("upload", draft), {"spreadsheet": bad})
    body = response.content.decode()
    assert response.status_code == 400
    assert "bad.csv:1: column UKPRN: required column is missing" in body
    good = io.BytesIO(csv_bytes(plan=draft))
    good.name = "plan.csv"
    response = client.post(url("upload", draft), {"spreadsheet": good})
    assert response.status_code == 302
    assert draft.places.filter(confirmed=True).count() == 5
    assert AuditEvent.objects.filter(action="inclusion plan entries uploaded").count() == 1


def test_another_areas_plan_is_not_found_through_this_area(client, world):
    other_area = AreaFactory()
    other = start_plan(area=other_area, academic_year=YEAR, actor=None)
    client.force_login(world["officer"])
    assert client.get(reverse("inclusion_plans:plan", args=["213", other.pk])).status_code == 404


def test_a_published_plan_cannot_be_changed_through_the_pages(client, world, draft):
    for place in draft.places.all():
        confirm_place(place=place, actor=None)
    publish_plan(plan=draft, actor=None)
    client.force_login(world["officer"])
    place = draft.places.first()
    response = client.post(url("place_remove", draft, place.pk))
    assert response.status_code == 302 and response["Location"] == url("plan", draft)
    assert draft.places.count() == 5


def test_a_plan_published_meanwhile_is_not_changed_and_says_why(client, world, draft, monkeypatch):
    """The page checked the draft, then someone else published it before the change landed."""
    from inclusion.officer import views

    client.force_login(world["officer"])
    place = draft.places.first()

    def published_meanwhile(**kwargs):
        raise views.PlanError("Version 1 of this plan is published, so it cannot be changed.")

    monkeypatch.setattr(views.services, "remove_place", published_meanwhile)
    response = client.post(url("place_remove", draft, place.pk), follow=True)
    assert response.status_code == 200
    assert (
        "Version 1 of this plan is published, so it cannot be changed." in response.content.decode()
    )
    assert draft.places.count() == 5


def test_an_officers_home_page_links_to_their_areas_plans(client, world):
    client.force_login(world["officer"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    area = world["area"]
    link = reverse("inclusion_plans:list", args=[area.code])
    assert f'href="{link}"' in response.content.decode()
    assert f"Local inclusion plan for {area.name}" in response.content.decode()
