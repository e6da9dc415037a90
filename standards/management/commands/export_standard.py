from django.core.management.base import BaseCommand, CommandError, CommandParser

from standards.canonical import export_text
from standards.models import StandardVersion


class Command(BaseCommand):
    help = "Print a version's canonical JSON; its SHA-256 is the version's content hash."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("version")

    def handle(self, *args: object, **options: str) -> None:
        try:
            version = StandardVersion.objects.select_related("standard").get(
                standard__slug=options["slug"], version=options["version"]
            )
        except StandardVersion.DoesNotExist as exc:
            raise CommandError(
                f"there is no version {options['version']} of {options['slug']}"
            ) from exc
        self.stdout.write(export_text(version), ending="")
