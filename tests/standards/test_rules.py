import datetime as dt

import pytest

from standards.rules import (
    NotApplicable,
    RuleError,
    describe_rule,
    evaluate,
    is_https_url,
    subtract_period,
)

ON = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ({"op": "answered"}, "x", True),
        ({"op": "answered"}, "", False),
        ({"op": "is_yes"}, True, True),
        ({"op": "is_yes"}, False, False),
        ({"op": "is_no"}, False, True),
        ({"op": "number_at_least", "value": 95}, 95, True),
        ({"op": "number_at_least", "value": 95}, 94.9, False),
        ({"op": "number_at_most", "value": 0}, 0, True),
        ({"op": "number_at_most", "value": 0}, 1, False),
        ({"op": "number_between", "min": 1, "max": 3}, 3, True),
        ({"op": "number_between", "min": 1, "max": 3}, 0.5, False),
        ({"op": "date_within", "period": "P12M"}, dt.date(2025, 11, 28), True),
        ({"op": "date_within", "period": "P12M"}, dt.date(2025, 11, 27), False),
        ({"op": "date_within", "period": "P12M"}, dt.date(2026, 11, 29), False),  # in the future
        ({"op": "date_older_than", "period": "P3Y"}, dt.date(2023, 11, 27), True),
        ({"op": "date_older_than", "period": "P3Y"}, dt.date(2023, 11, 28), False),
        ({"op": "date_on_or_before", "date": "2027-05-31"}, dt.date(2027, 5, 31), True),
        ({"op": "date_on_or_before", "date": "2027-05-31"}, dt.date(2027, 6, 1), False),
        ({"op": "date_on_or_after", "date": "2024-09-01"}, "2024-09-01", True),
        ({"op": "date_on_or_after", "date": "2024-09-01"}, "2024-08-31", False),
        ({"op": "choice_in", "values": ["a", "b"]}, "b", True),
        ({"op": "choice_in", "values": ["a", "b"]}, "c", False),
        ({"op": "includes_all", "values": ["a", "b"]}, ["b", "a", "c"], True),
        ({"op": "includes_all", "values": ["a", "b"]}, ["a"], False),
        ({"op": "includes_any", "values": ["a", "b"]}, ["c", "b"], True),
        ({"op": "includes_any", "values": ["a", "b"]}, [], False),
        ({"op": "https_url"}, "https://school.example.org/sen", True),
        ({"op": "https_url"}, "http://school.example.org/sen", False),
        ({"op": "https_url"}, "https://localhost", False),
        ({"op": "https_url"}, "https://exa mple.org", False),
        ({"op": "text_present", "min_length": 3}, "  ab  ", False),
        ({"op": "text_present", "min_length": 3}, "abc", True),
        (
            {
                "op": "all_of",
                "rules": [
                    {"op": "number_at_least", "value": 1},
                    {"op": "number_at_most", "value": 2},
                ],
            },
            2,
            True,
        ),
        (
            {
                "op": "all_of",
                "rules": [
                    {"op": "number_at_least", "value": 1},
                    {"op": "number_at_most", "value": 2},
                ],
            },
            3,
            False,
        ),
        (
            {
                "op": "any_of",
                "rules": [
                    {"op": "number_at_most", "value": 1},
                    {"op": "number_at_least", "value": 9},
                ],
            },
            9,
            True,
        ),
        (
            {
                "op": "any_of",
                "rules": [
                    {"op": "number_at_most", "value": 1},
                    {"op": "number_at_least", "value": 9},
                ],
            },
            5,
            False,
        ),
    ],
)
def test_evaluate(rule, value, expected):
    assert evaluate(rule, value, on=ON) is expected


def test_missing_answer_fails():
    assert evaluate({"op": "is_yes"}, None, on=ON) is False


IF_RULE = {
    "op": "if",
    "requirement": "APPOINTED",
    "condition": {"op": "date_older_than", "period": "P3Y"},
    "then": {"op": "choice_in", "values": ["npq"]},
}


def test_if_applies_the_rule_when_the_condition_holds():
    answers = {"APPOINTED": dt.date(2020, 1, 1)}
    assert evaluate(IF_RULE, "npq", on=ON, answers=answers) is True
    assert evaluate(IF_RULE, "none", on=ON, answers=answers) is False


