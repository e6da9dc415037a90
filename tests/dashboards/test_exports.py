"""The providers download: the page's table written out byte for byte, read from plain values
in a fixed number of queries however many providers the area has."""

import pytest
from django.http import QueryDict
from django.test import Client

from accounts.models import Role
from accounts.services import grant_role
from dashboards import services
from dashboards.exports import Heading, csv_bytes
from dashboards.forms import provider_filters, sorting
from dashboards.presenters import providers_table
from dashboards.selectors import area_export
from dashboards.selectors.providers import filtered_snapshots
from providers.models import Phase
from tests.accounts.factories import UserFactory
from tests.dashboards.builders import ALL_YES, declare, declare_and_score
from tests.mfa import read_unless_shared
from tests.providers.factories import AreaFactory, ProviderFactory

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "sort=name&order=desc",
    "sort=score&order=desc",
    "sort=score",
    "sort=submitted",
    "sort=status",
    "sort=type&order=desc",
    "sort=phase",
    "sort=must_gaps&order=desc",
    "must_gaps=no",
    "must_gaps=yes",
    "status=not_started",
    "type=special_school&type=mainstream_school",
    "q=primary",
    "band=no_result",
]


@pytest.fixture
def area():
    return AreaFactory(name="Ownshire", code="990")


@pytest.fixture
def schools(version, area):
    made = {
        "strong": ProviderFactory(area=area, name="Alder Primary", urn="100001"),
        "weak": ProviderFactory(area=area, name="Birch Secondary", phase=Phase.SECONDARY),
        "special": ProviderFactory(area=area, name="Cedar Special", provider_type="special_school"),
        "idle": ProviderFactory(area=area, name="Damson Primary", urn=""),
        "drafting": ProviderFactory(area=area, name="Elm Primary"),
        "formula": ProviderFactory(area=area, name='=HYPERLINK("http://evil")'),
        "last_year": ProviderFactory(area=area, name="Fir Primary"),
    }
    declare_and_score(made["strong"], version)
    declare_and_score(made["weak"], version, {"L1-POLICY": False, "H1-NURSE": False})
    declare_and_score(made["special"], version, {**ALL_YES, "L2-REVIEW": False})
    declare_and_score(made["formula"], version)
    declare_and_score(made["last_year"], version, period="2020/21")
    declare(made["drafting"], version, submitted=False)
    services.refresh_all()
    return made


@pytest.fixture
def officer(area):
    user = UserFactory(email="officer@example.org", password="pw-123456789")
    grant_role(user=user, role=Role.AREA_OFFICER, scope=area)
    client = Client()
    client.force_login(user)
    return user, client


def table_part(body: bytes) -> bytes:
    """The download after its heading (which names the minute it was made)."""
    return body.split(b"\r\n\r\n", 1)[1]


def test_the_providers_download_is_the_pages_table_written_out(officer, schools, area):
    user, client = officer
    for query in QUERIES:
        data = QueryDict(query)
        filters = provider_filters(data)
        sort, descending = sorting(data)
        _, context, table = area_export(
            user=user,
            code=area.code,
            table_key="providers",
            filters=filters,
            sort=sort,
            descending=descending,
        )
        # The page's table, built from model rows, and written out by the same writer.
        reference = providers_table(
            filtered_snapshots(
                area=area, context=context, filters=filters, sort=sort, descending=descending
            ),
            context,
        )
        assert table.columns == reference.columns and table.rows == reference.rows, query
        heading = Heading(title="t", place="p", version="v", as_at="a")
        assert csv_bytes(table, heading) == csv_bytes(reference, heading), query
        response = client.get(f"/dashboards/areas/{area.code}/download/providers.csv?{query}")
        assert response.status_code == 200
        assert table_part(response.content) == table_part(csv_bytes(reference, heading)), query
    everything = client.get(f"/dashboards/areas/{area.code}/download/providers.csv").content
    text = everything.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "No result" in text and "Never" in text


def test_the_providers_download_reads_a_fixed_number_of_queries(
    officer, schools, area, version, django_assert_num_queries
):
    _, client = officer
    url = f"/dashboards/areas/{area.code}/download/providers.csv"
    client.get(url)
    # session, person, (roles and second factor, unless kept in a shared cache); the area with
    # its aggregate row; the rows
    with django_assert_num_queries(4 + 2 * read_unless_shared()) as few:
        client.get(url)
    count = len(few)  # the log of queries starts again with each request
    for n in range(25):
        declare_and_score(ProviderFactory(area=area, name=f"Grove {n:02d} Primary"), version)
    services.refresh_all()
    client.get(url)
    with django_assert_num_queries(count):
        body = client.get(url).content
    assert body.count(b"Grove ") == 25
