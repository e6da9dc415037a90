"""The account page where each person turns each kind of email on or off."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import User
from notifications.models import Kind, OptOut
from tests.notifications.factories import OptOutFactory

pytestmark = pytest.mark.django_db

URL = "/account/notifications/"
PROVIDER_KINDS = [
    Kind.ROUND_OPENED,
    Kind.DEADLINE,
    Kind.REVIEWED,
    Kind.GAP_OVERDUE,
    Kind.VERSION_PUBLISHED,
]


def signed_in(client, user: User):
    client.force_login(user)
    return client


def ticked(html: str) -> set[str]:
    """The values of the ticked checkboxes."""
    boxes = re.findall(r'<input class="govuk-checkboxes__input"[^>]*>', html)
    return {re.search(r'value="([^"]+)"', box)[1] for box in boxes if " checked" in box}


def test_the_page_is_linked_from_the_account_pages(client, world):
    signed_in(client, world.head)
    assert f'href="{URL}"' in client.get("/").content.decode()
    assert f'href="{URL}"' in client.get("/account/tokens/").content.decode()
    assert reverse("notifications:preferences") == URL


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("head", PROVIDER_KINDS),
        ("officer", [Kind.DIGEST, Kind.LOCAL_STANDARD_OUTDATED]),
        ("icb_officer", [Kind.DIGEST]),
        ("viewer", []),
    ],
)
def test_each_person_sees_the_kinds_their_roles_receive_all_on_at_first(client, world, who, shown):
    response = signed_in(client, getattr(world, who)).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Emails</h1>' in html
    for kind in Kind:
        assert (f'value="{kind.value}"' in html) == (kind in shown)
    assert ticked(html) == {k.value for k in shown}
    if not shown:
        assert "There are no emails for your role" in html
        assert "<form" not in html.split("<main", 1)[1]


def test_saving_turns_off_the_kinds_left_unticked_and_on_again(client, world):
    signed_in(client, world.head)
    keep = [Kind.ROUND_OPENED, Kind.REVIEWED, Kind.GAP_OVERDUE]
    response = client.post(URL, {"kinds": keep})
    assert response.status_code == 302 and response["Location"] == URL
    assert set(OptOut.objects.filter(user=world.head).values_list("kind", flat=True)) == {
        Kind.DEADLINE,
        Kind.VERSION_PUBLISHED,
    }
    page = client.get(URL).content.decode()
    assert "Your email choices have been saved" in page
    assert ticked(page) == {k.value for k in keep}
    # Nothing ticked turns everything off; ticking all turns everything on again.
    client.post(URL, {})
    assert OptOut.objects.filter(user=world.head).count() == len(PROVIDER_KINDS)
    client.post(URL, {"kinds": PROVIDER_KINDS})
    assert not OptOut.objects.filter(user=world.head).exists()


@pytest.mark.parametrize(
    ("who", "posted"),
    [
        ("head", ["nonsense"]),
        ("head", [Kind.ROUND_OPENED, Kind.DIGEST]),  # an officer's kind
        ("officer", [Kind.DIGEST, Kind.REVIEWED]),  # a provider editor's kind
    ],
)
def test_a_kind_not_offered_is_an_error_that_keeps_the_answers(client, world, who, posted):
    user = getattr(world, who)
    response = signed_in(client, user).post(URL, {"kinds": posted})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#kinds">Select only the emails listed</a>' in html
    assert "<title>Error: Emails" in html
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    offered = {k.value for k in Kind if f'value="{k.value}"' in html}
    assert ticked(html) == {str(k) for k in posted} & offered
    assert not OptOut.objects.filter(user=user).exists()


def test_only_your_own_choices_change(client, world):
    OptOutFactory(user=world.deputy, kind=Kind.DEADLINE)
    signed_in(client, world.head)
    # A user id in the form or the address is ignored: the page is the signed-in person's.
    client.post(URL, {"kinds": [], "user": world.deputy.pk})
    client.post(f"{URL}?user={world.deputy.pk}", {"kinds": []})
    assert set(OptOut.objects.filter(user=world.deputy).values_list("kind", flat=True)) == {
        Kind.DEADLINE
    }
    assert OptOut.objects.filter(user=world.head).count() == len(PROVIDER_KINDS)
    # And the page shows only the signed-in person's choices.
    client.logout()
    html = signed_in(client, world.deputy).get(URL).content.decode()
    assert ticked(html) == {k.value for k in PROVIDER_KINDS} - {Kind.DEADLINE}


@pytest.mark.parametrize("method", ["get", "post"])
def test_signing_in_is_required(client, world, method):
    response = getattr(client, method)(URL, {"kinds": []})
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=")
    assert not OptOut.objects.exists()


def test_other_methods_are_refused(client, world):
    assert signed_in(client, world.head).put(URL).status_code == 405
