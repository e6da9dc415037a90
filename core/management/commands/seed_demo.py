"""Load the default standard and the demonstration data, score it and bring the dashboards and
the official statistics up to date, all in this process. Safe to run again: it changes nothing."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from accounts.models import Role, User
from accounts.selectors import authenticator, second_factor_required
from accounts.services import enrol_authenticator, grant_role
from audits.demo import seed_demo_declarations
from audits.demo_last_year import seed_last_year
from core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, demo_totp_key
from core.demo_scoring import load_statistics, score_demo
from core.demo_versions import declare_on_update_and_score, publish_update
from inclusion.demo import seed_demo_inclusion
from providers.demo import DEMO_AREA_CODES, DEMO_HEADTEACHER_SCHOOL_URN, load_demo_providers
from providers.models import IcbAreaCoverage, Provider
from providers.services import import_areas
from standards.canonical import content_hash
from standards.demo import publish_demo_local_standard
from standards.format import canonical_text, parse_version_text
from standards.models import StandardVersion
from standards.services import publish_version, store_draft

DEFAULT_STANDARD_FILE = (
    Path(settings.BASE_DIR) / "standards" / "data" / "send-statutory-baseline-1.0.yaml"
)


class Command(BaseCommand):
    help = "Load and publish the default standard and create the demonstration data and sign-ins (not in production)."

    def handle(self, *args: object, **options: object) -> None:
        if getattr(settings, "ENVIRONMENT", "") == "production":
            raise CommandError("seed_demo refuses to run with production settings.")
        started = time.perf_counter()
        first = self.load_default_standard()
        with transaction.atomic():
            import_areas()
            counts = load_demo_providers(area_codes=DEMO_AREA_CODES)
            self.stdout.write(
                "Demo providers: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
            )
            self.create_users()
            # The demo's declarations are made on the first version, before the update.
            seed_demo_declarations(stdout=self.stdout, version=first)
            seed_last_year(stdout=self.stdout, version=first)
            seed_demo_inclusion(area_codes=DEMO_AREA_CODES, stdout=self.stdout)
        scoring_started = time.perf_counter()
        score_demo(stdout=self.stdout, version=first)
        scored = time.perf_counter() - scoring_started
        update = publish_update(stdout=self.stdout)
        load_statistics(stdout=self.stdout)
        # After the version it extends is published; then some settings declare against both.
        local = publish_demo_local_standard(stdout=self.stdout)
        declare_on_update_and_score(local=local, stdout=self.stdout)
        self.stdout.write(
            f"Demo ready in {time.perf_counter() - started:.1f} s (scoring and dashboards:"
            f" {scored:.1f} s; previewing and publishing {update.label}: {update.seconds:.1f} s)"
        )
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            needs_code = " (and a code)" if demo.role != Role.PROVIDER_EDITOR else ""
            self.stdout.write(f"  {demo.email:<26} {demo.description}{needs_code}")
        self.stdout.write(
            "Officers and admins also enter a code from an authenticator app set up with the "
            f"published demo secret {DEMO_TOTP_SECRET},"
        )
        self.stdout.write(
            "or print the current one with: .venv/bin/python manage.py demo_code EMAIL"
        )

    def load_default_standard(self) -> StandardVersion:
        document = parse_version_text(DEFAULT_STANDARD_FILE.read_text(encoding="utf-8"))
        slug, label = document["standard"]["slug"], document["version"]
        existing = StandardVersion.objects.filter(standard__slug=slug, version=label).first()
        if existing is None or existing.is_draft:
            store_draft(document=document)
            version = publish_version(slug=slug, version=label)
            self.stdout.write(f"Loaded and published {slug} {label}")
            return version
        expected = content_hash(canonical_text(document))
        if existing.content_hash != expected:
            self.stderr.write(
                f"Warning: {slug} {label} is already {existing.status} with a different content hash"
                " from the file; publish the file's changes as a new version."
            )
        else:
            self.stdout.write(f"{slug} {label} is already {existing.status}")
        return existing

    def scopes(self) -> dict[str, models.Model | None]:
        school = Provider.objects.select_related("area").get(urn=DEMO_HEADTEACHER_SCHOOL_URN)
        coverage = (
            IcbAreaCoverage.objects.select_related("icb")
            .filter(area=school.area)
            .order_by("-share", "icb__code")
            .first()
        )
        if coverage is None:
            raise CommandError(f"No ICB covers {school.area}; run import_areas first.")
        return {
            Role.PROVIDER_EDITOR: school,
            Role.AREA_OFFICER: school.area,
            Role.ICB_OFFICER: coverage.icb,
        }

    def create_users(self) -> None:
        scopes = self.scopes()
        for demo in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=demo.email, defaults={"full_name": demo.full_name}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                self.stdout.write(f"Created {demo.email}")
            grant_role(user=user, role=demo.role, scope=scopes.get(demo.role))
            # Those who must use a second factor get the published demo secret.
            device = authenticator(user=user)
            if second_factor_required(user=user) and (
                device is None or device.key != demo_totp_key()
            ):
                enrol_authenticator(user=user, key=demo_totp_key())
