"""What must hold after a fault: every provider has exactly one current result, equal to a
clean run's, and no provider was given two runs for the same inputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Snapshot = dict[int, tuple[Any, ...]]


def snapshot(version_id: int) -> Snapshot:
    """Each provider's current result: its declaration, outcome letters, score and counts."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cr.provider_id, cr.declaration_id, r.outcomes, r.score, r.pass_count,"
            " r.fail_count, r.all_musts_met FROM scoring_currentresult cr"
            " JOIN scoring_scoringrun r ON r.id = cr.run_id WHERE cr.version_id = %s",
            [version_id],
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


@dataclass
class Verdict:
    lost_results: int
    different_results: int
    unexpected_results: int
    duplicate_runs: int
    current_results_per_provider_max: int

    @property
    def holds(self) -> bool:
        return not (
            self.lost_results
            or self.different_results
            or self.unexpected_results
            or self.duplicate_runs
            or self.current_results_per_provider_max > 1
        )


def verdict(clean: Snapshot, version_id: int, *, expected: set[int] | None = None) -> Verdict:
    """Compare the results now with a clean run's (only the providers in `expected`, if given).

    Duplicate runs: runs beyond one per provider and declaration. The results were emptied
    before the faulty re-score, so each provider should have been given exactly one run.
    """
    from django.db import connection

    now = snapshot(version_id)
    wanted = set(clean) if expected is None else expected
    lost = sum(1 for pk in wanted if pk not in now)
    different = sum(1 for pk in wanted if pk in now and now[pk] != clean[pk])
    unexpected = sum(1 for pk in now if pk not in clean)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) - count(DISTINCT (provider_id, declaration_id))"
            " FROM scoring_scoringrun WHERE version_id = %s",
            [version_id],
        )
        duplicates = cursor.fetchone()[0]
        cursor.execute(
            "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM scoring_currentresult"
            " WHERE version_id = %s GROUP BY provider_id) x",
            [version_id],
        )
        most = cursor.fetchone()[0]
    return Verdict(lost, different, unexpected, duplicates, most)


def empty_results() -> None:
    """Remove every result, run, gap and re-score job, so the next re-score scores everyone."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename LIKE 'scoring\\_%%' AND tablename <> 'scoring_outcomelayout'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
