"""Freeze published (and superseded) local inclusion plans in the database itself.

PostgreSQL: triggers refuse any change to a plan that is not a draft other than its move from
published to superseded (and a deleted account's name being cleared from it), its deletion, and
any INSERT, UPDATE or DELETE of its specialist places and common settings. SQLite: the same for
INSERT and UPDATE; deletion is guarded by the services there, because SQLite has no TRUNCATE
and test databases are emptied with DELETE.
"""

from django.db import migrations

# Every column that the plan's canonical JSON or its record of publication depends on.
FROZEN_PLAN_COLUMNS = (
    "area_id",
    "academic_year",
    "version",
    "ordinarily_available_summary",
    "ordinarily_available_url",
    "send_team_contact",
    "sendiass_contact",
    "local_offer_url",
    "created_at",
    "published_at",
    "content_hash",
)
ALLOWED_MOVES_SQL = "(OLD.status = 'published' AND NEW.status = 'superseded')"
CONTENT_TABLES = ("inclusion_specialistplace", "inclusion_commonsetting")
PLAN_TABLE = "inclusion_inclusionplan"

_old = ", ".join(f"OLD.{c}" for c in FROZEN_PLAN_COLUMNS)
_new = ", ".join(f"NEW.{c}" for c in FROZEN_PLAN_COLUMNS)

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION inclusion_plan_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status <> 'draft' THEN
                RAISE EXCEPTION 'inclusion plan version % is %, so it cannot be deleted', OLD.version, OLD.status
                    USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status <> 'draft' THEN
            IF ROW({_new}) IS DISTINCT FROM ROW({_old}) THEN
                RAISE EXCEPTION 'inclusion plan version % is %, so it cannot be changed', OLD.version, OLD.status
                    USING ERRCODE = 'restrict_violation';
            END IF;
            IF NEW.status IS DISTINCT FROM OLD.status AND NOT ({ALLOWED_MOVES_SQL}) THEN
                RAISE EXCEPTION 'inclusion plan version % cannot move from % to %', OLD.version, OLD.status, NEW.status
                    USING ERRCODE = 'restrict_violation';
            END IF;
            IF NEW.published_by_id IS DISTINCT FROM OLD.published_by_id AND NEW.published_by_id IS NOT NULL THEN
                RAISE EXCEPTION 'inclusion plan version % is %, so who published it cannot change', OLD.version, OLD.status
                    USING ERRCODE = 'restrict_violation';
            END IF;
        END IF;
        RETURN NEW;
    END
    $$;
    """,
    f"""
    CREATE TRIGGER inclusion_plan_guard
    BEFORE UPDATE OR DELETE ON {PLAN_TABLE}
    FOR EACH ROW EXECUTE FUNCTION inclusion_plan_guard();
    """,
    f"""
    CREATE OR REPLACE FUNCTION inclusion_plan_content_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        frozen text;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT status INTO frozen FROM {PLAN_TABLE}
             WHERE id = OLD.plan_id AND status <> 'draft';
            IF frozen IS NOT NULL THEN
                RAISE EXCEPTION 'the inclusion plan is %, so its content cannot be changed', frozen
                    USING ERRCODE = 'restrict_violation';
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT status INTO frozen FROM {PLAN_TABLE}
             WHERE id = NEW.plan_id AND status <> 'draft';
            IF frozen IS NOT NULL THEN
                RAISE EXCEPTION 'the inclusion plan is %, so its content cannot be changed', frozen
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
        FOR EACH ROW EXECUTE FUNCTION inclusion_plan_content_guard();
        """
        for table in CONTENT_TABLES
    ],
]

POSTGRES_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {table}_guard ON {table};" for table in CONTENT_TABLES],
    "DROP FUNCTION IF EXISTS inclusion_plan_content_guard();",
    f"DROP TRIGGER IF EXISTS inclusion_plan_guard ON {PLAN_TABLE};",
    "DROP FUNCTION IF EXISTS inclusion_plan_guard();",
]

_changed_sqlite = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_PLAN_COLUMNS)
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER inclusion_plan_guard_update
    BEFORE UPDATE ON {PLAN_TABLE}
    WHEN OLD.status <> 'draft' AND (({_changed_sqlite})
         OR (NEW.status IS NOT OLD.status AND NOT ({ALLOWED_MOVES_SQL}))
         OR (NEW.published_by_id IS NOT OLD.published_by_id AND NEW.published_by_id IS NOT NULL))
    BEGIN
        SELECT RAISE(ABORT, 'a published inclusion plan cannot be changed');
    END;
    """,
    *[
        statement
        for table in CONTENT_TABLES
        for statement in (
            f"""
            CREATE TRIGGER {table}_guard_insert
            BEFORE INSERT ON {table}
            WHEN (SELECT status FROM {PLAN_TABLE} WHERE id = NEW.plan_id) <> 'draft'
            BEGIN
                SELECT RAISE(ABORT, 'a published inclusion plan cannot be changed');
            END;
            """,
            f"""
            CREATE TRIGGER {table}_guard_update
            BEFORE UPDATE ON {table}
            WHEN (SELECT status FROM {PLAN_TABLE} WHERE id = OLD.plan_id) <> 'draft'
              OR (SELECT status FROM {PLAN_TABLE} WHERE id = NEW.plan_id) <> 'draft'
            BEGIN
                SELECT RAISE(ABORT, 'a published inclusion plan cannot be changed');
            END;
            """,
        )
    ],
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS inclusion_plan_guard_update;",
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
    dependencies = [("inclusion", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
