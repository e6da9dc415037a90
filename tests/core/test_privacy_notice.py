"""The privacy notice: linked from every footer, naming the controller from the settings."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["/", "/accessibility/", "/cookies/", "/account/sign-in/"])
def test_every_footer_links_to_the_privacy_notice_beside_accessibility_and_cookies(
    client: Client, page
):
    html = client.get(page).content.decode()
    footer = html[html.index("govuk-footer") :]
    links = [footer.index(f'href="{url}"') for url in ("/accessibility/", "/cookies/", "/privacy/")]
    assert links == sorted(links)
    assert ">Privacy</a>" in footer


def test_the_notice_names_the_controller_and_how_to_ask(client: Client, settings):
    settings.PRIVACY_CONTROLLER = "Northshire County Council"
    settings.PRIVACY_CONTACT_EMAIL = "dpo@northshire.example"
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "sign_in_records": 45}
    response = client.get("/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Privacy notice" in html
    assert "<strong>Northshire County Council</strong>" in html
    assert 'href="mailto:dpo@northshire.example"' in html
    for heading in (
        "What we hold",
        "Why we hold it",
        "How long we keep it",
        "Who sees it",
        "how to ask for a copy or a correction",
    ):
        assert heading in html
    assert "45 days" in html


def test_without_a_controller_the_notice_still_says_who_to_ask(client: Client, settings):
    settings.PRIVACY_CONTROLLER = ""
    settings.PRIVACY_CONTACT_EMAIL = ""
    html = client.get("/privacy/").content.decode()
    assert "the organisation that runs this service for you" in html
    assert "Ask your site administrator" in html
