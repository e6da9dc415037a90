import re

import pytest

from standards.format import StandardFormatError, parse_version_text
from standards.format.unread import MUSTS_CITED_BEFORE_READING
from tests.standards.builders import as_yaml, document, requirement_doc, with_requirement


def problems_of(text: str) -> list[str]:
    with pytest.raises(StandardFormatError) as caught:
        parse_version_text(text)
    return [str(p) for p in caught.value.problems]


def test_valid_document_is_normalised_with_defaults():
    result = parse_version_text(as_yaml(document()))
    requirement = result["sections"][0]["requirements"][0]
    assert result["grace_period_days"] == 0
    assert result["sections"][0]["weight"] == 1
    assert requirement["weight"] == 1
    assert requirement["allow_not_applicable"] is False
    assert requirement["citations"][0]["verified"] is True
    assert requirement["effective_from"] is None


def test_yaml_dates_become_iso_strings():
    text = as_yaml(document()).replace("effective_from: '2026-09-01'", "effective_from: 2026-09-01")
    assert parse_version_text(text)["effective_from"] == "2026-09-01"


def test_whole_floats_are_normalised_so_hashes_do_not_depend_on_notation():
    doc = document()
    doc["sections"][1]["requirements"][0]["weight"] = 2.0
    assert parse_version_text(as_yaml(doc))["sections"][1]["requirements"][0]["weight"] == 2
    assert isinstance(
        parse_version_text(as_yaml(doc))["sections"][1]["requirements"][0]["weight"], int
    )


def test_applies_to_is_put_in_canonical_order():
    doc = document()
    doc["sections"][0]["requirements"][0]["applies_to"] = ["special_school", "mainstream_school"]
    result = parse_version_text(as_yaml(doc))
    assert result["sections"][0]["requirements"][0]["applies_to"] == [
        "mainstream_school",
        "special_school",
    ]


CHOICES = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "c", "label": "C"}]
EVERY_OPERATOR = [
    ({"type": "yes_no"}, {"op": "answered"}),
    ({"type": "yes_no"}, {"op": "is_yes"}),
    ({"type": "yes_no"}, {"op": "is_no"}),
    ({"type": "number", "unit": "%", "min": 0, "max": 100}, {"op": "number_at_least", "value": 95}),
    ({"type": "number", "integer": True}, {"op": "number_at_most", "value": 0}),
    ({"type": "number"}, {"op": "number_between", "min": 1, "max": 5.5}),
    ({"type": "date"}, {"op": "date_within", "period": "P12M"}),
    ({"type": "date"}, {"op": "date_older_than", "period": "P3Y"}),
    ({"type": "date"}, {"op": "date_on_or_before", "date": "2027-05-31"}),
    ({"type": "date"}, {"op": "date_on_or_after", "date": "2024-09-01"}),
    ({"type": "single_choice", "choices": CHOICES}, {"op": "choice_in", "values": ["a", "b"]}),
    ({"type": "multiple_choice", "choices": CHOICES}, {"op": "includes_all", "values": ["a", "c"]}),
    ({"type": "multiple_choice", "choices": CHOICES}, {"op": "includes_any", "values": ["b"]}),
    ({"type": "url"}, {"op": "https_url"}),
    ({"type": "text", "max_length": 100}, {"op": "text_present", "min_length": 3}),
    (
        {"type": "date"},
        {
            "op": "all_of",
            "rules": [
                {"op": "date_within", "period": "P3Y"},
                {"op": "date_on_or_before", "date": "2027-01-01"},
            ],
        },
    ),
    (
        {"type": "number"},
        {
            "op": "any_of",
            "rules": [{"op": "number_at_most", "value": 1}, {"op": "number_at_least", "value": 9}],
        },
    ),
    (
        {"type": "yes_no"},
        {
            "op": "if",
            "requirement": "SCH-POLICY-REVIEWED",
            "condition": {"op": "date_older_than", "period": "P1Y"},
            "then": {"op": "is_yes"},
        },
    ),
]


@pytest.mark.parametrize(
    ("answer", "rule"), EVERY_OPERATOR, ids=[r["op"] for _, r in EVERY_OPERATOR]
)
def test_every_operator_is_accepted_where_it_fits(answer, rule):
    doc = with_requirement(requirement_doc(answer=answer, rule=rule))
    result = parse_version_text(as_yaml(doc))
    stored = result["sections"][0]["requirements"][-1]
    assert stored["rule"]["op"] == rule["op"]
    assert stored["answer"]["type"] == answer["type"]


def place(field: str, index: int = 2) -> str:
    return f"sections[0].requirements[{index}].{field}"


