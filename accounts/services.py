"""Writes for people: invitations, role grants, the second factor and the audit trail."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import forget_access
from accounts.models import ROLE_SCOPE, AuditEvent, Role, RoleGrant, User
from accounts.signals import person_deactivated, retention_due

STANDARDS_ADMINS_GROUP = "Standards admins"


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one entry to the audit trail."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:300]
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None and actor.pk else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:300],
        changes=changes or {},
    )


def standards_admins_group() -> Group:
    group, _ = Group.objects.get_or_create(name=STANDARDS_ADMINS_GROUP)
    wanted = set(
        Permission.objects.filter(
            content_type__app_label="standards",
            content_type__model__in=["standard", "standardversion", "section", "requirement"],
        )
    )
    if set(group.permissions.all()) != wanted:
        group.permissions.set(wanted)
    return group


def _sync_django_flags(user: User) -> None:
    """Standards and site admins use the Django admin; keep its flags in line with the grants."""
    roles = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    is_standards_admin = Role.STANDARDS_ADMIN in roles
    is_site_admin = Role.SITE_ADMIN in roles
    group = standards_admins_group()
    if is_standards_admin:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    staff = is_standards_admin or is_site_admin
    if (user.is_staff, user.is_superuser) != (staff, is_site_admin):
        user.is_staff, user.is_superuser = staff, is_site_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    forget_access(user)


@transaction.atomic
def grant_role(
    *, user: User, role: str, scope: models.Model | None = None, granted_by: User | None = None
) -> RoleGrant:
    role = Role(role)
    scope_field = ROLE_SCOPE[role]
    if (scope_field is None) != (scope is None):
        raise ValidationError(
            f"{role.label} is granted for {'no scope' if scope_field is None else 'a ' + scope_field}."
        )
    if scope_field and scope is not None:
        expected = RoleGrant._meta.get_field(scope_field).related_model
        if not isinstance(scope, expected):  # type: ignore[arg-type]
            raise ValidationError(f"{role.label} is granted for a {scope_field}, not {scope!r}.")
    kwargs: dict[str, Any] = {"user": user, "role": role}
    if scope_field:
        kwargs[scope_field] = scope
    grant, created = RoleGrant.objects.get_or_create(**kwargs, defaults={"granted_by": granted_by})
    if created:
        record(
            actor=granted_by,
            action="role granted",
            obj=grant,
            changes={
                "user": user.email,
                "role": role.value,
                "scope": str(scope) if scope else None,
            },
        )
        _sync_django_flags(user)
    return grant


@transaction.atomic
def revoke_role(*, grant: RoleGrant, revoked_by: User | None = None) -> None:
    user = grant.user
    record(
        actor=revoked_by,
        action="role revoked",
        obj=grant,
        changes={"user": user.email, "role": grant.role, "scope": grant.scope_label.strip()},
    )
    grant.delete()
    _sync_django_flags(user)


@transaction.atomic
def invite_user(
    *,
    email: str,
    full_name: str = "",
    invited_by: User | None,
    request: HttpRequest | None = None,
) -> User:
    """Create an account with no usable password and email a link to set one."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError("A person with this email address already has an account.")
    user = User.objects.create_user(email=email, password=None, full_name=full_name)
    record(actor=invited_by, action="person invited", obj=user, changes={"email": email})
    send_invitation(user=user, request=request)
    return user


def send_invitation(*, user: User, request: HttpRequest | None = None) -> None:
    form = PasswordResetForm({"email": user.email})
    form.is_valid()
    # Invited accounts have no usable password, which PasswordResetForm would skip.
    transaction.on_commit(
        lambda: form.send_mail(
            subject_template_name="registration/invitation_subject.txt",
            email_template_name="registration/invitation_email.txt",
            context=_reset_context(user, request),
            from_email=None,
            to_email=user.email,
        )
    )


def _reset_context(user: User, request: HttpRequest | None) -> dict[str, Any]:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return {
        "email": user.email,
        "domain": request.get_host() if request else "127.0.0.1:8000",
        "protocol": "https" if request and request.is_secure() else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "user": user,
    }


# Personal data: deactivation, pseudonyms in the audit trail, and retention.


def _end_sessions(user: User) -> int:
    """Sign the person out everywhere: delete their sessions (the store has no index by user,
    so each unexpired session is decoded)."""
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def deactivate_person(*, user: User, actor: User | None) -> User:
    """The person can no longer sign in or use a token; their record and grants stay, for the
    audit trail. Deactivating twice changes nothing more."""
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        record(actor=actor, action="person deactivated", obj=user)
    _end_sessions(user)
    forget_access(user)
    person_deactivated.send(sender=User, user=user, actor=actor)
    return user


def pseudonym_for(user: User) -> str:
    return f"former-user-{user.pk}"


