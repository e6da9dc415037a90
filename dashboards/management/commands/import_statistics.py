from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboards.services import import_statistics


class Command(BaseCommand):
    help = (
        "Load the official statistics shown beside each area's figures (EHC plans, 20-week "
        "timeliness, SEN support) from dashboards/data/, or from --dir. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="A folder holding the files (the project's copies, or DfE's full files).",
        )

    def handle(self, *args: object, **options: object) -> None:
        folder = options["dir"]
        if folder is not None and not Path(str(folder)).is_dir():
            raise CommandError(f"{folder} is not a folder")
        reports = import_statistics(folder=Path(str(folder)) if folder else None)
        for report in reports:
            for line in report.lines():
                self.stdout.write(line)
        if all(report.missing for report in reports):
            raise CommandError("No statistics files were found.")
        self.stdout.write(
            "Contains public sector information licensed under the Open Government Licence v3.0."
        )
