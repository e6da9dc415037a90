"""Family pages set no cookies, and their query strings never reach the logs."""

import logging
import threading
import urllib.error
import urllib.request

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

from inclusion.public.privacy import DropFamilyQueryStrings
from tests.inclusion.search_factories import setting
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db

SECRET_QUERY = "postcode=SW1P+3NY&age=7&need_type=ASD&ehc=yes"


@pytest.fixture
def school():
    return setting(AreaFactory(code="213"), easting=529950, northing=179400)


def family_urls(school):
    return [
        "/find-a-setting",
        "/find-a-setting/",
        f"/find-a-setting/?{SECRET_QUERY}",
        "/find-a-setting/?postcode=nonsense&age=99",
        "/find-a-setting/213/?age=7&search=1",
        f"/find-a-setting/settings/{school.pk}/",
        f"/api/v1/settings/?{SECRET_QUERY}",
        "/api/v1/settings/?postcode=nonsense",
    ]


def test_family_pages_set_no_cookies_for_anyone(client, school):
    for url in family_urls(school):
        response = client.get(url)
        assert response.status_code in (200, 301, 400), url
        assert "Set-Cookie" not in response.headers, url
        assert not response.cookies, url


def test_family_pages_set_no_cookies_even_for_a_signed_in_officer_with_messages(
    client, school, django_user_model
):
    user = django_user_model.objects.create_user(email="o@example.org", password="pw-123456789")
    client.force_login(user)
    # A message waiting in the cookie: showing it would normally rewrite the cookie.
    storage = CookieStorage(request=None)
    encoded = storage._encode([storage_message("Saved")])
    client.cookies["messages"] = encoded
    for url in family_urls(school):
        response = client.get(url)
        assert response.status_code in (200, 301, 400), url
        assert not response.cookies, url
    # Elsewhere the middleware leaves cookies alone.
    assert client.get("/").cookies


def storage_message(text):
    from django.contrib.messages.storage.base import Message

    return Message(constants.SUCCESS, text)


def test_runserver_request_lines_drop_family_query_strings(caplog):
    """A real development server's request log, for a family search and an officer page."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    caplog.set_level(logging.INFO)
    try:
        for path in (f"/api/v1/settings/?postcode=AB1+ZZZZ&{SECRET_QUERY}", "/healthz?probe=kept"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()
            except urllib.error.HTTPError as error:
                error.read()
    finally:
        server.shutdown()
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "django.server"]
    assert any('"GET /api/v1/settings/ HTTP/1.1" 400' in line for line in lines), lines
    assert any("/healthz?probe=kept" in line for line in lines), lines
    logged = caplog.text
    assert "SW1P" not in logged and "postcode" not in logged and "ASD" not in logged


def test_gunicorn_access_lines_drop_family_query_strings():
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s %(q)s', None, None
    )
    record.args = {
        "h": "192.0.2.1",
        "r": f"GET /find-a-setting/?{SECRET_QUERY} HTTP/1.1",
        "s": "200",
        "q": SECRET_QUERY,
    }
    assert DropFamilyQueryStrings().filter(record)
    assert record.getMessage() == '192.0.2.1 "GET /find-a-setting/ HTTP/1.1" 200 '


def test_django_request_warnings_name_only_the_path(client, caplog):
    caplog.set_level(logging.WARNING)
    response = client.get(f"/find-a-setting/999/?{SECRET_QUERY}")
    assert response.status_code == 404
    assert "Not Found: /find-a-setting/999/" in caplog.text
    assert "SW1P" not in caplog.text
