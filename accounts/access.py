"""What a person may see and do, from their role grants. Deny by default.

Computed once per user object and cached on it. Where Django's cache is shared by every process
(common.shared_cache), the person's grants are also kept there between requests, for at most
GRANTS_TIMEOUT seconds, and forgotten whenever one of their grants is saved or deleted
(accounts.apps connects `forget_grants`); with a process-local cache they are read from the
database on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import Role, RoleGrant, User
from common.shared_cache import forget, kept

HEALTH_THEMES = frozenset({"health"})


@dataclass(frozen=True)
class Access:
    site_admin: bool = False
    national: bool = False
    standards_admin: bool = False
    edit_provider_ids: frozenset[int] = frozenset()
    view_provider_ids: frozenset[int] = frozenset()
    trust_ids: frozenset[int] = frozenset()
    area_ids: frozenset[int] = frozenset()
    icb_ids: frozenset[int] = frozenset()

    @property
    def reads_everything(self) -> bool:
        return self.site_admin or self.national

    @property
    def is_officer(self) -> bool:
        return bool(self.area_ids or self.icb_ids or self.trust_ids) or self.reads_everything

    @property
    def has_any_role(self) -> bool:
        return (
            self.site_admin
            or self.national
            or self.standards_admin
            or bool(self.view_provider_ids or self.trust_ids or self.area_ids or self.icb_ids)
        )


NO_ACCESS = Access()


def access_for(user: Any) -> Access:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_access_cache", None)
    if cached is not None:
        return cached
    grants = _grants(user.pk)
    roles = {g[0] for g in grants}
    access = Access(
        site_admin=user.is_superuser or Role.SITE_ADMIN in roles,
        national=Role.NATIONAL_ANALYST in roles,
        standards_admin=Role.STANDARDS_ADMIN in roles,
        edit_provider_ids=frozenset(p for r, p, *_ in grants if r == Role.PROVIDER_EDITOR and p),
        view_provider_ids=frozenset(
            p for r, p, *_ in grants if r in (Role.PROVIDER_EDITOR, Role.PROVIDER_VIEWER) and p
        ),
        trust_ids=frozenset(t for r, _, t, _, _ in grants if r == Role.TRUST_OFFICER and t),
        area_ids=frozenset(a for r, _, _, a, _ in grants if r == Role.AREA_OFFICER and a),
        icb_ids=frozenset(i for r, _, _, _, i in grants if r == Role.ICB_OFFICER and i),
    )
    user._access_cache = access
    return access


GRANTS_TIMEOUT = 60
Grant = tuple[str, int | None, int | None, int | None, int | None]


def _grants_key(user_id: int) -> str:
    return f"accounts:grants:{user_id}"


def _grants(user_id: int) -> list[Grant]:
    return kept(
        _grants_key(user_id),
        lambda: list(
            RoleGrant.objects.filter(user_id=user_id).values_list(
                "role", "provider_id", "trust_id", "area_id", "icb_id"
            )
        ),
        GRANTS_TIMEOUT,
    )


def forget_grants(sender: Any, *, instance: RoleGrant, **kwargs: Any) -> None:
    """A grant saved or deleted: the person's grants are read afresh at their next request."""
    forget(_grants_key(instance.user_id))


def forget_access(user: User) -> None:
    if hasattr(user, "_access_cache"):
        del user._access_cache
