"""Re-score every provider a standard applies to, and follow its progress."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring import selectors, services
from scoring.models import Trigger


class Command(BaseCommand):
    help = (
        "Re-score the latest submitted declaration of every open provider a standard version "
        "applies to (or of one area), in chunks on the `rescore` queue, and show the progress."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # `--version` names the standard's version here, not Django's version.
        for group in (parser, parser._optionals):
            group.conflict_handler = "resolve"
        parser.add_argument("--standard", required=True, help="the standard's slug")
        parser.add_argument("--version", help="a version label (default: the published version)")
        parser.add_argument(
            "--area", help="only this area: its 3-digit LA code or 9-character code"
        )
        parser.add_argument(
            "--on", help="the assessment date, YYYY-MM-DD (default: today in England)"
        )
        parser.add_argument("--chunk-size", type=int, help="providers per chunk (default 1000)")
        parser.add_argument(
            "--no-wait", action="store_true", help="start the re-score and return at once"
        )
        parser.add_argument(
            "--inline",
            action="store_true",
            help="score the chunks in this process instead of on the workers",
        )
        parser.add_argument(
            "--timeout", type=float, default=0, help="stop waiting after this many seconds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        on = None
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError(f"--on must be a date such as 2026-11-30: {exc}") from exc
        if options["chunk_size"] is not None and options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        started = time.monotonic()
        try:
            job = services.start_rescore(
                standard_slug=options["standard"],
                version=options["version"],
                area_code=options["area"],
                trigger=Trigger.COMMAND,
                on=on,
                size=options["chunk_size"],
                enqueue=not options["inline"],
            )
        except services.RescoreError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Re-score {job.pk} of {job.version.standard.slug} {job.version.version}"
            f" on {job.assessed_on:%-d %B %Y}: {job.provider_count:,} providers"
            f" in {job.chunk_count:,} chunks"
        )
        if options["inline"]:
            services.run_job_inline(job_id=job.pk)
        elif options["no_wait"]:
            self.stdout.write(f"Queued. Follow it at /rescores/{job.pk}/")
            return
        self._follow(job.pk, timeout=options["timeout"], started=started)

    def _follow(self, job_id: int, *, timeout: float, started: float) -> None:
        last = None
        while True:
            progress = selectors.job_progress(job_id=job_id)
            line = (
                f"{progress.done_chunks:,} of {progress.total_chunks:,} chunks done"
                f" ({progress.done_providers:,} of {progress.total_providers:,} providers,"
                f" {progress.changed:,} with a new result)"
            )
            if line != last:
                self.stdout.write(line)
                self.stdout.flush()
                last = line
            if progress.finished:
                elapsed = time.monotonic() - started
                if progress.failed_chunks:
                    self._report_failures(job_id, progress, elapsed)
                self.stdout.write(self.style.SUCCESS(f"Finished in {elapsed:.1f} s"))
                return
            if timeout and time.monotonic() - started > timeout:
                raise CommandError(
                    f"Still running after {timeout:.0f} s; it carries on. Follow it at"
                    f" /rescores/{job_id}/"
                )
            time.sleep(0.5)

    def _report_failures(
        self, job_id: int, progress: selectors.JobProgress, elapsed: float
    ) -> None:
        for chunk in selectors.failed_chunks(job_id=job_id):
            self.stdout.write(
                self.style.ERROR(
                    f"Chunk {chunk.number} failed ({chunk.size:,} providers, {chunk.attempts}"
                    f" attempts): {chunk.failure or 'no reason recorded'}"
                )
            )
        raise CommandError(
            f"Finished in {elapsed:.1f} s with {progress.failed_chunks:,} failed chunks"
            f" ({progress.failed_providers:,} providers not re-scored): see /rescores/{job_id}/"
        )
