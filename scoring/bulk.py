"""Set-based database helpers for scoring many providers at once.

On PostgreSQL, rows go in with COPY and ids are taken from the sequence in one query; on SQLite
(tests and local runs without services) the same calls fall back to plain SQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

# The first key of the two-key form of PostgreSQL's advisory locks: "scoring a provider".
PROVIDER_LOCK_CLASS = 73010


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def int_array(values: Iterable[int]) -> str:
    """A PostgreSQL array literal of integers: far quicker for psycopg to send than a list."""
    return "{" + ",".join(str(int(v)) for v in values) + "}"


def id_in(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """`column IN ids` as SQL and parameters, with one parameter on PostgreSQL."""
    if not ids:
        return "1 = 0", []
    if is_postgres():
        # An array literal: much quicker for psycopg to send than a list of 500 ints.
        return f"{column} = ANY(%s::bigint[])", [int_array(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def lock_providers(provider_ids: Iterable[int]) -> None:
    """Serialise scoring per provider until the transaction ends (PostgreSQL only).

    A single submission and a re-score chunk may score the same provider at once; each takes
    the provider's lock first, so one waits for the other and then sees its result. SQLite
    serialises every writing transaction anyway.
    """
    ids = sorted(set(provider_ids))
    if not ids or not is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, s.id::int))"
            " FROM (SELECT unnest(%s::bigint[]) AS id ORDER BY 1) AS s",
            [PROVIDER_LOCK_CLASS, int_array(ids)],
        )


def results_can_wait_for_disk() -> None:
    """Commit this transaction without waiting for its WAL to reach the disk (PostgreSQL).

    Results are derived data: if the server crashed in the next few hundred milliseconds, the
    transaction would be lost whole (a chunk and its "done" together), and the sweep would score
    it again. Nothing a person typed is written by these transactions.
    """
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def next_ids(table: str, count: int) -> list[int]:
    """Reserve `count` ids of a PostgreSQL table's id sequence."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into a PostgreSQL table; JSON values must already be text."""
    written = 0
    with connection.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
                written += 1
    return written


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert rows: COPY on PostgreSQL, a multi-row INSERT elsewhere."""
    if not rows:
        return 0
    if is_postgres():
        return copy_rows(table, columns, rows)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, 900 // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                + ", ".join([placeholders] * len(batch)),
                [value for row in batch for value in row],
            )
    return len(rows)


def insert_with_ids(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert rows and return their new ids, in order."""
    if not rows:
        return []
    if is_postgres():
        ids = next_ids(table, len(rows))
        copy_rows(table, ["id", *columns], ([pk, *row] for pk, row in zip(ids, rows, strict=True)))
        return ids
    ids = []
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(statement, list(row))
            ids.append(cursor.lastrowid)
    return ids


def insert_or_find(
    table: str, columns: Sequence[str], row: Sequence[Any], unique: Sequence[str]
) -> tuple[int, bool]:
    """Insert one row unless one with the same `unique` columns exists: (its id, inserted)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" VALUES ({', '.join(['%s'] * len(columns))})"
            f" ON CONFLICT ({', '.join(unique)}) DO NOTHING RETURNING id",
            list(row),
        )
        found = cursor.fetchone()
        if found is not None:
            return found[0], True
        where = " AND ".join(f"{name} = %s" for name in unique)
        cursor.execute(
            f"SELECT id FROM {table} WHERE {where}",
            [row[list(columns).index(name)] for name in unique],
        )
        return cursor.fetchone()[0], False


def upsert_current(rows: Sequence[tuple[int, int, int, int, int, Any]]) -> None:
    """Point each (provider, version)'s current result at a run, in one statement.

    Rows are (provider id, version id, standard id, run id, declaration id, updated at).
    """
    if not rows:
        return
    columns = "provider_id, version_id, standard_id, run_id, declaration_id, updated_at"
    conflict = (
        " ON CONFLICT (provider_id, version_id) DO UPDATE SET run_id = EXCLUDED.run_id,"
        " declaration_id = EXCLUDED.declaration_id, updated_at = EXCLUDED.updated_at"
    )
    with connection.cursor() as cursor:
        if is_postgres():
            ids = list(zip(*rows, strict=True))
            cursor.execute(
                f"INSERT INTO scoring_currentresult ({columns})"
                " SELECT *, %s::timestamptz FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[],"
                " %s::bigint[], %s::bigint[])" + conflict,
                [rows[0][5], *(int_array(column) for column in ids[:5])],
            )
            return
        for start in range(0, len(rows), 100):
            batch = rows[start : start + 100]
            cursor.execute(
                f"INSERT INTO scoring_currentresult ({columns}) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
                + conflict,
                [value for row in batch for value in row],
            )


def copy_text(value: Any) -> str:
    """A value as COPY's text format writes it."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def copy_lines(table: str, columns: Sequence[str], lines: Iterable[str]) -> None:
    """COPY preformatted lines (tab-separated, newline-terminated) into a PostgreSQL table."""
    with connection.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
            copy.write("".join(lines))


def resolve_gaps(pairs: Sequence[tuple[int, int]], *, now: Any) -> None:
    """Mark gaps resolved, each by its run: pairs of (gap id, run id)."""
    if not pairs:
        return
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "UPDATE scoring_gap AS g SET status = 'resolved', resolved_at = %s,"
                " resolved_by_run_id = v.run_id, closed_at = %s, updated_at = %s,"
                " row_version = g.row_version + 1"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS v(gap_id, run_id)"
                " WHERE g.id = v.gap_id",
                [now, now, now, int_array(p[0] for p in pairs), int_array(p[1] for p in pairs)],
            )
            return
        for gap_id, run_id in pairs:
            cursor.execute(
                "UPDATE scoring_gap SET status = 'resolved', resolved_at = %s,"
                " resolved_by_run_id = %s, closed_at = %s, updated_at = %s,"
                " row_version = row_version + 1 WHERE id = %s",
                [now, run_id, now, now, gap_id],
            )


def as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def load_json(value: Any) -> Any:
    """JSON columns come back as text from raw queries (Django parses them only in models)."""
    if isinstance(value, str | bytes | bytearray):
        return json.loads(value)
    return value
