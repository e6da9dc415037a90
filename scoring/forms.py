"""The gap action-planning form: what was typed, kept as typed, and its errors by field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import django_filters
from django.http import QueryDict

from audits.answers import AnswerErrors, parse_date_parts
from audits.forms import DATE_PARTS
from scoring.models import ACTIVE_GAP_STATUSES, Gap, GapStatus

STATUS_CHOICES = [
    (GapStatus.OPEN.value, "Open", "Nobody has planned action yet."),
    (
        GapStatus.IN_PROGRESS.value,
        "In progress",
        "Action is planned, with an owner and a due date.",
    ),
    (
        GapStatus.ACCEPTED.value,
        "Accepted for now",
        "The gap is known and accepted, for a reason, until a date. It opens again then.",
    ),
]
# Field order for the error summary, and the anchor each field's error links to.
ANCHORS = {
    "status": "status",
    "action_plan": "action_plan",
    "owner": "owner",
    "due_date": "due_date-day",
    "accepted_reason": "accepted_reason",
    "accepted_until": "accepted_until-day",
}


@dataclass
class ErrorLink:
    message: str
    anchor: str


@dataclass
class DateParts:
    day: str = ""
    month: str = ""
    year: str = ""
    bad: tuple[str, ...] = ()  # the parts in error: day, month, year

    @classmethod
    def posted(cls, data: QueryDict, name: str) -> DateParts:
        """The three parts of a date as the form posted them (NAME-day, NAME-month, NAME-year)."""
        return cls(
            day=data.get(f"{name}-day", ""),
            month=data.get(f"{name}-month", ""),
            year=data.get(f"{name}-year", ""),
        )

    @property
    def day_error(self) -> bool:
        return "day" in self.bad

    @property
    def month_error(self) -> bool:
        return "month" in self.bad

    @property
    def year_error(self) -> bool:
        return "year" in self.bad

    @classmethod
    def of(cls, value: dt.date | None) -> DateParts:
        if value is None:
            return cls()
        return cls(str(value.day), str(value.month), str(value.year))


class GapForm:
    def __init__(self, *, gap: Gap, data: QueryDict | None = None):
        self.gap = gap
        self.errors: dict[str, str] = {}
        if data is None:
            self.status = gap.status if gap.status in (s for s, _, _ in STATUS_CHOICES) else ""
            self.action_plan = gap.action_plan
            self.owner = gap.owner
            self.due = DateParts.of(gap.due_date)
            self.accepted_reason = gap.accepted_reason
            self.accepted = DateParts.of(gap.accepted_until)
            self.row_version = gap.row_version
        else:
            self.status = data.get("status", "")
            self.action_plan = data.get("action_plan", "")
            self.owner = data.get("owner", "")
            self.due = DateParts.posted(data, "due_date")
            self.accepted_reason = data.get("accepted_reason", "")
            self.accepted = DateParts.posted(data, "accepted_until")
            try:
                self.row_version = int(data.get("row_version", ""))
            except ValueError:
                self.row_version = 0

    @property
    def choices(self) -> list[tuple[str, str, str]]:
        return STATUS_CHOICES

    def parse_dates(self) -> tuple[dt.date | None, dt.date | None]:
        """The two dates, recording GOV.UK-style errors for any that is not a real date."""
        due = (
            self._date("due_date", self.due, "due date")
            if self.status == GapStatus.IN_PROGRESS
            else None
        )
        until = (
            self._date("accepted_until", self.accepted, "date the acceptance ends")
            if self.status == GapStatus.ACCEPTED
            else None
        )
        return due, until

    def _date(self, name: str, parts: DateParts, label: str) -> dt.date | None:
        try:
            return parse_date_parts(day=parts.day, month=parts.month, year=parts.year)
        except AnswerErrors as exc:
            message = next(iter(exc.errors.values()))
            parts.bad = tuple(p for p in DATE_PARTS if p in exc.errors) or DATE_PARTS
            self.errors[name] = message.replace("The date", f"The {label}", 1)
            return None

    def add_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.errors.setdefault(name, message)
            if name == "due_date" and not self.due.bad:
                self.due.bad = DATE_PARTS
            if name == "accepted_until" and not self.accepted.bad:
                self.accepted.bad = DATE_PARTS

    @property
    def error_links(self) -> list[ErrorLink]:
        links = []
        for name, anchor in ANCHORS.items():
            if name in self.errors:
                if name == "due_date" and self.due.bad:
                    anchor = f"due_date-{self.due.bad[0]}"
                if name == "accepted_until" and self.accepted.bad:
                    anchor = f"accepted_until-{self.accepted.bad[0]}"
                links.append(ErrorLink(self.errors[name], anchor))
        return links


# The gap statuses a person may set, which are also those of active gaps.
ACTIVE_GAP_STATUS_CHOICES = [(s.value, s.label) for s in ACTIVE_GAP_STATUSES]


class AreaGapFilter(django_filters.FilterSet):
    """The filter of an area's gaps, shared by its page and the API."""

    status = django_filters.ChoiceFilter(choices=ACTIVE_GAP_STATUS_CHOICES)

    class Meta:
        model = Gap
        fields: list[str] = []
