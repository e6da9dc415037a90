import time

from django.core.management.base import BaseCommand, CommandParser

from dashboards.services import refresh_all, refresh_requested


class Command(BaseCommand):
    help = (
        "Recalculate the dashboards' figures for every provider and area (or some areas) from "
        "the current results, declarations and gaps. The scoring jobs keep them up to date; run "
        "this after loading data by other means, or nightly as a safety net."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", action="append", default=[], help="A 3-digit LA code.")
        parser.add_argument("--standard", default=None, help="A standard's slug.")
        parser.add_argument(
            "--rebuild-trend",
            action="store_true",
            help="Rebuild each area's trend from the scoring history.",
        )
        parser.add_argument(
            "--pending",
            action="store_true",
            help="Only what the scoring jobs asked for (the refresh task's work), at once.",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        if options["pending"]:
            done = refresh_requested(hold_rescore=False)
            self.stdout.write(f"Providers: {done.providers}; areas: {done.areas}")
            return
        report = refresh_all(
            standard_slug=options["standard"] or None,  # type: ignore[arg-type]
            area_codes=options["area"] or None,  # type: ignore[arg-type]
            rebuild_trend=bool(options["rebuild_trend"]),
        )
        self.stdout.write(
            f"Providers: {report.providers}; areas: {report.areas}; trend points: "
            f"{report.trend_points} ({time.perf_counter() - started:.1f} s)"
        )
