"""The engine on its own: outcomes, XCCDF default-model scores, contributions."""

import datetime as dt
from decimal import Decimal

import pytest

from scoring.engine import (
    Answer,
    CompiledSpec,
    Outcome,
    RequirementSpec,
    SectionSpec,
    VersionSpec,
    contributions,
    score,
)

ON = dt.date(2026, 11, 30)


def spec(
    *requirements: RequirementSpec, sections=None, effective_from=dt.date(2026, 9, 1), grace=0
):
    sections = sections or (SectionSpec("A", "Section A", 1.0),)
    return VersionSpec(
        version_id=1,
        content_hash="x",
        effective_from=effective_from,
        grace_period_days=grace,
        sections=tuple(sections),
        requirements=tuple(requirements),
        answer_types={r.key: r.answer_type for r in requirements},
    )


def requirement(
    key="R", rule=None, answer_type="yes_no", strength="must", weight=1.0, section="A", **more
):
    return RequirementSpec(
        key=key,
        section=section,
        strength=strength,
        weight=weight,
        answer_type=answer_type,
        rule=rule or {"op": "is_yes"},
        **more,
    )


def judge(version, answers, on=ON):
    return CompiledSpec(version, on=on).judge(answers)


def one(rule, answer_type, value, **more):
    version = spec(requirement(rule=rule, answer_type=answer_type, **more))
    answers = {} if value is None else {"R": Answer(answer_type, value)}
    return judge(version, answers).outcomes[0]


# Every operator, through the engine, passing and failing.
OPERATORS = [
    ({"op": "answered"}, "text", "something", "nothing"),
    ({"op": "is_yes"}, "yes_no", True, False),
    ({"op": "is_no"}, "yes_no", False, True),
    ({"op": "number_at_least", "value": 90}, "number", Decimal("90"), Decimal("89.9999")),
    ({"op": "number_at_most", "value": 5}, "number", Decimal("5"), Decimal("5.0001")),
    ({"op": "number_between", "min": 1, "max": 3}, "number", Decimal("2"), Decimal("4")),
    ({"op": "date_within", "period": "P12M"}, "date", dt.date(2025, 11, 30), dt.date(2025, 11, 29)),
    (
        {"op": "date_older_than", "period": "P3Y"},
        "date",
        dt.date(2023, 11, 29),
        dt.date(2023, 11, 30),
    ),
    (
        {"op": "date_on_or_before", "date": "2027-05-31"},
        "date",
        dt.date(2027, 5, 31),
        dt.date(2027, 6, 1),
    ),
    (
        {"op": "date_on_or_after", "date": "2024-09-01"},
        "date",
        dt.date(2024, 9, 1),
        dt.date(2024, 8, 31),
    ),
    ({"op": "choice_in", "values": ["alpha", "beta"]}, "single_choice", "beta", "gamma"),
    (
        {"op": "includes_all", "values": ["alpha", "beta"]},
        "multiple_choice",
        ["beta", "alpha"],
        ["alpha"],
    ),
    ({"op": "includes_any", "values": ["alpha", "beta"]}, "multiple_choice", ["gamma", "beta"], []),
    (
        {"op": "https_url"},
        "url",
        "https://school.example.org/send",
        "http://school.example.org/send",
    ),
    ({"op": "text_present", "min_length": 3}, "text", "abc", "  ab "),
    (
        {
            "op": "all_of",
            "rules": [{"op": "number_at_least", "value": 1}, {"op": "number_at_most", "value": 2}],
        },
        "number",
        Decimal("2"),
        Decimal("3"),
    ),
    (
        {
            "op": "any_of",
            "rules": [{"op": "number_at_most", "value": 1}, {"op": "number_at_least", "value": 9}],
        },
        "number",
        Decimal("9"),
        Decimal("5"),
    ),
]


