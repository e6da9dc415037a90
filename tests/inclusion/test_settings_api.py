"""GET /api/v1/settings/: the same search as the page, open to anyone, throttled per address."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.inclusion.search_factories import make_plan, place, setting
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/settings/"


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "100000/minute", "settings_search": "1000/minute"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home():
    return AreaFactory(code="213", name="Westminster")


def test_anyone_can_search_and_gets_the_page_order_and_reasons(client, home):
    near = setting(home, name="Near", easting=529950, northing=179400, urn="100001")
    setting(home, name="Also near", easting=529900, northing=179300)
    make_plan(home, [place(near, need_types=["ASD"])])
    response = APIClient().get(
        URL, {"postcode": "SW1P 3NY", "age": "7", "need_type": "ASD", "distance": "3"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2 and body["with_places_or_support_count"] == 1
    assert body["distance_available"] is True
    assert body["areas"] == [{"code": "213", "name": "Westminster"}]
    first, second = body["results"]
    assert first["name"] == "Near" and first["group"] == "places_or_support"
    assert first["urn"] == "100001" and first["age_low"] == 4 and first["age_high"] == 11
    assert first["reasons"][0]["kind"] == "place"
    assert "autistic spectrum disorder" in first["reasons"][0]["text"]
    assert first["page_url"] == f"/find-a-setting/settings/{near.pk}/"
    assert second["group"] == "other" and second["reasons"] == []
    assert "score" not in response.content.decode().lower()
    assert not response.cookies
    page = client.get(
        "/find-a-setting/",
        {"postcode": "SW1P 3NY", "age": "7", "need_type": "ASD", "distance": "3"},
    )
    text = page.content.decode()
    assert text.index("Near") < text.index("Also near")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"postcode": "nonsense", "age": "7"}, "postcode"),
        ({"postcode": "EH1 1AA", "age": "7"}, "postcode"),
        ({"area": "213", "age": "99"}, "age"),
        ({"area": "000", "age": "7"}, "area"),
        ({"area": "213", "age": "7", "distance": "3"}, "distance"),
        ({}, "postcode"),
    ],
)
def test_bad_inputs_answer_400_with_field_errors(home, params, field):
    response = APIClient().get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and field in body["errors"]
    assert body["errors"][field][0]


def test_a_page_past_the_end_gives_the_last_page(home):
    setting(home)
    response = APIClient().get(URL, {"area": "213", "age": "7", "page": "99"})
    assert response.status_code == 200 and response.json()["page"] == 1


def test_a_token_or_session_is_not_needed_or_read(home, django_user_model):
    user = django_user_model.objects.create_user(email="x@example.org", password="pw-123456789")
    client = APIClient()
    client.force_login(user)
    response = client.get(URL, {"area": "213", "age": "7"})
    assert response.status_code == 200
    assert (
        APIClient(HTTP_AUTHORIZATION="Bearer nonsense")
        .get(URL, {"area": "213", "age": "7"})
        .status_code
        == 200
    )


def test_only_get_is_allowed(home):
    assert APIClient().post(URL, {}, format="json").status_code in (403, 405)


def test_searches_are_throttled_per_address_in_their_own_scope(settings, home):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "100000/minute", "settings_search": "2/minute"},
    }
    one = APIClient(REMOTE_ADDR="192.0.2.1")
    two = APIClient(REMOTE_ADDR="192.0.2.2")
    params = {"area": "213", "age": "7"}
    assert [one.get(URL, params).status_code for _ in range(3)] == [200, 200, 429]
    assert two.get(URL, params).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"area": "2\x0013", "age": "7"},
        {"area": "213", "age": "7", "also": "\x00"},
        {"postcode": "SW1P\x003NY", "age": "7\x00"},
        {"area": "213", "age": "7", "page": "\x00"},
        {"area": "€" * 500, "age": "٣"},
    ],
)
def test_control_characters_and_odd_text_never_cause_a_server_error(client, home, params):
    assert APIClient().get(URL, params).status_code in (200, 400)
    assert client.get("/find-a-setting/", params).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"postcode": "SW1P 3NY", "age": "7", "need_type": "ASD", "distance": "3"},
        {"area": "213", "age": "7", "need": "communication_interaction", "page": "2"},
        {"postcode": "SW1P 3NY", "age": "7"},
    ],
)
def test_the_body_has_exactly_the_serializers_shape_and_types(home, params):
    """The view returns its body without running the serializer again (it cost a fifth of a
    call's CPU): the body must already be what the serializer would make of it."""
    from inclusion.api_settings import SettingsSearchSerializer

    near = setting(home, name="Near", easting=529950, northing=179400, urn="100001")
    setting(home, name="Unplaced", urn=None)
    for n in range(25):
        setting(home, name=f"School {n}", easting=529000 + n, northing=179000)
    make_plan(home, [place(near, need_types=["ASD", "SLCN"], age_low=5, age_high=None)])
    body = APIClient().get(URL, params).json()
    assert body == dict(SettingsSearchSerializer(body).data)
    assert body["results"]
    for row in body["results"]:
        assert isinstance(row["id"], int) and isinstance(row["setting_type_name"], str)
        assert row["distance_miles"] is None or isinstance(row["distance_miles"], float)
