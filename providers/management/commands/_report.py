"""Output shared by the import commands: a progress bar on a terminal, and the summary."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from django.core.management.base import CommandError, OutputWrapper

from accounts.services import record
from providers.services import ImportReport


class ProgressBar:
    """Draws a one-line bar, unstyled, on stderr when it is a terminal; nothing otherwise."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper | TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.last = 0.0
        self.drawn = False

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            # Plain text: a command's stderr wrapper would otherwise style it as an error.
            self.stream.write(text, style_func=lambda plain: plain, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        share = done / total if total else 1.0
        filled = int(share * self.WIDTH)
        self._write(f"\r{stage:<8} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {share:4.0%}")
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self._write("\r" + " " * (self.WIDTH + 16) + "\r")
            self.drawn = False


def finish(
    report: ImportReport, stdout: OutputWrapper, stderr: OutputWrapper, *, what: str
) -> None:
    """Print every problem and fail, or print the one summary line and the reasons."""
    if report.errors:
        for problem in report.errors:
            stderr.write(str(problem))
        count = len(report.errors)
        raise CommandError(
            f"{report.file_name}: {count} problem{'s' if count != 1 else ''}; nothing was {what}"
        )
    stdout.write(report.summary_line())
    for line in report.reason_lines():
        stdout.write(f"  {line}")
    if report.dry_run:
        stdout.write(f"dry run: nothing was {what}")
        return
    record(
        actor=None,
        action=f"{type(report).__name__.removesuffix('Report')} {what} from the command line",
        object_type="providers.provider",
        object_label=report.file_name,
        changes={"summary": report.summary_line()},
    )
