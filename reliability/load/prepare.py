"""Accounts for the load run, in the load run's own database (after `seed_demo`): 40 provider
editors each with a complete draft, 10 area officers and 5 API clients with tokens.

Run as `python -m reliability.load.prepare OUT.json` with DJANGO_SETTINGS_MODULE and
DATABASE_URL set; writes what the locustfile needs. Never run it against the real demo.
"""

from __future__ import annotations

import json
import secrets
import sys
from typing import Any

EDITORS = 40
OFFICERS = 10
API_CLIENTS = 5
QUESTIONS = 24  # each editor saves these questions in turn


def prepare() -> dict[str, Any]:
    from django.db import transaction

    from accounts.models import Role, User
    from accounts.services import grant_role
    from api.services import create_token
    from audits.models import Declaration, DeclarationStatus
    from audits.services import start_revision
    from audits.services.submission import check_complete
    from providers.demo import DEMO_AREA_CODES
    from providers.models import Area
    from scoring.models import CurrentResult
    from standards.selectors import current_version

    password = secrets.token_urlsafe(16)
    version = current_version(slug="send-statutory-baseline")
    assert version is not None

    def person(email: str) -> User:
        user = User.objects.create_user(email=email, password=password, full_name=email)
        return user

    editors = []
    submitted = (
        Declaration.objects.filter(
            version__standard=version.standard,
            status=DeclarationStatus.SUBMITTED,
            provider__area__code__in=DEMO_AREA_CODES,
        )
        .select_related("provider")
        .order_by("provider_id", "-revision")
    )
    seen: set[int] = set()
    for declaration in submitted:
        if declaration.provider_id in seen or len(editors) == EDITORS:
            continue
        seen.add(declaration.provider_id)
        if Declaration.objects.filter(
            provider_id=declaration.provider_id,
            version__standard=version.standard,
            status=DeclarationStatus.DRAFT,
        ).exists():
            continue
        with transaction.atomic():
            user = person(f"load-editor-{len(editors) + 1:02d}@example.org")
            grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=declaration.provider)
            draft = start_revision(declaration=declaration, user=user).declaration
            if check_complete(draft)[0]:
                transaction.set_rollback(True)
                continue
        keys = list(
            draft.answers.order_by("requirement__section__order", "requirement__order").values_list(
                "requirement_key", flat=True
            )[:QUESTIONS]
        )
        editors.append(
            {
                "email": user.email,
                "provider": declaration.provider_id,
                "draft": draft.pk,
                "questions": keys,
            }
        )
    areas = list(Area.objects.filter(code__in=DEMO_AREA_CODES).order_by("code"))
    scored = {
        area.code: list(
            CurrentResult.objects.filter(version=version, provider__area=area)
            .order_by("provider_id")
            .values_list("provider_id", flat=True)[:200]
        )
        for area in areas
    }
    officers = []
    for n in range(OFFICERS):
        area = areas[n % len(areas)]
        user = person(f"load-officer-{n + 1:02d}@example.org")
        grant_role(user=user, role=Role.AREA_OFFICER, scope=area)
        officers.append({"email": user.email, "area": area.code, "providers": scored[area.code]})
    clients = []
    for n in range(API_CLIENTS):
        area = areas[n % len(areas)]
        user = person(f"load-api-{n + 1:02d}@example.org")
        grant_role(user=user, role=Role.AREA_OFFICER, scope=area)
        token = create_token(user=user, name="load run", read_only=True)
        declarations = list(
            Declaration.objects.filter(
                version__standard=version.standard,
                provider__area=area,
                status=DeclarationStatus.SUBMITTED,
            ).values_list("pk", flat=True)[:200]
        )
        clients.append(
            {
                "token": token.raw,
                "area": area.code,
                "providers": scored[area.code],
                "declarations": declarations,
            }
        )
    return {"password": password, "editors": editors, "officers": officers, "api": clients}


def main() -> None:
    import django

    django.setup()
    accounts = prepare()
    with open(sys.argv[1], "w") as out:
        json.dump(accounts, out)
    print(
        f"load accounts: {len(accounts['editors'])} editors, {len(accounts['officers'])} officers,"
        f" {len(accounts['api'])} API clients"
    )


if __name__ == "__main__":
    main()
