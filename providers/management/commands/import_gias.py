from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from providers.management.commands._report import ProgressBar, finish
from providers.selectors import area_by_code
from providers.services import import_gias


class Command(BaseCommand):
    help = (
        'Import the GIAS "all establishment data" extract (edubasealldataYYYYMMDD.csv): '
        "checks the whole file first and changes nothing if any row is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--area", help="Import only this area's rows (LA or GSS code).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but change nothing."
        )

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        only_area = None
        if options["area"]:
            only_area = area_by_code(str(options["area"]))
            if only_area is None:
                raise CommandError(f"there is no area with the code {options['area']}")
        progress = ProgressBar(self.stderr)
        try:
            report = import_gias(
                source=path,
                file_name=str(path),
                only_area=only_area,
                dry_run=bool(options["dry_run"]),
                progress=progress,
            )
        finally:
            progress.finish()
        finish(report, self.stdout, self.stderr, what="imported")