ERROR_CASES = [
    ("unknown operator", {"rule": {"op": "gte "}}, f"{place('rule.op')}: unknown operator 'gte '"),
    (
        "unknown answer type",
        {"answer": {"type": "colour"}},
        f"{place('answer.type')}: unknown answer type 'colour'",
    ),
    ("unknown theme", {"theme": "weather"}, f"{place('theme')}: unknown theme 'weather'"),
    (
        "unknown provider type",
        {"applies_to": ["castle"]},
        f"{place('applies_to[0]')}: unknown provider type 'castle'",
    ),
    ("empty applies_to", {"applies_to": []}, place("applies_to")),
    ("bad key", {"key": "lower-case"}, f"{place('key')}: 'lower-case' is not in the expected form"),
    ("bad strength", {"strength": "might"}, f"{place('strength')}: 'might' is not one of"),
    ("negative weight", {"weight": -1}, place("weight")),
    (
        "missing parameter",
        {"answer": {"type": "number"}, "rule": {"op": "number_at_least"}},
        f"{place('rule')}: missing required field 'value'",
    ),
    (
        "extra parameter",
        {"rule": {"op": "is_yes", "value": 3}},
        f"{place('rule')}: unexpected field 'value'",
    ),
    (
        "bad period",
        {"answer": {"type": "date"}, "rule": {"op": "date_within", "period": "12 months"}},
        f"{place('rule.period')}: '12 months' is not in the expected form",
    ),
    (
        "bad date",
        {"answer": {"type": "date"}, "rule": {"op": "date_on_or_before", "date": "31/05/2027"}},
        place("rule.date"),
    ),
    (
        "operator does not fit",
        {"answer": {"type": "date"}, "rule": {"op": "is_yes"}},
        f"{place('rule.op')}: operator 'is_yes' cannot judge a 'date' answer",
    ),
    (
        "nested operator does not fit",
        {"answer": {"type": "date"}, "rule": {"op": "all_of", "rules": [{"op": "https_url"}]}},
        place("rule.rules[0].op"),
    ),
    (
        "choice not in choices",
        {
            "answer": {"type": "single_choice", "choices": CHOICES},
            "rule": {"op": "choice_in", "values": ["z"]},
        },
        f"{place('rule.values[0]')}: 'z' is not one of the answer's choices",
    ),
    (
        "too few choices",
        {"answer": {"type": "single_choice", "choices": CHOICES[:1]}, "rule": {"op": "answered"}},
        place("answer.choices"),
    ),
    (
        "repeated choice",
        {
            "answer": {
                "type": "multiple_choice",
                "choices": [*CHOICES, {"value": "a", "label": "again"}],
            },
            "rule": {"op": "answered"},
        },
        f"{place('answer.choices[3].value')}: choice 'a' is repeated",
    ),
    (
        "choices on a number",
        {"answer": {"type": "number", "choices": CHOICES}},
        f"{place('answer')}: unexpected field 'choices'",
    ),
    (
        "answer min above max",
        {"answer": {"type": "number", "min": 5, "max": 1}, "rule": {"op": "answered"}},
        f"{place('answer')}: min is greater than max",
    ),
    (
        "between min above max",
        {"answer": {"type": "number"}, "rule": {"op": "number_between", "min": 5, "max": 1}},
        f"{place('rule')}: min is greater than max",
    ),
    (
        "if refers to a missing key",
        {
            "rule": {
                "op": "if",
                "requirement": "SCH-NOPE",
                "condition": {"op": "is_yes"},
                "then": {"op": "is_yes"},
            }
        },
        f"{place('rule.requirement')}: no requirement with key 'SCH-NOPE'",
    ),
    (
        "if refers to itself",
        {
            "rule": {
                "op": "if",
                "requirement": "SCH-EXTRA",
                "condition": {"op": "is_yes"},
                "then": {"op": "is_yes"},
            }
        },
        f"{place('rule.requirement')}: a condition must refer to another requirement",
    ),
    (
        "if condition does not fit",
        {
            "rule": {
                "op": "if",
                "requirement": "SCH-POLICY-URL",
                "condition": {"op": "is_yes"},
                "then": {"op": "is_yes"},
            }
        },
        f"{place('rule.condition.op')}: operator 'is_yes' cannot judge a 'url' answer",
    ),
    (
        "if refers to narrower provider types",
        {
            "applies_to": ["mainstream_school", "special_school"],
            "rule": {
                "op": "if",
                "requirement": "SCH-POLICY-REVIEWED",
                "condition": {"op": "answered"},
                "then": {"op": "is_yes"},
            },
        },
        f"{place('rule.requirement')}: SCH-POLICY-REVIEWED does not apply to special_school",
    ),
    (
        "must without a verified citation",
        {
            "strength": "must",
            "citations": [{"document": "Doc", "reference": "1", "verified": False}],
        },
        f"{place('citations')}: a must requirement needs at least one citation",
    ),
    ("no citations", {"citations": []}, place("citations")),
    (
        "effective dates reversed",
        {"effective_from": "2027-01-01", "effective_to": "2026-01-01"},
        f"{place('effective_to')}: effective_to is before effective_from",
    ),
    ("unexpected field", {"colour": "red"}, f"{place('')[:-1]}: unexpected field 'colour'"),
    (
        "missing question",
        {"question": None},
        "sections[0].requirements[2]: missing required field 'question'",
    ),
]


