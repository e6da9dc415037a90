"""Writes for local inclusion plans: start, edit, publish. Every change is in the audit trail.

A plan is a draft until it is published; published and superseded plans cannot be changed
(these functions refuse, and the database's triggers are the backstop: migration 0002).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from accounts.services import record
from audits.periods import is_valid_period
from inclusion.canonical import content_hash
from inclusion.entries import PlaceValues, gias_proposals, need_types_of, place_problems
from inclusion.models import (
    CommonSetting,
    CommonSettingKind,
    EntrySource,
    InclusionPlan,
    PlanStatus,
    SpecialistPlace,
)
from providers.models import Area, Provider


class PlanError(Exception):
    """Something the officer asked for that cannot be done, in words for them."""


@dataclass
class PlanDetails:
    ordinarily_available_summary: str = ""
    ordinarily_available_url: str = ""
    send_team_contact: str = ""
    sendiass_contact: str = ""
    local_offer_url: str = ""


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _locked_draft(plan: InclusionPlan) -> InclusionPlan:
    """The plan, locked for this transaction; PlanError unless it is still a draft."""
    current = InclusionPlan.objects.select_for_update().select_related("area").get(pk=plan.pk)
    if current.status != PlanStatus.DRAFT:
        raise PlanError(
            f"Version {current.version} of this plan is {current.get_status_display().lower()},"
            " so it cannot be changed. Start a new version to change it."
        )
    return current


def _place_label(place: SpecialistPlace) -> dict[str, Any]:
    return {
        "provider": place.provider.name,
        "urn": place.provider.urn,
        "kind": place.kind,
    }


def _place_values(place: SpecialistPlace) -> dict[str, Any]:
    return {
        "need_types": place.need_types,
        "age_low": place.age_low,
        "age_high": place.age_high,
        "places": place.places,
        "on_roll": place.on_roll,
    }


# ---------------------------------------------------------------------------
# Starting a plan
# ---------------------------------------------------------------------------


def gias_entries(*, plan: InclusionPlan) -> list[SpecialistPlace]:
    """Unsaved, unconfirmed entries for every specialist place GIAS lists in the plan's area."""
    entries = []
    providers = Provider.objects.filter(area=plan.area_id).order_by("name", "pk")
    for provider in providers:
        for kind, places, on_roll in gias_proposals(provider):
            low, high = provider.statutory_low_age, provider.statutory_high_age
            entries.append(
                SpecialistPlace(
                    plan=plan,
                    provider=provider,
                    kind=kind,
                    need_types=need_types_of(provider),
                    age_low=low,
                    age_high=high if low is None or high is None or low <= high else None,
                    places=places,
                    on_roll=on_roll,
                    inside_area=True,
                    source=EntrySource.GIAS,
                    confirmed=False,
                )
            )
    return entries


@transaction.atomic
def start_plan(*, area: Area, academic_year: str, actor: User | None) -> InclusionPlan:
    """Start the area's plan for the year: version 1 proposed from GIAS, or the next version,
    a copy of the latest published one. PlanError if a draft is already being written."""
    if not is_valid_period(academic_year):
        raise PlanError("Enter an academic year such as 2026/27")
    Area.objects.select_for_update().get(pk=area.pk)  # one start at a time per area
    plans = InclusionPlan.objects.filter(area=area, academic_year=academic_year)
    draft = plans.filter(status=PlanStatus.DRAFT).first()
    if draft is not None:
        raise PlanError(
            f"Version {draft.version} of the {academic_year} plan is already a draft:"
            " carry on with it, or publish it first."
        )
    latest = plans.filter(status=PlanStatus.PUBLISHED).first()
    version = (plans.aggregate(top=Max("version"))["top"] or 0) + 1
    plan = InclusionPlan(
        area=area,
        academic_year=academic_year,
        version=version,
        created_by=_actor(actor),
    )
    if latest is not None:
        for name in asdict(PlanDetails()):
            setattr(plan, name, getattr(latest, name))
    plan.save()
    if latest is not None:
        SpecialistPlace.objects.bulk_create(
            [
                SpecialistPlace(
                    plan=plan,
                    provider_id=p.provider_id,
                    kind=p.kind,
                    need_types=list(p.need_types),
                    age_low=p.age_low,
                    age_high=p.age_high,
                    places=p.places,
                    on_roll=p.on_roll,
                    inside_area=p.inside_area,
                    source=p.source,
                    confirmed=p.confirmed,
                )
                for p in latest.places.all()
            ]
        )
        CommonSetting.objects.bulk_create(
            [
                CommonSetting(plan=plan, provider_id=c.provider_id, kind=c.kind, note=c.note)
                for c in latest.common_settings.all()
            ]
        )
        changes: dict[str, Any] = {"copied_from_version": latest.version}
    else:
        entries = SpecialistPlace.objects.bulk_create(gias_entries(plan=plan))
        changes = {"proposed_from_gias": len(entries)}
    record(actor=actor, action="inclusion plan started", obj=plan, changes=changes)
    return plan


