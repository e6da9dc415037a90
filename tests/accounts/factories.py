"""Factories for people, role grants and audit events."""

from typing import Any

import factory

from accounts.models import AuditEvent, Role, RoleGrant, User
from tests.providers.factories import ProviderFactory

PASSWORD = "pw-for-tests-123"


class UserFactory(factory.django.DjangoModelFactory):
    """A person who can sign in with PASSWORD (or the `password` given); no name unless given."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = PASSWORD

    class Params:
        # A superuser with the admin flags, as `createsuperuser` makes.
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)


class RoleGrantFactory(factory.django.DjangoModelFactory):
    """A provider editor's grant, written straight to the table (the service checks scope)."""

    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = Role.PROVIDER_EDITOR
    provider = factory.SubFactory(ProviderFactory)


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    action = "role granted"
    object_type = "accounts.rolegrant"
    actor_label = "system"