@pytest.mark.parametrize(
    ("rule", "answer_type", "passing", "failing"), OPERATORS, ids=[r[0]["op"] for r in OPERATORS]
)
def test_every_operator_passes_and_fails_through_the_engine(rule, answer_type, passing, failing):
    if rule["op"] == "answered":
        # "answered" fails only on an empty answer, which is no answer at all for text.
        assert one(rule, answer_type, passing) is Outcome.PASS
        assert one(rule, "multiple_choice", []) is Outcome.FAIL
        return
    assert one(rule, answer_type, passing) is Outcome.PASS
    assert one(rule, answer_type, failing) is Outcome.FAIL


def test_if_operator_applies_only_when_its_condition_holds():
    rule = {
        "op": "if",
        "requirement": "Q",
        "condition": {"op": "is_yes"},
        "then": {"op": "text_present"},
    }
    version = spec(requirement("Q"), requirement("R", rule=rule, answer_type="text"))
    yes, no = Answer("yes_no", True), Answer("yes_no", False)
    assert judge(version, {"Q": yes, "R": Answer("text", "Jo")}).outcomes[1] is Outcome.PASS
    assert judge(version, {"Q": yes, "R": Answer("text", "  ")}).outcomes[1] is Outcome.FAIL
    assert judge(version, {"Q": yes}).outcomes[1] is Outcome.NOT_ANSWERED
    assert judge(version, {"Q": no, "R": Answer("text", "")}).outcomes[1] is Outcome.NOT_APPLICABLE
    # No answer to the condition's question: the requirement does not apply (yet).
    assert judge(version, {}).outcomes[1] is Outcome.NOT_APPLICABLE


def test_not_answered_is_a_failure_for_must_and_should_but_not_scored_for_good_practice():
    version = spec(
        requirement("M", strength="must"),
        requirement("S", strength="should"),
        requirement("G", strength="good_practice"),
    )
    outcomes = judge(version, {}).outcomes
    assert outcomes == [Outcome.NOT_ANSWERED] * 3
    scores = score(version, outcomes)
    assert (scores.pass_count, scores.fail_count, scores.scored_count) == (0, 2, 2)
    assert scores.all_musts_met is False
    assert scores.counts["not_answered"] == {"must": 1, "should": 1, "good_practice": 1}


def test_an_error_is_reported_with_its_reason_and_counted_as_a_failure():
    # A yes/no rule given a number: the rule cannot be evaluated on this answer.
    version = spec(requirement("R", rule={"op": "is_yes"}, answer_type="number"), requirement("P"))
    judged = judge(version, {"R": Answer("number", Decimal("3")), "P": Answer("yes_no", True)})
    assert judged.outcomes == [Outcome.ERROR, Outcome.PASS]
    assert "expected yes or no" in judged.errors["R"]
    scores = score(version, judged.outcomes)
    assert scores.score == 50.0
    assert (scores.pass_count, scores.fail_count) == (1, 1)
    assert scores.all_musts_met is False


def test_saying_not_applicable_is_an_error_unless_the_requirement_allows_it():
    allowed = spec(requirement(allow_not_applicable=True))
    refused = spec(requirement())
    answer = {"R": Answer("yes_no", None, not_applicable=True)}
    assert judge(allowed, answer).outcomes == [Outcome.NOT_APPLICABLE]
    judged = judge(refused, answer)
    assert judged.outcomes == [Outcome.ERROR]
    assert "does not allow" in judged.errors["R"]


def test_an_answer_whose_type_changed_counts_as_not_answered():
    version = spec(requirement(rule={"op": "number_at_least", "value": 1}, answer_type="number"))
    assert judge(version, {"R": Answer("yes_no", True)}).outcomes == [Outcome.NOT_ANSWERED]


