"""What people type into the self-audit pages, kept exactly as typed, and its errors by field.

The checking itself is done by `audits.answers.parse_answer` (shared with the API) and the
services; these classes only carry the raw input to them and back to the templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from audits.answers import MAX_NOTE, MAX_REASON, AnswerErrors, AnswerInput, parse_date_parts
from audits.models import Answer
from audits.periods import is_valid_period
from audits.services import MAX_CHALLENGE
from standards.models import StandardVersion
from standards.vocabulary import AnswerType

# The value of the exclusive "None of these" checkbox: never a choice value in a standard.
NONE_OF_THESE = "__none__"
DATE_PARTS = ("day", "month", "year")


@dataclass
class Item:
    """One radio or checkbox."""

    id: str
    value: str
    label: str
    checked: bool
    exclusive: bool = False


@dataclass
class ErrorLink:
    message: str
    anchor: str


def _row_version(raw: str | None) -> int:
    """The row_version the form was loaded at. Anything unreadable counts as out of date (0)."""
    try:
        return int(raw or "")
    except ValueError:
        return 0


class QuestionForm:
    """One question page: the answer as typed, and its errors keyed like `AnswerErrors`."""

    FIELD_ORDER = (
        "value",
        "day",
        "month",
        "year",
        "not_applicable_reason",
        "evidence_url",
        "evidence_note",
    )
    max_reason = MAX_REASON
    max_note = MAX_NOTE

    def __init__(self, *, answer: Answer, data: QueryDict | None = None):
        self.answer = answer
        self.requirement = answer.requirement
        self.answer_type = AnswerType(answer.answer_type)
        self.errors: dict[str, str] = {}
        self.value: str = ""
        self.values: list[str] = []
        self.day = self.month = self.year = ""
        if data is None:
            self._from_answer(answer)
        else:
            self._from_post(data)

    # ---- reading ------------------------------------------------------------------------------

    def _from_answer(self, answer: Answer) -> None:
        value = answer.value
        if self.answer_type == AnswerType.YES_NO:
            self.value = "" if value is None else ("yes" if value else "no")
        elif self.answer_type == AnswerType.NUMBER:
            self.value = "" if value is None else f"{value.normalize():f}"
        elif self.answer_type == AnswerType.DATE:
            if value is not None:
                self.day, self.month, self.year = str(value.day), str(value.month), str(value.year)
        elif self.answer_type == AnswerType.MULTIPLE_CHOICE:
            self.values = [] if value is None else (list(value) or [NONE_OF_THESE])
        else:
            self.value = value or ""
        self.not_applicable = answer.not_applicable
        self.not_applicable_reason = answer.not_applicable_reason
        self.evidence_url = answer.evidence_url
        self.evidence_note = answer.evidence_note
        self.row_version = answer.row_version

    def _from_post(self, data: QueryDict) -> None:
        if self.answer_type == AnswerType.MULTIPLE_CHOICE:
            self.values = data.getlist("value")
        elif self.answer_type == AnswerType.DATE:
            self.day, self.month, self.year = (data.get(f"value-{part}", "") for part in DATE_PARTS)
        else:
            self.value = data.get("value", "")
        self.not_applicable = (
            self.requirement.allow_not_applicable and data.get("not_applicable") == "yes"
        )
        self.not_applicable_reason = data.get("not_applicable_reason", "")
        self.evidence_url = data.get("evidence_url", "")
        self.evidence_note = data.get("evidence_note", "")
        self.row_version = _row_version(data.get("row_version"))

    def answer_input(self) -> AnswerInput:
        """The answer for `save_answer`. Raises AnswerErrors for input only this page can get wrong."""
        value: Any = self.value
        if self.answer_type == AnswerType.MULTIPLE_CHOICE:
            if NONE_OF_THESE in self.values:
                if len(self.values) > 1 and not self.not_applicable:
                    raise AnswerErrors(
                        {
                            "value": "Select the options that apply, or select “None of these”, not both"
                        }
                    )
                value = []
            else:
                value = self.values or None
        elif self.answer_type == AnswerType.DATE:
            value = {"day": self.day, "month": self.month, "year": self.year}
        return AnswerInput(
            value=value,
            not_applicable=self.not_applicable,
            not_applicable_reason=self.not_applicable_reason,
            evidence_url=self.evidence_url,
            evidence_note=self.evidence_note,
        )

    # ---- for the template -----------------------------------------------------------------------

    @property
    def is_date(self) -> bool:
        return self.answer_type == AnswerType.DATE

    @property
    def uses_fieldset(self) -> bool:
        return self.answer_type in (
            AnswerType.YES_NO,
            AnswerType.SINGLE_CHOICE,
            AnswerType.MULTIPLE_CHOICE,
            AnswerType.DATE,
        )

    @property
    def has_hint(self) -> bool:
        return bool(self.requirement.guidance) or self.answer_type not in (
            AnswerType.YES_NO,
            AnswerType.TEXT,
        )

    @property
    def unit(self) -> str:
        return str(self.requirement.answer_options.get("unit", ""))

    @property
    def inputmode(self) -> str:
        return "numeric" if self.requirement.answer_options.get("integer") else "decimal"

    @property
    def max_length(self) -> int:
        return int(self.requirement.answer_options.get("max_length", 500))

    @property
    def is_long_text(self) -> bool:
        return self.answer_type == AnswerType.TEXT and self.max_length > 200

    @property
    def items(self) -> list[Item]:
        if self.answer_type == AnswerType.YES_NO:
            choices = [("yes", "Yes"), ("no", "No")]
        else:
            choices = [(c["value"], c["label"]) for c in self.requirement.choices]
        chosen = (
            set(self.values) if self.answer_type == AnswerType.MULTIPLE_CHOICE else {self.value}
        )
        return [
            Item(
                id="value" if index == 0 else f"value-{index + 1}",
                value=value,
                label=label,
                checked=value in chosen,
            )
            for index, (value, label) in enumerate(choices)
        ]

    @property
    def none_item(self) -> Item:
        return Item(
            id=f"value-{len(self.requirement.choices) + 1}",
            value=NONE_OF_THESE,
            label="None of these",
            checked=NONE_OF_THESE in self.values,
            exclusive=True,
        )

    @property
    def value_error(self) -> str:
        """The one message shown at the answer (for a date, the first of its fields' errors)."""
        for key in ("value", *DATE_PARTS):
            if key in self.errors:
                return self.errors[key]
        return ""

    def date_part_has_error(self, part: str) -> bool:
        return "value" in self.errors or part in self.errors

    @property
    def day_error(self) -> bool:
        return self.date_part_has_error("day")

    @property
    def month_error(self) -> bool:
        return self.date_part_has_error("month")

    @property
    def year_error(self) -> bool:
        return self.date_part_has_error("year")

    def anchor(self, key: str) -> str:
        if key == "value":
            return "value-day" if self.is_date else "value"
        if key in DATE_PARTS:
            return f"value-{key}"
        return key

    @property
    def error_links(self) -> list[ErrorLink]:
        ordered = sorted(
            self.errors.items(),
            key=lambda kv: self.FIELD_ORDER.index(kv[0]) if kv[0] in self.FIELD_ORDER else 99,
        )
        links: list[ErrorLink] = []
        shown_date = False
        for key, message in ordered:
            if self.is_date and key in ("value", *DATE_PARTS):
                # One message for the date; the link goes to its first field in error.
                if shown_date:
                    continue
                shown_date = True
                first = next((p for p in DATE_PARTS if p in self.errors), "day")
                links.append(ErrorLink(message, f"value-{first}"))
                continue
            links.append(ErrorLink(message, self.anchor(key)))
        return links

    @property
    def reveal_not_applicable(self) -> bool:
        return bool(self.not_applicable)

    @property
    def typed_rows(self) -> list[tuple[str, str]]:
        """What was entered, as typed, for a page that could not save it."""
        labels = {item.value: item.label for item in [*self.items, self.none_item]}
        if self.not_applicable:
            answer = f"Does not apply: {self.not_applicable_reason.strip()}"
        elif self.answer_type == AnswerType.MULTIPLE_CHOICE:
            answer = ", ".join(labels.get(v, v) for v in self.values)
        elif self.is_date:
            answer = " ".join(p for p in (self.day, self.month, self.year) if p.strip())
        elif self.answer_type in (AnswerType.YES_NO, AnswerType.SINGLE_CHOICE):
            answer = labels.get(self.value, self.value)
        else:
            answer = self.value
        rows = [("Your answer", answer.strip() or "Not answered")]
        if self.evidence_url.strip():
            rows.append(("Web address of the evidence", self.evidence_url.strip()))
        if self.evidence_note.strip():
            rows.append(("Note about the evidence", self.evidence_note.strip()))
        return rows


class ReviewForm:
    """An officer's review: accept, or return with a comment on each challenged answer."""

    def __init__(self, *, answers: list[Answer], data: QueryDict | None = None):
        self.answers = answers
        self.errors: dict[str, str] = {}
        self.decision = ""
        self.comment = ""
        self.challenged: dict[str, bool] = {}
        self.comments: dict[str, str] = {}
        if data is not None:
            self.decision = data.get("decision", "")
            self.comment = data.get("comment", "")
            for answer in answers:
                key = answer.requirement_key
                self.challenged[key] = data.get(f"challenge-{key}") == "yes"
                self.comments[key] = data.get(f"comment-{key}", "")

    max_comment = MAX_CHALLENGE

    def clean(self) -> dict[str, str]:
        """The challenges to send to `review_declaration`; fills `errors` with what is missing."""
        if self.decision not in ("accept", "return"):
            self.errors["decision"] = "Select whether to accept the declaration or return it"
        challenges: dict[str, str] = {}
        for answer in self.answers:
            key = answer.requirement_key
            text = self.comments.get(key, "").strip()
            if self.challenged.get(key):
                if not text:
                    self.errors[key] = (
                        f"Enter why you challenge the answer to “{answer.requirement.title}”"
                    )
                elif len(text) > MAX_CHALLENGE:
                    self.errors[key] = f"The comment must be {MAX_CHALLENGE} characters or fewer"
                challenges[key] = text
        if self.decision == "return" and not challenges and "decision" not in self.errors:
            self.errors["decision"] = (
                "Challenge at least one answer, with a comment, to return the declaration"
            )
        if self.decision == "accept" and challenges:
            self.errors["decision"] = (
                "You have challenged answers: return the declaration, or remove your challenges to accept it"
            )
        if len(self.comment.strip()) > MAX_CHALLENGE:
            self.errors["comment"] = (
                f"The comment on the declaration must be {MAX_CHALLENGE} characters or fewer"
            )
        return challenges

    def add_service_errors(self, errors: dict[str, Any]) -> None:
        for key, messages in errors.items():
            message = messages[0] if isinstance(messages, list) else str(messages)
            self.errors["decision" if key == "challenges" else key] = message

    @property
    def error_links(self) -> list[ErrorLink]:
        links = []
        for answer in self.answers:
            if answer.requirement_key in self.errors:
                links.append(
                    ErrorLink(
                        self.errors[answer.requirement_key], f"comment-{answer.requirement_key}"
                    )
                )
        if "decision" in self.errors:
            links.append(ErrorLink(self.errors["decision"], "decision"))
        if "comment" in self.errors:
            links.append(ErrorLink(self.errors["comment"], "comment"))
        return links


class RoundForm:
    """Open a declaration round: a published version, an academic year and a deadline."""

    def __init__(
        self, *, versions: list[StandardVersion], period: str, data: QueryDict | None = None
    ):
        self.versions = versions
        self.errors: dict[str, str] = {}
        self.version = ""
        self.period = period
        self.day = self.month = self.year = ""
        if data is not None:
            self.version = data.get("version", "")
            self.period = data.get("period", "")
            self.day, self.month, self.year = (data.get(f"deadline-{p}", "") for p in DATE_PARTS)
        self.deadline_error_parts: set[str] = set()

    def clean(self) -> tuple[StandardVersion | None, str, dt.date | None]:
        by_id = {str(v.pk): v for v in self.versions}
        version = by_id.get(self.version)
        if version is None:
            self.errors["version"] = (
                "Select the version of the standard providers should declare against"
            )
        period = self.period.strip()
        if not period:
            self.errors["period"] = "Enter the academic year, like 2026/27"
        elif not is_valid_period(period):
            self.errors["period"] = (
                "Enter the academic year as 4 numbers, a slash and 2 numbers, like 2026/27"
            )
        deadline = None
        try:
            deadline = parse_date_parts(day=self.day, month=self.month, year=self.year)
        except AnswerErrors as exc:
            message = next(iter(exc.errors.values()))
            self.errors["deadline"] = message.replace("The date", "The deadline")
            self.deadline_error_parts = set(exc.errors) & set(DATE_PARTS) or set(DATE_PARTS)
        else:
            if deadline is None:
                self.errors["deadline"] = "Enter the deadline"
                self.deadline_error_parts = set(DATE_PARTS)
        return version, period, deadline

    def add_service_errors(self, errors: dict[str, Any]) -> None:
        for key, messages in errors.items():
            message = messages[0] if isinstance(messages, list) else str(messages)
            self.errors.setdefault(key, message)
            if key == "deadline":
                self.deadline_error_parts = set(DATE_PARTS)

    @property
    def version_items(self) -> list[Item]:
        return [
            Item(
                id="version" if i == 0 else f"version-{i + 1}",
                value=str(v.pk),
                label=f"{v.title} version {v.version}",
                checked=str(v.pk) == self.version,
            )
            for i, v in enumerate(self.versions)
        ]

    @property
    def error_links(self) -> list[ErrorLink]:
        links = []
        if "version" in self.errors:
            links.append(ErrorLink(self.errors["version"], "version"))
        if "period" in self.errors:
            links.append(ErrorLink(self.errors["period"], "period"))
        if "deadline" in self.errors:
            first = next((p for p in DATE_PARTS if p in self.deadline_error_parts), "day")
            links.append(ErrorLink(self.errors["deadline"], f"deadline-{first}"))
        return links

    @property
    def day_error(self) -> bool:
        return "day" in self.deadline_error_parts

    @property
    def month_error(self) -> bool:
        return "month" in self.deadline_error_parts

    @property
    def year_error(self) -> bool:
        return "year" in self.deadline_error_parts