@pytest.mark.parametrize(
    ("name", "fields", "expected"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES]
)
def test_each_problem_is_named_by_its_place(name, fields, expected):
    requirement = requirement_doc(**fields)
    requirement = {k: v for k, v in requirement.items() if v is not None}
    problems = problems_of(as_yaml(with_requirement(requirement)))
    assert any(p.startswith(expected) for p in problems), problems


# ---- a must cited before its text was read ---------------------------------------------------

UNREAD = {
    "document": "Breaks for Carers of Disabled Children Regulations 2011",
    "reference": "reg 5",
}


def _must(key: str, citation: dict) -> dict:
    return requirement_doc(
        key=key,
        applies_to=["local_authority"],
        strength="must",
        citations=[{**citation, "verified": False}],
    )


def test_a_listed_duty_may_be_a_must_citing_its_document_unverified():
    result = parse_version_text(
        as_yaml(with_requirement(_must("LA-SHORT-BREAKS-STATEMENT", UNREAD)))
    )
    listed = result["sections"][0]["requirements"][2]
    assert (listed["strength"], listed["citations"][0]["verified"]) == ("must", False)


@pytest.mark.parametrize(
    ("key", "citation"),
    [
        ("LA-NOT-LISTED", UNREAD),  # a duty not on the list
        ("LA-SHORT-BREAKS-STATEMENT", {"document": "Children Act 1989", "reference": "s17"}),
    ],
    ids=["not listed", "listed, citing another document"],
)
def test_no_other_must_may_rest_on_unverified_citations(key, citation):
    problems = problems_of(as_yaml(with_requirement(_must(key, citation))))
    assert problems == [
        "sections[0].requirements[2].citations: a must requirement needs at least one citation"
        " that is not marked verified: false"
    ]


def test_each_listed_duty_says_what_creates_it_and_why():
    for key, duty in MUSTS_CITED_BEFORE_READING.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+", key)
        assert re.search(r"\b(Act|Regulations) \d{4}$", duty.document), key
        assert "could not be read" in duty.reason or "only the explanatory note" in duty.reason


def test_duplicate_keys_and_section_codes_are_reported():
    doc = with_requirement(requirement_doc(key="SCH-POLICY-URL"))
    doc["sections"][1]["code"] = "GOVERNANCE"
    problems = problems_of(as_yaml(doc))
    assert (
        "sections[0].requirements[2].key: key 'SCH-POLICY-URL' is already used at sections[0].requirements[0]"
        in problems
    )
    assert any(
        p.startswith("sections[1].code: section code 'GOVERNANCE' is already used")
        for p in problems
    )


def test_every_problem_is_reported_not_just_the_first():
    doc = document()
    doc["sections"][0]["requirements"][0]["rule"] = {"op": "nope"}
    doc["sections"][1]["requirements"][0]["theme"] = "weather"
    doc["version"] = "one"
    problems = problems_of(as_yaml(doc))
    assert len(problems) == 3
    assert any(p.startswith("version:") for p in problems)


def test_top_level_problems():
    doc = document(format=2, grace_period_days=-1)
    del doc["sections"]
    problems = problems_of(as_yaml(doc))
    assert any(p.startswith("format:") for p in problems)
    assert any(p.startswith("grace_period_days:") for p in problems)
    assert any("missing required field 'sections'" in p for p in problems)


def test_invalid_yaml_names_line_and_column():
    problems = problems_of("format: 1\nstandard: [unclosed\n")
    assert problems[0].startswith("line ")
    assert "column" in problems[0]


def test_a_file_that_is_not_a_mapping_is_refused():
    assert problems_of("- just\n- a list\n") == [
        "file: the file must hold a mapping of fields, see docs/standard-format.md"
    ]


# ---- dates that do not exist ----------------------------------------------------------------


@pytest.mark.parametrize("quoted", [True, False], ids=["quoted", "unquoted"])
def test_an_impossible_version_date_is_named_by_its_field(quoted):
    text = as_yaml(document(effective_from="2026-02-30"))
    if not quoted:
        text = text.replace("'2026-02-30'", "2026-02-30")
    assert problems_of(text) == [
        "effective_from: '2026-02-30' is not a real date (day is out of range for month)"
    ]