@transaction.atomic
def pseudonymise_person(*, user: User, actor: User | None) -> int:
    """Replace a deactivated person's email and name in the audit trail with a pseudonym. The
    entries keep their actor link, order and count, so the trail is whole; only who they were
    is no longer written there. Returns how many entries changed."""
    if user.is_active:
        raise ValidationError("Deactivate the person before replacing their name.")
    pseudonym = pseudonym_for(user)
    # The email anywhere it stands whole (not inside a longer address); the name only in the
    # entries by or about the person, as a whole word: another person may share it.
    email = _pattern(user.email, email=True)
    name = _pattern(user.full_name, email=False) if len(user.full_name.strip()) >= 3 else None
    linked = models.Q(actor=user) | models.Q(object_type="accounts.user", object_id=str(user.pk))
    mentions = (
        linked
        | models.Q(object_label__icontains=user.email)
        | models.Q(changes__icontains=user.email)
    )
    changed = 0
    for event in AuditEvent.objects.filter(mentions).select_for_update():
        before = (event.actor_label, event.object_label, event.changes)
        about = event.actor_id == user.pk or (
            event.object_type == "accounts.user" and event.object_id == str(user.pk)
        )
        patterns = [email, name] if about and name is not None else [email]
        if event.actor_id == user.pk:
            event.actor_label = pseudonym
        event.object_label = _replace_in(event.object_label, patterns, pseudonym)
        event.changes = _replace_in(event.changes, patterns, pseudonym)
        if (event.actor_label, event.object_label, event.changes) != before:
            event.save(update_fields=["actor_label", "object_label", "changes"])
            changed += 1
    record(
        actor=actor,
        action="person pseudonymised",
        object_type="accounts.user",
        object_id=str(user.pk),
        object_label=pseudonym,
        changes={"entries": changed},
    )
    return changed


def _pattern(text: str, *, email: bool) -> re.Pattern[str]:
    if email:
        # Not preceded or followed by characters that would make it part of a longer address.
        return re.compile(rf"(?<![\w.%+-]){re.escape(text)}(?![\w-])(?!\.\w)", re.IGNORECASE)
    return re.compile(rf"\b{re.escape(text.strip())}\b", re.IGNORECASE)


def _replace_in(value: Any, patterns: list[Any], pseudonym: str) -> Any:
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(pseudonym, value)
        return value
    if isinstance(value, list):
        return [_replace_in(item, patterns, pseudonym) for item in value]
    if isinstance(value, dict):
        return {key: _replace_in(item, patterns, pseudonym) for key, item in value.items()}
    return value


def prune_personal_data(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove what is past its retention period (settings.RETENTION_DAYS): sign-in records and
    sessions here, and, through accounts.signals.retention_due, what other apps hold (ended
    API tokens; notifications). Declarations, results and the audit trail are kept."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    now = now or timezone.now()
    days = settings.RETENTION_DAYS
    signed_in_before = now - dt.timedelta(days=days["sign_in_records"])
    removed = {"sign_in_records": 0}
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted, _ = model.objects.filter(attempt_time__lt=signed_in_before).delete()
        removed["sign_in_records"] += deleted
    removed["sessions"], _ = Session.objects.filter(
        expire_date__lt=now - dt.timedelta(days=days["sessions"])
    ).delete()
    for _receiver, counts in retention_due.send(sender=User, now=now, retention_days=days):
        for kind, count in cast(dict[str, int], counts or {}).items():
            removed[kind] = removed.get(kind, 0) + count
    return removed


# The second factor: an authenticator app (django-otp's TOTP device) and single-use recovery
# codes (its static device).

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def start_authenticator(*, user: User) -> TOTPDevice:
    """The authenticator app the person is setting up, not yet confirmed: the same secret each
    time the page is shown, until a code from it is entered."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_authenticator(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a set-up with a code from the app. Returns the person's new recovery codes, or
    None when the code is wrong. Any other authenticator they had stops working."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(_normalise(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = new_recovery_codes(user=user)
    record(actor=user, action="second factor set up", obj=user)
    return codes


@transaction.atomic
def enrol_authenticator(*, user: User, key: str, actor: User | None = None) -> TOTPDevice:
    """Give a person a confirmed authenticator with a known secret (hex), replacing any they had:
    for the demo accounts' published secret, never for a real person."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, key=key, confirmed=True)
    record(actor=actor, action="second factor set up", obj=user, changes={"by": "operator"})
    return device


def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODES new ones (each works once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def check_authenticator_code(*, user: User, code: str) -> TOTPDevice | None:
    """The person's authenticator, if `code` is its current code. A code works once; after a
    wrong one, the next is refused for a while, longer after each (django-otp's throttling)."""
    code = _normalise(code)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    if device is None or not code.isdigit() or not device.verify_token(code):
        if device is not None and not code.isdigit():
            device.throttle_increment()
        return None
    return device


@transaction.atomic
def use_recovery_code(*, user: User, code: str) -> StaticDevice | None:
    """Use up one of the person's recovery codes; None if it is not one of them."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_token(_normalise(code)):
        return None
    record(
        actor=user,
        action="recovery code used",
        obj=user,
        changes={"left": device.token_set.count()},
    )
    return device


@transaction.atomic
def reset_second_factor(*, user: User, actor: User | None) -> int:
    """Remove a person's authenticator and recovery codes, and sign them out everywhere: at their
    next sign-in they set up a new one (or, if they need none, sign in with their password).
    Returns how many devices were removed."""
    removed = TOTPDevice.objects.filter(user=user).count()
    removed += StaticDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(actor=actor, action="second factor reset", obj=user, changes={"devices": removed})
    _end_sessions(user)
    return removed
