"""What the engine takes in: a version's requirements for one provider type, and answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# ---- what is scored ---------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    weight: float


@dataclass(frozen=True)
class RequirementSpec:
    key: str
    section: str  # section code
    strength: str
    weight: float
    answer_type: str
    rule: Mapping[str, Any]
    theme: str = ""
    title: str = ""
    allow_not_applicable: bool = False
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    # The answer judged, when it is another requirement's: a local standard's raised threshold
    # judges the national question's answer by its own, stricter rule.
    answer_key: str = ""


@dataclass(frozen=True)
class VersionSpec:
    """The requirements of a standard version that apply to one provider type, in order."""

    version_id: int
    content_hash: str
    effective_from: dt.date
    grace_period_days: int
    sections: tuple[SectionSpec, ...]
    requirements: tuple[RequirementSpec, ...]
    # Answer type of every requirement in the version, for the conditions of `if` rules.
    answer_types: Mapping[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.requirements)

    @property
    def grace_ends(self) -> dt.date:
        """The first day on which failures count (the version's grace period has passed)."""
        return self.effective_from + dt.timedelta(days=self.grace_period_days)


class Answer(NamedTuple):
    """What the engine needs of an answer: its type, its typed value and "not applicable"."""

    answer_type: str
    value: Any
    not_applicable: bool = False


# The engine reads answers by position, so a plain (type, value, not applicable) tuple will do.
AnswerTuple = tuple[str, Any, bool]
