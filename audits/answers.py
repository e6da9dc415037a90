"""Turning what a person typed into a typed answer, with GOV.UK-style error messages.

Shared by the self-audit pages and the API, so both accept and refuse exactly the same input.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from standards.models import Requirement
from standards.rules import is_https_url
from standards.vocabulary import AnswerType

if TYPE_CHECKING:
    from audits.models import Answer

MAX_REASON = 1000
MAX_NOTE = 1000
# The width of Answer.evidence_url; a URL answer is kept to the same length.
MAX_URL = 500
DIGITS = re.compile(r"[0-9]+")


@dataclass
class AnswerInput:
    """An answer as submitted: raw strings from a form, or JSON values from the API."""

    value: Any = None
    not_applicable: bool = False
    not_applicable_reason: str = ""
    evidence_url: str = ""
    evidence_note: str = ""

    @classmethod
    def stored(cls, answer: Answer) -> AnswerInput:
        """The answer as it is saved, ready to be parsed again or changed field by field."""
        return cls(
            value=answer.value,
            not_applicable=answer.not_applicable,
            not_applicable_reason=answer.not_applicable_reason,
            evidence_url=answer.evidence_url,
            evidence_note=answer.evidence_note,
        )


def merge_answer(current: Answer, given: Mapping[str, Any]) -> AnswerInput:
    """The stored answer with the fields named in `given` changed: a value given without
    not_applicable also sets not_applicable to false, and not_applicable set to true clears the
    value."""
    data = AnswerInput.stored(current)
    if "value" in given:
        data.value = given["value"]
        if "not_applicable" not in given and given["value"] is not None:
            data.not_applicable, data.not_applicable_reason = False, ""
    if "not_applicable" in given:
        data.not_applicable = given["not_applicable"]
        if data.not_applicable and "value" not in given:
            data.value = None
        if not data.not_applicable and "not_applicable_reason" not in given:
            data.not_applicable_reason = ""
    for name in ("not_applicable_reason", "evidence_url", "evidence_note"):
        if name in given:
            setattr(data, name, given[name])
    return data


@dataclass
class ParsedAnswer:
    value: Any
    not_applicable: bool
    not_applicable_reason: str
    evidence_url: str
    evidence_note: str


@dataclass
class AnswerErrors(Exception):
    """Field errors, keyed by field name: value, day, month, year, not_applicable_reason, evidence_url…"""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())


def parse_answer(
    requirement: Requirement, data: AnswerInput, *, allow_blank: bool = True
) -> ParsedAnswer:
    """Check an answer against its requirement. Raises AnswerErrors naming each bad field.

    With allow_blank, a missing value is kept as "not answered" (Save and come back later);
    without it, every answer must be given (Save and continue, submit).
    """
    errors: dict[str, str] = {}
    subject = requirement.title[0].lower() + requirement.title[1:]
    evidence_url = (data.evidence_url or "").strip()
    evidence_note = (data.evidence_note or "").strip()
    if evidence_url and not is_https_url(evidence_url):
        errors["evidence_url"] = (
            "Enter a web address for the evidence that starts with https://, like https://www.example.org/sen-policy"
        )
    elif len(evidence_url) > MAX_URL:
        errors["evidence_url"] = (
            f"The web address of the evidence must be {MAX_URL} characters or fewer"
        )
    if len(evidence_note) > MAX_NOTE:
        errors["evidence_note"] = (
            f"The note about the evidence must be {MAX_NOTE} characters or fewer"
        )

    if data.not_applicable:
        reason = (data.not_applicable_reason or "").strip()
        if not requirement.allow_not_applicable:
            errors["value"] = "This requirement cannot be answered “not applicable”"
        elif not reason:
            errors["not_applicable_reason"] = "Enter why this does not apply to your setting"
        elif len(reason) > MAX_REASON:
            errors["not_applicable_reason"] = f"The reason must be {MAX_REASON} characters or fewer"
        if errors:
            raise AnswerErrors(errors)
        return ParsedAnswer(None, True, reason, evidence_url, evidence_note)

    value: Any = None
    try:
        value = _parse_value(requirement, data.value, subject)
    except AnswerErrors as exc:
        errors.update(exc.errors)
    if value is None and not allow_blank and "value" not in errors and not _date_errors(errors):
        errors["value"] = _missing_message(requirement, subject)
    if (
        not allow_blank
        and requirement.evidence_required
        and not evidence_url
        and not evidence_note
        and "evidence_url" not in errors
    ):
        errors["evidence_url"] = "Enter a web address or a note for the evidence"
    if errors:
        raise AnswerErrors(errors)
    return ParsedAnswer(value, False, "", evidence_url, evidence_note)


def _date_errors(errors: dict[str, str]) -> bool:
    return any(k in errors for k in ("day", "month", "year"))


def _missing_message(requirement: Requirement, subject: str) -> str:
    return {
        AnswerType.YES_NO: "Select yes or no",
        AnswerType.NUMBER: "Enter a number",
        AnswerType.DATE: "Enter a date",
        AnswerType.SINGLE_CHOICE: "Select an option",
        AnswerType.MULTIPLE_CHOICE: "Select all that apply, or select “None of these”",
        AnswerType.URL: "Enter a web address",
        AnswerType.TEXT: "Enter an answer",
    }[AnswerType(requirement.answer_type)]


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _parse_value(requirement: Requirement, raw: Any, subject: str) -> Any:
    parser = _PARSERS.get(AnswerType(requirement.answer_type), _parse_text)
    return parser(raw, requirement.answer_options)


def _parse_yes_no(raw: Any, options: dict[str, Any]) -> bool | None:
    if _blank(raw):
        return None
    if isinstance(raw, bool):
        return raw
    word = raw.lower() if isinstance(raw, str) else None
    if word in {"yes", "true"}:
        return True
    if word in {"no", "false"}:
        return False
    raise AnswerErrors({"value": "Select yes or no"})


def _parse_single_choice(raw: Any, options: dict[str, Any]) -> str | None:
    if _blank(raw):
        return None
    known = {c["value"] for c in options.get("choices", [])}
    if not isinstance(raw, str) or raw not in known:
        raise AnswerErrors({"value": "Select one of the options"})
    return raw


def _parse_multiple_choice(raw: Any, options: dict[str, Any]) -> list[str] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
        raise AnswerErrors({"value": "Select the options that apply"})
    ordered = [c["value"] for c in options.get("choices", [])]
    if any(v not in ordered for v in raw):
        raise AnswerErrors({"value": "Select only the options shown"})
    return [v for v in ordered if v in raw]


def _parse_url(raw: Any, options: dict[str, Any]) -> str | None:
    if _blank(raw):
        return None
    text = raw.strip() if isinstance(raw, str) else raw  # is_https_url refuses non-strings
    if not is_https_url(text):
        raise AnswerErrors(
            {
                "value": "Enter a web address that starts with https://, like https://www.example.org/page"
            }
        )
    if len(text) > MAX_URL:
        raise AnswerErrors({"value": f"The web address must be {MAX_URL} characters or fewer"})
    return text


def _parse_text(raw: Any, options: dict[str, Any]) -> str | None:
    if _blank(raw):
        return None
    if not isinstance(raw, str):
        raise AnswerErrors({"value": "Enter the answer as text"})
    text = raw.strip()
    limit = options.get("max_length", 500)
    if len(text) > limit:
        raise AnswerErrors({"value": f"The answer must be {limit} characters or fewer"})
    return text


def _parse_number(raw: Any, options: dict[str, Any]) -> Decimal | None:
    if _blank(raw):
        return None
    # Numbers arrive as JSON numbers, strings (forms, and "12.5" from the API) or stored Decimals;
    # bool is excluded explicitly because it is an int in Python.
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        raise AnswerErrors({"value": "Enter a number"})
    text = str(raw).strip().replace(",", "")
    if text.endswith("%"):
        text = text[:-1].strip()
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise AnswerErrors({"value": "Enter a number, like 12 or 95.5"}) from exc
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise AnswerErrors({"value": "Enter a realistic number"})
    if options.get("integer") and number != number.to_integral_value():
        raise AnswerErrors({"value": "Enter a whole number"})
    low, high = options.get("min"), options.get("max")
    unit = "%" if options.get("unit") == "%" else ""
    if low is not None and number < Decimal(str(low)):
        raise AnswerErrors({"value": f"Enter a number that is {low}{unit} or more"})
    if high is not None and number > Decimal(str(high)):
        raise AnswerErrors({"value": f"Enter a number that is {high}{unit} or less"})
    if number.as_tuple().exponent < -4:  # type: ignore[operator]
        number = number.quantize(Decimal("0.0001"))
    return number


def _parse_date(raw: Any) -> dt.date | None:
    """A date from the API ("2026-09-01") or from the three-field date input ({day, month, year})."""
    if _blank(raw):
        return None
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError as exc:
            raise AnswerErrors({"value": "Enter a real date, like 2026-09-01"}) from exc
    if not isinstance(raw, dict):
        raise AnswerErrors({"value": "Enter a real date"})
    parts = {k: str(raw.get(k) or "").strip() for k in ("day", "month", "year")}
    if not any(parts.values()):
        return None
    missing = [k for k, v in parts.items() if not v]
    if missing:
        first = missing[0]
        return _raise_date(
            {
                first: f"The date must include a {' and '.join(missing).replace('day and month and year', 'day, month and year')}"
            }
        )
    # Every wrong part is named, so that each is highlighted. Day and month are bounded before
    # they reach dt.date, which overflows on a long run of digits.
    wrong = [k for k, v in parts.items() if not DIGITS.fullmatch(v)]
    if wrong:
        return _raise_date(dict.fromkeys(wrong, "The date must be a real date"))
    if len(parts["year"]) != 4:
        return _raise_date({"year": "The year must include 4 numbers"})
    if int(parts["year"]) < 1900:
        return _raise_date({"year": "The year must be 1900 or later"})
    wrong = [
        k
        for k, most in (("day", 31), ("month", 12))
        if len(parts[k]) > 2 or not 1 <= int(parts[k]) <= most
    ]
    if wrong:
        return _raise_date(dict.fromkeys(wrong, "The date must be a real date"))
    try:
        day = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:  # a day the month does not have, like 31 February
        return _raise_date({"day": "The date must be a real date"})
    if day > dt.date.today() + dt.timedelta(days=366 * 5):
        return _raise_date({"year": "The date must be within the next 5 years"})
    return day


def _raise_date(errors: dict[str, str]) -> dt.date:
    raise AnswerErrors(errors)


# How each answer type is read; any other type is free text.
_PARSERS: dict[AnswerType, Callable[[Any, dict[str, Any]], Any]] = {
    AnswerType.YES_NO: _parse_yes_no,
    AnswerType.NUMBER: _parse_number,
    AnswerType.DATE: lambda raw, options: _parse_date(raw),
    AnswerType.SINGLE_CHOICE: _parse_single_choice,
    AnswerType.MULTIPLE_CHOICE: _parse_multiple_choice,
    AnswerType.URL: _parse_url,
    AnswerType.TEXT: _parse_text,
}


def parse_date_parts(*, day: str, month: str, year: str) -> dt.date | None:
    """A date from the three fields of the GOV.UK date input; None when all three are blank.

    Raises AnswerErrors keyed by each bad field (day, month, year), all with the same message.
    """
    return _parse_date({"day": day, "month": month, "year": year})