IMPOSSIBLE_DATES = [
    ({"effective_from": "2026-13-01"}, "effective_from"),
    ({"effective_to": "2026-02-29"}, "effective_to"),
    (
        {"answer": {"type": "date"}, "rule": {"op": "date_on_or_before", "date": "2024-02-30"}},
        "rule.date",
    ),
    (
        {
            "answer": {"type": "date"},
            "rule": {"op": "all_of", "rules": [{"op": "date_on_or_after", "date": "2025-04-31"}]},
        },
        "rule.rules[0].date",
    ),
]


@pytest.mark.parametrize(
    ("fields", "field"), IMPOSSIBLE_DATES, ids=[f for _, f in IMPOSSIBLE_DATES]
)
@pytest.mark.parametrize("quoted", [True, False], ids=["quoted", "unquoted"])
def test_every_impossible_date_is_named_by_its_field(fields, field, quoted):
    text = as_yaml(with_requirement(requirement_doc(**fields)))
    if not quoted:
        text = text.replace("'20", "20").replace("01'", "01").replace("29'", "29")
        text = text.replace("30'", "30").replace("31'", "31")
    problems = problems_of(text)
    assert problems == [f"{place(field)}: {problems[0].split(': ', 1)[1]}"]
    assert "is not a real date" in problems[0]


def test_values_yaml_cannot_construct_are_reported_by_line_and_column():
    problems = problems_of("format: 1\nversion: 0x_\n")
    assert len(problems) == 1
    assert problems[0].startswith("line 2, column 10: not valid YAML or JSON: cannot read")


def test_a_key_given_twice_is_a_problem_not_silently_the_last():
    problems = problems_of("format: 1\nversion: '1.0'\nversion: '1.1'\n")
    assert problems == [
        "line 3, column 1: not valid YAML or JSON: the key 'version' appears twice here"
    ]


# ---- every problem at once ------------------------------------------------------------------


def test_semantic_problems_are_reported_with_schema_problems():
    doc = with_requirement(requirement_doc(key="SCH-POLICY-URL", question=None))
    del doc["sections"][0]["requirements"][2]["question"]
    doc["sections"][0]["requirements"][1]["rule"] = {"op": "is_yes"}
    doc["sections"][1]["requirements"][0]["theme"] = "weather"
    problems = problems_of(as_yaml(doc))
    assert problems == [
        "sections[0].requirements[1].rule.op: operator 'is_yes' cannot judge a 'date' answer"
        " (it fits 'yes_no')",
        "sections[0].requirements[2]: missing required field 'question'",
        "sections[0].requirements[2].key: key 'SCH-POLICY-URL' is already used at"
        " sections[0].requirements[0]",
        "sections[1].requirements[0].theme: unknown theme 'weather'",
    ]


BROKEN_PARTS = [
    ("sections not a list", lambda d: d.update(sections={"a": 1})),
    ("section not a mapping", lambda d: d["sections"].append("GOVERNANCE")),
    ("requirements not a list", lambda d: d["sections"][1].update(requirements="none")),
    ("requirement not a mapping", lambda d: d["sections"][1]["requirements"].append(3)),
    ("key not text", lambda d: d["sections"][1]["requirements"][0].update(key=7)),
    ("answer not a mapping", lambda d: d["sections"][0]["requirements"][1].update(answer=["date"])),
    ("rule without op", lambda d: d["sections"][0]["requirements"][1].update(rule={"period": 1})),
    (
        "choices not a list",
        lambda d: d["sections"][0]["requirements"][1].update(
            answer={"type": "single_choice", "choices": "a, b"},
            rule={"op": "choice_in", "values": ["a"]},
        ),
    ),
    ("citations of text", lambda d: d["sections"][0]["requirements"][0].update(citations=["s69"])),
    (
        "condition on a broken requirement",
        lambda d: (
            d["sections"][0]["requirements"][0].update(answer={"type": "nope"}),
            d["sections"][0]["requirements"][1].update(
                rule={
                    "op": "if",
                    "requirement": "SCH-POLICY-URL",
                    "condition": {"op": "is_yes"},
                    "then": {"op": "answered"},
                }
            ),
        ),
    ),
]


@pytest.mark.parametrize("break_it", [b for _, b in BROKEN_PARTS], ids=[n for n, _ in BROKEN_PARTS])
def test_the_semantic_checks_pass_over_parts_with_schema_problems(break_it):
    doc = document()
    break_it(doc)
    problems = problems_of(as_yaml(doc))
    assert problems
    assert not any("cannot judge" in p or "no requirement with key" in p for p in problems)
