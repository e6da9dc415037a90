"""Load the default standard and the demonstration data. Safe to run again: it changes nothing."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from core.demo import DEMO_PASSWORD, DEMO_USERS
from standards.canonical import content_hash
from standards.format import canonical_text, parse_version_text
from standards.models import StandardVersion
from standards.services import publish_version, store_draft

DEFAULT_STANDARD_FILE = (
    Path(settings.BASE_DIR) / "standards" / "data" / "send-statutory-baseline-1.0.yaml"
)
STANDARDS_ADMINS = "Standards admins"


class Command(BaseCommand):
    help = "Load and publish the default standard and create the demonstration sign-ins (not in production)."

    def handle(self, *args: object, **options: object) -> None:
        if getattr(settings, "ENVIRONMENT", "") == "production":
            raise CommandError("seed_demo refuses to run with production settings.")
        self.load_default_standard()
        with transaction.atomic():
            self.create_users()
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.email:<28} {demo.description}")

    def load_default_standard(self) -> None:
        document = parse_version_text(DEFAULT_STANDARD_FILE.read_text(encoding="utf-8"))
        slug, label = document["standard"]["slug"], document["version"]
        existing = StandardVersion.objects.filter(standard__slug=slug, version=label).first()
        if existing is None or existing.is_draft:
            store_draft(document=document)
            publish_version(slug=slug, version=label)
            self.stdout.write(f"Loaded and published {slug} {label}")
            return
        expected = content_hash(canonical_text(document))
        if existing.content_hash != expected:
            self.stderr.write(
                f"Warning: {slug} {label} is already {existing.status} with a different content hash"
                " from the file; publish the file's changes as a new version."
            )
        else:
            self.stdout.write(f"{slug} {label} is already {existing.status}")

    def create_users(self) -> None:
        group, _ = Group.objects.get_or_create(name=STANDARDS_ADMINS)
        permissions = Permission.objects.filter(
            content_type__app_label="standards",
            content_type__model__in=["standard", "standardversion", "section", "requirement"],
        )
        if set(group.permissions.all()) != set(permissions):
            group.permissions.set(permissions)
        for demo in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=demo.email, defaults={"full_name": demo.full_name, "is_staff": True}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                if demo.email.startswith("admin@"):
                    user.is_superuser = True
                user.save()
                self.stdout.write(f"Created {demo.email}")
            if demo.email.startswith("standards@"):
                user.groups.add(group)
