"""The form's choices and the result cards built in Python are the HTML the template's loops made.

The loops below are those the results page had (templates/inclusion/public/search.html and
includes/result_list.html before inclusion/public/widgets.py replaced them), rendered by Django's
template engine and compared byte for byte, for every choice marked and for varied results.
"""

import itertools

import pytest
from django.template import Context, Template

from inclusion.locations import Placement
from inclusion.needs import BROAD_AREA_OF, BroadArea, NeedType
from inclusion.public.widgets import BROAD_HINTS, form_choices, result_cards
from inclusion.search import DISTANCES_MILES, YEAR_GROUPS, EhcPlan, SearchQuery, find_settings
from inclusion.search_inputs import Inputs
from providers.models import LocationSource
from tests.inclusion.search_factories import make_plan, place, setting
from tests.providers.factories import AreaFactory

LOOPS = {
    "distance_options": '{% for miles in distances %}<option value="{{ miles }}"{% if inputs.distance == miles|stringformat:"d" %} selected{% endif %}>Up to {{ miles }} mile{{ miles|pluralize }}</option>{% endfor %}',
    "year_group_options": '{% for value, label in year_groups %}<option value="{{ value }}"{% if inputs.year_group == value %} selected{% endif %}>{{ label }}</option>{% endfor %}',
    "need_radios": '{% for group in need_groups %}\n              <div class="govuk-radios__item">\n                <input class="govuk-radios__input" id="{% if forloop.first %}need{% else %}need-{{ group.value }}{% endif %}" name="need" type="radio" value="{{ group.value }}" aria-describedby="{% if forloop.first %}need{% else %}need-{{ group.value }}{% endif %}-item-hint"{% if inputs.need == group.value %} checked{% endif %}>\n                <label class="govuk-label govuk-radios__label" for="{% if forloop.first %}need{% else %}need-{{ group.value }}{% endif %}">{{ group.label }}</label>\n                <div id="{% if forloop.first %}need{% else %}need-{{ group.value }}{% endif %}-item-hint" class="govuk-hint govuk-radios__hint">{{ group.hint }}</div>\n              </div>\n              {% endfor %}',
    "need_type_checkboxes": '{% for group in need_groups %}{% for code, label in group.types %}\n                  <div class="govuk-checkboxes__item">\n                    <input class="govuk-checkboxes__input" id="{% if forloop.parentloop.first and forloop.first %}need_type{% else %}need_type-{{ code }}{% endif %}" name="need_type" type="checkbox" value="{{ code }}"{% if code in inputs.need_type %} checked{% endif %}>\n                    <label class="govuk-label govuk-checkboxes__label" for="{% if forloop.parentloop.first and forloop.first %}need_type{% else %}need_type-{{ code }}{% endif %}">{{ label }}</label>\n                  </div>\n                  {% endfor %}{% endfor %}',
    "ehc_radios": '{% for value, label in ehc_choices %}\n              <div class="govuk-radios__item">\n                <input class="govuk-radios__input" id="{% if forloop.first %}ehc{% else %}ehc-{{ value }}{% endif %}" name="ehc" type="radio" value="{{ value }}"{% if inputs.ehc == value %} checked{% endif %}>\n                <label class="govuk-label govuk-radios__label" for="{% if forloop.first %}ehc{% else %}ehc-{{ value }}{% endif %}">{{ label }}</label>\n              </div>\n              {% endfor %}',
}
CARDS = '<ul class="govuk-list app-results">\n  {% for item in items %}\n  <li class="govuk-!-margin-bottom-6">\n    <h4 class="govuk-heading-s govuk-!-margin-bottom-1"><a class="govuk-link" href="{% url \'find_a_setting:setting\' item.provider.pk %}{% if query %}?back={{ query|urlencode }}{% endif %}">{{ item.provider.name }}</a></h4>\n    <p class="govuk-body govuk-!-margin-bottom-1">{{ item.provider.get_provider_type_display }}{% if item.provider.area %}, {{ item.provider.area.name }}{% endif %}{% if item.distance_miles is not None %}{% if item.distance_miles < 0.1 %}, less than 0.1 miles away{% else %}, about {{ item.distance_miles }} miles away{% endif %}{% elif results.distance_available %}. We do not know how far away it is{% endif %}</p>\n    {% if item.reasons %}\n    <p class="govuk-body govuk-!-margin-bottom-1">Why it is here:</p>\n    <ul class="govuk-list govuk-list--bullet">\n      {% for reason in item.reasons %}<li>{{ reason.text }}</li>{% endfor %}\n    </ul>\n    {% endif %}\n  </li>\n  {% endfor %}\n</ul>\n'


def _loop_context(inputs):
    need_groups = [
        {
            "value": broad.value,
            "label": broad.label,
            "hint": BROAD_HINTS[broad],
            "types": [(c, NeedType(c).label) for c, b in BROAD_AREA_OF.items() if b == broad],
        }
        for broad in BroadArea
    ]
    return Context(
        {
            "inputs": inputs,
            "distances": DISTANCES_MILES,
            "year_groups": [(k, label) for k, (label, _) in YEAR_GROUPS.items()],
            "need_groups": need_groups,
            "ehc_choices": EhcPlan.CHOICES,
        }
    )


def _inputs():
    yield Inputs()
    yield Inputs(distance="nonsense", year_group="<b>", need="x", need_type=("ZZ",), ehc="maybe")
    for n, (miles, year, broad, ehc) in enumerate(
        itertools.zip_longest(DISTANCES_MILES, YEAR_GROUPS, BroadArea.values, EhcPlan.CHOICES)
    ):
        codes = tuple(NeedType.values[n : n + 1 + n % 3])
        yield Inputs(
            distance=str(miles or ""),
            year_group=year or "",
            need=broad or "",
            need_type=codes,
            ehc=ehc[0] if ehc else "",
        )
    yield Inputs(need_type=tuple(NeedType.values))


@pytest.mark.parametrize("inputs", list(_inputs()))
def test_the_form_choices_are_the_loops_html(inputs):
    built = form_choices(inputs)
    for name, loop in LOOPS.items():
        assert built[name] == Template(loop).render(_loop_context(inputs)), name


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "postcode=SW1P+3NY&age=7&need=x%26y", "area=213&also=<i>"])
def test_the_result_cards_are_the_loops_html(query):
    home = AreaFactory(name="Home & Away")
    origin = Placement(529923, 179405, LocationSource.POSTCODE)
    near = setting(home, name="St <Mary's> & All", easting=origin.easting, northing=origin.northing)
    setting(home, name="Far", easting=origin.easting + 12345, northing=origin.northing + 999)
    setting(home, name="Unplaced")
    make_plan(home, [place(near, need_types=["ASD", "HI"])])
    for where in ({"origin": origin}, {}):
        found = find_settings(
            query=SearchQuery(areas=(home,), age=7, need_types=("ASD", "HI"), **where)
        )
        for items in (found.results, found.results[:1], found.results[1:], []):
            shown = {"query": query, "distance_available": found.distance_available}
            context = Context({"items": items, "query": query, "results": found})
            assert result_cards(items, **shown) == Template(CARDS).render(context)
