"""What a provider declares against next: the standard, version, year and round, and the
area's local version with it. Both doors (pages and API) start declarations from here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audits.models import (
    DeclarationRound,
)
from audits.periods import period_for, today
from audits.selectors.declarations import DEFAULT_STANDARD, current_draft, latest_submitted
from providers.models import Provider
from standards.models import Standard, StandardVersion
from standards.selectors import current_version, local_version_or_reason


def open_round_for_provider(*, provider: Provider, on: dt.date) -> DeclarationRound | None:
    """The area's open round (deadline not passed) whose version applies to this provider type.

    The round stays open when a later version of its standard is published: its version is the
    one published when it was opened, and may since have been superseded.
    """
    if provider.area_id is None:
        return None
    return (
        DeclarationRound.objects.select_related("version__standard", "area")
        .filter(
            area_id=provider.area_id,
            deadline__gte=on,
            version__requirements__applies_to__icontains=f'"{provider.provider_type}"',
        )
        .order_by("deadline", "pk")
        .distinct()
        .first()
    )


@dataclass(frozen=True)
class Target:
    """What a provider declares against next: a version (None when no standard is published),
    an academic year, and the round it answers, if any."""

    version: StandardVersion | None
    period: str
    round: DeclarationRound | None
    # The area's local version declared with `version`, if any; else why there is none although
    # the area has a local standard (it does not extend `version` yet).
    local_version: StandardVersion | None = None
    national_only_reason: str = ""


def declaration_target(
    *, provider: Provider, period: str | None = None, standard: Standard | None = None
) -> Target:
    """The standard and year of the area's open round (when it matches the period or standard
    asked for), else the standard asked for or the default one, this year or the year asked
    for; against the version of the declaration begun for them (even if that version has since
    been superseded), else the published version. Both doors start declarations from this."""
    on = today()
    declaration_round = open_round_for_provider(provider=provider, on=on)
    if declaration_round is not None and (
        (period is not None and declaration_round.period != period)
        or (standard is not None and declaration_round.version.standard_id != standard.pk)
    ):
        declaration_round = None
    if declaration_round is not None:
        standard, period = declaration_round.version.standard, declaration_round.period
    else:
        period = period or period_for(on)
        if standard is None:
            default = current_version(slug=DEFAULT_STANDARD)
            if default is None:
                return Target(version=None, period=period, round=None)
            standard = default.standard
    begun = current_draft(provider=provider, standard=standard, period=period) or latest_submitted(
        provider=provider, standard=standard, period=period
    )
    if begun is not None:
        # A declaration already begun keeps the pair it began with.
        reason = ""
        if begun.local_version_id is None:
            _, reason = local_target(provider=provider, version=begun.version)
        return Target(
            version=begun.version,
            period=period,
            round=declaration_round,
            local_version=begun.local_version,
            national_only_reason=reason,
        )
    version = current_version(slug=standard.slug)
    local, reason = local_target(provider=provider, version=version)
    return Target(
        version=version,
        period=period,
        round=declaration_round,
        local_version=local,
        national_only_reason=reason,
    )


def local_target(
    *, provider: Provider, version: StandardVersion | None
) -> tuple[StandardVersion | None, str]:
    """The area's local version declared with this national version, or why there is none."""
    area = provider.area if provider.area_id is not None else None
    if version is None or area is None:
        return None, ""
    return local_version_or_reason(area_code=area.code, area_name=area.name, national=version)
