import functools
import operator

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the administration site."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    PROVIDER_EDITOR = "provider_editor", "Provider editor"
    PROVIDER_VIEWER = "provider_viewer", "Provider viewer"
    TRUST_OFFICER = "trust_officer", "Trust officer"
    AREA_OFFICER = "area_officer", "Area officer"
    ICB_OFFICER = "icb_officer", "ICB officer"
    NATIONAL_ANALYST = "national_analyst", "National analyst"
    STANDARDS_ADMIN = "standards_admin", "Standards admin"
    SITE_ADMIN = "site_admin", "Site admin"


# The one scope field each role is granted for; None for roles without a scope.
ROLE_SCOPE = {
    Role.PROVIDER_EDITOR: "provider",
    Role.PROVIDER_VIEWER: "provider",
    Role.TRUST_OFFICER: "trust",
    Role.AREA_OFFICER: "area",
    Role.ICB_OFFICER: "icb",
    Role.NATIONAL_ANALYST: None,
    Role.STANDARDS_ADMIN: None,
    Role.SITE_ADMIN: None,
}
SCOPE_FIELDS = ("provider", "trust", "area", "icb")
SCOPE_LABELS = {
    "provider": "provider",
    "trust": "trust",
    "area": "local authority area",
    "icb": "integrated care board",
}


def _scope_condition(role: str, scope: str | None) -> models.Q:
    condition = models.Q(role=role)
    for name in SCOPE_FIELDS:
        condition &= models.Q(**{f"{name}__isnull": name != scope})
    return condition


class RoleGrant(models.Model):
    """A role granted to a person for one scope: a provider, a trust, an area or an ICB."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, null=True, blank=True, related_name="grants"
    )
    trust = models.ForeignKey(
        "providers.Trust", on_delete=models.CASCADE, null=True, blank=True, related_name="grants"
    )
    area = models.ForeignKey(
        "providers.Area", on_delete=models.CASCADE, null=True, blank=True, related_name="grants"
    )
    icb = models.ForeignKey(
        "providers.IntegratedCareBoard",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Each role carries exactly the scope it is defined for, and nothing else.
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_,
                    (_scope_condition(role, scope) for role, scope in ROLE_SCOPE.items()),
                ),
                name="role_grant_scope_matches_role",
            ),
            *[
                models.UniqueConstraint(
                    fields=["user", "role", *([scope] if scope else [])],
                    condition=models.Q(role=role),
                    name=f"role_grant_unique_{role}",
                )
                for role, scope in ROLE_SCOPE.items()
            ],
        ]
        indexes = [models.Index(fields=["user", "role"], name="role_grant_user_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}{self.scope_label}"

    @property
    def scope_object(self) -> models.Model | None:
        scope = ROLE_SCOPE[Role(self.role)]
        return getattr(self, scope) if scope else None

    @property
    def scope_label(self) -> str:
        scope = self.scope_object
        return f" for {scope}" if scope is not None else ""

    def clean(self) -> None:
        """The scope check in words, naming the field to fix (the database constraint is the
        backstop)."""
        if self.role not in ROLE_SCOPE:
            return
        scope = ROLE_SCOPE[Role(self.role)]
        role = Role(self.role).label.lower()
        errors = {}
        for name in SCOPE_FIELDS:
            given = getattr(self, f"{name}_id") is not None
            if name == scope and not given:
                errors[name] = f"Choose the {SCOPE_LABELS[name]} this {role} works for"
            elif name != scope and given:
                errors[name] = f"A {role} has no {SCOPE_LABELS[name]}: leave this empty"
        if errors:
            raise ValidationError(errors)


class AuditEvent(models.Model):
    """Who changed what and when. Written by services; never edited."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    actor_label = models.CharField(
        max_length=254, blank=True, help_text="The actor's email, kept if the account is deleted."
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action} {self.object_label}"
