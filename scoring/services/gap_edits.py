"""People changing gaps: plans, acceptances and notes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record
from providers.visibility import can_change_gaps
from scoring.models import CLOSED_GAP_STATUSES, Gap, GapEvent, GapStatus
from scoring.services.common import announce_gaps, assessment_date
from scoring.services.gaps import event_note

# ---- people changing gaps -----------------------------------------------------------------


class GapChanged(Exception):
    """Someone else changed the gap after it was loaded; nothing was saved."""


# Statuses a person may set; resolved and superseded come only from runs and versions.
SETTABLE_STATUSES = (GapStatus.OPEN, GapStatus.IN_PROGRESS, GapStatus.ACCEPTED)


def update_gap(
    *,
    gap_id: int,
    actor: User,
    status: str,
    action_plan: str = "",
    owner: str = "",
    due_date: dt.date | None = None,
    accepted_reason: str = "",
    accepted_until: dt.date | None = None,
    row_version: int | None = None,
    on: dt.date | None = None,
) -> Gap:
    """Plan action on a gap, or accept it until a date. Raises ValidationError with a message per
    field, GapChanged if it changed since `row_version`, PermissionDenied if not allowed."""
    on = on or assessment_date()
    with transaction.atomic():
        gap = (
            Gap.objects.select_for_update(of=("self",), no_key=True)
            .select_related("provider")
            .get(pk=gap_id)
        )
        if not can_change_gaps(user=actor, provider=gap.provider):
            raise PermissionDenied("You cannot change this provider's gaps")
        if row_version is not None and gap.row_version != row_version:
            raise GapChanged(gap)
        errors = validate_gap_change(
            gap=gap,
            status=status,
            action_plan=action_plan,
            owner=owner,
            due_date=due_date,
            accepted_reason=accepted_reason,
            accepted_until=accepted_until,
            on=on,
        )
        if errors:
            raise ValidationError(errors)
        before = _recorded(gap)
        gap.status = status
        gap.action_plan = action_plan.strip()
        gap.owner = owner.strip()
        gap.due_date = due_date
        if status == GapStatus.ACCEPTED:
            gap.accepted_reason = accepted_reason.strip()
            gap.accepted_until = accepted_until
        gap.updated_at = timezone.now()
        gap.row_version += 1
        gap.save()
        after = _recorded(gap)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        action = {
            GapStatus.IN_PROGRESS: "action planned",
            GapStatus.ACCEPTED: "accepted",
            GapStatus.OPEN: "set to open",
        }[GapStatus(status)]
        if before["status"] == status:
            action = "plan updated" if status != GapStatus.ACCEPTED else "acceptance updated"
        GapEvent.objects.create(
            gap=gap,
            action=action,
            status=gap.status,
            actor=actor,
            note=event_note(gap),
        )
        record(actor=actor, action=f"gap {action}", obj=gap, changes=changes)
        announce_gaps(provider_ids=[gap.provider_id], standard_id=gap.standard_id)
    return gap


NOTE_MAX_LENGTH = 2000


def add_gap_note(*, gap_id: int, actor: User, note: str) -> GapEvent:
    """A note in the gap's history, open or closed. It changes nothing else, so it never
    conflicts with someone planning the gap at the same time."""
    with transaction.atomic():
        gap = Gap.objects.select_related("provider").get(pk=gap_id)
        if not can_change_gaps(user=actor, provider=gap.provider):
            raise PermissionDenied("You cannot change this provider's gaps")
        text = note.strip()
        if not text:
            raise ValidationError({"note": "Enter a note"})
        if len(text) > NOTE_MAX_LENGTH:
            raise ValidationError(
                {"note": f"The note must be {NOTE_MAX_LENGTH:,} characters or fewer"}
            )
        event = GapEvent.objects.create(
            gap=gap, action="note added", status=gap.status, actor=actor, note=text
        )
        record(actor=actor, action="gap note added", obj=gap, changes={"note": text})
    return event


def _recorded(gap: Gap) -> dict[str, str | None]:
    """The fields people change, as the audit trail records them before and after."""
    return {
        "status": gap.status,
        "action_plan": gap.action_plan,
        "owner": gap.owner,
        "due_date": gap.due_date.isoformat() if gap.due_date else None,
        "accepted_reason": gap.accepted_reason,
        "accepted_until": gap.accepted_until.isoformat() if gap.accepted_until else None,
    }


def validate_gap_change(
    *,
    gap: Gap,
    status: str,
    action_plan: str,
    owner: str,
    due_date: dt.date | None,
    accepted_reason: str,
    accepted_until: dt.date | None,
    on: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if gap.status in CLOSED_GAP_STATUSES:
        errors["status"] = (
            "This gap is closed. It opens again if a new result fails the requirement"
        )
        return errors
    if status not in SETTABLE_STATUSES:
        errors["status"] = "Select what is happening with this gap"
        return errors
    if status == GapStatus.IN_PROGRESS:
        if not action_plan.strip():
            errors["action_plan"] = "Enter the action plan"
        if not owner.strip():
            errors["owner"] = "Enter who owns the action"
        if due_date is None:
            errors.setdefault("due_date", "Enter the date the action is due")
    if status == GapStatus.ACCEPTED:
        if not accepted_reason.strip():
            errors["accepted_reason"] = "Enter why the gap is accepted"
        if accepted_until is None:
            errors.setdefault("accepted_until", "Enter the date the acceptance ends")
        elif accepted_until <= on:
            errors["accepted_until"] = "The date the acceptance ends must be in the future"
    if len(action_plan) > 5000:
        errors["action_plan"] = "The action plan must be 5,000 characters or fewer"
    if len(owner) > 200:
        errors["owner"] = "The owner must be 200 characters or fewer"
    if len(accepted_reason) > 2000:
        errors["accepted_reason"] = "The reason must be 2,000 characters or fewer"
    return errors