@pytest.mark.parametrize("appointed", [dt.date(2025, 1, 1), None])
def test_if_is_not_applicable_when_the_condition_does_not_hold(appointed):
    with pytest.raises(NotApplicable):
        evaluate(IF_RULE, "none", on=ON, answers={"APPOINTED": appointed})


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        ({"op": "is_yes"}, "yes"),
        ({"op": "number_at_least", "value": 1}, "many"),
        ({"op": "number_at_least", "value": 1}, True),
        ({"op": "date_within", "period": "P1Y"}, "yesterday"),
        ({"op": "choice_in", "values": ["a"]}, ["a"]),
        ({"op": "includes_all", "values": ["a"]}, "a"),
        ({"op": "text_present"}, 5),
        ({"op": "teleport"}, 1),
    ],
)
def test_values_the_rule_cannot_judge_raise_rule_error(rule, value):
    with pytest.raises(RuleError):
        evaluate(rule, value, on=ON)


@pytest.mark.parametrize(
    ("day", "period", "expected"),
    [
        (dt.date(2026, 3, 31), "P1M", dt.date(2026, 2, 28)),
        (dt.date(2024, 2, 29), "P1Y", dt.date(2023, 2, 28)),
        (dt.date(2026, 1, 15), "P2M", dt.date(2025, 11, 15)),
        (dt.date(2026, 1, 15), "P1W2D", dt.date(2026, 1, 6)),
    ],
)
def test_subtract_period(day, period, expected):
    assert subtract_period(day, period) == expected


def test_https_url_rejects_non_strings():
    assert is_https_url(None) is False


ANSWERS = {
    "choice": {
        "type": "single_choice",
        "choices": [
            {"value": "npq", "label": "NPQ for SENCOs"},
            {"value": "nasenco", "label": "National Award"},
        ],
    },
    "percent": {"type": "number", "unit": "%"},
}


@pytest.mark.parametrize(
    ("rule", "answer", "text"),
    [
        (
            {"op": "date_within", "period": "P12M"},
            {"type": "date"},
            "The answer must be a date in the 12 months before the assessment.",
        ),
        (
            {"op": "date_older_than", "period": "P3Y"},
            {"type": "date"},
            "The answer must be a date more than 3 years before the assessment.",
        ),
        (
            {"op": "date_on_or_before", "date": "2027-05-31"},
            {"type": "date"},
            "The answer must be a date on or before 31 May 2027.",
        ),
        (
            {"op": "number_at_least", "value": 95},
            ANSWERS["percent"],
            "The answer must be at least 95%.",
        ),
        (
            {"op": "number_between", "min": 1, "max": 3},
            {"type": "number", "unit": "days"},
            "The answer must be between 1 days and 3 days.",
        ),
        ({"op": "is_yes"}, {"type": "yes_no"}, "The answer must be yes."),
        ({"op": "answered"}, {"type": "text"}, "An answer must be given."),
        (
            {"op": "https_url"},
            {"type": "url"},
            "The answer must be a web address starting with https://.",
        ),
        (
            {"op": "choice_in", "values": ["npq", "nasenco"]},
            ANSWERS["choice"],
            "The answer must be one of “NPQ for SENCOs” or “National Award”.",
        ),
        (
            {"op": "includes_all", "values": ["npq", "nasenco"]},
            ANSWERS["choice"],
            "The answer must include all of “NPQ for SENCOs” and “National Award”.",
        ),
    ],
)
def test_describe_rule_in_plain_english(rule, answer, text):
    assert describe_rule(rule, answer) == text


def test_describe_conditional_rule_names_the_other_requirement():
    lookup = {"APPOINTED": ("Date the SENCO was appointed", {"type": "date"})}
    text = describe_rule(IF_RULE, ANSWERS["choice"], lookup.get)
    assert text == (
        "If the answer to “Date the SENCO was appointed” (APPOINTED) is a date more than 3 years"
        " before the assessment, the answer must be “NPQ for SENCOs”. Otherwise this requirement does not apply."
    )
