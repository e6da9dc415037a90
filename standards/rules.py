"""The rule vocabulary: what each operator means, in plain English and when evaluated.

Rules are data; this module is the only place that gives them meaning. `evaluate` is the
reference evaluator the scoring engine uses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

PERIOD_RE = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


class RuleError(Exception):
    """The rule cannot be evaluated on this answer."""


class NotApplicable(Exception):
    """A condition was not met, so the requirement does not apply."""


# ---- periods and dates -------------------------------------------------------------------


def parse_period(period: str) -> tuple[int, int, int, int]:
    match = PERIOD_RE.match(period)
    if not match or period == "P":
        raise RuleError(f"{period!r} is not an ISO 8601 period")
    years, months, weeks, days = (int(part or 0) for part in match.groups())
    return years, months, weeks, days


def subtract_period(day: dt.date, period: str) -> dt.date:
    """The date `period` before `day`; month ends clamp (31 March less 1 month is 28 or 29 February)."""
    years, months, weeks, days = parse_period(period)
    total_months = day.year * 12 + (day.month - 1) - (years * 12 + months)
    year, month = divmod(total_months, 12)
    month += 1
    last_day = _days_in_month(year, month)
    shifted = dt.date(year, month, min(day.day, last_day))
    return shifted - dt.timedelta(weeks=weeks, days=days)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day


def describe_period(period: str) -> str:
    years, months, weeks, days = parse_period(period)
    parts = []
    for count, unit in ((years, "year"), (months, "month"), (weeks, "week"), (days, "day")):
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return " and ".join(parts)


def format_date(value: dt.date | str) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


# ---- plain English -------------------------------------------------------------------------

LookupAnswer = Callable[[str], tuple[str, dict[str, Any]] | None]
"""Given a requirement key, its title and answer spec (for describing conditions)."""


def _number(value: Any, answer: Mapping[str, Any]) -> str:
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    unit = answer.get("unit") or ""
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def _labels(values: Sequence[str], answer: Mapping[str, Any]) -> str:
    labels = {c["value"]: c["label"] for c in answer.get("choices", [])}
    named = [f"“{labels.get(v, v)}”" for v in values]
    if len(named) == 1:
        return named[0]
    return ", ".join(named[:-1]) + " and " + named[-1]


def _labels_or(values: Sequence[str], answer: Mapping[str, Any]) -> str:
    text = _labels(values, answer)
    return text[::-1].replace(" dna ", " ro ", 1)[::-1] if len(values) > 1 else text


def describe_condition(rule: Mapping[str, Any], answer: Mapping[str, Any]) -> str:
    """A rule as a clause about an answer ("is yes", "is at least 95%")."""
    op = rule["op"]
    clause = _scalar_clause(op, rule, answer) or _choice_clause(op, rule, answer)
    if clause is None:
        raise RuleError(f"unknown operator {op!r}")
    return clause


def _scalar_clause(op: str, rule: Mapping[str, Any], answer: Mapping[str, Any]) -> str | None:
    """The clause of a rule about one yes-or-no, number or date; None for another operator."""
    match op:
        case "answered":
            return "has been given"
        case "is_yes":
            return "is yes"
        case "is_no":
            return "is no"
        case "number_at_least":
            return f"is at least {_number(rule['value'], answer)}"
        case "number_at_most":
            return f"is at most {_number(rule['value'], answer)}"
        case "number_between":
            return f"is between {_number(rule['min'], answer)} and {_number(rule['max'], answer)}"
        case "date_within":
            return f"is a date in the {describe_period(rule['period'])} before the assessment"
        case "date_older_than":
            return f"is a date more than {describe_period(rule['period'])} before the assessment"
        case "date_on_or_before":
            return f"is a date on or before {format_date(rule['date'])}"
        case "date_on_or_after":
            return f"is a date on or after {format_date(rule['date'])}"
    return None


def _choice_clause(op: str, rule: Mapping[str, Any], answer: Mapping[str, Any]) -> str | None:
    """The clause of a rule about choices, text or a web address, or made of rules; None for
    another operator."""
    match op:
        case "choice_in":
            if len(rule["values"]) == 1:
                return f"is {_labels(rule['values'], answer)}"
            return f"is one of {_labels_or(rule['values'], answer)}"
        case "includes_all":
            if len(rule["values"]) == 1:
                return f"includes {_labels(rule['values'], answer)}"
            return f"includes all of {_labels(rule['values'], answer)}"
        case "includes_any":
            return f"includes at least one of {_labels_or(rule['values'], answer)}"
        case "https_url":
            return "is a web address starting with https://"
        case "text_present":
            if rule.get("min_length", 1) > 1:
                return f"is a text of at least {rule['min_length']} characters"
            return "has been given"
        case "all_of":
            return " and ".join(describe_condition(r, answer) for r in rule["rules"])
        case "any_of":
            return " or ".join(describe_condition(r, answer) for r in rule["rules"])
    return None


def describe_rule(
    rule: Mapping[str, Any], answer: Mapping[str, Any], lookup: LookupAnswer | None = None
) -> str:
    """A whole rule as a sentence: "The answer must be a date in the 12 months before the assessment."."""
    if rule["op"] == "if":
        found = lookup(rule["requirement"]) if lookup else None
        if found:
            other_title, other_answer = found
            subject = f"the answer to “{other_title}” ({rule['requirement']})"
        else:
            other_answer, subject = {}, f"the answer to {rule['requirement']}"
        then = describe_rule(rule["then"], answer, lookup)
        then = then[0].lower() + then[1:]
        return (
            f"If {subject} {describe_condition(rule['condition'], other_answer)}, {then.rstrip('.')}."
            " Otherwise this requirement does not apply."
        )
    if rule["op"] == "answered":
        return "An answer must be given."
    return (
        f"The answer must be such that it {describe_condition(rule, answer)}."
        if rule["op"] in ("all_of", "any_of")
        else f"The answer {_must(describe_condition(rule, answer))}."
    )


def _must(clause: str) -> str:
    """Turn "is at least 5" into "must be at least 5", "includes x" into "must include x"."""
    if clause.startswith("is "):
        return "must be " + clause[3:]
    if clause.startswith("includes "):
        return "must include " + clause[len("includes ") :]
    if clause.startswith("has been given"):
        return "must be given"
    return "must satisfy: " + clause


# ---- evaluation ----------------------------------------------------------------------------


def evaluate(
    rule: Mapping[str, Any],
    value: Any,
    *,
    on: dt.date,
    answers: Mapping[str, Any] | None = None,
) -> bool:
    """True if `value` passes `rule` on the assessment date `on`.

    Raises NotApplicable when an `if` condition is not met, and RuleError when the rule
    cannot be evaluated on this value. A missing answer (None) is judged by the caller.
    """
    op = rule["op"]
    if op == "if":
        other = (answers or {}).get(rule["requirement"])
        if other is None or not evaluate(rule["condition"], other, on=on, answers=answers):
            raise NotApplicable(rule["requirement"])
        return evaluate(rule["then"], value, on=on, answers=answers)
    if value is None:
        return False
    passed = _evaluate_scalar(op, rule, value, on=on)
    if passed is None:
        passed = _evaluate_collection(op, rule, value, on=on, answers=answers)
    if passed is None:
        raise RuleError(f"unknown operator {op!r}")
    return passed


def _evaluate_scalar(op: str, rule: Mapping[str, Any], value: Any, *, on: dt.date) -> bool | None:
    """Whether one yes-or-no, number or date passes; None for another operator."""
    match op:
        case "answered":
            return value not in ("", [], None)
        case "is_yes" | "is_no":
            if not isinstance(value, bool):
                raise RuleError(f"expected yes or no, got {value!r}")
            return value is (op == "is_yes")
        case "number_at_least":
            return _as_number(value) >= _as_number(rule["value"])
        case "number_at_most":
            return _as_number(value) <= _as_number(rule["value"])
        case "number_between":
            return _as_number(rule["min"]) <= _as_number(value) <= _as_number(rule["max"])
        case "date_within":
            day = _as_date(value)
            return subtract_period(on, rule["period"]) <= day <= on
        case "date_older_than":
            return _as_date(value) < subtract_period(on, rule["period"])
        case "date_on_or_before":
            return _as_date(value) <= _as_date(rule["date"])
        case "date_on_or_after":
            return _as_date(value) >= _as_date(rule["date"])
    return None


def _evaluate_collection(
    op: str,
    rule: Mapping[str, Any],
    value: Any,
    *,
    on: dt.date,
    answers: Mapping[str, Any] | None,
) -> bool | None:
    """Whether choices, text or a web address pass, or a rule made of rules; None for another
    operator."""
    match op:
        case "choice_in":
            if not isinstance(value, str):
                raise RuleError(f"expected one choice, got {value!r}")
            return value in rule["values"]
        case "includes_all" | "includes_any":
            if not isinstance(value, list | tuple | set | frozenset):
                raise RuleError(f"expected a list of choices, got {value!r}")
            chosen = set(value)
            wanted = set(rule["values"])
            return wanted <= chosen if op == "includes_all" else bool(wanted & chosen)
        case "https_url":
            return is_https_url(value)
        case "text_present":
            if not isinstance(value, str):
                raise RuleError(f"expected text, got {value!r}")
            return len(value.strip()) >= rule.get("min_length", 1)
        case "all_of":
            return all(evaluate(r, value, on=on, answers=answers) for r in rule["rules"])
        case "any_of":
            return any(evaluate(r, value, on=on, answers=answers) for r in rule["rules"])
    return None


def is_https_url(value: Any) -> bool:
    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme == "https" and "." in host and not host.startswith(".")


def _as_number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise RuleError(f"expected a number, got {value!r}")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError as exc:
            raise RuleError(f"expected a number, got {value!r}") from exc
    raise RuleError(f"expected a number, got {value!r}")


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise RuleError(f"expected a date, got {value!r}") from exc
    raise RuleError(f"expected a date, got {value!r}")
