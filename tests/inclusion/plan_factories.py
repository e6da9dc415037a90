"""Factories and builders for local inclusion plans."""

from __future__ import annotations

import datetime as dt

import factory

from accounts.models import Role, User
from accounts.services import grant_role
from audits.periods import period_for
from inclusion.models import EntrySource, InclusionPlan, PlaceKind, SpecialistPlace
from providers.models import ResourcedProvision
from standards.vocabulary import ProviderType
from tests.providers.factories import AreaFactory, ProviderFactory

PASSWORD = "inclusion-tests-password-1"
# This academic year: the officers' pages offer this year and the next.
YEAR = period_for(dt.date.today())


class InclusionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InclusionPlan

    area = factory.SubFactory(AreaFactory)
    academic_year = YEAR
    version = 1


class SpecialistPlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialistPlace

    plan = factory.SubFactory(InclusionPlanFactory)
    provider = factory.SubFactory(ProviderFactory, area=factory.SelfAttribute("..plan.area"))
    kind = PlaceKind.RESOURCED_PROVISION
    need_types = factory.LazyFunction(lambda: ["ASD"])
    age_low = 4
    age_high = 11
    places = 12
    on_roll = 10
    source = EntrySource.OFFICER
    confirmed = True


def gias_area(**area_kw):
    """An area whose providers GIAS says have specialist places, and one that has none."""
    area = AreaFactory(**area_kw)
    unit = ProviderFactory(
        area=area,
        name="Oak Primary School",
        urn="700001",
        resourced_provision=ResourcedProvision.BOTH,
        resourced_provision_capacity=14,
        resourced_provision_on_roll=16,
        sen_unit_capacity=8,
        sen_unit_on_roll=6,
        sen_provision_types=[
            "ASD - Autistic Spectrum Disorder",
            "SLCN - Speech, language and Communication",
        ],
        statutory_low_age=4,
        statutory_high_age=11,
    )
    special = ProviderFactory(
        area=area,
        name="Willow Special School",
        urn="700002",
        provider_type=ProviderType.SPECIAL_SCHOOL,
        establishment_type="Community special school",
        sen_provision_types=[
            "SLD - Severe Learning Difficulty",
            "PMLD - Profound and Multiple Learning Difficulty",
        ],
        statutory_low_age=2,
        statutory_high_age=19,
    )
    pru = ProviderFactory(
        area=area,
        name="Elm Pupil Referral Unit",
        urn="700003",
        provider_type=ProviderType.ALTERNATIVE_PROVISION,
        establishment_type="Pupil referral unit",
        statutory_low_age=11,
        statutory_high_age=16,
    )
    post16 = ProviderFactory(
        area=area,
        name="Ash Specialist College",
        urn="700004",
        provider_type=ProviderType.INDEPENDENT_SPECIALIST_PROVIDER,
        establishment_type="Special post 16 institution",
        sen_provision_types=["PD - Physical Disability"],
        statutory_low_age=16,
        statutory_high_age=25,
    )
    plain = ProviderFactory(area=area, name="Birch Primary School", urn="700005")
    return {
        "area": area,
        "unit": unit,
        "special": special,
        "pru": pru,
        "post16": post16,
        "plain": plain,
    }


def officer_for(area, email="officer@example.org") -> User:
    user = User.objects.create_user(email, PASSWORD)
    grant_role(user=user, role=Role.AREA_OFFICER, scope=area)
    return user
