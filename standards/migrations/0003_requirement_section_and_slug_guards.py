"""More of a published version guarded in the database itself (see 0002 for the rest).

- A requirement's section must belong to the requirement's version: otherwise a draft's
  requirement could be put in a published version's section, changing what it exports.
  A section with requirements cannot move to another version, for the same reason.
- A standard's slug cannot change once a version has left draft: every export shows it, and
  links to /standards/<slug>/<version>/ use it.
- SQLite: a published version's sections and requirements cannot be deleted (0002 covered
  only PostgreSQL). A draft's content still can, so a draft version still deletes with it.
"""

from django.db import migrations

# Every Standard column that a published export shows (canonical.version_document).
FROZEN_STANDARD_COLUMNS = ("slug",)
CONTENT_TABLES = ("standards_section", "standards_requirement")

HAS_LEFT_DRAFT = (
    "EXISTS (SELECT 1 FROM standards_standardversion"
    " WHERE standard_id = OLD.id AND status <> 'draft')"
)


# "Differs, NULL included" is IS DISTINCT FROM in PostgreSQL and IS NOT in SQLite.
def section_elsewhere(differs: str) -> str:
    return f"(SELECT version_id FROM standards_section WHERE id = NEW.section_id) {differs} NEW.version_id"


def standard_changed(differs: str) -> str:
    return " OR ".join(f"NEW.{c} {differs} OLD.{c}" for c in FROZEN_STANDARD_COLUMNS)


_standard_columns = ", ".join(FROZEN_STANDARD_COLUMNS)

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION standards_requirement_section_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF {section_elsewhere("IS DISTINCT FROM")} THEN
            RAISE EXCEPTION 'requirement %: its section belongs to another standard version', NEW.key
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$;
    """,
    """
    CREATE TRIGGER standards_requirement_section_guard
    BEFORE INSERT OR UPDATE OF section_id, version_id ON standards_requirement
    FOR EACH ROW EXECUTE FUNCTION standards_requirement_section_guard();
    """,
    """
    CREATE OR REPLACE FUNCTION standards_section_move_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.version_id IS DISTINCT FROM OLD.version_id
           AND EXISTS (SELECT 1 FROM standards_requirement WHERE section_id = OLD.id) THEN
            RAISE EXCEPTION 'section % has requirements, so it cannot move to another version', OLD.code
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$;
    """,
    """
    CREATE TRIGGER standards_section_move_guard
    BEFORE UPDATE OF version_id ON standards_section
    FOR EACH ROW EXECUTE FUNCTION standards_section_move_guard();
    """,
    f"""
    CREATE OR REPLACE FUNCTION standards_standard_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF ({standard_changed("IS DISTINCT FROM")}) AND {HAS_LEFT_DRAFT} THEN
            RAISE EXCEPTION 'standard % has a version that is not a draft, so its slug cannot change', OLD.slug
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$;
    """,
    f"""
    CREATE TRIGGER standards_standard_guard
    BEFORE UPDATE OF {_standard_columns} ON standards_standard
    FOR EACH ROW EXECUTE FUNCTION standards_standard_guard();
    """,
]

POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS standards_standard_guard ON standards_standard;",
    "DROP FUNCTION IF EXISTS standards_standard_guard();",
    "DROP TRIGGER IF EXISTS standards_section_move_guard ON standards_section;",
    "DROP FUNCTION IF EXISTS standards_section_move_guard();",
    "DROP TRIGGER IF EXISTS standards_requirement_section_guard ON standards_requirement;",
    "DROP FUNCTION IF EXISTS standards_requirement_section_guard();",
]

SQLITE_FORWARD = [
    *[
        f"""
        CREATE TRIGGER standards_requirement_section_{op}
        BEFORE {event} ON standards_requirement
        WHEN {section_elsewhere("IS NOT")}
        BEGIN
            SELECT RAISE(ABORT, 'a requirement''s section must belong to the requirement''s version');
        END;
        """
        for op, event in (("insert", "INSERT"), ("update", "UPDATE OF section_id, version_id"))
    ],
    """
    CREATE TRIGGER standards_section_move_guard
    BEFORE UPDATE OF version_id ON standards_section
    WHEN NEW.version_id IS NOT OLD.version_id
     AND EXISTS (SELECT 1 FROM standards_requirement WHERE section_id = OLD.id)
    BEGIN
        SELECT RAISE(ABORT, 'a section with requirements cannot move to another version');
    END;
    """,
    f"""
    CREATE TRIGGER standards_standard_guard_update
    BEFORE UPDATE OF {_standard_columns} ON standards_standard
    WHEN ({standard_changed("IS NOT")}) AND {HAS_LEFT_DRAFT}
    BEGIN
        SELECT RAISE(ABORT, 'a standard with a published version cannot change its slug');
    END;
    """,
    # Once the version itself is gone its status is NULL, and the content may go: so a draft
    # version deletes with its content, and flush empties the versions table first (see
    # standards/management/commands/flush.py).
    *[
        f"""
        CREATE TRIGGER {table}_guard_delete
        BEFORE DELETE ON {table}
        WHEN (SELECT status FROM standards_standardversion WHERE id = OLD.version_id) <> 'draft'
        BEGIN
            SELECT RAISE(ABORT, 'a published standard version cannot be changed');
        END;
        """
        for table in CONTENT_TABLES
    ],
]
SQLITE_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {table}_guard_delete;" for table in CONTENT_TABLES],
    "DROP TRIGGER IF EXISTS standards_standard_guard_update;",
    "DROP TRIGGER IF EXISTS standards_section_move_guard;",
    "DROP TRIGGER IF EXISTS standards_requirement_section_update;",
    "DROP TRIGGER IF EXISTS standards_requirement_section_insert;",
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
    dependencies = [("standards", "0002_published_versions_are_immutable")]

    operations = [migrations.RunPython(forward, backward)]
