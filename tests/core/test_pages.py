import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/", "Check SEND provision"),
        ("/accessibility/", "Accessibility statement"),
        ("/cookies/", "Cookies"),
        ("/account/sign-in/", "Sign in"),
        ("/account/password-reset/", "Reset your password"),
    ],
)
def test_public_pages_render_in_the_govuk_template(client: Client, url, heading):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert heading in html
    assert 'class="govuk-skip-link"' in html
    assert 'id="main-content"' in html
    assert "govuk-phase-banner" in html
    assert 'href="/accessibility/"' in html
    assert 'href="/cookies/"' in html
    assert "GDS Transport" not in html


def test_missing_page_is_a_govuk_404(client: Client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_demo_banner_shows_only_in_demo_mode(client: Client, settings):
    settings.DEMO_MODE = False
    response = client.get("/")
    assert response.status_code == 200
    assert "Check SEND provision" in response.content.decode()
    assert "generated demonstration data" not in response.content.decode()
    settings.DEMO_MODE = True
    response = client.get("/standards/")
    assert response.status_code == 200
    assert "generated demonstration data" in response.content.decode()
