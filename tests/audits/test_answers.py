"""parse_answer checks the type of every value, as well as its content: API values are JSON."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from audits.answers import AnswerErrors, AnswerInput, parse_answer
from standards.models import Requirement

CHOICES = {"choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}
OPTIONS = {"single_choice": CHOICES, "multiple_choice": CHOICES}


def requirement(answer_type: str) -> Requirement:
    return Requirement(
        title="An answer", answer_type=answer_type, answer_options=OPTIONS.get(answer_type, {})
    )


def parse(answer_type: str, value: Any) -> Any:
    return parse_answer(requirement(answer_type), AnswerInput(value=value)).value


@pytest.mark.parametrize(
    ("answer_type", "value", "message"),
    [
        ("single_choice", ["a"], "Select one of the options"),
        ("single_choice", [], "Select one of the options"),
        ("single_choice", {"a": 1}, "Select one of the options"),
        ("single_choice", True, "Select one of the options"),
        ("single_choice", 1, "Select one of the options"),
        ("text", True, "Enter the answer as text"),
        ("text", ["a", "b"], "Enter the answer as text"),
        ("text", 12, "Enter the answer as text"),
        ("text", 1.5, "Enter the answer as text"),
        ("url", True, "Enter a web address that starts with https://"),
        ("url", ["https://www.example.org"], "Enter a web address that starts with https://"),
        ("number", True, "Enter a number"),
        ("number", False, "Enter a number"),
        ("number", ["12"], "Enter a number"),
        ("number", {"value": 12}, "Enter a number"),
        ("date", True, "Enter a real date"),
        ("date", 20260901, "Enter a real date"),
        ("date", ["2026-09-01"], "Enter a real date"),
        ("yes_no", 1, "Select yes or no"),
        ("yes_no", 0, "Select yes or no"),
        ("yes_no", ["yes"], "Select yes or no"),
        ("multiple_choice", True, "Select the options that apply"),
        ("multiple_choice", 1, "Select the options that apply"),
        ("multiple_choice", [["a"]], "Select the options that apply"),
        ("multiple_choice", {"a": True}, "Select the options that apply"),
    ],
)
def test_values_of_the_wrong_type_are_field_errors(answer_type, value, message):
    with pytest.raises(AnswerErrors) as caught:
        parse(answer_type, value)
    assert list(caught.value.errors) == ["value"]
    assert caught.value.errors["value"].startswith(message)


@pytest.mark.parametrize(
    ("answer_type", "value", "parsed"),
    [
        # From the API (JSON) and the pages (strings)…
        ("single_choice", "a", "a"),
        ("text", " Ms Smith ", "Ms Smith"),
        ("url", "https://www.example.org/", "https://www.example.org/"),
        ("number", 12, Decimal("12")),
        ("number", 12.5, Decimal("12.5")),
        ("number", "12.5", Decimal("12.5")),
        ("date", "2026-09-01", dt.date(2026, 9, 1)),
        ("date", {"day": "1", "month": "9", "year": "2026"}, dt.date(2026, 9, 1)),
        ("yes_no", True, True),
        ("yes_no", "no", False),
        ("multiple_choice", ["b", "a"], ["a", "b"]),
        ("multiple_choice", [], []),
        # …and as stored, which a PATCH re-checks for the fields it leaves alone.
        ("number", Decimal("95.5"), Decimal("95.5")),
        ("date", dt.date(2026, 9, 1), dt.date(2026, 9, 1)),
    ],
)
def test_values_of_the_right_type_are_kept(answer_type, value, parsed):
    assert parse(answer_type, value) == parsed


def test_an_evidence_address_longer_than_its_column_is_refused():
    long = "https://www.example.org/" + "a" * 477  # 501 characters
    with pytest.raises(AnswerErrors) as caught:
        parse_answer(requirement("yes_no"), AnswerInput(value=True, evidence_url=long))
    assert caught.value.errors == {
        "evidence_url": "The web address of the evidence must be 500 characters or fewer"
    }
    parsed = parse_answer(requirement("yes_no"), AnswerInput(value=True, evidence_url=long[:500]))
    assert parsed.evidence_url == long[:500]


@pytest.mark.parametrize(
    ("day", "month", "year", "wrong"),
    [
        ("99999999999999999999", "1", "2026", {"day"}),  # once an OverflowError
        ("1", "99999999999999999999", "2026", {"month"}),
        ("9" * 5000, "1", "2026", {"day"}),  # more digits than int() reads
        ("a", "b", "c", {"day", "month", "year"}),
        ("1", "b", "2026", {"month"}),
        ("١", "1", "2026", {"day"}),  # a digit, but not one of 0 to 9
        ("32", "13", "2026", {"day", "month"}),
        ("31", "2", "2026", {"day"}),
        ("1", "1", "0000", {"year"}),
    ],
)
def test_a_date_that_is_not_real_names_each_wrong_part(day, month, year, wrong):
    with pytest.raises(AnswerErrors) as caught:
        parse("date", {"day": day, "month": month, "year": year})
    assert set(caught.value.errors) == wrong
