"""Django's flush, emptying the standards tables in an order that SQLite's guards allow.

On SQLite flush empties each table with DELETE, in no fixed order, and the triggers of standards
migration 0003 refuse to delete a published version's sections and requirements while the
version is there. Emptying the versions table first lets the rest go (foreign keys are checked
at commit). PostgreSQL empties every table in one TRUNCATE, which the triggers do not see.
"""

from collections.abc import Iterable
from typing import Any

from django.core.management.commands import flush
from django.db import connections

VERSIONS_TABLE = '"standards_standardversion"'


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        ops = connections[options["database"]].ops
        execute = ops.execute_sql_flush

        def versions_first(sql_list: Iterable[str]) -> None:
            execute(sorted(sql_list, key=lambda sql: VERSIONS_TABLE not in sql))

        ops.execute_sql_flush = versions_first  # type: ignore[method-assign]  # for this call only
        try:
            super().handle(**options)
        finally:
            del ops.execute_sql_flush
