"""Reads for people: everything held about one person, for a subject access request; who must
use a second factor and what they have set up."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import access_for
from accounts.models import AuditEvent, Role, RoleGrant, User
from accounts.signals import person_data_requested


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def person_data(*, user: User) -> dict[str, Any]:
    """Everything the service holds about `user`, JSON-ready: the account, role grants, the
    audit entries they made or that are about them, sign-in records, and what other apps add
    through accounts.signals.person_data_requested (API tokens, for example)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    email = user.email.lower()
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "active": user.is_active,
            "staff": user.is_staff,
            "joined": _when(user.date_joined),
            "last_sign_in": _when(user.last_login),
        },
        # Whether they use a second factor; never its secret or their recovery codes.
        "second_factor": {
            "authenticator_app": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "recovery_codes_left": StaticToken.objects.filter(
                device__user=user, device__confirmed=True
            ).count(),
        },
        "roles": [
            {
                "role": grant.role,
                "scope": grant.scope_label.removeprefix(" for ") or None,
                "granted_at": _when(grant.granted_at),
                "granted_by": grant.granted_by.email if grant.granted_by else None,
            }
            for grant in RoleGrant.objects.filter(user=user).select_related(
                "provider", "trust", "area", "icb", "granted_by"
            )
        ],
        "audit_trail": [
            {
                "at": _when(event.at),
                "by_this_person": event.actor_id == user.pk,
                "actor": event.actor_label,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "object": event.object_label,
                "changes": event.changes,
            }
            for event in AuditEvent.objects.filter(
                Q(actor=user)
                | Q(object_type="accounts.user", object_id=str(user.pk))
                | Q(object_label__icontains=email)
                | Q(changes__icontains=email)
            ).order_by("at", "id")
        ],
        "sign_in_records": [
            {
                "kind": kind,
                "at": _when(row.attempt_time),
                "address": row.ip_address,
                "browser": row.user_agent,
                "page": row.path_info,
            }
            for kind, model in (
                ("failed attempts", AccessAttempt),
                ("failures", AccessFailureLog),
                ("sign-ins", AccessLog),
            )
            for row in model.objects.filter(username__iexact=email).order_by("attempt_time")
        ],
    }
    for _receiver, section in person_data_requested.send(sender=User, user=user):
        data.update(cast(dict[str, Any], section or {}))
    return data


# The second factor.

# Roles that see a whole area, an ICB's share of it, or the nation, or that change the service:
# these people must sign in with a second factor. Anyone else may choose to.
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.AREA_OFFICER,
        Role.ICB_OFFICER,
        Role.NATIONAL_ANALYST,
        Role.STANDARDS_ADMIN,
        Role.SITE_ADMIN,
    }
)


def second_factor_required(*, user: User) -> bool:
    """Whether `user` must sign in with a second factor: any of SECOND_FACTOR_ROLES, or the
    administration site (staff and superusers, whatever their grants)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    access = access_for(user)
    return bool(
        access.site_admin
        or access.national
        or access.standards_admin
        or access.area_ids
        or access.icb_ids
    )


def authenticator(*, user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def has_second_factor(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