def test_not_yet_due_before_a_duty_starts_is_reported_never_a_fail():
    version = spec(
        requirement("LATER", effective_from=dt.date(2027, 1, 1)),
        requirement("NOW"),
    )
    judged = judge(version, {"LATER": Answer("yes_no", False), "NOW": Answer("yes_no", True)})
    assert judged.outcomes == [Outcome.NOT_YET_DUE, Outcome.PASS]
    assert score(version, judged.outcomes).score == 100.0
    # From the day the duty starts, it is scored.
    assert (
        judge(version, {"LATER": Answer("yes_no", False)}, on=dt.date(2027, 1, 1)).outcomes[0]
        is Outcome.FAIL
    )


def test_a_duty_that_has_ended_does_not_apply():
    version = spec(requirement(effective_to=dt.date(2026, 10, 31)))
    assert judge(version, {"R": Answer("yes_no", False)}).outcomes == [Outcome.NOT_APPLICABLE]


def test_failures_in_the_grace_period_are_not_yet_due_and_passes_still_pass():
    version = spec(requirement("F"), requirement("P"), requirement("U"), grace=100)
    answers = {"F": Answer("yes_no", False), "P": Answer("yes_no", True)}
    assert judge(version, answers).outcomes == [
        Outcome.NOT_YET_DUE,
        Outcome.PASS,
        Outcome.NOT_YET_DUE,
    ]
    after = dt.date(2026, 9, 1) + dt.timedelta(days=100)
    assert judge(version, answers, on=after).outcomes == [
        Outcome.FAIL,
        Outcome.PASS,
        Outcome.NOT_ANSWERED,
    ]


def test_a_version_not_yet_in_force_is_not_yet_due_throughout():
    version = spec(requirement(), effective_from=dt.date(2027, 9, 1))
    assert judge(version, {"R": Answer("yes_no", True)}).outcomes == [Outcome.NOT_YET_DUE]
    scores = score(version, [Outcome.NOT_YET_DUE])
    assert (scores.score, scores.scored_count, scores.all_musts_met) == (0.0, 0, True)


def test_an_unexpected_exception_is_an_error_not_a_crash():
    version = spec(requirement(rule={"op": "number_at_least", "value": 1}, answer_type="number"))
    judged = judge(version, {"R": Answer("number", Decimal("NaN"))})
    assert judged.outcomes == [Outcome.ERROR]
    assert judged.errors["R"]


# ---- XCCDF 1.2 default model: the worked examples of docs/scoring.md --------------------


def worked_spec():
    sections = (
        SectionSpec("LEADERSHIP", "Leadership", 2.0),
        SectionSpec("OFFER", "Local offer", 1.0),
    )
    return spec(
        requirement("L1", strength="must", weight=2, section="LEADERSHIP"),
        requirement("L2", strength="should", weight=1, section="LEADERSHIP"),
        requirement("L3", strength="good_practice", weight=1, section="LEADERSHIP"),
        requirement("L4", strength="must", weight=1, section="LEADERSHIP"),
        requirement("O1", strength="must", weight=1, section="OFFER"),
        requirement("O2", strength="should", weight=3, section="OFFER"),
        requirement("O3", strength="should", weight=1, section="OFFER"),
        requirement("O4", strength="must", weight=1, section="OFFER"),
        sections=sections,
    )


WORKED_OUTCOMES = [
    Outcome.PASS,
    Outcome.FAIL,
    Outcome.NOT_ANSWERED,
    Outcome.NOT_APPLICABLE,
    Outcome.PASS,
    Outcome.ERROR,
    Outcome.NOT_YET_DUE,
    Outcome.NOT_ANSWERED,
]


