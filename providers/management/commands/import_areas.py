from django.core.management.base import BaseCommand, CommandParser

from providers.models import Area, IntegratedCareBoard
from providers.services import (
    import_areas,
    upsert_icb_provider,
    upsert_local_authority_provider,
)


class Command(BaseCommand):
    help = (
        "Load England's local authority areas, their code aliases, the integrated care boards "
        "and which ICBs cover which areas, from the files in providers/data/. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--with-authority-providers",
            action="store_true",
            help="Also make every local authority and ICB a provider (one for each).",
        )

    def handle(self, *args: object, **options: object) -> None:
        report = import_areas()
        for line in report.lines():
            self.stdout.write(line)
        if options["with_authority_providers"]:
            created = 0
            for area in Area.objects.all():
                created += upsert_local_authority_provider(area=area)[1]
            for icb in IntegratedCareBoard.objects.all():
                created += upsert_icb_provider(icb=icb)[1]
            self.stdout.write(f"local authority and ICB providers: created: {created}")
