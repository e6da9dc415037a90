"""Saving answers: one at a time (the question pages) or many at once (the API)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from audits.answers import AnswerErrors, AnswerInput, merge_answer, parse_answer
from audits.models import Answer, AnswerChange, Declaration
from audits.services.errors import StaleAnswer, StaleDeclaration
from audits.services.guards import require_draft, require_editor


@transaction.atomic
def save_answer(
    *,
    declaration: Declaration,
    requirement_key: str,
    data: AnswerInput,
    user: User,
    expected_row_version: int | None,
    complete: bool = False,
    confirm: bool = False,
) -> Answer:
    """Save one answer. Refuses (StaleAnswer) if someone else saved it since `expected_row_version`.

    With complete=True the answer must be given in full (Save and continue); otherwise a blank
    answer is kept as not answered (Save and come back later). Raises AnswerErrors naming fields.
    Saving an answer marked for attention unchanged confirms it with complete=True (the page's
    Save and continue) or confirm=True (the API, which sends only the answers it means).
    """
    require_editor(user, declaration.provider)
    answer = (
        Answer.objects.select_for_update()
        .select_related("requirement", "declaration")
        .get(declaration=declaration, requirement_key=requirement_key)
    )
    require_draft(answer.declaration)
    if expected_row_version is not None and answer.row_version != expected_row_version:
        raise StaleAnswer(answer)
    parsed = parse_answer(answer.requirement, data, allow_blank=not complete)
    before = answer.snapshot()
    answer.set_value(parsed.value)
    answer.not_applicable = parsed.not_applicable
    answer.not_applicable_reason = parsed.not_applicable_reason
    answer.evidence_url = parsed.evidence_url
    answer.evidence_note = parsed.evidence_note
    after = answer.snapshot()
    if before == after:
        if (complete or confirm) and answer.needs_attention:
            _confirm_answer(answer, user)
            _touch(declaration)
        return answer
    answer.needs_attention = False
    answer.attention_reason = ""
    answer.row_version = F("row_version") + 1
    answer.updated_by = user
    answer.save()
    answer.refresh_from_db(fields=["row_version", "updated_at"])
    AnswerChange.objects.create(answer=answer, changed_by=user, old=before, new=after)
    _touch(declaration)
    return answer


def _touch(declaration: Declaration) -> None:
    Declaration.objects.filter(pk=declaration.pk).update(
        row_version=F("row_version") + 1, updated_at=timezone.now()
    )


def _confirm_answer(answer: Answer, user: User) -> None:
    answer.needs_attention = False
    answer.attention_reason = ""
    answer.row_version = F("row_version") + 1
    answer.updated_by = user
    answer.save(
        update_fields=[
            "needs_attention",
            "attention_reason",
            "row_version",
            "updated_by",
            "updated_at",
        ]
    )
    answer.refresh_from_db(fields=["row_version", "updated_at"])


def save_answers(
    *,
    declaration: Declaration,
    answers: dict[str, AnswerInput],
    user: User,
    expected_declaration_version: int | None,
) -> list[Answer]:
    """Save many whole answers at once: all or nothing.

    Raises StaleDeclaration if the declaration changed since `expected_declaration_version`, and
    AnswerErrors with errors keyed "KEY.field" (or "KEY") naming every bad answer.
    """
    return _save_many(
        declaration=declaration,
        keys=list(answers),
        inputs=lambda stored: answers,
        user=user,
        expected=expected_declaration_version,
    )


def change_answers(
    *,
    declaration: Declaration,
    changes: Mapping[str, Mapping[str, Any]],
    user: User,
    expected_declaration_version: int | None,
) -> list[Answer]:
    """Change the fields named for each answer (the API's PATCH), keeping the others: all or
    nothing, refused as `save_answers` refuses."""
    return _save_many(
        declaration=declaration,
        keys=list(changes),
        inputs=lambda stored: {
            key: merge_answer(stored[key], fields) for key, fields in changes.items()
        },
        user=user,
        expected=expected_declaration_version,
    )


def _save_many(
    *,
    declaration: Declaration,
    keys: list[str],
    inputs: Callable[[dict[str, Answer]], Mapping[str, AnswerInput]],
    user: User,
    expected: int | None,
) -> list[Answer]:
    with transaction.atomic():
        current = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if expected is not None and current.row_version != expected:
            raise StaleDeclaration(current)
        require_editor(user, current.provider)
        require_draft(current)
        stored = {a.requirement_key: a for a in current.answers.all()}
        errors: dict[str, str] = {
            key: "No requirement with this key applies to this declaration"
            for key in keys
            if key not in stored
        }
        if errors:
            raise AnswerErrors(errors)
        saved = []
        for key, data in inputs(stored).items():
            try:
                saved.append(
                    save_answer(
                        declaration=current,
                        requirement_key=key,
                        data=data,
                        user=user,
                        expected_row_version=None,
                        confirm=True,
                    )
                )
            except AnswerErrors as exc:
                errors.update({f"{key}.{field}": message for field, message in exc.errors.items()})
        if errors:
            transaction.set_rollback(True)
            raise AnswerErrors(errors)
        return saved
