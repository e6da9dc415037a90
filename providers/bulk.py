"""Fast bulk updates: one UPDATE … FROM (a list of rows) statement per batch.

Django's bulk_update writes `SET col = CASE WHEN id = … THEN … END` for every column, whose
cost grows with the square of the batch size: 50,000 changed providers took minutes on
PostgreSQL. Joining to the new values takes seconds: on PostgreSQL they are sent as one array
per column and unnested; on SQLite (3.33 or later) as a VALUES list. Other databases fall back
to bulk_update.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

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
