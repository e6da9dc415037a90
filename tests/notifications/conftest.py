"""A small world for the emails: two areas, providers in each, their editors and officers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from celery import current_app
from django.core import mail

from accounts.models import Role, User
from accounts.services import grant_role
from audits.models import DeclarationRound
from notifications import tasks
from notifications.services import delivery
from providers.models import Area, Provider
from tests.accounts.factories import UserFactory
from tests.audits.factories import DeclarationRoundFactory
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    ProviderFactory,
)
from tests.standards.builders import make_version

SITE_URL = "https://send.example.test"
PASSWORD = "pw-for-tests-123"


def make_user(email: str, name: str = "", *roles: tuple[str, object]) -> User:
    user = UserFactory(email=email, password=PASSWORD, full_name=name)
    for role, scope in roles:
        grant_role(user=user, role=role, scope=scope)
    return user


@dataclass
class World:
    area: Area
    other_area: Area
    school: Provider
    second_school: Provider
    council: Provider
    far_school: Provider
    head: User
    deputy: User
    viewer: User
    council_editor: User
    far_head: User
    officer: User
    far_officer: User
    icb_officer: User


@pytest.fixture
def world(db) -> World:
    area = AreaFactory(name="Ownshire")
    other_area = AreaFactory(name="Farshire")
    school = ProviderFactory(area=area, name="Ownshire Primary")
    second_school = ProviderFactory(area=area, name="Brook Primary")
    council = ProviderFactory(area=area, local_authority=True)
    far_school = ProviderFactory(area=other_area, name="Far Primary")
    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=area)
    return World(
        area=area,
        other_area=other_area,
        school=school,
        second_school=second_school,
        council=council,
        far_school=far_school,
        head=make_user("head@example.org", "Ada Head", (Role.PROVIDER_EDITOR, school)),
        deputy=make_user("deputy@example.org", "", (Role.PROVIDER_EDITOR, second_school)),
        viewer=make_user("viewer@example.org", "Vic Viewer", (Role.PROVIDER_VIEWER, school)),
        council_editor=make_user(
            "council@example.org", "Cora Council", (Role.PROVIDER_EDITOR, council)
        ),
        far_head=make_user("far@example.org", "Fay Far", (Role.PROVIDER_EDITOR, far_school)),
        officer=make_user("officer@example.org", "Olive Officer", (Role.AREA_OFFICER, area)),
        far_officer=make_user(
            "far-officer@example.org", "Finn Officer", (Role.AREA_OFFICER, other_area)
        ),
        icb_officer=make_user("icb@example.org", "Ivy Icb", (Role.ICB_OFFICER, icb)),
    )


@pytest.fixture
def version(db):
    return make_version(publish=True)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def eager(monkeypatch, django_capture_on_commit_callbacks):
    """Run this app's queued tasks at once, and the on-commit callbacks that queue them."""
    for task in (
        tasks.send_notification_task,
        tasks.round_opened_task,
        tasks.declaration_reviewed_task,
        tasks.version_published_task,
    ):
        monkeypatch.setattr(task, "delay", lambda _task=task, **kw: _task.apply(kwargs=kw))
    # Services queue by task name; run the named task here instead.
    monkeypatch.setattr(
        delivery,
        "send",
        lambda name, *, kwargs=None, queue, **options: current_app.tasks[name].apply(
            kwargs=kwargs or {}
        ),
    )

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def make_round(area: Area, version, *, deadline: dt.date) -> DeclarationRound:
    return DeclarationRoundFactory(area=area, version=version, deadline=deadline)
