"""The dashboard pages and downloads: what they show, filters, sorting, paging and exports."""

import copy
import csv
import html
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from accounts.models import Role, User
from accounts.services import grant_role
from dashboards import services
from providers.models import Phase
from tests.accounts.factories import UserFactory
from tests.dashboards.builders import ALL_YES, DOCUMENT, declare, declare_and_score
from tests.dashboards.factories import OfficialStatisticFactory
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    IcbProviderFactory,
    ProviderFactory,
)
from tests.standards.builders import make_version

pytestmark = pytest.mark.django_db

WEAK = {
    "L1-POLICY": False,
    "L2-REVIEW": False,
    "L3-GOVERNOR": True,
    "H1-NURSE": False,
    "H2-THERAPY": True,
}


@pytest.fixture
def area():
    return AreaFactory(name="Ownshire", code="990", region_code="E12000007", region_name="London")


@pytest.fixture
def schools(version, area):
    made = {
        "strong": ProviderFactory(area=area, name="Alder Primary", urn="100001"),
        "weak": ProviderFactory(area=area, name="Birch Secondary", phase=Phase.SECONDARY),
        "special": ProviderFactory(area=area, name="Cedar Special", provider_type="special_school"),
        "idle": ProviderFactory(area=area, name="Damson Primary"),
        "drafting": ProviderFactory(area=area, name="Elm Primary"),
    }
    declare_and_score(made["strong"], version)
    declare_and_score(made["weak"], version, WEAK)
    declare_and_score(made["special"], version, {**ALL_YES, "L2-REVIEW": False})
    declare(made["drafting"], version, submitted=False)
    return made


@pytest.fixture
def figures(schools):
    services.refresh_all()
    return schools


def signed_in(role, scope=None):
    user = UserFactory(email=f"{role}-{User.objects.count()}@example.org", password="pw-123456789")
    grant_role(user=user, role=role, scope=scope)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(area):
    return signed_in(Role.AREA_OFFICER, area)


@pytest.fixture
def analyst():
    return signed_in(Role.NATIONAL_ANALYST)


def text(response, status=200):
    """The page's text, once it is the page asked for (an error page would not do)."""
    assert response.status_code == status, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def rows(body, caption):
    """The data rows of the table with this caption, as lists of cell texts."""
    table = re.search(
        rf"<caption[^>]*>{re.escape(html.escape(caption))}</caption>(.*?)</table>", body, re.S
    )
    assert table, f"no table {caption!r}"
    found = []
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return found[1:]


def test_the_area_dashboard_shows_the_headline_and_every_section(officer, figures, area):
    response = officer.get(f"/dashboards/areas/{area.code}/")
    assert response.status_code == 200
    body = text(response)
    assert "Compliance dashboard" in body
    assert "SEND statutory baseline, version 1.0" in body
    # 5 providers, 3 declared (60%), 2 of 3 meet every must.
    assert "60.0%</span>" in body and "66.7%</span>" in body
    by_type = rows(body, "Providers by type")
    assert by_type[-1][:5] == ["All providers", "5", "3", "60.0%", "3"]
    failed = rows(body, "Requirements not met")
    assert failed[0][:6] == [
        "Policy reviewed every year",
        "L2-REVIEW",
        "Should (statutory guidance)",
        "2",
        "3",
        "66.7%",
    ]
    assert "Leadership and policy" in body
    assert 'role="img"' in body and '<desc id="chart-sections-desc">' in body
    assert "Gaps by status" in body and "Trend" in body


def test_official_statistics_show_source_date_and_not_published(officer, figures, area):
    OfficialStatisticFactory(area=area, value=None, suppression="x")
    OfficialStatisticFactory(value="46.4")
    body = text(officer.get(f"/dashboards/areas/{area.code}/"))
    context = rows(body, "Official statistics for the area")
    assert context == [
        [
            "% of new EHC plans issued within 20 weeks, excluding exceptions, 2024",
            "not published",
            "46.4%",
            "Department for Education, Education, health and care plans (Reporting year 2025)",
        ]
    ]
    assert "Open Government Licence v3.0" in body
    download = officer.get(f"/dashboards/areas/{area.code}/download/context.csv")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert any("not published" in line for line in lines)
    assert not any(",0," in line for line in lines)


