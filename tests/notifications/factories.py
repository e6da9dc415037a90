"""Notifications and opt-outs for tests."""

import factory

from notifications.models import Kind, Notification, OptOut
from tests.accounts.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    kind = Kind.ROUND_OPENED
    event_key = factory.Sequence(lambda n: f"round:{n}:opened")
    recipient = factory.SubFactory(UserFactory)
    subject = "A round has opened"
    body = "A round has opened."
    path = "/"


class OptOutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptOut

    user = factory.SubFactory(UserFactory)
    kind = Kind.ROUND_OPENED
