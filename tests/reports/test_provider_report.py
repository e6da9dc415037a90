"""A provider's result report for its governors: the result page's numbers in a tagged PDF,
for whoever may see the page, with what they may see."""

import re

import pytest
from django.urls import reverse

from scoring.models import CurrentResult
from tests.reports.pdf import is_marked, language, structure, text

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def download(client, provider):
    response = client.get(reverse("reports:provider", args=[provider.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content


def page_numbers(html: str) -> tuple[str, dict[str, str]]:
    """(the overall score, section title → score) as the result page shows them."""
    score = re.search(r'font-weight-bold">([\d.]+)</span> out of 100', html)[1]
    sections = dict(
        re.findall(
            r'<a class="govuk-link" href="#section-[^"]+">([^<]+)</a></th>\s*'
            r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]+)</td>',
            html,
        )
    )
    return score, sections


def test_the_report_shows_the_result_pages_numbers(client, world):
    school = world["school"]
    signed_in(client, world["users"]["head"])
    page = client.get(reverse("scoring:result", args=[school.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("reports:provider", args=[school.pk]) in html
    score, sections = page_numbers(html)
    assert set(sections) == {"Leadership and policy", "Health"}

    data = download(client, school)
    words = text(data)
    assert "Edward Wilson Primary School" in words
    assert f"Score {score} out of 100" in words
    for title, section_score in sections.items():
        assert f"{title} {section_score}" in words
    assert "All must requirements met No" in words
    # Every requirement not met, with its reason; the gaps with their action plans.
    run = CurrentResult.objects.get(provider=school).run
    assert run.fail_count == 3
    for title in (
        "SEND policy published",
        "Policy reviewed every year",
        "School nurse service agreed",
    ):
        assert title in words
    assert "Publish the SEND policy on the school website by half term." in words
    assert "Ms R Patel, SENCO" in words
    # What the standard is and what the scores mean; the version, its hash, when calculated.
    assert "What the standard is and what the scores mean" in words
    version = world["version"]
    assert f"SEND statutory baseline, version {version.version}" in words
    assert version.content_hash[:40] in words.replace(" ", "")
    assert f"Figures calculated {run.created_at.astimezone():%-d %B %Y}" in words


def test_the_report_is_tagged_with_headings_tables_and_a_language(client, world):
    signed_in(client, world["users"]["head"])
    data = download(client, world["school"])
    tags, _ = structure(data)
    assert language(data) == "en-GB"
    assert is_marked(data)
    assert tags.count("H1") == 1 and "H2" in tags and "H3" in tags
    assert {"Table", "TR", "TH", "TD"} <= set(tags)


def test_an_icb_officers_copy_has_no_score(client, world):
    school = world["school"]
    signed_in(client, world["users"]["icb"])
    response = client.get(reverse("scoring:result", args=[school.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "School nurse service agreed" in page
    assert "out of 100" not in page
    words = text(download(client, school))
    assert "only the health requirements, and no scores" in words
    assert "out of 100" not in words and "Score " not in words
    assert "School nurse service agreed" in words
    # Not the requirements about anything but health.
    assert "SEND policy published" not in words


@pytest.mark.parametrize(
    ("who", "status"), [("head", 200), ("officer", 200), ("other", 404), ("nobody", 404)]
)
def test_only_those_who_may_see_the_result_get_the_report(client, world, who, status):
    signed_in(client, world["users"][who])
    response = client.get(reverse("reports:provider", args=[world["school"].pk]))
    assert response.status_code == status
    if status == 200:
        assert "Edward Wilson Primary School" in text(response.content)


def test_signing_in_is_needed(client, world):
    response = client.get(reverse("reports:provider", args=[world["school"].pk]))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
