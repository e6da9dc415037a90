from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from impact.exports import csv_bytes, xlsx_bytes
from impact.selectors import TABLE_SLUGS, latest_preview, report_tables, summary_lines
from impact.services import PreviewError, run_preview_inline, start_preview
from standards.models import StandardVersion


class Command(BaseCommand):
    help = (
        "Preview what publishing a draft version would do to every provider's score and gaps,"
        " writing no result, gap or aggregate, and print the report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("version")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the chunks for the workers instead of working them out here.",
        )
        parser.add_argument(
            "--latest", action="store_true", help="Print the latest preview instead of a new one."
        )
        parser.add_argument("--xlsx", help="Also write the report to this XLSX file.")
        parser.add_argument("--csv", help="Also write one table to this CSV file (see --table).")
        parser.add_argument("--table", choices=TABLE_SLUGS, default="areas")

    def handle(self, *args: object, **options: object) -> None:
        slug, label = str(options["slug"]), str(options["version"])
        if options["latest"]:
            version = StandardVersion.objects.filter(standard__slug=slug, version=label).first()
            preview = latest_preview(version=version) if version else None
            if preview is None:
                raise CommandError(f"there is no impact preview of {slug} {label}")
        else:
            try:
                preview = start_preview(slug=slug, version=label, enqueue=bool(options["queue"]))
            except PreviewError as exc:
                raise CommandError(str(exc)) from exc
            if options["queue"]:
                self.stdout.write(
                    f"Queued impact preview {preview.pk}: {preview.provider_count} providers in"
                    f" {preview.chunk_count} chunks. Print it with --latest when it is done."
                )
                return
            preview = run_preview_inline(preview_id=preview.pk)
        if not preview.report:
            self.stdout.write(f"Impact preview {preview.pk} is still running.")
            return
        lines = summary_lines(preview=preview)
        for line in lines:
            self.stdout.write(line)
        tables = report_tables(preview=preview)
        for table in tables:
            self.stdout.write("")
            self.stdout.write(f"{table.title} ({len(table.rows)})")
            self.stdout.write("  " + " | ".join(table.headers))
            for row in table.rows[:50]:
                self.stdout.write("  " + " | ".join(str(v) for v in row))
            if len(table.rows) > 50:
                self.stdout.write(f"  ... and {len(table.rows) - 50} more (see --xlsx)")
        if options["xlsx"]:
            Path(str(options["xlsx"])).write_bytes(xlsx_bytes(tables, lines))
            self.stdout.write(f"Wrote {options['xlsx']}")
        if options["csv"]:
            table = next(t for t in tables if t.slug == options["table"])
            Path(str(options["csv"])).write_bytes(csv_bytes(table, lines))
            self.stdout.write(f"Wrote {options['csv']}")
