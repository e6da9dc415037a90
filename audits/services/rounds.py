"""Declaration rounds: an area asks its providers to declare for a standard and a year."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services import record
from audits.models import Declaration, DeclarationRound
from audits.periods import is_valid_period, next_period, period_for, today
from providers.models import Area
from providers.visibility import managed_areas
from standards.models import StandardVersion, VersionStatus


@transaction.atomic
def open_round(
    *, area: Area, version: StandardVersion, period: str, deadline: dt.date, user: User
) -> DeclarationRound:
    if not managed_areas(user=user).filter(pk=area.pk).exists():
        raise PermissionDenied("You cannot open a round for this area.")
    errors: dict[str, str] = {}
    if version.status != VersionStatus.PUBLISHED:
        errors["version"] = "Select a published version of the standard"
    current = period_for(today())
    if not is_valid_period(period):
        errors["period"] = "Enter an academic year, like 2026/27"
    elif period not in (current, next_period(current)):
        errors["period"] = (
            f"Open a round for this academic year ({current}) or the next ({next_period(current)})"
        )
    if deadline < today():
        errors["deadline"] = "The deadline must be today or in the future"
    # A round is for a standard and a year, whichever version is published by its deadline.
    if DeclarationRound.objects.filter(
        area=area, version__standard_id=version.standard_id, period=period
    ).exists():
        errors["period"] = "A round for this standard and academic year is already open"
    if errors:
        raise ValidationError(errors)
    declaration_round = DeclarationRound.objects.create(
        area=area, version=version, period=period, deadline=deadline, opened_by=user
    )
    Declaration.objects.filter(
        provider__area=area,
        version__standard_id=version.standard_id,
        period=period,
        round__isnull=True,
    ).update(round=declaration_round)
    record(actor=user, action="round opened", obj=declaration_round)
    return declaration_round
