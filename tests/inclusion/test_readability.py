"""Family pages are written for a parent under stress: Flesch-Kincaid grade 5 or less.

The copy measured is the visible text of the page's main content. Each heading, paragraph, list
item, label, hint, summary-list cell and table cell is read as a unit of its own (a heading is
not part of the sentence after it). Lists of data the page does not write (the names of the 153
councils in the drop-down lists) are left out.
"""

from html.parser import HTMLParser

import pytest
import textstat
from django.urls import reverse

from tests.inclusion.search_factories import declare, family_version, make_plan, place, setting
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db

MAX_GRADE = 5
BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "label",
    "legend",
    "dt",
    "dd",
    "td",
    "th",
    "summary",
    "span",
    "button",
    "a",
    "div",
}


class MainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.skip = 0
        self.units: list[str] = []
        self.current: list[str] = []

    def _flush(self) -> None:
        text = " ".join(" ".join(self.current).split())
        if text:
            self.units.append(text if text[-1] in ".?!:" else f"{text}.")
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag in {"option", "script", "style"}:
            self.skip += 1
        if tag in BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in {"option", "script", "style"}:
            self.skip -= 1
        if tag in BLOCKS:
            self._flush()
        if tag == "main":
            self._flush()
            self.in_main = False

    def handle_data(self, data):
        if self.in_main and not self.skip:
            self.current.append(data)


def copy_of(response) -> str:
    assert response.status_code == 200
    parser = MainText()
    parser.feed(response.content.decode())
    return " ".join(parser.units)


@pytest.fixture
def pages(client):
    home = AreaFactory(code="213", name="Westminster")
    version = family_version()
    school = setting(
        home,
        name="Hill School",
        easting=529950,
        northing=179400,
        website="hill.example",
        urn="100001",
    )
    setting(home, name="Park School", easting=529900, northing=179300)
    make_plan(home, [place(school, need_types=["ASD"])])
    declare(
        school,
        version,
        {
            "SCH-SEN-INFORMATION-REPORT": "https://hill.example/report",
            "SCH-ACCESSIBILITY-PLAN-PUBLISHED": "https://hill.example/plan",
            "SCH-PARENT-MEETINGS": 90,
            "SCH-SENCO-QUALIFICATION": "studying",
            "SCH-SENCO-APPOINTED-DATE": "2015-01-01",
        },
    )
    bare = setting(home, name="Bare School")
    search = "/find-a-setting/"
    return {
        "search": client.get(search),
        "results": client.get(
            search,
            {
                "postcode": "SW1P 3NY",
                "age": "7",
                "need": "communication_interaction",
                "ehc": "no",
                "distance": "3",
            },
        ),
        "results by area": client.get(
            search, {"area": "213", "year_group": "year-3", "ehc": "assessed"}
        ),
        "errors": client.get(search, {"postcode": "nonsense", "age": "30", "distance": "3"}),
        "not in England": client.get(search, {"postcode": "EH1 1AA", "age": "7"}),
        "area": client.get(reverse("find_a_setting:area", args=["213"])),
        "setting": client.get(reverse("find_a_setting:setting", args=[school.pk])),
        "bare setting": client.get(reverse("find_a_setting:setting", args=[bare.pk])),
    }


def test_every_family_page_reads_at_grade_5_or_less(pages):
    grades = {
        name: textstat.flesch_kincaid_grade(copy_of(response)) for name, response in pages.items()
    }
    assert all(grade <= MAX_GRADE for grade in grades.values()), grades


def test_the_measure_reads_the_page_copy(pages):
    text = copy_of(pages["results"])
    assert "Settings with places or support for this need." in text
    assert "Most places at special schools are only for children with an EHC plan." in text
    assert "Westminster" in text  # the results, not the drop-down lists
    assert "Barking" not in text
    hard = "Notwithstanding the aforementioned considerations, the establishment's eligibility determination remains indeterminate."
    assert textstat.flesch_kincaid_grade(hard) > MAX_GRADE
