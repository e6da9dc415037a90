"""Local standards: a standard's area, a version's `extends`, a requirement's `raises`."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The database guards a published version's `extends` and a standard's area as it guards the
# rest (see 0002 and 0003); a published requirement's `raises` is guarded with the rest of it.
POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION standards_overlay_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status <> 'draft' AND NEW.extends_id IS DISTINCT FROM OLD.extends_id THEN
            RAISE EXCEPTION 'standard version % is %, so its content cannot be changed', OLD.version, OLD.status
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$;
    """,
    """
    CREATE TRIGGER standards_overlay_guard
    BEFORE UPDATE OF extends_id ON standards_standardversion
    FOR EACH ROW EXECUTE FUNCTION standards_overlay_guard();
    """,
    """
    CREATE OR REPLACE FUNCTION standards_area_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.area_code IS DISTINCT FROM OLD.area_code AND EXISTS (
            SELECT 1 FROM standards_standardversion WHERE standard_id = OLD.id AND status <> 'draft'
        ) THEN
            RAISE EXCEPTION 'standard % has a version that is not a draft, so its area cannot change', OLD.slug
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$;
    """,
    """
    CREATE TRIGGER standards_area_guard
    BEFORE UPDATE OF area_code ON standards_standard
    FOR EACH ROW EXECUTE FUNCTION standards_area_guard();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS standards_area_guard ON standards_standard;",
    "DROP FUNCTION IF EXISTS standards_area_guard();",
    "DROP TRIGGER IF EXISTS standards_overlay_guard ON standards_standardversion;",
    "DROP FUNCTION IF EXISTS standards_overlay_guard();",
]
SQLITE_FORWARD = [
    """
    CREATE TRIGGER standards_overlay_guard
    BEFORE UPDATE OF extends_id ON standards_standardversion
    WHEN OLD.status <> 'draft' AND NEW.extends_id IS NOT OLD.extends_id
    BEGIN
        SELECT RAISE(ABORT, 'a published standard version cannot be changed');
    END;
    """,
    """
    CREATE TRIGGER standards_area_guard
    BEFORE UPDATE OF area_code ON standards_standard
    WHEN NEW.area_code IS NOT OLD.area_code AND EXISTS (
        SELECT 1 FROM standards_standardversion WHERE standard_id = OLD.id AND status <> 'draft'
    )
    BEGIN
        SELECT RAISE(ABORT, 'a standard with a published version cannot change its area');
    END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS standards_area_guard;",
    "DROP TRIGGER IF EXISTS standards_overlay_guard;",
]


# SQLite rebuilds a table to add a column, and its triggers that name the table break the
# rebuild: set them aside first and put them back after (PostgreSQL alters in place).
_SET_ASIDE: list[tuple[str, str]] = []


def set_triggers_aside(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'standards_%'"
        )
        _SET_ASIDE[:] = cursor.fetchall()
    for name, _ in _SET_ASIDE:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};", params=None)


def put_triggers_back(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for _, sql in _SET_ASIDE:
        schema_editor.execute(sql, params=None)
    _SET_ASIDE.clear()


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
    dependencies = [
        ("standards", "0003_requirement_section_and_slug_guards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(set_triggers_aside, put_triggers_back),
        migrations.AddField(
            model_name="requirement",
            name="raises",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AddField(
            model_name="standard",
            name="area_code",
            field=models.CharField(blank=True, db_index=True, max_length=3),
        ),
        migrations.AddField(
            model_name="standardversion",
            name="extends",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="extended_by",
                to="standards.standardversion",
            ),
        ),
        migrations.AddConstraint(
            model_name="standardversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("extends", models.F("pk")), _negated=True),
                name="standard_version_not_extending_itself",
            ),
        ),
        migrations.RunPython(put_triggers_back, set_triggers_aside),
        migrations.RunPython(forward, backward),
    ]
