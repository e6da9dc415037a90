"""What publishing would do to one provider's gaps, worked out as scoring does it.

Publishing first carries gaps over by key (`scoring.services.carry_over_gaps`): an active gap
whose requirement the version withdraws, makes good practice, or no longer applies to the
provider's type closes as superseded. The national re-score then opens, re-opens, resolves
and supersedes gaps from each provider's new outcomes (`scoring.services.gaps.sync_gaps`).
These functions follow both exactly, without writing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from scoring.engine import GAP_STRENGTHS, VersionSpec, score_tables
from scoring.models import ACTIVE_GAP_STATUSES, CLOSED_GAP_STATUSES, GapStatus

# key -> (status, accepted until)
GapState = Mapping[str, tuple[str, dt.date | None]]
# key -> (strength, provider types it applies to)
RequirementFacts = Mapping[str, tuple[str, list[str]]]


@dataclass
class GapChanges:
    opened: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    superseded: dict[str, str] = field(default_factory=dict)  # key -> reason


def carried_over(
    gaps: GapState, *, provider_type: str, requirements: RequirementFacts, label: str
) -> dict[str, str]:
    """The active gaps publishing closes as superseded before re-scoring: key -> reason."""
    closing: dict[str, str] = {}
    for key, (status, _) in gaps.items():
        if status not in ACTIVE_GAP_STATUSES:
            continue
        requirement = requirements.get(key)
        if requirement is None:
            why = "no longer has this requirement"
        elif requirement[0] not in GAP_STRENGTHS:
            why = f"makes this requirement {requirement[0].replace('_', ' ')}"
        elif provider_type not in requirement[1]:
            why = "no longer applies this requirement to this type of provider"
        else:
            continue
        closing[key] = f"Version {label} of the standard {why}"
    return closing


def gap_changes(
    gaps: GapState,
    *,
    provider_type: str,
    requirements: RequirementFacts,
    label: str,
    spec: VersionSpec | None = None,
    codes: str = "",
    on: dt.date | None = None,
) -> GapChanges:
    """Carry-over, then (for a provider that is scored: spec and codes given) the re-score."""
    closing = carried_over(
        gaps, provider_type=provider_type, requirements=requirements, label=label
    )
    changes = GapChanges(superseded=dict(closing))
    if spec is None:
        return changes
    state = {
        key: (GapStatus.SUPERSEDED.value if key in closing else status, until)
        for key, (status, until) in gaps.items()
    }
    tables = score_tables(spec)
    if not state:
        # A provider with no gaps at all: every failure is a new gap.
        for index, requirement in tables.gap_requirements:
            if codes[index] in "feu":
                changes.opened.append(requirement.key)
        return changes
    for requirement, code, fails_unanswered in zip(
        spec.requirements, codes, tables.fails_unanswered, strict=True
    ):
        gap = state.get(requirement.key)
        if fails_unanswered and code in "feu":
            if gap is None:
                changes.opened.append(requirement.key)
            elif gap[0] in CLOSED_GAP_STATUSES or (
                gap[0] == GapStatus.ACCEPTED
                and gap[1] is not None
                and on is not None
                and gap[1] < on
            ):
                changes.reopened.append(requirement.key)
        elif gap is None or gap[0] not in ACTIVE_GAP_STATUSES:
            continue
        elif code in "pn":
            changes.resolved.append(requirement.key)
        elif not fails_unanswered and code in "feu":
            changes.superseded[requirement.key] = (
                f"Version {label} of the standard makes this requirement "
                f"{requirement.strength.replace('_', ' ')}"
            )
    keys = set(spec.keys)
    for key, gap in state.items():
        if key not in keys and gap[0] in ACTIVE_GAP_STATUSES:
            changes.superseded[key] = (
                f"Version {label} of the standard no longer applies this requirement to this "
                "type of provider"
                if key in spec.answer_types
                else f"Version {label} of the standard no longer has this requirement"
            )
    return changes
