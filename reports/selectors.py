"""Reads for reports. Each report reads through the same selectors as the page it stands for,
with the reader's own access: a report never shows what its reader's page would not."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from dashboards.selectors import AreaDashboard, area_dashboard
from reports.models import AreaReport, ReportStatus
from scoring.selectors import ProviderGaps, RequirementRow, Result, gaps_for, result_for


@dataclass
class ProviderReport:
    result: Result
    gaps: ProviderGaps
    not_met: list[tuple[str, list[RequirementRow]]] = field(default_factory=list)

    @property
    def not_met_count(self) -> int:
        return sum(len(rows) for _, rows in self.not_met)


def provider_report(*, user: Any, provider_id: int) -> ProviderReport:
    """The result, the requirements not met and the active gaps of a provider the user may
    see, as its result and gaps pages show them. Raises Provider.DoesNotExist otherwise."""
    result = result_for(user=user, provider_id=provider_id)
    gaps = gaps_for(user=user, provider_id=provider_id)
    report = ProviderReport(result=result, gaps=gaps)
    for section in result.sections:
        rows = [row for row in section.requirements if row.counts_as_failure]
        if rows:
            report.not_met.append((section.title, rows))
    return report


def area_board(*, user: Any, code: str) -> AreaDashboard:
    """The area dashboard the user may see, exactly as its page shows it. Raises
    dashboards.selectors.NotFound otherwise."""
    return area_dashboard(user=user, code=code)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in sorted(vars(value).items())}
    return str(value)


def figures_digest(board: AreaDashboard) -> str:
    """SHA-256 of everything an area report shows: the same figures give the same report."""
    version = board.context.version
    data = {
        "version": [version.pk, version.content_hash] if version else None,
        "headline": _plain(board.headline),
        "tables": {key: table.rows for key, table in sorted(board.tables.items())},
        "totals": [board.failed_total, board.overdue_total],
        "sources": [(s.key, str(s.imported_at)) for s in board.sources],
    }
    text = json.dumps(data, sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def area_report(*, board: AreaDashboard) -> AreaReport | None:
    """The report of the area's figures as they are now, if one was asked for."""
    if board.context.standard is None:
        return None
    return AreaReport.objects.filter(
        area=board.area, standard=board.context.standard, figures_digest=figures_digest(board)
    ).first()


def latest_area_report(*, board: AreaDashboard) -> AreaReport | None:
    """The newest finished report of the area, whatever figures it shows."""
    if board.context.standard is None:
        return None
    return (
        AreaReport.objects.filter(
            area=board.area, standard=board.context.standard, status=ReportStatus.DONE
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


def report_progress(report: AreaReport) -> dict[str, Any]:
    return {
        "report": report.pk,
        "status": report.status,
        "status_label": report.get_status_display(),
        "progress": report.progress,
        "step": report.step,
        "finished": report.finished,
    }
