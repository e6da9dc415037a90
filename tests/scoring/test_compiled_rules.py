"""The engine's compiled rules agree with the reference evaluator, `standards.rules.evaluate`.

Property test: for generated rules (every operator, nested), generated answers (right and
wrong types) and assessment dates, both give the same result or raise the same kind of error.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import CompiledSpec, RequirementSpec, SectionSpec, VersionSpec, compile_rule
from standards.rules import NotApplicable, evaluate

CHOICES = ["a", "b", "c"]
PERIODS = ["P12M", "P3Y", "P6W", "P30D", "P1Y2M", "P1M"]

numbers = st.one_of(
    st.integers(-1000, 1000),
    st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False),
)
iso_dates = st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat)
subsets = st.lists(st.sampled_from(CHOICES), min_size=1, max_size=3, unique=True)

leaves = st.one_of(
    st.just({"op": "answered"}),
    st.just({"op": "is_yes"}),
    st.just({"op": "is_no"}),
    numbers.map(lambda v: {"op": "number_at_least", "value": v}),
    numbers.map(lambda v: {"op": "number_at_most", "value": v}),
    st.tuples(numbers, numbers).map(
        lambda t: {"op": "number_between", "min": min(t), "max": max(t)}
    ),
    st.sampled_from(PERIODS).map(lambda p: {"op": "date_within", "period": p}),
    st.sampled_from(PERIODS).map(lambda p: {"op": "date_older_than", "period": p}),
    iso_dates.map(lambda d: {"op": "date_on_or_before", "date": d}),
    iso_dates.map(lambda d: {"op": "date_on_or_after", "date": d}),
    subsets.map(lambda v: {"op": "choice_in", "values": v}),
    subsets.map(lambda v: {"op": "includes_all", "values": v}),
    subsets.map(lambda v: {"op": "includes_any", "values": v}),
    st.just({"op": "https_url"}),
    st.integers(1, 6).map(lambda n: {"op": "text_present", "min_length": n}),
)


def _extend(children):
    return st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda rs: {"op": "all_of", "rules": rs}),
        st.lists(children, min_size=1, max_size=3).map(lambda rs: {"op": "any_of", "rules": rs}),
        st.tuples(leaves, children).map(
            lambda t: {"op": "if", "requirement": "Q", "condition": t[0], "then": t[1]}
        ),
    )


rules = st.recursive(leaves, _extend, max_leaves=6)

values = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    st.decimals(allow_nan=True, allow_infinity=True, places=2),
    st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)),
    iso_dates,
    st.sampled_from(
        [
            "",
            "  ",
            "a",
            "b",
            "abc  ",
            "https://school.example.org/sen",
            "http://school.example.org",
            "https://localhost",
            "https://.example.org",
            "https://exa mple.org",
            "not a date",
            "12.5",
        ]
    ),
    st.text(max_size=8),
    # Web addresses, well and badly formed, for https_url.
    st.builds(
        lambda scheme, user, host, port, path: f"{scheme}{user}{host}{port}{path}",
        st.sampled_from(["https://", "http://", "HTTPS://", "https:/", "https:", "", " https://"]),
        st.sampled_from(["", "me@", "a:b@", "@"]),
        st.text(alphabet="ab.-[]%:@\\ ", max_size=10),
        st.sampled_from(["", ":443", ":x", ":"]),
        st.sampled_from(["", "/", "/send?x=1#y", "?q", "#f", "/a b", "/\x00", "\t"]),
    ),
    st.lists(st.sampled_from([*CHOICES, "d"]), max_size=4),
)


def outcome(call):
    try:
        return ("value", call())
    except Exception as exc:  # the kind of error is what must agree
        return ("raised", type(exc).__name__)


@settings(max_examples=400, deadline=None)
@given(
    rule=rules, value=values, other=values, on=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
)
def test_compiled_rules_agree_with_the_reference_evaluator(rule, value, other, on):
    answers = {} if other is None else {"Q": other}
    expected = outcome(lambda: evaluate(rule, value, on=on, answers=answers))
    compiled = compile_rule(rule, on=on)
    assert outcome(lambda: compiled(value, answers)) == expected


def test_every_rule_of_the_default_standard_agrees_on_sample_answers():
    path = (
        Path(__file__).resolve().parents[2]
        / "standards"
        / "data"
        / "send-statutory-baseline-1.0.yaml"
    )
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    samples = [
        None,
        True,
        False,
        Decimal("0"),
        Decimal("50"),
        Decimal("95"),
        Decimal("100"),
        dt.date(2020, 1, 1),
        dt.date(2026, 6, 1),
        dt.date(2026, 11, 29),
        dt.date(2027, 1, 1),
        "https://school.example.org/send",
        "http://x.org",
        "Jo Smith",
        "",
        ["a"],
        [],
    ]
    on = dt.date(2026, 11, 30)
    checked = 0
    for section in document["sections"]:
        for requirement in section["requirements"]:
            rule = requirement["rule"]
            choices = [c["value"] for c in requirement["answer"].get("choices", [])]
            values = [*samples, *choices, choices[:2], choices]
            compiled = compile_rule(rule, on=on)
            for value in values:
                for other in (None, True, False, dt.date(2020, 1, 1), dt.date(2026, 10, 1)):
                    answers = {} if other is None else {rule.get("requirement", "X"): other}
                    assert outcome(lambda: compiled(value, answers)) == outcome(  # noqa: B023
                        lambda: evaluate(rule, value, on=on, answers=answers)  # noqa: B023
                    ), (requirement["key"], value, other)
                    checked += 1
    assert checked > 10_000


def reference_outcome(rule, value, answers, on):
    """The outcome letter the engine must give, worked out with the reference evaluator."""
    try:
        passed = evaluate(rule, value, on=on, answers=answers)
    except NotApplicable:
        return "n"
    except Exception:
        return "e"
    if value is None:
        return "u"
    return "p" if passed else "f"


@settings(max_examples=300, deadline=None)
@given(
    rule=rules, value=values, other=values, on=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
)
def test_the_engine_judges_as_the_reference_evaluator(rule, value, other, on):
    spec = VersionSpec(
        version_id=1,
        content_hash="x",
        effective_from=dt.date(2000, 1, 1),
        grace_period_days=0,
        sections=(SectionSpec("A", "A", 1.0),),
        requirements=(RequirementSpec("R", "A", "must", 1.0, "t", rule),),
        answer_types={"R": "t", "Q": "t"},
    )
    answers = {}
    if value is not None:
        answers["R"] = ("t", value, False)
    if other is not None:
        answers["Q"] = ("t", other, False)
    judged = CompiledSpec(spec, on=on).judge(answers)
    expected = reference_outcome(rule, value, {} if other is None else {"Q": other}, on)
    assert judged.codes == expected


urls = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda scheme, rest: scheme + rest,
        st.sampled_from(["https://", "http://", "HTTPS://", "https:", "\x01https://", " https://"]),
        st.text(alphabet="ab.-[]%:@/?#\\ \t\x00é", max_size=25),
    ),
)


@settings(max_examples=1500, deadline=None)
@given(value=urls)
def test_the_https_short_cut_agrees_with_the_reference(value):
    from scoring.engine import _https_url
    from standards.rules import is_https_url

    assert _https_url(value) == is_https_url(value)
