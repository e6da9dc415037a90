"""A small world of two areas, used by the permission matrix: everything in 'own' scope
belongs to area A, everything in 'other' scope to area B."""

from dataclasses import dataclass

from accounts.models import Role, User
from accounts.services import grant_role
from providers.models import Area, IntegratedCareBoard, Provider, Trust
from tests.accounts.factories import UserFactory
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    IcbProviderFactory,
    LocalAuthorityProviderFactory,
    ProviderFactory,
    TrustFactory,
)

ROLES = [
    "anonymous",
    "no_role",
    Role.PROVIDER_EDITOR,
    Role.PROVIDER_VIEWER,
    Role.TRUST_OFFICER,
    Role.AREA_OFFICER,
    Role.ICB_OFFICER,
    Role.NATIONAL_ANALYST,
    Role.STANDARDS_ADMIN,
    Role.SITE_ADMIN,
]
PASSWORD = "matrix-password-123"


@dataclass
class World:
    area: Area
    other_area: Area
    icb: IntegratedCareBoard
    other_icb: IntegratedCareBoard
    trust: Trust
    other_trust: Trust
    school: Provider
    other_school: Provider
    la: Provider
    other_la: Provider
    icb_provider: Provider
    other_icb_provider: Provider
    users: dict[str, User | None]


def build_world() -> World:
    area, other_area = AreaFactory(name="Ownshire"), AreaFactory(name="Othershire")
    icb, other_icb = IcbFactory(name="NHS Own ICB"), IcbFactory(name="NHS Other ICB")
    IcbAreaCoverageFactory(icb=icb, area=area)
    IcbAreaCoverageFactory(icb=other_icb, area=other_area)
    trust, other_trust = TrustFactory(name="Own Trust"), TrustFactory(name="Other Trust")
    world = World(
        area=area,
        other_area=other_area,
        icb=icb,
        other_icb=other_icb,
        trust=trust,
        other_trust=other_trust,
        school=ProviderFactory(name="Own Primary School", area=area, trust=trust),
        other_school=ProviderFactory(
            name="Other Primary School", area=other_area, trust=other_trust
        ),
        la=LocalAuthorityProviderFactory(area=area, name="Ownshire Council"),
        other_la=LocalAuthorityProviderFactory(area=other_area, name="Othershire Council"),
        icb_provider=IcbProviderFactory(icb=icb, name="NHS Own ICB"),
        other_icb_provider=IcbProviderFactory(icb=other_icb, name="NHS Other ICB"),
        users={"anonymous": None},
    )
    scopes = {
        Role.PROVIDER_EDITOR: world.school,
        Role.PROVIDER_VIEWER: world.school,
        Role.TRUST_OFFICER: trust,
        Role.AREA_OFFICER: area,
        Role.ICB_OFFICER: icb,
    }
    for role in ROLES[1:]:
        user = UserFactory(email=f"{role}@example.org", password=PASSWORD)
        if role != "no_role":
            grant_role(user=user, role=role, scope=scopes.get(role))
        world.users[role] = user
    return world
