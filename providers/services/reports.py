"""What an import of a GIAS extract reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from providers.csvfiles import FileProblem

BATCH = 1000
UPDATE_BATCH = 500


@dataclass
class ImportReport:
    """What an import did (or, with dry_run or errors, would have done)."""

    file_name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    rejected_lines: dict[str, list[int]] = field(default_factory=dict)
    errors: list[FileProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def summary_line(self) -> str:
        return (
            f"created: {self.created} updated: {self.updated} unchanged: {self.unchanged}"
            f" skipped: {self.skipped_total} rejected: {self.rejected_total}"
        )

    def reason_lines(self) -> list[str]:
        lines = [f"skipped: {reason}: {n}" for reason, n in self.skipped.most_common()]
        for reason, n in self.rejected.most_common():
            where = self.rejected_lines.get(reason, [])
            at = ", ".join(str(line) for line in where)
            more = ", …" if n > len(where) else ""
            lines.append(f"rejected: {reason}: {n}" + (f" (lines {at}{more})" if at else ""))
        return lines + self.notes


class GiasImportReport(ImportReport):
    pass


class LinksImportReport(ImportReport):
    pass
