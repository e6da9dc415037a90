"""What a batch of providers is scored from, and what it did: loaded in a query each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from audits.models import DeclarationStatus
from common import bulk
from providers.models import OPEN_STATUSES
from scoring.engine import ENGINE_VERSION, AnswerTuple, VersionSpec
from scoring.services.common import aware
from scoring.specs import VersionInfo

# ---- loading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A provider to score, with the declaration to score."""

    provider_id: int
    provider_type: str
    provider_open: bool
    declaration_id: int
    submitted_at: dt.datetime


@dataclass(frozen=True)
class Current:
    run_id: int
    declaration_id: int
    submitted_at: dt.datetime
    content_hash: str
    engine_version: str
    layout_id: int
    outcomes: str


def load_answers(declaration_ids: Sequence[int]) -> dict[int, dict[str, AnswerTuple]]:
    """Every answer of these declarations, in one query, by declaration and requirement key.

    Values are typed as `audits.models.Answer.value` gives them: an empty text is no answer.
    """
    where, params = bulk.id_in("declaration_id", declaration_ids)
    rows = bulk.fetch(
        "SELECT declaration_id, requirement_key, answer_type, not_applicable,"
        " value_bool, value_number, value_date, value_text, value_choices"
        f" FROM audits_answer WHERE {where}",
        params,
    )
    answers: dict[int, dict[str, AnswerTuple]] = {}
    load_json = bulk.load_json
    # The same sets of choices come up again and again: parse each once. (Rules only read them.)
    parsed: dict[Any, Any] = {}
    for (
        declaration_id,
        key,
        answer_type,
        not_applicable,
        bool_,
        number,
        date,
        text,
        choices,
    ) in rows:
        if not_applicable:
            value = None
        elif answer_type == "yes_no":
            value = bool_
        elif answer_type == "number":
            value = number
        elif answer_type == "date":
            value = date
        elif answer_type == "multiple_choice":
            if choices is None:
                value = None
            elif isinstance(choices, str):
                value = parsed.get(choices)
                if value is None:
                    value = parsed[choices] = load_json(choices)
            else:
                value = choices
        else:
            value = None if text == "" else text
        mine = answers.get(declaration_id)
        if mine is None:
            mine = answers[declaration_id] = {}
        mine[key] = (answer_type, value, not_applicable)  # an engine.Answer, as a plain tuple
    return answers


def load_current(version_id: int, provider_ids: Sequence[int]) -> dict[int, Current]:
    where, params = bulk.id_in("c.provider_id", provider_ids)
    rows = bulk.fetch(
        "SELECT c.provider_id, c.run_id, c.declaration_id, d.submitted_at, r.content_hash,"
        " r.engine_version, r.layout_id, r.outcomes"
        " FROM scoring_currentresult c"
        " JOIN scoring_scoringrun r ON r.id = c.run_id"
        " JOIN audits_declaration d ON d.id = c.declaration_id"
        f" WHERE c.version_id = %s AND {where}",
        [version_id, *params],
    )
    return {
        row[0]: Current(row[1], row[2], aware(row[3]), row[4], row[5], row[6], row[7])
        for row in rows
    }


def existing_runs(
    info: VersionInfo, on: dt.date, declaration_ids: Sequence[int]
) -> dict[int, tuple[int, str]]:
    """Runs already made from exactly these inputs: declaration id → (run id, outcomes)."""
    where, params = bulk.id_in("declaration_id", declaration_ids)
    rows = bulk.fetch(
        "SELECT declaration_id, id, outcomes FROM scoring_scoringrun"
        " WHERE version_id = %s AND engine_version = %s"
        f" AND assessed_on = %s AND {where}",
        [info.id, ENGINE_VERSION, on, *params],
    )
    return {row[0]: (row[1], row[2]) for row in rows}


# ---- what a batch did, and the rows it writes ----------------------------------------------


@dataclass
class BatchResult:
    scored: int = 0
    unchanged: int = 0
    runs_written: int = 0
    made_current: dict[int, int] = field(default_factory=dict)  # provider id → run id
    gaps_opened: int = 0
    gaps_reopened: int = 0
    gaps_resolved: int = 0
    gaps_superseded: int = 0

    def add(self, other: BatchResult) -> None:
        self.scored += other.scored
        self.unchanged += other.unchanged
        self.runs_written += other.runs_written
        self.made_current.update(other.made_current)
        self.gaps_opened += other.gaps_opened
        self.gaps_reopened += other.gaps_reopened
        self.gaps_resolved += other.gaps_resolved
        self.gaps_superseded += other.gaps_superseded


RUN_COLUMNS = (
    "provider_id",
    "declaration_id",
    "version_id",
    "content_hash",
    "engine_version",
    "assessed_on",
    "trigger",
    "job_id",
    "created_at",
    "layout_id",
    "outcomes",
    "errors",
    "score",
    "section_scores",
    "counts",
    "all_musts_met",
    "pass_count",
    "fail_count",
)


# The columns of scoring_run_inputs_unique: what a run is pinned to.
RUN_INPUTS = ("declaration_id", "version_id", "engine_version", "assessed_on")
# Batches this small (single submissions) insert runs one by one; larger ones use COPY.
SMALL_BATCH = 4


@dataclass
class Change:
    item: Item
    spec: VersionSpec
    codes: str  # the outcomes, one letter each
    run_id: int = 0


def latest_declarations(standard_id: int, provider_ids: Sequence[int]) -> dict[int, Item]:
    """Each provider's latest submitted declaration of any version of the standard (for a
    local standard: declared with any of its versions, beside the national one)."""
    where, params = bulk.id_in("p.id", provider_ids)
    rows = bulk.fetch(
        "SELECT p.id, p.provider_type, p.status, d.id, d.submitted_at"
        " FROM providers_provider p"
        " JOIN audits_declaration d ON d.provider_id = p.id"
        " JOIN standards_standardversion v ON v.id = d.version_id"
        " LEFT JOIN standards_standardversion lv ON lv.id = d.local_version_id"
        f" WHERE (v.standard_id = %s OR lv.standard_id = %s) AND d.status = %s AND {where}",
        [standard_id, standard_id, DeclarationStatus.SUBMITTED.value, *params],
    )
    latest: dict[int, Item] = {}
    for provider_id, provider_type, status, declaration_id, submitted in rows:
        submitted_at = aware(submitted)
        item = Item(
            provider_id, provider_type, status in OPEN_STATUSES, declaration_id, submitted_at
        )
        mine = latest.get(provider_id)
        if mine is None or (submitted_at, declaration_id) > (
            mine.submitted_at,
            mine.declaration_id,
        ):
            latest[provider_id] = item
    return latest