def test_the_providers_table_filters_sorts_and_links_to_results(officer, figures, area):
    url = f"/dashboards/areas/{area.code}/providers/"
    body = text(officer.get(url))
    names = [r[0] for r in rows(body, "Providers")]
    assert names == [
        "Alder Primary",
        "Birch Secondary",
        "Cedar Special",
        "Damson Primary",
        "Elm Primary",
    ]
    assert f'href="/providers/{figures["strong"].pk}/result/"' in body
    body = text(officer.get(url, {"sort": "score", "order": "desc"}))
    assert [r[0] for r in rows(body, "Providers")][:3] == [
        "Alder Primary",
        "Cedar Special",
        "Birch Secondary",
    ]
    assert 'aria-sort="descending"' in body
    body = text(officer.get(url, {"status": ["not_started", "in_progress"]}))
    assert [r[4] for r in rows(body, "Providers")] == ["Not started", "In progress"]
    body = text(officer.get(url, {"must_gaps": "yes"}))
    assert [r[0] for r in rows(body, "Providers")] == ["Birch Secondary"]
    body = text(officer.get(url, {"band": "none", "type": "mainstream_school"}))
    assert [r[0] for r in rows(body, "Providers")] == ["Damson Primary", "Elm Primary"]
    assert "Selected filters" in body and "Score:</strong> No result" in body
    body = text(officer.get(url, {"phase": "secondary", "q": "birch"}))
    assert [r[0] for r in rows(body, "Providers")] == ["Birch Secondary"]
    # Unknown values are ignored, never an error.
    assert officer.get(url, {"type": "castle", "sort": "nonsense", "page": "x"}).status_code == 200


def test_providers_sort_by_the_labels_people_read(officer, version, area):
    for name, phase in (("Pine Primary", Phase.PRIMARY), ("Ash College", Phase.SIXTEEN_PLUS)):
        ProviderFactory(area=area, name=name, phase=phase)
    ProviderFactory(area=area, name="Yew Nursery", phase=Phase.NURSERY)
    services.refresh_all()
    url = f"/dashboards/areas/{area.code}/providers/"
    body = text(officer.get(url, {"sort": "phase"}))
    names = [r[0] for r in rows(body, "Providers")]
    # "16 plus", "Nursery", "Primary": A to Z by label, not by code.
    assert names.index("Ash College") < names.index("Yew Nursery") < names.index("Pine Primary")
    assert "(sorted, A to Z)" in body
    assert "sort newest first" in body  # the last-submitted column speaks of dates


def test_the_providers_table_pages(officer, version, area, settings):
    from dashboards import selectors

    for n in range(selectors.PAGE_SIZE + 3):
        ProviderFactory(area=area, name=f"School {n:03d}")
    services.refresh_all()
    url = f"/dashboards/areas/{area.code}/providers/"
    first = text(officer.get(url, {"type": "mainstream_school"}))
    assert "govuk-pagination" in first
    assert 'href="?type=mainstream_school&amp;page=2"' in first
    second = text(officer.get(url, {"type": "mainstream_school", "page": 2}))
    assert len(rows(second, "Providers")) == 3


def test_the_heatmap_has_text_in_every_cell(officer, figures, area):
    body = text(officer.get(f"/dashboards/areas/{area.code}/heatmap/"))
    table = rows(body, "Providers by section")
    assert table[0] == ["Alder Primary", "100", "100", "100"]
    assert table[3] == ["Damson Primary", "No result", "No result", "No result"]
    assert all(cell for row in table for cell in row)
    assert "app-heatmap__cell--4" in body and "Key to the shading" in body