# ---------------------------------------------------------------------------
# Editing a draft
# ---------------------------------------------------------------------------


@transaction.atomic
def update_details(
    *, plan: InclusionPlan, details: PlanDetails, actor: User | None
) -> InclusionPlan:
    """The ordinarily available provision and the contact routes."""
    plan = _locked_draft(plan)
    changed = {
        name: [getattr(plan, name), value]
        for name, value in asdict(details).items()
        if getattr(plan, name) != value
    }
    if changed:
        for name, (_, value) in changed.items():
            setattr(plan, name, value)
        plan.full_clean(exclude=["area", "created_by", "published_by"])
        plan.save(update_fields=list(changed))
        record(actor=actor, action="inclusion plan details changed", obj=plan, changes=changed)
    return plan


def _check(values: PlaceValues) -> None:
    problems = place_problems(values)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def add_place(
    *, plan: InclusionPlan, provider: Provider, values: PlaceValues, actor: User | None
) -> SpecialistPlace:
    """An entry the officer adds: confirmed, inside the area if the provider is."""
    plan = _locked_draft(plan)
    _check(values)
    if SpecialistPlace.objects.filter(plan=plan, provider=provider, kind=values.kind).exists():
        raise ValidationError(
            {
                "kind": f"The plan already has this kind of place at {provider.name}: change that entry"
            }
        )
    place = SpecialistPlace.objects.create(
        plan=plan,
        provider=provider,
        inside_area=provider.area_id == plan.area_id,
        source=EntrySource.OFFICER,
        confirmed=True,
        **asdict(values),
    )
    record(
        actor=actor,
        action="inclusion plan entry added",
        obj=plan,
        changes={**_place_label(place), **_place_values(place)},
    )
    return place


@transaction.atomic
def change_place(
    *, place: SpecialistPlace, values: PlaceValues, actor: User | None
) -> SpecialistPlace:
    """Correct an entry; saving it confirms it."""
    plan = _locked_draft(place.plan)
    place = SpecialistPlace.objects.select_related("provider").get(pk=place.pk, plan=plan)
    _check(values)
    if (
        values.kind != place.kind
        and SpecialistPlace.objects.filter(plan=plan, provider=place.provider, kind=values.kind)
        .exclude(pk=place.pk)
        .exists()
    ):
        raise ValidationError({"kind": "The plan already has this kind of place at this setting"})
    before = {"kind": place.kind, **_place_values(place), "confirmed": place.confirmed}
    for name, value in asdict(values).items():
        setattr(place, name, value)
    place.confirmed = True
    place.save()
    after = {"kind": place.kind, **_place_values(place), "confirmed": True}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    record(
        actor=actor,
        action="inclusion plan entry changed",
        obj=plan,
        changes={**_place_label(place), "fields": changed},
    )
    return place


@transaction.atomic
def confirm_place(*, place: SpecialistPlace, actor: User | None) -> SpecialistPlace:
    plan = _locked_draft(place.plan)
    place = SpecialistPlace.objects.select_related("provider").get(pk=place.pk, plan=plan)
    if not place.confirmed:
        place.confirmed = True
        place.save(update_fields=["confirmed"])
        record(
            actor=actor,
            action="inclusion plan entry confirmed",
            obj=plan,
            changes={**_place_label(place), **_place_values(place)},
        )
    return place


