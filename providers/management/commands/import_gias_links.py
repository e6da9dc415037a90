from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from providers.management.commands._report import finish
from providers.services import import_gias_links


class Command(BaseCommand):
    help = (
        "Import the GIAS links extract (URN, LinkURN, LinkName, LinkType, LinkEstablishedDate) "
        "for providers that exist: all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but change nothing."
        )

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        report = import_gias_links(
            source=path, file_name=str(path), dry_run=bool(options["dry_run"])
        )
        finish(report, self.stdout, self.stderr, what="imported")
