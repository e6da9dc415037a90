"""Freeze published standard versions in the database itself.

PostgreSQL: triggers refuse any INSERT, UPDATE or DELETE of a section or requirement of a
version that is not a draft, any change to such a version other than the allowed status
moves, and its deletion. SQLite: the same for INSERT and UPDATE; deletion is guarded by the
models there, because SQLite has no TRUNCATE and test databases are emptied with DELETE.
(Migration 0003 adds SQLite's delete guards, and standards' flush command empties the versions
table first so that they allow it.)
"""

from django.db import migrations

FROZEN_VERSION_COLUMNS = (
    "standard_id",
    "version",
    "title",
    "owner",
    "effective_from",
    "grace_period_days",
    "change_notes",
    "published_at",
    "supersedes_id",
    "content_hash",
    "created_at",
)
ALLOWED_MOVES_SQL = (
    "(OLD.status = 'published' AND NEW.status IN ('superseded', 'withdrawn'))"
    " OR (OLD.status = 'superseded' AND NEW.status = 'withdrawn')"
)
CONTENT_TABLES = ("standards_section", "standards_requirement")

_old = ", ".join(f"OLD.{c}" for c in FROZEN_VERSION_COLUMNS)
_new = ", ".join(f"NEW.{c}" for c in FROZEN_VERSION_COLUMNS)

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION standards_version_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status <> 'draft' THEN
                RAISE EXCEPTION 'standard version % is %, so it cannot be deleted', OLD.version, OLD.status
                    USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status <> 'draft' THEN
            IF ROW({_new}) IS DISTINCT FROM ROW({_old}) THEN
                RAISE EXCEPTION 'standard version % is %, so its content cannot be changed', OLD.version, OLD.status
                    USING ERRCODE = 'restrict_violation';
            END IF;
            IF NEW.status IS DISTINCT FROM OLD.status AND NOT ({ALLOWED_MOVES_SQL}) THEN
                RAISE EXCEPTION 'standard version % cannot move from % to %', OLD.version, OLD.status, NEW.status
                    USING ERRCODE = 'restrict_violation';
            END IF;
        END IF;
        RETURN NEW;
    END
    $$;
    """,
    """
    CREATE TRIGGER standards_version_guard
    BEFORE UPDATE OR DELETE ON standards_standardversion
    FOR EACH ROW EXECUTE FUNCTION standards_version_guard();
    """,
    """
    CREATE OR REPLACE FUNCTION standards_content_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        frozen text;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT status INTO frozen FROM standards_standardversion
             WHERE id = OLD.version_id AND status <> 'draft';
            IF frozen IS NOT NULL THEN
                RAISE EXCEPTION 'the standard version is %, so its content cannot be changed', frozen
                    USING ERRCODE = 'restrict_violation';
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT status INTO frozen FROM standards_standardversion
             WHERE id = NEW.version_id AND status <> 'draft';
            IF frozen IS NOT NULL THEN
                RAISE EXCEPTION 'the standard version is %, so its content cannot be changed', frozen
                    USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NEW;
        END IF;
        RETURN OLD;
    END
    $$;
    """,
    *[
        f"""
        CREATE TRIGGER {table}_guard
        BEFORE INSERT OR UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION standards_content_guard();
        """
        for table in CONTENT_TABLES
    ],
]

POSTGRES_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {table}_guard ON {table};" for table in CONTENT_TABLES],
    "DROP FUNCTION IF EXISTS standards_content_guard();",
    "DROP TRIGGER IF EXISTS standards_version_guard ON standards_standardversion;",
    "DROP FUNCTION IF EXISTS standards_version_guard();",
]

_changed_sqlite = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_VERSION_COLUMNS)
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER standards_version_guard_update
    BEFORE UPDATE ON standards_standardversion
    WHEN OLD.status <> 'draft' AND (({_changed_sqlite})
         OR (NEW.status IS NOT OLD.status AND NOT ({ALLOWED_MOVES_SQL})))
    BEGIN
        SELECT RAISE(ABORT, 'a published standard version cannot be changed');
    END;
    """,
    *[
        statement
        for table in CONTENT_TABLES
        for statement in (
            f"""
            CREATE TRIGGER {table}_guard_insert
            BEFORE INSERT ON {table}
            WHEN (SELECT status FROM standards_standardversion WHERE id = NEW.version_id) <> 'draft'
            BEGIN
                SELECT RAISE(ABORT, 'a published standard version cannot be changed');
            END;
            """,
            f"""
            CREATE TRIGGER {table}_guard_update
            BEFORE UPDATE ON {table}
            WHEN (SELECT status FROM standards_standardversion WHERE id = OLD.version_id) <> 'draft'
              OR (SELECT status FROM standards_standardversion WHERE id = NEW.version_id) <> 'draft'
            BEGIN
                SELECT RAISE(ABORT, 'a published standard version cannot be changed');
            END;
            """,
        )
    ],
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS standards_version_guard_update;",
    *[
        f"DROP TRIGGER IF EXISTS {table}_guard_{op};"
        for table in CONTENT_TABLES
        for op in ("insert", "update")
    ],
]


def forward(apps, schema_editor):
    statements = {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    statements = {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
