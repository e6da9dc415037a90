import pytest
from django.core.cache import cache

from accounts.models import Role, User
from accounts.services import grant_role
from dashboards.selectors import clear_caches as clear_statistics_caches
from dashboards.services import clear_caches, refresh_all
from scoring.models import Gap, GapStatus
from scoring.services import update_gap
from scoring.specs import clear_caches as clear_scoring_caches
from tests.accounts.factories import UserFactory
from tests.dashboards.builders import ALL_YES, dashboard_version, declare, declare_and_score
from tests.dashboards.factories import OfficialStatisticFactory, StatisticsDatasetFactory
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    ProviderFactory,
)

PASSWORD = "reports-tests-password-1"
WEAK = {
    "L1-POLICY": False,
    "L2-REVIEW": False,
    "L3-GOVERNOR": True,
    "H1-NURSE": False,
    "H2-THERAPY": True,
}


@pytest.fixture(autouse=True)
def _fresh_caches():
    clear_caches()
    clear_scoring_caches()
    clear_statistics_caches()
    cache.clear()
    yield
    clear_caches()
    clear_scoring_caches()
    clear_statistics_caches()


def _user(email: str, role: str | None = None, scope=None) -> User:
    user = UserFactory(email=email, password=PASSWORD)
    if role:
        grant_role(user=user, role=role, scope=scope)
    return user


@pytest.fixture
def world(db):
    version = dashboard_version()
    area = AreaFactory(name="Westminster", code="213")
    other = AreaFactory(name="Brighton and Hove", code="846")
    icb = IcbFactory(name="NHS North West London Integrated Care Board", code="E54000027")
    IcbAreaCoverageFactory(icb=icb, area=area)
    school = ProviderFactory(area=area, name="Edward Wilson Primary School")
    declare_and_score(school, version, WEAK)
    for n in range(5):
        declare_and_score(
            ProviderFactory(area=area, name=f"Westminster School {n}"),
            version,
            WEAK if n % 2 else ALL_YES,
        )
    declare(ProviderFactory(area=area, name="Westminster School 9"), version, submitted=False)
    elsewhere = ProviderFactory(area=other, name="Brighton School")
    declare_and_score(elsewhere, version, WEAK)
    users = {
        "head": _user("head@example.org", Role.PROVIDER_EDITOR, school),
        "officer": _user("officer@example.org", Role.AREA_OFFICER, area),
        "icb": _user("icb@example.org", Role.ICB_OFFICER, icb),
        "other": _user("other@example.org", Role.AREA_OFFICER, other),
        "nobody": _user("nobody@example.org"),
    }
    gap = Gap.objects.get(provider=school, requirement_key="L1-POLICY")
    update_gap(
        gap_id=gap.pk,
        actor=users["head"],
        status=GapStatus.IN_PROGRESS,
        owner="Ms R Patel, SENCO",
        action_plan="Publish the SEND policy on the school website by half term.",
        due_date=gap.opened_at.date().replace(year=gap.opened_at.year + 1),
    )
    dataset = StatisticsDatasetFactory()
    for where, value in [(area, "61.3"), (None, "46.4")]:
        OfficialStatisticFactory(dataset=dataset, area=where, value=value)
    refresh_all()
    return {
        "version": version,
        "area": area,
        "other": other,
        "icb": icb,
        "school": school,
        "elsewhere": elsewhere,
        "users": users,
    }
