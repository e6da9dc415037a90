"""Academic years: 1 September to 31 August, written "2026/27"."""

import datetime as dt
import re

from django.utils import timezone

PERIOD_RE = re.compile(r"^(\d{4})/(\d{2})$")


def period_for(day: dt.date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def is_valid_period(period: str) -> bool:
    match = PERIOD_RE.match(period or "")
    if match is None:
        return False
    return (int(match.group(1)) + 1) % 100 == int(match.group(2))


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    if not is_valid_period(period):
        raise ValueError(f"{period!r} is not an academic year such as 2026/27")
    start = int(period[:4])
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


def previous_period(period: str) -> str:
    start = int(period[:4]) - 1
    return f"{start}/{(start + 1) % 100:02d}"


def next_period(period: str) -> str:
    start = int(period[:4]) + 1
    return f"{start}/{(start + 1) % 100:02d}"


def today() -> dt.date:
    """Today in the service's time zone: the day every declaration rule is judged on."""
    return timezone.localdate()
