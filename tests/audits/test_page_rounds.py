"""Declaration rounds: opening one, its errors, and who has submitted."""

import datetime as dt

import pytest

from audits.periods import period_for
from audits.services import (
    today,
)
from tests.audits.pages import (
    THIS_YEAR,
    client_for,
    title,
)

pytestmark = pytest.mark.django_db


def test_officer_opens_a_round_and_sees_who_has_not_submitted(
    choices_version, school, editor, officer, submitted
):
    from tests.providers.factories import ProviderFactory

    late = ProviderFactory(name="Late Primary School", area=school.area)
    client = client_for(officer)
    html = client.get(f"/areas/{school.area.code}/rounds/").content.decode()
    assert "No rounds have been opened" in html and "Open a round" in html
    form = client.get(f"/areas/{school.area.code}/rounds/new/").content.decode()
    assert 'id="deadline-day"' in form and f'value="{period_for(today())}"' in form

    year = today().year + 1
    response = client.post(
        f"/areas/{school.area.code}/rounds/new/",
        {
            "version": choices_version.pk,
            "period": period_for(today()),
            "deadline-day": "31",
            "deadline-month": "3",
            "deadline-year": str(year),
        },
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert f"31 March {year}" in html
    assert "Not submitted (1)" in html and "Late Primary School" in html
    assert "Submitted (1)" in html and school.name in html
    assert "1 of 2 providers" in html
    # The provider sees the round's deadline on its self-audit page.
    assert (
        f"31 March {year}"
        in client_for(editor).get(f"/providers/{school.pk}/self-audit/").content.decode()
    )
    assert late.pk


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        (
            {"period": "", "deadline-day": "", "deadline-month": "", "deadline-year": ""},
            "deadline-day",
            "Enter the deadline",
        ),
        (
            {
                "period": "2026-27",
                "deadline-day": "1",
                "deadline-month": "1",
                "deadline-year": "2099",
            },
            "period",
            "Enter the academic year as 4 numbers",
        ),
        (
            {
                "period": "2019/20",
                "deadline-day": "1",
                "deadline-month": "1",
                "deadline-year": str(dt.date.today().year + 1),
            },
            "period",
            "Open a round for this academic year (",
        ),
        (
            {
                "period": "2026/27",
                "deadline-day": "1",
                "deadline-month": "",
                "deadline-year": "2027",
            },
            "deadline-month",
            "The deadline must include a month",
        ),
        (
            {
                "period": "2026/27",
                "deadline-day": "1",
                "deadline-month": "1",
                "deadline-year": "2020",
            },
            "deadline-day",
            "The deadline must be today or in the future",
        ),
    ],
)
def test_round_form_errors(choices_version, school, officer, data, anchor, message):
    response = client_for(officer).post(
        f"/areas/{school.area.code}/rounds/new/", {"version": choices_version.pk, **data}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert title(html).startswith("Error: ")
    assert f'<a href="#{anchor}">{message}' in html
    assert f'value="{data["period"]}"' in html


def test_a_second_round_for_the_same_year_is_refused(choices_version, school, officer):
    data = {
        "version": choices_version.pk,
        "period": THIS_YEAR,
        "deadline-day": "1",
        "deadline-month": "1",
        "deadline-year": str(today().year + 1),
    }
    client = client_for(officer)
    assert client.post(f"/areas/{school.area.code}/rounds/new/", data).status_code == 302
    html = client.post(f"/areas/{school.area.code}/rounds/new/", data).content.decode()
    assert (
        '<a href="#period">A round for this standard and academic year is already open</a>' in html
    )
