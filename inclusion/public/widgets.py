"""The search page's repeated HTML, built in Python: the form's choices and the result cards.

The results page's template once looped over every choice of the form (distances, year groups,
needs, types of need, EHC plan) and every result, with a tag or filter for each attribute, on
every search: most of the page's CPU. The form's choices never change, so each one's element is
built once per process, with and without `selected` or `checked`, and a page joins them; each
result card is one format string. The HTML is the same, byte for byte, as the loops made
(tests/inclusion/test_family_pages.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from inclusion.needs import BROAD_AREA_OF, BroadArea, NeedType
from inclusion.search import DISTANCES_MILES, YEAR_GROUPS, EhcPlan, SettingResult

# Each broad area in plain words, under its name.
BROAD_HINTS = {
    BroadArea.COMMUNICATION: "Talking, listening and getting on with others. This can be autism.",
    BroadArea.COGNITION: "Learning to read, write, count or think things through.",
    BroadArea.SEMH: "Feelings, worries, or how they act.",
    BroadArea.SENSORY_PHYSICAL: "Seeing, hearing, or moving about.",
    BroadArea.OTHER: "Something else.",
}
# A number no setting has, replaced by each setting's id in its page's address.
_PK_MARK = 987654321


def _choices(items: Iterable[tuple[str, str, str]], chosen: set[str]) -> SafeString:
    """The elements of `items` (value, without, with the choice marked), marked where chosen."""
    return mark_safe("".join(on if value in chosen else off for value, off, on in items))


@cache
def _distance_options() -> list[tuple[str, str, str]]:
    items = []
    for miles in DISTANCES_MILES:
        s = "" if miles == 1 else "s"
        label = f"Up to {miles} mile{s}"
        items.append(
            (
                str(miles),
                f'<option value="{miles}">{label}</option>',
                f'<option value="{miles}" selected>{label}</option>',
            )
        )
    return items


@cache
def _year_group_options() -> list[tuple[str, str, str]]:
    items = []
    for value, (label, _age) in YEAR_GROUPS.items():
        v, text = escape(value), escape(label)
        items.append(
            (
                value,
                f'<option value="{v}">{text}</option>',
                f'<option value="{v}" selected>{text}</option>',
            )
        )
    return items


def _radio(name: str, value: str, label: str, first: bool, hint: str | None) -> tuple[str, str]:
    ident = name if first else f"{name}-{escape(value)}"
    described = f' aria-describedby="{ident}-item-hint"' if hint is not None else ""
    start = (
        '\n              <div class="govuk-radios__item">\n'
        f'                <input class="govuk-radios__input" id="{ident}" name="{name}"'
        f' type="radio" value="{escape(value)}"{described}'
    )
    rest = (
        ">\n"
        f'                <label class="govuk-label govuk-radios__label" for="{ident}">'
        f"{escape(label)}</label>\n"
    )
    if hint is not None:
        rest += (
            f'                <div id="{ident}-item-hint" class="govuk-hint govuk-radios__hint">'
            f"{escape(hint)}</div>\n"
        )
    rest += "              </div>\n              "
    return start + rest, start + " checked" + rest


@cache
def _need_radios() -> list[tuple[str, str, str]]:
    return [
        (broad.value, *_radio("need", broad.value, broad.label, n == 0, BROAD_HINTS[broad]))
        for n, broad in enumerate(BroadArea)
    ]


@cache
def _ehc_radios() -> list[tuple[str, str, str]]:
    return [
        (value, *_radio("ehc", value, label, n == 0, None))
        for n, (value, label) in enumerate(EhcPlan.CHOICES)
    ]


@cache
def _need_type_checkboxes() -> list[tuple[str, str, str]]:
    codes = [code for broad in BroadArea for code, b in BROAD_AREA_OF.items() if b == broad]
    items = []
    for n, code in enumerate(codes):
        ident = "need_type" if n == 0 else f"need_type-{escape(code)}"
        start = (
            '\n                  <div class="govuk-checkboxes__item">\n'
            f'                    <input class="govuk-checkboxes__input" id="{ident}"'
            f' name="need_type" type="checkbox" value="{escape(code)}"'
        )
        rest = (
            ">\n"
            f'                    <label class="govuk-label govuk-checkboxes__label"'
            f' for="{ident}">{escape(NeedType(code).label)}</label>\n'
            "                  </div>\n                  "
        )
        items.append((code, start + rest, start + " checked" + rest))
    return items


def form_choices(inputs: Any) -> dict[str, SafeString]:
    """The form's choices as HTML, those the family gave marked."""
    return {
        "distance_options": _choices(_distance_options(), {inputs.distance}),
        "year_group_options": _choices(_year_group_options(), {inputs.year_group}),
        "need_radios": _choices(_need_radios(), {inputs.need}),
        "need_type_checkboxes": _choices(_need_type_checkboxes(), set(inputs.need_type)),
        "ehc_radios": _choices(_ehc_radios(), {inputs.ehc}),
    }


@cache
def _setting_path() -> str:
    return reverse("find_a_setting:setting", args=[_PK_MARK])


def setting_path(pk: int) -> str:
    """The address of a setting's public page (one reverse() per process, not one a result)."""
    return _setting_path().replace(str(_PK_MARK), str(int(pk)))


def _where(item: SettingResult, distance_available: bool) -> str:
    provider = item.provider
    text = str(escape(provider.get_provider_type_display()))
    if provider.area:
        text += f", {escape(provider.area.name)}"
    if item.distance_miles is not None:
        if item.distance_miles < 0.1:
            text += ", less than 0.1 miles away"
        else:
            text += f", about {escape(localize(item.distance_miles))} miles away"
    elif distance_available:
        text += ". We do not know how far away it is"
    return text


def result_cards(
    items: Sequence[SettingResult], *, query: str, distance_available: bool
) -> SafeString:
    """The list of results: each setting's name and link, kind, area, distance and reasons."""
    back = f"?back={escape(quote(query, safe='/'))}" if query else ""  # as |urlencode does
    parts = ['<ul class="govuk-list app-results">\n  ']
    for item in items:
        parts.append(
            '\n  <li class="govuk-!-margin-bottom-6">\n'
            '    <h4 class="govuk-heading-s govuk-!-margin-bottom-1"><a class="govuk-link"'
            f' href="{setting_path(item.provider.pk)}{back}">{escape(item.provider.name)}</a></h4>\n'
            '    <p class="govuk-body govuk-!-margin-bottom-1">'
            f"{_where(item, distance_available)}</p>\n    "
        )
        if item.reasons:
            reasons = "".join(f"<li>{escape(r.text)}</li>" for r in item.reasons)
            parts.append(
                '\n    <p class="govuk-body govuk-!-margin-bottom-1">Why it is here:</p>\n'
                '    <ul class="govuk-list govuk-list--bullet">\n'
                f"      {reasons}\n    </ul>\n    "
            )
        parts.append("\n  </li>\n  ")
    parts.append("\n</ul>\n")
    return mark_safe("".join(parts))
