"""One error format, no 5xx for any input, throttling, the schema and its docs pages."""

import json
import os
import uuid

import pytest
import redis
from django.core.cache import cache, caches

from api.renderers import JSONRenderer
from scoring.models import Gap
from scoring.specs import clear_caches
from tests.api.conftest import bearer_client
from tests.audits.factories import make_declaration
from tests.scoring.builders import declare, score, worked_version

pytestmark = pytest.mark.django_db


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "title", "detail", "errors"}
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/declarations/abc/",
        "/api/v1/declarations/-1/",
        "/api/v1/declarations/1.5/",
        "/api/v1/declarations/99999999999999999999999999/",
        "/api/v1/declarations/%00/",
        "/api/v1/providers/9223372036854775808/",
        "/api/v1/versions/0x10/requirements/",
        "/api/v1/areas/%E2%82%AC/",
        "/api/v1/areas/1234567/",
        "/api/v1/standards/%00/",
        "/api/v1/nothing-here/",
        "/api/v1/declarations",
        "/api/v1/declarations/1/submit/extra/",
    ],
)
def test_unknown_addresses_are_json_404(editor_api, path):
    assert_problem(editor_api.get(path), 404)


def test_wrong_methods_are_405(editor_api, school, choices_version):
    declaration = make_declaration(provider=school, version=choices_version)
    assert_problem(editor_api.delete(f"/api/v1/declarations/{declaration.pk}/"), 405)
    assert_problem(
        editor_api.put(f"/api/v1/declarations/{declaration.pk}/", {}, format="json"), 405
    )
    assert_problem(editor_api.post("/api/v1/providers/", {}, format="json"), 405)
    assert_problem(editor_api.get(f"/api/v1/declarations/{declaration.pk}/submit/"), 405)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"provider": NaN}', "application/json", 400),
        ('{"provider": Infinity}', "application/json", 400),
        ('{"provider": ' + "9" * 5000 + "}", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"text"', "application/json", 400),
        ("null", "application/json", 400),
        ("", "application/json", 400),
        ("provider=1", "application/x-www-form-urlencoded", 415),
        ("<xml/>", "text/xml", 415),
        (b"\xff\xfe\x00", "application/json", 400),
    ],
)
def test_malformed_bodies_are_4xx(editor_api, body, content_type, status):
    response = editor_api.generic("POST", "/api/v1/declarations/", body, content_type=content_type)
    assert_problem(response, status)


def test_patch_with_malformed_bodies(editor_api, school, choices_version):
    declaration = make_declaration(provider=school, version=choices_version)
    url = f"/api/v1/declarations/{declaration.pk}/"
    for body in (
        "{",
        "[]",
        '{"answers": {"SCH-YES": {"value": "\\ud800"}}}',
        json.dumps({"answers": {"\x00": {}}}),
    ):
        response = editor_api.generic(
            "PATCH", url, body, content_type="application/json", HTTP_IF_MATCH=declaration.etag
        )
        assert_problem(response, 400)


@pytest.fixture
def body_endpoints(editor_api, school, choices_version):
    """Every endpoint that reads a body, as (method, address, headers) it would accept."""
    clear_caches()
    draft = make_declaration(provider=school, version=choices_version)
    submitted = declare(school, worked_version())
    score(submitted)
    gap = Gap.objects.filter(provider=school).first()
    gap_etag = editor_api.get(f"/api/v1/gaps/{gap.pk}/")["ETag"]
    yield [
        ("POST", "/api/v1/declarations/", {}),
        ("PATCH", f"/api/v1/declarations/{draft.pk}/", {"HTTP_IF_MATCH": draft.etag}),
        ("POST", f"/api/v1/declarations/{draft.pk}/submit/", {"HTTP_IF_MATCH": draft.etag}),
        ("POST", f"/api/v1/declarations/{submitted.pk}/revise/", {}),
        ("PATCH", f"/api/v1/gaps/{gap.pk}/", {"HTTP_IF_MATCH": gap_etag}),
    ]
    clear_caches()


def send_raw(client, endpoint, body: bytes):
    method, url, headers = endpoint
    return client.generic(method, url, body, content_type="application/json", **headers)


def test_lone_surrogates_are_400_with_the_surrogate_escaped(editor_api, body_endpoints):
    for endpoint in body_endpoints:
        response = send_raw(editor_api, endpoint, b'{"\\ud800": 1}')
        body = assert_problem(response, 400)
        assert list(body["errors"]) == ["\ud800"] and b'"\\ud800"' in response.content
    declaration, gap = body_endpoints[1], body_endpoints[4]
    answer_key = send_raw(editor_api, declaration, b'{"answers": {"\\ud800": {}}}')
    assert list(assert_problem(answer_key, 400)["errors"]) == ["answers.\ud800"]
    status = send_raw(editor_api, gap, b'{"status": "\\ud800"}')
    assert "\ud800" in assert_problem(status, 400)["errors"]["status"][0]


def test_other_text_is_still_sent_as_utf8(editor_api, school, choices_version):
    assert JSONRenderer().render({"detail": "Café"}) == '{"detail":"Café"}'.encode()
    declaration = make_declaration(provider=school, version=choices_version)
    response = editor_api.patch(
        f"/api/v1/declarations/{declaration.pk}/",
        {"answers": {"SCH-ONE": {"not_applicable": True, "not_applicable_reason": "None"}}},
        format="json",
        HTTP_IF_MATCH=declaration.etag,
    )
    assert_problem(response, 400)
    assert "cannot be answered “not applicable”".encode() in response.content


DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        b'{"answers": {"SCH-ONE": {"value": ' + DEEP + b"}}}",
        b"[" * 900 + b"]" * 900,  # within json's limit: parsed, then refused
    ],
    ids=["list", "answer-value", "within-limit"],
)
def test_deeply_nested_bodies_are_400(editor_api, body_endpoints, body):
    for endpoint in body_endpoints:
        assert_problem(send_raw(editor_api, endpoint, body), 400)


def test_bodies_over_the_upload_limit_are_413(editor_api, body_endpoints, settings):
    big = b'{"answers": {"SCH-TEXT": {"value": "' + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    for endpoint in body_endpoints:
        body = assert_problem(send_raw(editor_api, endpoint, big + b'"}}}'), 413)
        assert body["detail"] == "The request body must be 2.5 MB or smaller."


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("SCH-ONE", ["a"], "Select one of the options"),
        ("SCH-ONE", [], "Select one of the options"),
        ("SCH-TEXT", True, "Enter the answer as text"),
        ("SCH-TEXT", ["a", "b"], "Enter the answer as text"),
        (
            "SCH-POLICY-URL",
            True,
            "Enter a web address that starts with https://, like https://www.example.org/page",
        ),
        ("SCH-COUNT", True, "Enter a number"),
        ("SCH-POLICY-REVIEWED", True, "Enter a real date"),
        ("SCH-YES", 1, "Select yes or no"),
        ("SCH-MANY", True, "Select the options that apply"),
    ],
)
def test_answer_values_of_the_wrong_json_type_are_field_errors(
    editor_api, school, choices_version, key, value, message
):
    declaration = make_declaration(provider=school, version=choices_version)
    response = editor_api.patch(
        f"/api/v1/declarations/{declaration.pk}/",
        {"answers": {key: {"value": value}}},
        format="json",
        HTTP_IF_MATCH=declaration.etag,
    )
    assert assert_problem(response, 400)["errors"] == {f"answers.{key}.value": [message]}
    assert declaration.answers.get(requirement_key=key).value is None


def test_accept_other_than_json_is_406(editor_api):
    assert_problem(editor_api.get("/api/v1/standards/", HTTP_ACCEPT="text/html"), 406)


def test_throttling_per_token_with_retry_after(settings, editor, officer):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "3/minute"},
    }
    cache.clear()
    client = bearer_client(editor)
    for _ in range(3):
        assert client.get("/api/v1/standards/").status_code == 200
    response = client.get("/api/v1/standards/")
    body = assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60
    assert "seconds" in body["detail"]
    # Per token: another token (even the same person's) has its own allowance.
    assert bearer_client(editor, "second").get("/api/v1/standards/").status_code == 200
    assert bearer_client(officer).get("/api/v1/standards/").status_code == 200


@pytest.mark.redis
def test_throttle_counts_live_in_redis_so_every_web_process_shares_them(settings, editor):
    url = os.environ.get("CELERY_BROKER_URL", "")
    prefix = f"throttle-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "2/minute"},
    }
    server = redis.Redis.from_url(url)
    try:
        client = bearer_client(editor)
        for _ in range(2):
            assert client.get("/api/v1/standards/").status_code == 200
        keys = server.keys(f"{prefix}:*")
        assert len(keys) == 1  # one history per token, where another process would read it
        # Another process's cache connection sees the same history and refuses the third.
        caches["default"].close()
        del caches["default"]
        assert_problem(client.get("/api/v1/standards/"), 429)
    finally:
        for key in server.keys(f"{prefix}:*"):
            server.delete(key)


def test_schema_and_docs_are_served_offline(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert (
        b"openapi: 3" in schema.content and b"/api/v1/declarations/{id}/submit/" in schema.content
    )
    for path, asset in (
        ("/api/v1/docs/", b"swagger-ui-bundle.js"),
        ("/api/v1/redoc/", b"redoc.standalone.js"),
    ):
        page = client.get(path)
        assert page.status_code == 200
        html = page.content
        assert asset in html and b"/static/drf_spectacular_sidecar/" in html
        assert b"https://" not in html  # no CDN, no web fonts
        csp = page["Content-Security-Policy"]
        assert "style-src 'self' 'unsafe-inline'" in csp
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
    # The rest of the site keeps its strict policy.
    home = client.get("/")
    assert home.status_code == 200 and "script-src" in home["Content-Security-Policy"]
    assert "'unsafe-inline'" not in home["Content-Security-Policy"]


def test_the_committed_schema_documents_every_error_shape():
    import yaml
    from django.conf import settings

    schema = yaml.safe_load((settings.BASE_DIR / "docs" / "openapi.yaml").read_text())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            # Creating a declaration names no existing object, so it cannot be 404; public
            # operations (no `security`: anyone may call them) never answer 401.
            creates = path.endswith("/declarations/") and method == "post"
            expected = {"429"} | ({"401"} if "security" in operation else set())
            if not creates:
                expected.add("404")
            assert expected <= codes, (path, method)
            for code, response in operation["responses"].items():
                if code.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"
                    }
            if method in ("patch",) or path.endswith("/submit/"):
                assert {"412", "428"} <= codes
