"""Compiled rules: a rule turned into a closure that gives the same answer as
`standards.rules.evaluate` (or raises the same kind of exception) for every value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from standards.rules import NotApplicable, RuleError, _as_date, _as_number, subtract_period

# ---- compiled rules ---------------------------------------------------------------------

Test = Callable[[Any, Mapping[str, Any]], bool]
"""A compiled rule: (value, other answers by key) -> passes; may raise like `evaluate`."""


def compile_rule(rule: Mapping[str, Any], *, on: dt.date) -> Test:
    """A closure equivalent to `standards.rules.evaluate(rule, value, on=on, answers=answers)`."""
    op = rule["op"]
    if op == "if":
        other_key = rule["requirement"]
        condition = compile_rule(rule["condition"], on=on)
        then = compile_rule(rule["then"], on=on)

        def test_if(value: Any, answers: Mapping[str, Any]) -> bool:
            other = answers.get(other_key)
            if other is None or not condition(other, answers):
                raise NotApplicable(other_key)
            return then(value, answers)

        return test_if
    inner = compile_value_test(rule, on=on)

    def test(value: Any, answers: Mapping[str, Any]) -> bool:
        if value is None:
            return False
        return inner(value, answers)

    return test


def _number(value: Any) -> Decimal:
    # Answers' numbers are Decimals already; anything else goes the reference's way.
    return value if type(value) is Decimal else _as_number(value)


def _date(value: Any) -> dt.date:
    return value if type(value) is dt.date else _as_date(value)


def compile_value_test(rule: Mapping[str, Any], *, on: dt.date) -> Test:
    """A non-`if` rule for a value that is not None (the caller judges a missing answer)."""
    op = rule["op"]
    test = _scalar_test(op, rule, on=on) or _collection_test(op, rule, on=on)
    if test is not None:
        return test
    message = f"unknown operator {op!r}"

    def unknown(value: Any, answers: Mapping[str, Any]) -> bool:
        raise RuleError(message)

    return unknown


def _scalar_test(op: str, rule: Mapping[str, Any], *, on: dt.date) -> Test | None:
    """Tests of one yes-or-no, number or date; None for another operator."""
    match op:
        case "answered":
            return lambda value, answers: value not in ("", [], None)
        case "is_yes" | "is_no":
            wanted = op == "is_yes"

            def yes_no(value: Any, answers: Mapping[str, Any]) -> bool:
                if not isinstance(value, bool):
                    raise RuleError(f"expected yes or no, got {value!r}")
                return value is wanted

            return yes_no
        case "number_at_least":
            least = _as_number(rule["value"])
            return lambda value, answers: _number(value) >= least
        case "number_at_most":
            most = _as_number(rule["value"])
            return lambda value, answers: _number(value) <= most
        case "number_between":
            low, high = _as_number(rule["min"]), _as_number(rule["max"])
            return lambda value, answers: low <= _number(value) <= high
        case "date_within":
            since = subtract_period(on, rule["period"])
            return lambda value, answers: since <= _date(value) <= on
        case "date_older_than":
            before = subtract_period(on, rule["period"])
            return lambda value, answers: _date(value) < before
        case "date_on_or_before":
            last = _as_date(rule["date"])
            return lambda value, answers: _date(value) <= last
        case "date_on_or_after":
            first = _as_date(rule["date"])
            return lambda value, answers: _date(value) >= first
    return None


def _collection_test(op: str, rule: Mapping[str, Any], *, on: dt.date) -> Test | None:
    """Tests of choices, text and web addresses, and rules made of rules; None for another
    operator."""
    match op:
        case "choice_in":
            allowed = list(rule["values"])

            def choice_in(value: Any, answers: Mapping[str, Any]) -> bool:
                if not isinstance(value, str):
                    raise RuleError(f"expected one choice, got {value!r}")
                return value in allowed

            return choice_in
        case "includes_all" | "includes_any":
            wanted_set = set(rule["values"])
            every = op == "includes_all"

            def includes(value: Any, answers: Mapping[str, Any]) -> bool:
                if not isinstance(value, list | tuple | set | frozenset):
                    raise RuleError(f"expected a list of choices, got {value!r}")
                chosen = set(value)
                return wanted_set <= chosen if every else bool(wanted_set & chosen)

            return includes
        case "https_url":
            return lambda value, answers: _https_url(value)
        case "text_present":
            min_length = rule.get("min_length", 1)

            def text_present(value: Any, answers: Mapping[str, Any]) -> bool:
                if not isinstance(value, str):
                    raise RuleError(f"expected text, got {value!r}")
                return len(value.strip()) >= min_length

            return text_present
        case "all_of":
            parts = [compile_rule(r, on=on) for r in rule["rules"]]
            return lambda value, answers: all(part(value, answers) for part in parts)
        case "any_of":
            parts = [compile_rule(r, on=on) for r in rule["rules"]]
            return lambda value, answers: any(part(value, answers) for part in parts)
    return None


def _condition_keys(rules: Iterable[Mapping[str, Any]]) -> set[str]:
    found: set[str] = set()
    for rule in rules:
        if rule["op"] == "if":
            found.add(rule["requirement"])
            found |= _condition_keys([rule["condition"], rule["then"]])
        elif rule["op"] in ("all_of", "any_of"):
            found |= _condition_keys(rule["rules"])
    return found


_WHITESPACE = re.compile(r"\s")  # \s in a str pattern is exactly str.isspace()


_PRINTABLE_ASCII = re.compile(r"[!-~]*\Z")  # no spaces, no control characters


def _https_url(value: Any) -> bool:
    """`standards.rules.is_https_url`, the same for every string (see the property tests).

    Addresses that start "https://" and are plain printable ASCII take a short cut through
    the host part, splitting it as `urllib.parse.urlsplit` does; anything else goes the
    reference's way, with its whitespace scan done by the regex engine.
    """
    if not isinstance(value, str):
        return False
    if value.startswith("https://") and _PRINTABLE_ASCII.match(value):
        rest = value[8:]
        end = len(rest)
        for delimiter in "/?#":
            found = rest.find(delimiter)
            if found != -1 and found < end:
                end = found
        netloc = rest[:end]
        if "[" not in netloc and "]" not in netloc:
            host = netloc.rpartition("@")[2].partition(":")[0]
            return "." in host and not host.startswith(".")
    if _WHITESPACE.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme == "https" and "." in host and not host.startswith(".")
