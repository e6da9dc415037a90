"""Factories for the official statistics the dashboards show beside their own figures."""

from decimal import Decimal

import factory

from dashboards.models import GeographicLevel, Measure, OfficialStatistic, StatisticsDataset


class StatisticsDatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatisticsDataset
        django_get_or_create = ("key",)

    key = "ehcp_timeliness"
    title = "Education, health and care plans: new plans issued within 20 weeks"
    publisher = "Department for Education"
    release = "Reporting year 2025"
    url = "https://explore-education-statistics.service.gov.uk/"
    reference = "2024"
    file_name = "x.csv"
    sha256 = "0" * 64


class OfficialStatisticFactory(factory.django.DjangoModelFactory):
    """A national figure unless given an area (then a local authority's, by its code)."""

    class Meta:
        model = OfficialStatistic

    dataset = factory.SubFactory(StatisticsDatasetFactory)
    measure = Measure.PCT_20_WEEKS_EX
    time_period = "2024"
    level = factory.LazyAttribute(
        lambda o: GeographicLevel.LOCAL_AUTHORITY if o.area else GeographicLevel.NATIONAL
    )
    geo_code = factory.LazyAttribute(lambda o: o.area.code if o.area else "E92000001")
    area = None
    value = Decimal("50")
    suppression = ""