@transaction.atomic
def remove_place(*, place: SpecialistPlace, actor: User | None) -> None:
    plan = _locked_draft(place.plan)
    place = SpecialistPlace.objects.select_related("provider").get(pk=place.pk, plan=plan)
    label = {**_place_label(place), **_place_values(place)}
    place.delete()
    record(actor=actor, action="inclusion plan entry removed", obj=plan, changes=label)


@transaction.atomic
def add_common_setting(
    *, plan: InclusionPlan, provider: Provider, kind: str, note: str, actor: User | None
) -> CommonSetting:
    plan = _locked_draft(plan)
    if kind not in CommonSettingKind.values:
        raise ValidationError({"kind": "Select what kind of setting it is"})
    if len(note) > 500:
        raise ValidationError({"note": "The note must be 500 characters or fewer"})
    if CommonSetting.objects.filter(plan=plan, provider=provider).exists():
        raise ValidationError({"provider": f"{provider.name} is already in the list"})
    setting = CommonSetting.objects.create(plan=plan, provider=provider, kind=kind, note=note)
    record(
        actor=actor,
        action="inclusion plan common setting added",
        obj=plan,
        changes={"provider": provider.name, "urn": provider.urn, "kind": kind, "note": note},
    )
    return setting


@transaction.atomic
def remove_common_setting(*, setting: CommonSetting, actor: User | None) -> None:
    plan = _locked_draft(setting.plan)
    setting = CommonSetting.objects.select_related("provider").get(pk=setting.pk, plan=plan)
    changes = {"provider": setting.provider.name, "urn": setting.provider.urn, "kind": setting.kind}
    setting.delete()
    record(actor=actor, action="inclusion plan common setting removed", obj=plan, changes=changes)


@transaction.atomic
def replace_places(
    *,
    plan: InclusionPlan,
    entries: list[tuple[Provider, PlaceValues]],
    actor: User | None,
    file_name: str,
) -> InclusionPlan:
    """Make the plan's specialist places exactly these (an uploaded spreadsheet): all confirmed."""
    plan = _locked_draft(plan)
    for _, values in entries:
        _check(values)
    removed = SpecialistPlace.objects.filter(plan=plan).delete()[0]
    try:
        with transaction.atomic():
            SpecialistPlace.objects.bulk_create(
                [
                    SpecialistPlace(
                        plan=plan,
                        provider=provider,
                        inside_area=provider.area_id == plan.area_id,
                        source=EntrySource.UPLOAD,
                        confirmed=True,
                        **asdict(values),
                    )
                    for provider, values in entries
                ]
            )
    except IntegrityError as exc:
        raise PlanError("The spreadsheet has the same kind of place at one setting twice") from exc
    record(
        actor=actor,
        action="inclusion plan entries uploaded",
        obj=plan,
        changes={"file": file_name, "removed": removed, "added": len(entries)},
    )
    return plan


# ---------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------


@transaction.atomic
def publish_plan(*, plan: InclusionPlan, actor: User | None) -> InclusionPlan:
    """Freeze the draft: who and when, the SHA-256 of its canonical JSON; supersede the last."""
    plan = _locked_draft(plan)
    unconfirmed = SpecialistPlace.objects.filter(plan=plan, confirmed=False).count()
    if unconfirmed:
        raise PlanError(
            f"{unconfirmed} {'entry is' if unconfirmed == 1 else 'entries are'} not confirmed yet:"
            " confirm, change or remove each entry proposed from GIAS before publishing"
        )
    previous = (
        InclusionPlan.objects.select_for_update()
        .filter(area=plan.area_id, academic_year=plan.academic_year, status=PlanStatus.PUBLISHED)
        .first()
    )
    if previous is not None:
        previous.status = PlanStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    plan.content_hash = content_hash(plan)
    plan.status = PlanStatus.PUBLISHED
    plan.published_by = _actor(actor)
    plan.published_at = timezone.now()
    plan.save(update_fields=["content_hash", "status", "published_by", "published_at"])
    record(
        actor=actor,
        action="inclusion plan published",
        obj=plan,
        changes={
            "content_hash": plan.content_hash,
            "entries": plan.places.count(),
            "supersedes_version": previous.version if previous else None,
        },
    )
    return plan
