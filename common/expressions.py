"""Query expressions the ORM lacks, for PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import F, Func, JSONField


class JsonKeys(Func):
    """A JSON object column cut down to some of its keys, in the database: a page that needs a
    few keys of a large object decodes only those. Keys the object lacks are left out; a row
    whose object has none of them gives {}."""

    def __init__(self, column: str, keys: Sequence[str]) -> None:
        super().__init__(F(column), output_field=JSONField())
        self.keys = list(keys)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        return (
            "(SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb)"
            f" FROM jsonb_each({column}) AS e WHERE e.key = ANY(%s))",
            [*params, self.keys],
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        if not self.keys:
            return "'{}'", list(params)
        wanted = ", ".join("%s" for _ in self.keys)
        return (
            # json_each gives true and false as 1 and 0, which json() turns back
            "(SELECT coalesce(json_group_object(e.key, CASE WHEN e.type IN ('true', 'false')"
            " THEN json(e.type) ELSE e.value END), '{}')"
            f" FROM json_each({column}) AS e WHERE e.key IN ({wanted}))",
            [*params, *self.keys],
        )