def test_exports_have_the_same_filters_and_a_heading(officer, figures, area):
    response = officer.get(
        f"/dashboards/areas/{area.code}/download/providers.csv",
        {"must_gaps": "no", "sort": "name", "order": "desc"},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["Check SEND provision: Providers"]
    assert lines[1] == [f"Area: Ownshire (LA code {area.code})"]
    assert lines[2] == ["Standard: SEND statutory baseline, version 1.0"]
    assert lines[3][0].startswith("Figures as at: ")
    assert lines[5] == [
        "Filters: Open must gaps: No open must gaps; Sorted by: Provider, descending"
    ]
    header = lines.index(
        [
            "Provider",
            "URN",
            "Type",
            "Phase",
            lines[lines.index([]) + 1][4],
            "Score",
            "Open must gaps",
            "Last submitted",
        ]
    )
    names = [row[0] for row in lines[header + 1 :]]
    assert names == ["Elm Primary", "Damson Primary", "Cedar Special", "Alder Primary"]
    assert lines[header + 1][5] == "No result"


def test_xlsx_exports_keep_numbers_as_numbers(officer, figures, area):
    response = officer.get(f"/dashboards/areas/{area.code}/download/heatmap.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Check SEND provision: Providers by section"
    header = next(i for i, row in enumerate(values) if row and row[0] == "Provider")
    assert values[header][:4] == ["Provider", "Overall score", "Leadership and policy", "Health"]
    assert values[header + 1][:4] == ["Alder Primary", 100, 100, 100]


def test_every_area_table_downloads(officer, figures, area):
    for table in (
        "types",
        "phases",
        "sections",
        "failed",
        "gaps",
        "overdue",
        "trend_periods",
        "trend",
        "context",
        "providers",
        "heatmap",
    ):
        for fmt in ("csv", "xlsx"):
            response = officer.get(f"/dashboards/areas/{area.code}/download/{table}.{fmt}")
            assert response.status_code == 200, (table, fmt)
    assert officer.get(f"/dashboards/areas/{area.code}/download/secrets.csv").status_code == 404
    assert officer.get(f"/dashboards/areas/{area.code}/download/types.pdf").status_code == 404


def test_spreadsheet_formulas_in_text_are_written_as_text(officer, figures, area):
    figures["strong"].name = '=HYPERLINK("http://evil")'
    figures["strong"].save()
    services.refresh_all()
    body = officer.get(f"/dashboards/areas/{area.code}/download/providers.csv").content.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in body


def test_control_characters_in_text_do_not_break_the_spreadsheet(officer, figures, area):
    figures["strong"].name = "Alder\x0bPrimary"  # a vertical tab, as pasted from a word processor
    figures["strong"].save()
    services.refresh_all()
    for path in ("providers.xlsx?q=x%08y", "providers.xlsx", "heatmap.xlsx"):
        response = officer.get(f"/dashboards/areas/{area.code}/download/{path}")
        assert response.status_code == 200, path
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "AlderPrimary" in [row[0] for row in sheet.iter_rows(values_only=True)]


def test_the_national_view_sorts_filters_and_rolls_up(analyst, figures, area):
    other = AreaFactory(
        name="Northshire", code="991", region_code="E12000001", region_name="North East"
    )
    declare_and_score(
        ProviderFactory(area=other, name="Fir Primary"),
        figures["strong"].declarations.first().version,
        WEAK,
    )
    services.refresh_all()
    body = text(analyst.get("/dashboards/national/"))
    table = rows(body, "All areas")
    names = [r[1] for r in table]
    assert names.index("Northshire") < names.index("Ownshire")
    body = text(analyst.get("/dashboards/national/", {"sort": "average", "order": "desc"}))
    names = [r[1] for r in rows(body, "All areas")]
    assert names.index("Ownshire") < names.index("Northshire")
    body = text(analyst.get("/dashboards/national/", {"region": "E12000001"}))
    assert [r[1] for r in rows(body, "All areas")] == ["Northshire"]
    regions = rows(body, "Regions")
    assert regions[-1][0] == "England"
    assert regions[-1][1] == "6"  # providers in both areas
    response = analyst.get("/dashboards/national/download/areas.csv", {"region": "E12000001"})
    assert "Filters: Region: North East" in response.content.decode("utf-8-sig")


def test_comparing_areas(analyst, figures, area):
    other = AreaFactory(
        name="Northshire", code="991", region_code="E12000001", region_name="North East"
    )
    body = text(
        analyst.get("/dashboards/national/compare/", {"area": [area.code, other.code, "zzz"]})
    )
    compared = rows(body, "Chosen areas")
    assert [r[0] for r in compared] == ["Ownshire", "Northshire", "England"]
    assert "chart-compare-average" in body
    # The form keeps the chosen areas ticked, in their regions' open sections.
    page = analyst.get("/dashboards/national/compare/", {"area": [other.code]}).content.decode()
    boxes = dict(
        re.findall(r'<input class="govuk-checkboxes__input" id="area-(\w+)"([^>]*)>', page)
    )
    assert set(boxes) == {area.code, other.code}
    assert "checked" in boxes[other.code] and "checked" not in boxes[area.code]
    opened = re.findall(r'<details class="govuk-details" open>.*?summary-text">([^<]+)<', page)
    assert opened == ["North East"]
    assert 'for="area-991">Northshire</label>' in page
    response = analyst.get("/dashboards/national/download/compare.xlsx", {"area": [area.code]})
    assert response.status_code == 200
    assert (
        text(analyst.get("/dashboards/national/compare/")).count("Choose the areas to compare") == 1
    )


def test_the_icb_view_shows_health_only_and_its_own_declaration(version, figures, area):
    icb = IcbFactory(name="NHS Ownshire ICB")
    IcbAreaCoverageFactory(icb=icb, area=area, share="0.7500")
    own = IcbProviderFactory(icb=icb, name="NHS Ownshire ICB")
    declare_and_score(own, version, WEAK)
    services.refresh_all()
    client = signed_in(Role.ICB_OFFICER, icb)
    body = text(client.get(f"/dashboards/icbs/{icb.code}/"))
    assert rows(body, "Areas the board covers")[0][:4] == ["Ownshire", "75.0%", "5", "3"]
    health = rows(body, "Health-related requirements across the providers of these areas")
    assert [r[1] for r in health] == ["H1-NURSE", "H2-THERAPY"]
    assert health[0][3:] == ["3", "2", "1", "33.3%"]
    assert "L1-POLICY" not in body
    own_rows = rows(body, "The board's own declaration")
    assert own_rows[0][0] == "NHS Ownshire ICB" and own_rows[0][4] == "No"
    drill = text(client.get(f"/dashboards/icbs/{icb.code}/areas/{area.code}/"))
    assert [r[0] for r in rows(drill, f"Providers in {area.name}: health-related requirements")][
        :2
    ] == [
        "Alder Primary",
        "Birch Secondary",
    ]
    # An ICB officer's area pages are the ICB's; the full area dashboard is not theirs.
    assert client.get(f"/dashboards/areas/{area.code}/").status_code == 404
    for table in ("areas", "health", "own"):
        assert client.get(f"/dashboards/icbs/{icb.code}/download/{table}.csv").status_code == 200
    assert (
        client.get(
            f"/dashboards/icbs/{icb.code}/areas/{area.code}/download/providers.xlsx"
        ).status_code
        == 200
    )


def test_the_icb_view_adds_up_health_results_across_its_areas(version, figures, area):
    other = AreaFactory(name="Twoshire", code="991")
    declare_and_score(ProviderFactory(area=other, name="Fir Primary"), version, WEAK)
    declare_and_score(ProviderFactory(area=other, name="Gum Primary"), version)
    services.refresh_all()
    icb = IcbFactory(name="NHS Two Areas ICB")
    IcbAreaCoverageFactory(icb=icb, area=area, share="1.0000")
    IcbAreaCoverageFactory(icb=icb, area=other, share="0.5000")
    body = text(signed_in(Role.ICB_OFFICER, icb).get(f"/dashboards/icbs/{icb.code}/"))
    health = {
        r[1]: r[3:]
        for r in rows(body, "Health-related requirements across the providers of these areas")
    }
    # Ownshire: 3 results, Birch Secondary not meeting H1-NURSE; Twoshire: 2, Fir Primary not.
    assert health == {
        "H1-NURSE": ["5", "3", "2", "40.0%"],
        "H2-THERAPY": ["5", "5", "0", "0.0%"],
    }


def test_the_icb_view_leaves_the_boards_own_duties_to_its_declaration(area):
    doc = copy.deepcopy(DOCUMENT)
    health = doc["sections"][1]["requirements"]
    for requirement in health:
        requirement["applies_to"] = ["mainstream_school", "integrated_care_board"]
    health.append(
        {
            **health[0],
            "key": "H3-BOARD",
            "title": "The board commissions health provision",
            "applies_to": ["integrated_care_board"],
        }
    )
    version = make_version(doc, publish=True)
    icb = IcbFactory(name="NHS Ownshire ICB")
    IcbAreaCoverageFactory(icb=icb, area=area, share="1.0000")
    declare_and_score(ProviderFactory(area=area, name="Alder Primary"), version)
    special = ProviderFactory(area=area, name="Oak Special", provider_type="special_school")
    declare_and_score(special, version, {"L1-POLICY": True, "L2-REVIEW": True})
    services.refresh_all()
    client = signed_in(Role.ICB_OFFICER, icb)
    body = text(client.get(f"/dashboards/icbs/{icb.code}/"))
    health_rows = rows(body, "Health-related requirements across the providers of these areas")
    assert [r[1] for r in health_rows] == ["H1-NURSE", "H2-THERAPY"]
    drill = text(client.get(f"/dashboards/icbs/{icb.code}/areas/{area.code}/"))
    by_name = {
        r[0]: r for r in rows(drill, f"Providers in {area.name}: health-related requirements")
    }
    assert by_name["Oak Special"][4] == "No health requirement applies"
    assert by_name["Alder Primary"][4] == "Yes"


def test_a_dashboard_with_nothing_yet(officer, version, area):
    body = text(officer.get(f"/dashboards/areas/{area.code}/"))
    assert "There are no figures for this area yet" in body
    assert officer.get(f"/dashboards/areas/{area.code}/providers/").status_code == 200
    assert officer.get(f"/dashboards/areas/{area.code}/heatmap/").status_code == 200


def test_the_area_dashboard_reads_aggregates_in_a_few_queries(
    officer, figures, area, django_assert_max_num_queries
):
    for _ in range(30):
        ProviderFactory(area=area)
    services.refresh_all()
    with django_assert_max_num_queries(30) as captured:
        response = officer.get(f"/dashboards/areas/{area.code}/")
    assert response.status_code == 200
    assert area.name in text(response)
    assert not [q for q in captured.captured_queries if "audits_answer" in q["sql"]]


def test_the_navigation_offers_dashboards_to_officers_only(officer, area):
    assert 'href="/dashboards/"' in text(officer.get("/"))
    plain = Client()
    plain.force_login(UserFactory(email="nobody@example.org", password="pw-123456789"))
    assert 'href="/dashboards/"' not in text(plain.get("/"))
    assert plain.get("/dashboards/").status_code == 404


def test_overdue_actions_are_listed_most_overdue_first(officer, figures, area):
    import datetime as dt

    from django.utils import timezone

    from scoring.models import Gap, GapStatus

    today = timezone.localdate()
    gaps = list(Gap.objects.filter(provider=figures["weak"]).order_by("requirement_key"))
    for days, gap in zip((3, 10), gaps, strict=False):
        Gap.objects.filter(pk=gap.pk).update(
            status=GapStatus.IN_PROGRESS,
            action_plan="Plan",
            owner="=Ms Owner",
            due_date=today - dt.timedelta(days=days),
        )
    Gap.objects.filter(pk=gaps[2].pk).update(
        status=GapStatus.IN_PROGRESS, action_plan="Plan", owner="Later", due_date=today
    )
    services.refresh_all()
    body = text(officer.get(f"/dashboards/areas/{area.code}/"))
    overdue = rows(body, "Overdue actions")
    assert [(r[0], r[5]) for r in overdue] == [("Birch Secondary", "10"), ("Birch Secondary", "3")]
    exported = officer.get(f"/dashboards/areas/{area.code}/download/overdue.csv")
    assert "'=Ms Owner" in exported.content.decode("utf-8-sig")
