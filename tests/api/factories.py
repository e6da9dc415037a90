"""API tokens for tests, written straight to the table (`api.services.create_token` issues
real ones)."""

import datetime as dt

import factory
from django.utils import timezone

from api.models import ApiToken
from tests.accounts.factories import UserFactory


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "Test token"
    prefix = factory.Sequence(lambda n: f"csp_t{n}")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
