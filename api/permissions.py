"""The permissions module (providers.visibility) as DRF sees it: a filter backend that keeps
what the person may see, and a permission class that lets only those who may change an object
change it. Deny by default: a model with no scope here shows nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework.filters import BaseFilterBackend
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from providers import visibility
from providers.models import Area, Provider


class InScope(BaseFilterBackend):
    """Areas and providers the person may see, and whatever belongs to one of those providers
    (declarations, gaps); nothing else."""

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        model = queryset.model
        user = request.user
        if model is Area:
            return queryset & visibility.visible_areas(user=user)
        if model is Provider:
            return queryset & visibility.visible_providers(user=user)
        if any(f.name == "provider" for f in model._meta.get_fields()):
            return queryset.filter(provider__in=visibility.visible_providers(user=user))
        return queryset.none()


class CanChange(BasePermission):
    """Signed in to read (InScope decides what); to change an object, allowed to change its
    provider's declarations: 403 otherwise (an object outside the scope is already a 404)."""

    message = "You can read this but not change it: only the provider's editors can."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Model) -> bool:
        if request.method in SAFE_METHODS:
            return True
        provider = obj if isinstance(obj, Provider) else obj.provider  # type: ignore[attr-defined]
        return visibility.can_edit_provider(user=request.user, provider=provider)
