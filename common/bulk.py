"""Set-based SQL helpers for writing and reading many rows at once.

On PostgreSQL, rows go in with COPY, ids are taken from the sequence in one query, id lists
travel as one array parameter, and bulk updates join to the new values sent as one array per
column (Django's bulk_update writes `SET col = CASE WHEN id = … THEN … END` for every column,
whose cost grows with the square of the batch size). On SQLite (tests and local runs without
services) the same calls fall back to plain SQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet

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
        with cursor.copy(statement) as copy:
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
        with cursor.copy(statement) as copy:
            copy.write("".join(lines))


def as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def load_json(value: Any) -> Any:
    """JSON columns come back as text from raw queries (Django parses them only in models)."""
    if isinstance(value, str | bytes | bytearray):
        return json.loads(value)
    return value


def among(queryset: QuerySet[Any], column: str, ids: Sequence[int]) -> QuerySet[Any]:
    """`column IN ids` on a queryset: on PostgreSQL as `= ANY(array)`, one parameter however
    many ids (Django builds a long IN list slowly)."""
    if is_postgres():
        table = queryset.model._meta.db_table
        return queryset.extra(
            where=[f'"{table}"."{column}" = ANY(%s::bigint[])'], params=[list(ids)]
        )
    return queryset.filter(**{f"{column}__in": list(ids)})


# ---- updating many rows ------------------------------------------------------------

PG_BATCH = 5000
SQLITE_MAX_PARAMS = 999


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Set `fields` on the rows of `model` given as (pk, value for each field) tuples."""
    if not rows:
        return
    meta = model._meta
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field), name
        columns.append(field)
    vendor = connection.vendor
    supported = vendor == "postgresql" or (
        vendor == "sqlite" and getattr(connection, "Database").sqlite_version_info >= (3, 33)  # noqa: B009
    )
    if not supported:  # pragma: no cover - only PostgreSQL and SQLite are used
        objs = []
        for pk, *values in rows:
            obj = model(pk=pk)
            for field, value in zip(columns, values, strict=True):
                setattr(obj, field.attname, value)
            objs.append(obj)
        model._default_manager.bulk_update(objs, [f.name for f in columns], batch_size=500)
        return

    quote = connection.ops.quote_name
    pk_field = meta.pk
    assert pk_field is not None
    all_fields: list[models.Field[Any, Any]] = [pk_field, *columns]
    table = quote(meta.db_table)
    where = f"{table}.{quote(str(pk_field.column))} = v.column1"
    assignments = ", ".join(
        f"{quote(str(field.column))} = v.column{n}" for n, field in enumerate(columns, start=2)
    )
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            _update_postgresql(cursor, all_fields, rows, table, assignments, where)
        else:
            _update_sqlite(cursor, all_fields, rows, table, assignments, where)


def _update_postgresql(
    cursor: Any,
    fields: list[models.Field[Any, Any]],
    rows: Sequence[tuple[Any, ...]],
    table: str,
    assignments: str,
    where: str,
) -> None:
    # One array parameter per column, unnested into rows: the statement stays short however
    # many rows it carries, so neither the driver nor the server spends time parsing it.
    names = ", ".join(f"column{n}" for n in range(1, len(fields) + 1))
    arrays = ", ".join(f"CAST(%s AS {f.db_type(connection)}[])" for f in fields)
    sql = f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({names}) WHERE {where}"
    # Only JSON needs Django's help to reach the driver (it is wrapped for psycopg).
    needs_prep = [f.get_internal_type() == "JSONField" for f in fields]
    for start in range(0, len(rows), PG_BATCH):
        chunk = rows[start : start + PG_BATCH]
        params = []
        for n, field in enumerate(fields):
            values = [row[n] for row in chunk]
            if needs_prep[n]:
                values = [field.get_db_prep_save(value, connection) for value in values]
            params.append(values)
        cursor.execute(sql, params)


def _update_sqlite(
    cursor: Any,
    fields: list[models.Field[Any, Any]],
    rows: Sequence[tuple[Any, ...]],
    table: str,
    assignments: str,
    where: str,
) -> None:
    # A VALUES list names its columns column1, column2, …
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = max(1, SQLITE_MAX_PARAMS // len(fields))
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        params: list[Any] = []
        for row in chunk:
            for field, value in zip(fields, row, strict=True):
                params.append(field.get_db_prep_save(value, connection))
        cursor.execute(
            f"UPDATE {table} SET {assignments}"
            f" FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v WHERE {where}",
            params,
        )