def test_worked_example_1_scores_by_hand():
    scores = score(worked_spec(), WORKED_OUTCOMES)
    # Leadership: L1 scores 100 × 2; L2 scores 0 × 1; L3 (good practice, unanswered) and
    # L4 (not applicable) are left out. 200 / (2 + 1) = 66.67.
    assert scores.sections["LEADERSHIP"].score == pytest.approx(200 / 3)
    assert scores.sections["LEADERSHIP"].count == 2
    assert scores.sections["LEADERSHIP"].weight_sum == 3
    # Offer: O1 100 × 1; O2 (error) 0 × 3; O4 (must, unanswered) 0 × 1; O3 not yet due.
    # 100 / (1 + 3 + 1) = 20.
    assert scores.sections["OFFER"].score == pytest.approx(20.0)
    assert scores.sections["OFFER"].count == 3
    # Overall: (66.67 × 2 + 20 × 1) / (2 + 1) = 51.11.
    assert scores.score == pytest.approx((2 * 200 / 3 + 20) / 3)
    assert round(scores.score, 2) == 51.11
    assert scores.all_musts_met is False
    assert (scores.pass_count, scores.fail_count, scores.scored_count) == (2, 3, 5)
    assert scores.counts_json() == {
        "pass": {"must": 2},
        "fail": {"should": 1},
        "not_answered": {"must": 1, "good_practice": 1},
        "not_applicable": {"must": 1},
        "error": {"should": 1},
        "not_yet_due": {"should": 1},
    }


def test_worked_example_1_contributions_add_up_to_the_score():
    version = worked_spec()
    scores = score(version, WORKED_OUTCOMES)
    parts = contributions(version, WORKED_OUTCOMES, scores)
    l1, l2, l3, l4, o1, o2, o3, o4 = parts
    assert l1.section_points == pytest.approx(200 / 3) and l1.overall_points == pytest.approx(
        400 / 9
    )
    assert l2.earned_overall_points == 0 and l2.overall_points == pytest.approx(200 / 9)
    assert not l3.scored and not l4.scored and not o3.scored
    assert o1.section_points == pytest.approx(20) and o1.overall_points == pytest.approx(20 / 3)
    assert o2.overall_points == pytest.approx(20) and o4.overall_points == pytest.approx(20 / 3)
    assert sum(p.earned_overall_points for p in parts) == pytest.approx(scores.score)
    assert sum(p.overall_points for p in parts) == pytest.approx(100)


def test_worked_example_2_a_section_with_nothing_scored_is_left_out():
    sections = (SectionSpec("A", "A", 1.0), SectionSpec("B", "B", 3.0))
    version = spec(
        requirement("A1", section="A"),
        requirement("B1", section="B"),
        requirement("B2", section="B"),
        sections=sections,
    )
    outcomes = [Outcome.PASS, Outcome.NOT_APPLICABLE, Outcome.NOT_YET_DUE]
    scores = score(version, outcomes)
    # Section B counted nothing, so its weight of 3 is not in the denominator: 100 × 1 / 1.
    assert scores.score == 100.0
    assert scores.sections["B"].count == 0


def test_worked_example_3_weights_within_and_between_sections():
    sections = (SectionSpec("A", "A", 1.0), SectionSpec("B", "B", 3.0))
    version = spec(
        requirement("A1", section="A", weight=1),
        requirement("A2", section="A", weight=3),
        requirement("B1", section="B", weight=1),
        requirement("B2", section="B", weight=1),
        sections=sections,
    )
    outcomes = [Outcome.FAIL, Outcome.PASS, Outcome.PASS, Outcome.FAIL]
    scores = score(version, outcomes)
    # A: 300 / 4 = 75; B: 100 / 2 = 50; overall (75 × 1 + 50 × 3) / 4 = 56.25.
    assert scores.sections["A"].score == 75.0
    assert scores.sections["B"].score == 50.0
    assert scores.score == 56.25


def test_zero_weight_requirements_count_but_score_nothing():
    version = spec(requirement("A", weight=0), requirement("B", weight=1))
    assert score(version, [Outcome.FAIL, Outcome.PASS]).score == 100.0
    # Only zero weights scored: XCCDF leaves the sum undivided, 0.
    assert score(spec(requirement("A", weight=0)), [Outcome.PASS]).score == 0.0
