"""The one GOV.UK pagination include: numbers around the current page, the query kept."""

import re

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def render(page_number: int, query: str = "") -> str:
    page = Paginator(range(500), 10).page(page_number)
    return render_to_string("includes/pagination.html", {"page": page, "query": query})


def numbers(html: str) -> list[str]:
    return re.findall(r'aria-label="Page (\d+)"', html)


def test_a_middle_page_is_shown_current_with_its_neighbours_and_both_ends():
    html = render(25, "area=213&type=school")
    assert numbers(html) == ["1", "24", "25", "26", "50"]
    assert html.count("&ctdot;") == 2
    assert re.search(r'page=25" aria-label="Page 25" aria-current="page"', html)
    assert 'href="?area=213&amp;type=school&amp;page=24" rel="prev"' in html
    assert 'href="?area=213&amp;type=school&amp;page=26" rel="next"' in html


def test_the_first_and_last_pages_have_no_link_beyond_them():
    first, last = render(1), render(50)
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert numbers(last)[-1] == "50" and 'aria-current="page">50<' in last


def test_one_page_shows_no_pagination():
    page = Paginator(range(5), 10).page(1)
    assert "govuk-pagination" not in render_to_string("includes/pagination.html", {"page": page})
